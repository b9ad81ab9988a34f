"""Coordinates as departments type them: decimal degrees with a dot or a comma, DMS, DM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitespot.department import parse_coordinates


@pytest.mark.parametrize(
    ("text", "axis", "degrees", "notation"),
    [
        ("18°30'12.5\"N", "lat", 18 + 30 / 60 + 12.5 / 3600, "dms"),
        ("105 45 30 E", "lon", 105 + 45 / 60 + 30 / 3600, "dms"),
        ("105°45′30″E", "lon", 105 + 45 / 60 + 30 / 3600, "dms"),  # prime and double prime
        ("105°45'30\"Đ", "lon", 105 + 45 / 60 + 30 / 3600, "dms"),  # Vietnamese east
        ("16°25'12\" B", "lat", 16 + 25 / 60 + 12 / 3600, "dms"),  # Vietnamese north
        ("N 18°30'12.5\"", "lat", 18 + 30 / 60 + 12.5 / 3600, "dms"),  # hemisphere first
        ("18°30.2'N", "lat", 18 + 30.2 / 60, "dm"),
        ("18°30,2'N", "lat", 18 + 30.2 / 60, "dm"),  # comma in the minutes
        ("33°51'35\"S", "lat", -(33 + 51 / 60 + 35 / 3600), "dms"),
        ("70 30 0 W", "lon", -70.5, "dms"),
        ("18.5°N", "lat", 18.5, "decimal"),
        ("105,758333", "lon", 105.758333, "decimal_comma"),
        ("105.758333", "lon", 105.758333, "decimal"),
        ("-105.5", "lon", -105.5, "decimal"),
    ],
)
def test_notations(text, axis, degrees, notation):
    value, kind = parse_coordinates(pd.Series([text]), axis)
    assert value[0] == pytest.approx(degrees, abs=1e-9)
    assert kind[0] == notation


@pytest.mark.parametrize(
    ("text", "axis"),
    [
        ("18°70'N", "lat"),  # 70 minutes
        ("18°30'75\"N", "lat"),  # 75 seconds
        ("105°45'30\"N", "lon"),  # a latitude hemisphere in a longitude column
        ("16°25'12\"E", "lat"),  # and the other way round
        ("N 18°30' S", "lat"),  # two hemispheres
        ("200", "lon"),  # beyond 180
        ("95", "lat"),  # beyond 90
        ("abc", "lat"),
        ("1,234,5", "lat"),
    ],
)
def test_unreadable(text, axis):
    value, kind = parse_coordinates(pd.Series([text]), axis)
    assert np.isnan(value[0])
    assert kind[0] == "unreadable"


def test_numbers_and_blanks_in_one_column():
    value, kind = parse_coordinates(pd.Series([106.5, None, "", "  ", 17]), "lon")
    assert value[0] == 106.5 and value[4] == 17
    assert list(kind) == ["decimal", "missing", "missing", "missing", "decimal"]


@given(st.floats(min_value=-89.9, max_value=89.9), st.sampled_from(["'\"", "′″"]))
def test_dms_round_trip(degrees, marks):
    """Any latitude written as D°M'S.SSSS"H reads back to within 1e-7 degrees."""
    hemisphere = "N" if degrees >= 0 else "S"
    total = round(abs(degrees) * 3600, 4)  # seconds, carried so that none reads 60
    whole, minutes = int(total // 3600), int(total % 3600 // 60)
    seconds = total - whole * 3600 - minutes * 60
    text = f"{whole}°{minutes}{marks[0]}{seconds:.4f}{marks[1]}{hemisphere}"
    value, kind = parse_coordinates(pd.Series([text]), "lat")
    assert kind[0] == "dms"
    assert value[0] == pytest.approx(degrees, abs=1e-7)
