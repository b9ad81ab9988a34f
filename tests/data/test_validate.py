"""Validation: each check on real bad files, with the message naming layer, column and ids."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from whitespot.data import (
    TECHNOLOGY_DEFAULTS,
    DefaultAppliedWarning,
    DuplicateColumnWarning,
    MultiTechnologyWarning,
    OperatorCodeWarning,
    ValidationError,
    validate_grid,
    validate_households,
    validate_layer,
    validate_towers,
    validate_villages,
    write_layer,
)
from whitespot.data._cells import yes_no
from whitespot.data._crs import WGS84


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def problem(error, check):
    return next(p for p in error.value.problems if p.check == check)


def test_valid_villages_are_normalized(villages, tmp_path):
    path = write_layer(villages, tmp_path / "villages.gpkg")
    result = validate_villages(path)
    assert list(result["village_id"]) == ["V1", "V2", "V3", "V4", "V5"]
    assert result["households"].dtype == "Int64"
    assert result.crs == WGS84
    assert result.columns[-1] == "geometry"
    assert list(result["electrified"]) == [1.0, 0.5, 0.0, 1.0, 0.0]


def test_missing_crs(villages, tmp_path):
    path = tmp_path / "villages.shp"
    write_layer(villages, path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(ValidationError, match=r"villages \(villages.shp\): column 'crs'") as error:
        validate_villages(path)
    assert error.value.checks == ("missing_crs",)


def test_missing_required_column_lists_present_columns(tmp_path):
    path = write_csv(tmp_path / "v.csv", "id,households,lon,lat\nV1,3,106.7,16.8\n")
    with pytest.raises(ValidationError, match=r"column 'village_id'.*required.*id, households"):
        validate_villages(path)


def test_swapped_lonlat_named_with_ids(tmp_path):
    rows = "\n".join(f"V{i},5,{16.5 + i / 100},{106.7}" for i in range(3))
    path = write_csv(tmp_path / "v.csv", "village_id,households,lon,lat\nV9,5,106.7,16.8\n" + rows)
    with pytest.raises(ValidationError) as error:
        validate_villages(path)
    found = problem(error, "swapped_lonlat")
    assert found.ids == ("V0", "V1", "V2")
    assert "swapped" in str(error.value) and "V9" not in str(error.value)


def test_swapped_coordinates_in_projected_crs(villages):
    villages["geometry"] = gpd.points_from_xy([105.3, 105.0, 104.9, 105.5, 105.6], [21.0] * 5)
    metric = villages.to_crs(32648)
    swapped = metric.set_geometry(shapely.points(metric.geometry.y, metric.geometry.x))
    swapped.loc[0, "geometry"] = metric.geometry[0]
    with pytest.raises(ValidationError) as error:
        validate_villages(swapped)
    # read as UTM 48N, the swapped points fall at about 121E 5N, outside Viet Nam
    assert problem(error, "swapped_lonlat").ids == ("V2", "V3", "V4", "V5")


def test_coordinates_out_of_range(tmp_path):
    path = write_csv(
        tmp_path / "v.csv", "village_id,households,lon,lat\nV1,5,106.7,16.8\nV2,5,206.7,95\n"
    )
    with pytest.raises(ValidationError) as error:
        validate_villages(path)
    assert problem(error, "coordinates_out_of_range").ids == ("V2",)


def test_outside_region_and_region_none(tmp_path):
    path = write_csv(tmp_path / "v.csv", "village_id,households,lon,lat\nV1,5,2.35,48.85\n")
    with pytest.raises(ValidationError) as error:
        validate_villages(path)
    assert problem(error, "outside_region").ids == ("V1",)
    assert len(validate_villages(path, region=None)) == 1


def test_duplicate_and_missing_ids(tmp_path):
    path = write_csv(
        tmp_path / "v.csv",
        "village_id,households,lon,lat\nV1,5,106.7,16.8\nV1,6,106.8,16.8\n,7,106.9,16.8\n",
    )
    with pytest.raises(ValidationError) as error:
        validate_villages(path)
    assert problem(error, "duplicate_id").ids == ("V1", "V1")
    assert problem(error, "missing_id").ids == ("row 3",)


def test_households_negative_fractional_missing_and_text(tmp_path):
    path = write_csv(
        tmp_path / "v.csv",
        "village_id,households,lon,lat\n"
        "V1,-3,106.7,16.8\nV2,2.5,106.7,16.8\nV3,,106.7,16.8\nV4,many,106.7,16.8\nV5,4,106.7,16.8\n",
    )
    with pytest.raises(ValidationError) as error:
        validate_villages(path)
    expected = {
        "negative": ("V1",),
        "not_integer": ("V2",),
        "missing_value": ("V3",),
        "not_a_number": ("V4",),
    }
    assert {p.check: p.ids for p in error.value.problems} == expected
    assert all(p.column == "households" for p in error.value.problems)


def test_empty_and_invalid_and_wrong_type_geometry(villages, tmp_path):
    bowtie = shapely.Polygon([(106.7, 16.7), (106.8, 16.8), (106.8, 16.7), (106.7, 16.8)])
    villages.loc[1, "geometry"] = bowtie
    villages.loc[2, "geometry"] = shapely.LineString([(106.7, 16.7), (106.8, 16.8)])
    villages.loc[3, "geometry"] = None
    path = write_layer(villages, tmp_path / "villages.gpkg")
    with pytest.raises(ValidationError) as error:
        validate_villages(path)
    assert problem(error, "empty_geometry").ids == ("V4",)
    assert problem(error, "geometry_type").ids == ("V3",)
    assert problem(error, "invalid_geometry").ids == ("V2",)
    assert "Self-intersection" in problem(error, "invalid_geometry").message


def test_polygon_villages_are_accepted(villages):
    villages.loc[0, "geometry"] = shapely.box(106.69, 16.59, 106.71, 16.61)
    assert validate_villages(villages).geom_type.tolist()[0] == "Polygon"


def test_unknown_technology_and_aliases(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        "tower_id,technology,height_m,frequency_mhz,eirp_dbm,lon,lat\n"
        "T1,LTE,30,1800,27,106.7,16.8\nT2,gsm,30,900,55,106.7,16.8\n"
        "T3,6G,30,900,55,106.7,16.8\nT4,NR,30,2600,35,106.7,16.8\n",
    )
    with pytest.raises(ValidationError, match="unknown technology") as error:
        validate_towers(path)
    assert problem(error, "unknown_technology").ids == ("T3",)
    path.write_text(path.read_text().replace("6G", "UMTS"), encoding="utf-8")
    assert validate_towers(path)["technology"].tolist() == ["4G", "2G", "3G", "5G"]


def test_nan_in_optional_number_gets_reported_default(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        "tower_id,technology,height_m,lon,lat\nT1,2G,,106.7,16.8\nT2,4G,40,106.7,16.8\n",
    )
    with pytest.warns(DefaultAppliedWarning) as caught:
        towers = validate_towers(path)
    messages = [str(w.message) for w in caught]
    assert any("'height_m' missing in 1 of 2 rows" in m for m in messages)
    assert any("'frequency_mhz' missing in 2 of 2 rows" in m for m in messages)
    assert towers["height_m"].tolist() == [30.0, 40.0]
    assert towers["frequency_mhz"].tolist() == [900.0, 1800.0]
    assert towers["operator"].tolist() == ["unknown", "unknown"]


def test_no_warning_when_nothing_is_defaulted(province):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_towers(province.towers)
        validate_villages(province.villages)


def test_non_positive_height_and_bad_azimuth(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        "tower_id,technology,height_m,frequency_mhz,eirp_dbm,azimuth_deg,lon,lat\n"
        "T1,4G,0,1800,27,400,106.7,16.8\nT2,4G,30,1800,27,90,106.7,16.8\n",
    )
    with pytest.raises(ValidationError) as error:
        validate_towers(path)
    assert problem(error, "not_positive").column == "height_m"
    assert problem(error, "out_of_range").column == "azimuth_deg"


def test_electrified_words_and_bad_share(tmp_path):
    path = write_csv(
        tmp_path / "v.csv",
        "village_id,households,electrified,lon,lat\n"
        "V1,3,có,106.7,16.8\nV2,3,không,106.7,16.8\nV3,3,0.4,106.7,16.8\nV4,3,,106.7,16.8\n"
        "V5,3,1.5,106.7,16.8\n",
    )
    with pytest.raises(ValidationError) as error:
        validate_villages(path)
    assert problem(error, "invalid_share").ids == ("V5",)
    path.write_text(path.read_text().replace("1.5", "TRUE"), encoding="utf-8")
    shares = validate_villages(path)["electrified"].tolist()
    assert shares[:3] == [1.0, 0.0, 0.4] and np.isnan(shares[3]) and shares[4] == 1.0


def test_at_most_ten_ids_are_shown():
    lon = np.full(25, 16.8)
    lat = np.full(25, 106.7)
    villages = gpd.GeoDataFrame(
        {"village_id": [f"V{i:02d}" for i in range(25)], "households": 1},
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )
    with pytest.raises(ValidationError) as error:
        validate_villages(villages)
    assert "25 rows (ids: V00, V01, V02, V03, V04, V05, V06, V07, V08, V09 and 15 more)" in str(
        error.value
    )


def test_numeric_ids_become_text(tmp_path):
    villages = gpd.GeoDataFrame(
        {"village_id": [1.0, 2.0], "households": [1, 2]},
        geometry=gpd.points_from_xy([106.7, 106.8], [16.8, 16.8]),
        crs=WGS84,
    )
    assert validate_villages(villages)["village_id"].tolist() == ["1", "2"]


def test_column_names_are_matched_case_insensitively():
    villages = gpd.GeoDataFrame(
        {"Village_ID": ["a"], "HOUSEHOLDS": [3]},
        geometry=gpd.points_from_xy([106.7], [16.8]),
        crs=WGS84,
    )
    assert list(validate_villages(villages).columns[:2]) == ["village_id", "households"]


def test_grid_and_households_layers(province):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = validate_grid(province.grid)
        households = validate_households(province.households)
    assert set(grid.geom_type) == {"LineString"}
    assert households["household_id"].is_unique


def test_households_without_ids_get_row_numbers_with_warning(province):
    households = province.households.drop(columns="household_id").head(3)
    with pytest.warns(DefaultAppliedWarning, match="'household_id' missing in 3 of 3 rows"):
        result = validate_households(households)
    assert result["household_id"].tolist() == ["row1", "row2", "row3"]


def test_unknown_layer_name():
    with pytest.raises(ValueError, match="layer='hamlets' is not one of villages"):
        validate_layer("hamlets", gpd.GeoDataFrame())


def test_extra_columns_are_kept(villages):
    villages["surveyed"] = pd.Timestamp("2025-01-01")
    assert "surveyed" in validate_villages(villages).columns


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (pd.Series(["Có", "không", pd.NA, None], dtype="string"), [1.0, 0.0, np.nan, np.nan]),
        (pd.Series([pd.NA, pd.NA], dtype="string"), [np.nan, np.nan]),
        (
            pd.Series([True, 1.0, 0, "x", "None", np.nan], dtype=object),
            [1, np.nan, 0, 1, np.nan, np.nan],
        ),
        (pd.Series([], dtype=object), []),
    ],
)
def test_yes_no_reads_each_cell_as_its_text(cells, expected):
    """True and 1.0 hash alike but read apart; missing cells of any dtype are NaN."""
    np.testing.assert_array_equal(yes_no(cells), np.array(expected, dtype=float))


def test_operators_given_by_network_code_are_read_as_their_names():
    towers = gpd.GeoDataFrame(
        {
            "tower_id": ["T1", "T2", "T3", "T4"],
            "operator": ["45204", "452-01", "Viettel", "46001"],
            "technology": "4G",
        },
        geometry=gpd.points_from_xy([106.6, 106.7, 106.8, 106.9], [16.9] * 4),
        crs="EPSG:4326",
    )
    with pytest.warns(OperatorCodeWarning, match=r"45204 -> Viettel, 452-01 -> MobiFone"):
        checked = validate_towers(towers)
    assert checked["operator"].tolist() == ["Viettel", "MobiFone", "Viettel", "46001"]


def test_a_provincial_tower_list_is_read_as_it_comes(tmp_path):
    """Vietnamese headers, VNPT for VinaPhone, and a site listing its technologies in one
    cell: one tower per technology, each with its own frequency where the cell lists them."""
    path = tmp_path / "tram.csv"
    path.write_text(
        "STT,Mã trạm,Nhà mạng,Công nghệ,Băng tần (MHz),Độ cao anten (m),Kinh độ,Vĩ độ\n"
        "1,QTI001,Viettel,4G,1800,30,106.60,16.90\n"
        "2,QTI002,VNPT,2G/3G,900/2100,35,106.62,16.92\n"
        "3,QTI003,MobiFone,2G/3G/4G,900,40,106.58,16.62\n",
        encoding="utf-8",
    )
    with pytest.warns(MultiTechnologyWarning, match="2 sites list several technologies"):
        towers = validate_towers(path)
    assert towers["tower_id"].tolist() == [
        "QTI001", "QTI002-2G", "QTI002-3G", "QTI003-2G", "QTI003-3G", "QTI003-4G",
    ]  # fmt: skip
    assert towers["operator"].tolist()[1:3] == ["VinaPhone", "VinaPhone"]
    assert towers["technology"].tolist() == ["4G", "2G", "3G", "2G", "3G", "4G"]
    assert towers["frequency_mhz"].tolist()[:3] == [1800.0, 900.0, 2100.0]  # paired
    defaults = [TECHNOLOGY_DEFAULTS[t].frequency_mhz for t in ("2G", "3G", "4G")]
    assert towers["frequency_mhz"].tolist()[3:] == defaults  # one value for three: none's
    assert towers["height_m"].tolist() == [30.0, 35.0, 35.0, 40.0, 40.0, 40.0]
    assert towers.geometry.x.tolist()[3:] == [106.58] * 3


@pytest.mark.parametrize(
    ("layer", "field", "header", "first", "second"),
    [
        ("villages", "survey_signal", "has_signal", [None, None, None], ["có", "no", "yếu"]),
        ("villages", "households", "Households", [np.nan, 12, np.nan], [10, 12, 30]),
        ("towers", "operator", "nhà mạng", ["", "", ""], ["Viettel", "Viettel", "MobiFone"]),
        ("towers", "height_m", "độ cao anten", [None, None, None], [30, 35, 40]),
    ],
)
def test_two_columns_of_one_field_read_the_one_with_values(layer, field, header, first, second):
    """Issue 39: whichever column the file names first, its empty cells take the other's
    values (said), in every layer; where both have values that disagree the layer is
    refused, naming both columns and the rows."""
    table = gpd.GeoDataFrame(
        {
            ("village_id" if layer == "villages" else "tower_id"): ["A", "B", "C"],
            "households": [10, 12, 30],
            "technology": "4G",
            field: first,
            header: second,
        },
        geometry=shapely.points([(106.70, 16.60), (106.71, 16.61), (106.72, 16.62)]),
        crs=WGS84,
    )
    with pytest.warns(DuplicateColumnWarning, match=rf"'{field}' and '{header}' both give"):
        read = validate_layer(layer, table)
    expected = validate_layer(layer, table.drop(columns=field).rename(columns={header: field}))
    pd.testing.assert_series_equal(read[field], expected[field])
    assert header not in read.columns
    clash = table.assign(**{field: second[::-1]})
    with pytest.raises(ValidationError) as error:
        validate_layer(layer, clash)
    found = problem(error, "columns_disagree")
    assert found.column == field and set(found.ids) == {"A", "C"}
    assert f"'{field}' and '{header}' both give {field} and disagree" in found.message


def test_two_columns_that_agree_once_read_are_not_refused():
    """G-NetTrack writes Operator (45204) and Operatorname (Viettel): they agree once read."""
    table = gpd.GeoDataFrame(
        {
            "Operator": ["45204", "45202", "45204"],
            "Operatorname": ["VIETTEL", "VinaPhone", "Viettel"],
            "NetworkTech": "LTE",
            "Level": [-90, -95, -100],
        },
        geometry=shapely.points([(106.70, 16.60), (106.71, 16.61), (106.72, 16.62)]),
        crs=WGS84,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OperatorCodeWarning)
        warnings.simplefilter("ignore", DefaultAppliedWarning)
        warnings.simplefilter("error", DuplicateColumnWarning)
        read = validate_layer("measurements", table)
    assert read["operator"].tolist() == ["Viettel", "VinaPhone", "Viettel"]
