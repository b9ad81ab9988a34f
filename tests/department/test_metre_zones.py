"""Metres in the zone that fits the rows' province (issue 41, item 14).

A list in metres may be in the province's VN-2000 TM-3 zone or in VN-2000 / UTM 48N
(EPSG:3405); the two readings are about 130 km apart. Quảng Trị's TM-3 zone is EPSG:9212
(106°15'), per the EPSG dataset's area of use ("Binh Phuoc and Quang Tri provinces").
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest

from whitespot.department import read_village_list

LON = [107.20, 107.25, 107.15]  # Hải Lăng, Quảng Trị
LAT = [16.68, 16.70, 16.65]


def metres_list(path, epsg: int):
    points = gpd.GeoSeries(gpd.points_from_xy(LON, LAT), crs=4326).to_crs(epsg)
    pd.DataFrame(
        {
            "Tỉnh": "Quảng Trị",
            "Huyện": "Hải Lăng",
            "Thôn/Bản": ["Thôn Một", "Thôn Hai", "Thôn Ba"],
            "Số hộ": [40, 30, 25],
            "X": points.y.round(3),  # surveyors' X is the northing
            "Y": points.x.round(3),
        }
    ).to_csv(path, index=False)
    return path


def test_utm_metres_are_read_in_utm_where_the_provinces_zone_puts_them_elsewhere(tmp_path):
    path = metres_list(tmp_path / "utm.csv", 3405)
    read = read_village_list(path)
    points = read.villages.geometry
    assert points.x.tolist() == pytest.approx(LON, abs=1e-6)  # 133 km east before
    assert points.y.tolist() == pytest.approx(LAT, abs=1e-6)
    said = read.issues[read.issues["check"] == "coordinate_notation"]["message"]
    assert said.str.contains(r"UTM zone 48N \(EPSG:3405\), 100% of these rows fall in").all()
    assert said.str.contains(r"TM-3 zone \(EPSG:9212\) 0% would, 13\d km away").all()


def test_tm3_metres_of_the_province_are_still_read_in_its_zone(tmp_path):
    read = read_village_list(metres_list(tmp_path / "tm3.csv", 9212))
    assert read.villages.geometry.x.tolist() == pytest.approx(LON, abs=1e-6)
    said = read.issues[read.issues["check"] == "coordinate_notation"]["message"]
    assert said.str.contains("EPSG:9212").all() and not said.str.contains("3405").any()


def test_a_crs_whose_zone_is_not_the_provinces_is_warned_naming_the_zone(tmp_path):
    path = metres_list(tmp_path / "tm3.csv", 9212)
    with pytest.warns(UserWarning, match=r"--crs EPSG:9211 .* EPSG:9212 .* 26\.\d km") as said:
        read = read_village_list(path, crs="EPSG:9211")
    assert "3 rows" in str(said[0].message) and "Quảng Trị" in str(said[0].message)
    assert (read.issues["check"] == "crs_not_province_zone").sum() == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_village_list(path, crs="EPSG:9212")  # the province's zone
        read_village_list(metres_list(tmp_path / "utm.csv", 3405), crs="EPSG:3405")  # national
    assert not [w for w in caught if "--crs" in str(w.message)]
