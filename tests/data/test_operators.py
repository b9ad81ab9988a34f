"""Operators as offices and phones write them are one operator each (issue 41, item 1)."""

from __future__ import annotations

import geopandas as gpd
import pytest

from whitespot.data import OperatorCodeWarning, validate_measurements, validate_towers

SPELLINGS = {
    "Viettel 4G": "Viettel",
    "Tập đoàn Viettel": "Viettel",
    "Viettel (VTL)": "Viettel",
    "VN Viettel": "Viettel",
    "Vina": "VinaPhone",
    "VNPT Quảng Trị": "VinaPhone",
    "VN VINAPHONE": "VinaPhone",
    "Mobi": "MobiFone",
    "Tổng công ty Viễn thông MobiFone": "MobiFone",
    "Mobifone 3G": "MobiFone",
    "VN MOBIFONE": "MobiFone",
    "45204": "Viettel",
    "Vietnam Mobile": "Vietnamobile",
}


def test_a_towers_file_in_office_spellings_has_one_name_per_operator(province):
    towers = province.towers.iloc[: len(SPELLINGS) + 2].copy()
    towers["operator"] = [*SPELLINGS, "Viettel/MobiFone", "EVN"]
    with pytest.warns(OperatorCodeWarning) as said:
        checked = validate_towers(towers)
    assert checked["operator"].tolist()[: len(SPELLINGS)] == list(SPELLINGS.values())
    messages = " ".join(str(w.message) for w in said)
    assert "Tập đoàn Viettel -> Viettel" in messages  # each spelling said
    assert "2 rows name no operator or two" in messages and "'EVN' (1)" in messages
    assert checked["operator"].tolist()[-2:] == ["Viettel/MobiFone", "EVN"]  # kept, counted


def test_phones_and_offices_spell_the_same_network_alike(province):
    towers = province.towers.iloc[:3].copy()
    towers["operator"] = ["Tập đoàn Viettel", "VNPT Quảng Trị", "Mobifone 3G"]
    drive = gpd.GeoDataFrame(
        {"signal_dbm": [-90.0] * 3, "technology": ["4G"] * 3,
         "operator": ["VN Viettel", "VN VINAPHONE", "Mobi"]},
        geometry=gpd.points_from_xy([106.6] * 3, [16.9] * 3), crs=4326,
    )  # fmt: skip
    with pytest.warns(OperatorCodeWarning):
        measured = validate_measurements(drive)
        checked = validate_towers(towers)
    assert sorted(measured["operator"]) == sorted(checked["operator"])
