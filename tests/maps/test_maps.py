"""The map file: self-contained, every layer present, input text escaped."""

from __future__ import annotations

import dataclasses
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


def test_settlements_no_list_names_have_their_own_layer(layers):
    from whitespot.coverage import gap_list  # noqa: PLC0415
    from whitespot.maps import gap_map, self_contained_html  # noqa: PLC0415
    from whitespot.maps.explore import UNLISTED_LAYER  # noqa: PLC0415

    gaps = gap_list(layers["villages"], layers["towers"], progress=False)
    villages = gaps.villages.copy()
    villages["unlisted"] = False
    villages.loc[villages.index[:2], "unlisted"] = True
    villages.loc[villages.index[:2], "village_id"] = ["unlisted-19567-1", "unlisted-19567-2"]
    drawn = gap_map(dataclasses.replace(gaps, villages=villages))
    page = self_contained_html(drawn)
    assert f'"{UNLISTED_LAYER}"' in page and "unlisted-19567-2" in page
