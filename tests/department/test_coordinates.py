"""Coordinates as departments type them: decimal degrees with a dot or a comma, DMS, DM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitespot.department import parse_coordinates, read_village_list
from whitespot.department.coordinates import split_pairs


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


@pytest.mark.parametrize(
    ("cell", "first", "second"),
    [
        ("16.900000, 106.600000", "16.900000", "106.600000"),  # Google Maps' copy
        ("16.9,106.6", "16.9", "106.6"),
        ("16,92; 106,62", "16,92", "106,62"),
        ("16,92 106,62", "16,92", "106,62"),
        ("16°54'36\"N 106°36'36\"E", "16°54'36\"N", "106°36'36\"E"),
        ("16°54'36\"b, 106°36'36\"đ", "16°54'36\"b", "106°36'36\"đ"),
        ("1868000, 560000", "1868000", "560000"),  # VN-2000 X, Y
        ("16.9", "", ""),
        ("16,9, 106,6", "", ""),  # decimal commas and a comma between: not guessed
        ("", "", ""),
    ],
)
def test_a_cell_holding_both_coordinates_splits_in_two(cell, first, second):
    a, b = split_pairs(pd.Series([cell]))
    assert (a.iloc[0], b.iloc[0]) == (first, second)


def test_a_coordinates_column_is_read_latitude_first_and_swapped_where_the_numbers_say(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "Tỉnh,Xã,Thôn,Số hộ,Tọa độ\n"
        'Quảng Trị,Hướng Lập,Thôn A,10,"16.900000, 106.600000"\n'
        'Quảng Trị,Hướng Lập,Thôn B,12,"106.61, 16.91"\n'
        "Quảng Trị,Hướng Lập,Thôn C,8,16°55'12\"N 106°37'12\"E\n"
        "Quảng Trị,Hướng Lập,Thôn D,8,16.93\n",
        encoding="utf-8",
    )
    listed = read_village_list(path)
    xy = listed.villages.geometry
    assert xy.x.round(2).tolist()[:3] == [106.6, 106.61, 106.62]
    assert xy.y.round(2).tolist()[:3] == [16.9, 16.91, 16.92]
    checks = listed.issues.groupby("row")["check"].apply(set)
    assert "one_coordinate_column" in checks[0]
    assert "swapped_lonlat" in checks[3] and "coordinate_notation" in checks[4]
    assert "unreadable_coordinates" in checks[5]  # one number is not a place
    assert "missing_coordinates" not in checks[5]
    assert xy.iloc[3] is None or xy.iloc[3].is_empty
