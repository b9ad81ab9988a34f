"""Measured levels as phones write them: lookalike quantities refused, a few bad rows dropped,
technology labels of every tool read (issue 26, items 6 and 7)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from whitespot.data import (
    ImplausibleValueWarning,
    PhoneExportWarning,
    ValidationError,
    validate_measurements,
)

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


def measurements(levels, technology="4G", header="RSRP"):
    """A drive test near Huế with one level column under `header`."""
    count = len(levels)
    return gpd.GeoDataFrame(
        {
            header: levels,
            "technology": technology,
            "operator": "Viettel",
        },
        geometry=gpd.points_from_xy(
            np.linspace(107.50, 107.60, count), np.linspace(16.40, 16.45, count)
        ),
        crs="EPSG:4326",
    )


def test_extended_range_rsrp_is_a_level():
    read = validate_measurements(measurements([-152.0, -95.0, -101.0]))
    assert read["signal_dbm"].tolist() == [-152.0, -95.0, -101.0]


def test_one_impossible_row_is_dropped_with_its_id_not_the_whole_file():
    levels = np.r_[np.linspace(-120, -70, 99), 15.0]
    with pytest.warns(ImplausibleValueWarning, match=r"1 of 100 rows dropped.*row100"):
        read = validate_measurements(measurements(levels))
    assert len(read) == 99
    assert read["measurement_id"].iloc[-1] == "row99"  # the file's own row numbers


def test_a_file_of_mostly_impossible_rows_is_refused():
    with pytest.raises(ValidationError, match="signal_dbm"):
        validate_measurements(measurements([-300.0, -250.0, 5.0, -90.0]))


@pytest.mark.parametrize(
    ("levels", "looks_like"),
    [(np.linspace(-19, -4, 50), "RSRQ"), (np.linspace(1, 28, 50), "SINR")],
)
def test_rsrq_or_sinr_in_a_level_column_is_refused_not_calibrated(levels, looks_like):
    with pytest.raises(ValidationError) as error:
        validate_measurements(measurements(levels, header="level"))
    text = str(error.value)
    assert looks_like in text and "'level'" in text and "not a received level" in text


def test_lte_rssi_is_refused_and_gsm_rssi_is_a_level():
    with pytest.raises(ValidationError, match=r"RSSI.*4G/5G rows.*RSRP \+ 28 dB"):
        validate_measurements(measurements([-70.0, -65.0, -80.0], header="RSSI"))
    gsm = validate_measurements(measurements([-70.0, -65.0, -80.0], "GSM", header="RSSI"))
    assert gsm["technology"].unique().tolist() == ["2G"]


LABELS = {
    "4G+": "4G",
    "LTE CA": "4G",
    "LTE-A": "4G",
    "lte_ca": "4G",
    "5G NSA": "5G",
    "NR5G": "5G",
    "NR_NSA": "5G",
    "HSDPA": "3G",
    "HSPA+": "3G",
    "EDGE": "2G",
}


def test_technology_labels_as_phones_write_them_are_read():
    frame = measurements(np.full(len(LABELS), -90.0), list(LABELS))
    read = validate_measurements(frame)
    assert read["technology"].tolist() == list(LABELS.values())
    assert pd.api.types.is_string_dtype(read["technology"])


def test_levels_written_with_units_and_decimal_commas_are_read():
    """Issue 41, item 6: '-95 dBm', '-95,5', a Unicode minus (−95), said once."""
    with pytest.warns(PhoneExportWarning, match="3 levels written with their unit"):
        read = validate_measurements(measurements(["-95 dBm", "-95,5", "\u221297", "-101.0"]))
    assert read["signal_dbm"].tolist() == [-95.0, -95.5, -97.0, -101.0]


def test_no_service_rows_are_kept_and_take_the_phones_only_operator():
    """Issue 41, item 7: an empty level with NONE is a no-service sample, not an error."""
    layer = measurements([-95.0, -99.0, None, None], technology=["LTE", "LTE", "NONE", "-"])
    layer["operator"] = ["VN Viettel", "Viettel", None, ""]
    with pytest.warns(PhoneExportWarning, match="2 no-service rows without an operator"):
        read = validate_measurements(layer)
    assert read["no_service"].tolist() == [False, False, True, True]
    assert read["operator"].tolist() == ["Viettel"] * 4
    assert read["technology"].isna().tolist() == [False, False, True, True]


def test_an_empty_level_of_a_named_technology_is_still_missing():
    """Only a technology cell that says no network makes an empty level a no-service sample."""
    with pytest.raises(ValidationError, match="value is missing"):
        validate_measurements(measurements([-95.0, None], technology=["LTE", "LTE"]))


def test_measured_cell_ids_read_as_numbers_are_tower_ids(tmp_path):
    """A cell id column read as numbers (123.0) names the tower 123, as tower ids are read."""
    layer = measurements([-95.0, -99.0, -101.0])
    layer["cell"] = [123.0, 124.0, np.nan]
    read = validate_measurements(layer)
    assert read["tower_id"].tolist()[:2] == ["123", "124"]
    assert pd.isna(read["tower_id"].iloc[2])
