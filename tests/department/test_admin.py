"""Post-2025 administrative units: real old-to-new conversions, splits, unmatched names."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from whitespot.data._crs import WGS84
from whitespot.department import assign_admin_units
from whitespot.department._admin import code_sources, province_outline


def units(rows, points=None, **kwargs):
    frame = gpd.GeoDataFrame(
        {
            "old_province": [r[0] for r in rows],
            "old_district": [r[1] for r in rows],
            "old_commune": [r[2] for r in rows],
        },
        geometry=shapely.points(points or [(106.6, 16.7)] * len(rows)),
        crs=WGS84,
    )
    return assign_admin_units(frame, **kwargs)


# Pre-2025 communes of Quảng Trị and Quảng Bình and the commune each became on 1 July 2025
# (Resolution 1680/NQ-UBTVQH15 of the NA Standing Committee on the communes of Quảng Trị),
# with the codes of the Statistics Office's list as vietnamadminunits carries them.
REAL_PAIRS = [
    (("Quảng Trị", "Hướng Hóa", "Hướng Lập"), "44", "19435", "Xã Hướng Lập"),
    (("Quảng Trị", "Huyện Hướng Hóa", "Xã Hướng Việt"), "44", "19435", "Xã Hướng Lập"),
    (("Quảng Trị", "Hướng Hóa", "Xy"), "44", "19483", "Xã A Dơi"),
    (("Quảng Trị", "Hướng Hóa", "Ba Tầng"), "44", "19483", "Xã A Dơi"),
    (("Tỉnh Quảng Trị", "Huyện Đakrông", "Xã A Ngo"), "44", "19594", "Xã La Lay"),
    (("Quảng Trị", "Đa Krông", "A Bung"), "44", "19594", "Xã La Lay"),
    (("Quảng Trị", "Đakrông", "Tà Rụt"), "44", "19588", "Xã Tà Rụt"),
    (("quang tri", "huong hoa", "huong phung"), "44", "19441", "Xã Hướng Phùng"),
]


@pytest.mark.parametrize(("old", "province", "commune", "name"), REAL_PAIRS)
def test_real_old_to_new_pairs(old, province, commune, name):
    row = units([old]).iloc[0]
    assert (row["province_code"], row["commune_code"], row["commune_name"]) == (
        province,
        commune,
        name,
    )
    assert row["admin_status"] == "matched"
    assert row["province_name"] == "Tỉnh Quảng Trị"


def test_old_names_are_kept():
    out = units([("Quảng Trị", "Hướng Hóa", "Xy")])
    assert out.loc[0, "old_commune"] == "Xy" and out.loc[0, "old_district"] == "Hướng Hóa"


def test_loose_match_is_flagged():
    # the converter finds "A Ngo" inside the name; whitespot says so instead of trusting it
    row = units([("Quảng Trị", "Đakrông", "Xã A Ngo Không Có")]).iloc[0]
    assert row["admin_status"] == "matched_approximate"
    assert "read as Xã A Ngo" in row["admin_note"]
    assert units([("Quảng Trị", "Hướng Hóa", "Thị trấn Khe Sanh")]).loc[0, "admin_status"] == (
        "matched"
    )


def test_unmatched_name_is_kept_with_the_closest_candidates():
    out = units([("Quảng Trị", "Đakrông", "Xã Không Tồn Tại")])
    row = out.iloc[0]
    assert row["admin_status"] == "admin_unmatched"
    assert row["commune_code"] == "" and row["province_code"] == "44"
    assert "closest" in row["admin_note"] and "Huyện Đa Krông" in row["admin_note"]


def test_post_2025_names_without_a_district():
    row = units([("Quảng Trị", "", "Xã La Lay")]).iloc[0]
    assert (row["commune_code"], row["admin_status"]) == ("19594", "matched_new_units")


def test_disagreeing_code_is_shown_beside_the_chosen_one():
    # DESIGN.md: Phường Cửa Nam is 00082 in the Statistics Office's list, 73 in the other
    row = units([("Hà Nội", "", "Phường Cửa Nam")], [(105.84, 21.02)]).iloc[0]
    assert row["commune_code"] == "00082"
    assert row["commune_code_vietnam_provinces"] == "00073"
    assert "vietnamadminunits" in code_sources()["admin_code_source"]


def test_split_commune_flagged_without_boundaries_and_decided_with_them():
    # Xã Vô Ngại (Bình Liêu, Quảng Ninh) was split between Xã Bình Liêu and Xã Tiên Yên
    old = ("Quảng Ninh", "Bình Liêu", "Vô Ngại")
    points = [(107.40, 21.50), (107.50, 21.40)]
    flagged = units([old, old], points)
    assert set(flagged["admin_status"]) == {"split_unresolved"}
    assert "Xã Tiên Yên" in flagged.loc[0, "admin_note"]
    boundaries = gpd.GeoDataFrame(
        {"commune_code": ["06838", "06862"]},
        geometry=[shapely.box(107.3, 21.45, 107.45, 21.6), shapely.box(107.45, 21.3, 107.6, 21.45)],
        crs=WGS84,
    )
    decided = units([old, old], points, communes=boundaries)
    assert decided["commune_code"].tolist() == ["06838", "06862"]
    assert decided["commune_name"].tolist() == ["Xã Bình Liêu", "Xã Tiên Yên"]
    assert set(decided["admin_status"]) == {"split_by_location"}


def test_province_outline_holds_its_communes():
    outline = province_outline("44")
    assert outline.contains(shapely.Point(106.60, 16.63))  # Khe Sanh
    assert not outline.contains(shapely.Point(105.85, 21.03))  # Hà Nội
    assert province_outline("99") is None
