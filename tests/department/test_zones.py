"""The VN-2000 TM-3 zone of a row, from its province as the EPSG dataset gives it."""

from __future__ import annotations

import pytest

from whitespot.department._zones import row_zone, zones_by_province


def test_every_pre_2025_province_has_the_zone_epsg_gives_it():
    zones = zones_by_province()
    assert len(zones) >= 63  # the 63 provinces (and Hà Tây, merged into Hà Nội in 2008)
    # EPSG area of use, as published: 9205 Dien Bien and Lai Chau; 9212 Binh Phuoc and
    # Quang Tri; 5899 Quang Ninh, Da Nang, Quang Nam, Ba Ria-Vung Tau, Dong Nai, Lam Dong
    assert zones["laichau"] == zones["dienbien"] == 9205
    assert zones["quangtri"] == zones["binhphuoc"] == 9212
    assert zones["quangninh"] == zones["lamdong"] == zones["bariavungtau"] == 5899
    assert zones["hanoi"] == zones["thanhhoa"] == 5897
    assert zones["quangngai"] == 5898


@pytest.mark.parametrize(
    ("province", "district", "epsg"),
    [
        ("Lai Châu", "", 9205),  # unchanged in 2025
        ("Tỉnh Thừa Thiên Huế", "", 9214),
        ("Thành phố Huế", "", 9214),  # renamed in January 2025
        ("Quảng Bình", "", 9211),  # a pre-2025 name only
        ("Quảng Trị", "Hải Lăng", 9212),  # also the 2025 province: the district decides
        ("Quảng Trị", "Huyện Lệ Thủy", 9211),  # a district of old Quảng Bình
        ("Ninh Bình", "Kim Sơn", 5897),
        ("Ninh Bình", "", None),  # Hà Nam, Nam Định (9209) and Ninh Bình since 2025
    ],
)
def test_row_zone(province, district, epsg):
    assert row_zone(province, district).epsg == epsg


def test_a_merged_name_without_a_district_is_not_guessed():
    zone = row_zone("Quảng Trị", "")
    assert zone.epsg is None and "EPSG:9211, EPSG:9212" in zone.reason
    assert row_zone("", "").epsg is None and row_zone("Atlantis", "").epsg is None
