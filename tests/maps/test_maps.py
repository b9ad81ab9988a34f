"""The map file: self-contained, every layer present, input text escaped."""

from __future__ import annotations

import re

import folium

from whitespot.data import validate_measurements
from whitespot.evidence import measured_pairs, synthetic_measurements
from whitespot.maps._measured import measurements_layer, residuals_layer
from whitespot.radio import SignalSetup


def test_map_is_self_contained(map_file):
    page = map_file[0].read_text(encoding="utf-8")
    assert not re.search(r'<script src="https?://', page)
    assert not re.search(r'<link rel="stylesheet" href="https?://', page)
    assert "L.map(" in page and "L.Control.Measure" in page and "fullscreen" in page.lower()


def test_every_layer_is_named(map_file, expected_layers):
    page = map_file[0].read_text(encoding="utf-8")
    for name in expected_layers:
        assert f'"{name}"' in page, name


def test_input_text_is_escaped(map_file):
    page = map_file[0].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page  # HTML-escaped inside the JSON


def test_few_measurements_are_drawn_one_by_one_with_escaped_popups(layers):
    towers = layers["towers"]
    drive = validate_measurements(synthetic_measurements(towers, samples=200, seed=4))
    drive.loc[0, "operator"] = "<b>x</b>"
    pairs = measured_pairs(drive, towers, SignalSetup())
    layer = measurements_layer(pairs)
    assert isinstance(layer, folium.GeoJson)
    text = str(layer.data)
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "<b>x</b>" not in text
    cells = residuals_layer(pairs).data["features"]
    assert 0 < len(cells) <= len(pairs)
    assert all("mean of" in c["properties"]["label"] for c in cells)
