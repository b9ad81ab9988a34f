"""The map file: self-contained, every layer present, input text escaped."""

from __future__ import annotations

import re


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
