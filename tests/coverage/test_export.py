"""Writing gap lists: sheets, side tables, and text from input files kept harmless."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from whitespot.coverage import gap_list, read_gap_list, write_gap_list
from whitespot.data import (
    DefaultAppliedWarning,
    ValidationError,
    validate_towers,
    validate_villages,
)


@pytest.fixture(scope="module")
def gaps(province):
    villages = province.villages.copy()
    villages.loc[0, "name"] = '=HYPERLINK("http://evil","x")'
    villages.loc[1, "name"] = "<script>alert(1)</script>"
    return gap_list(validate_villages(villages), validate_towers(province.towers), progress=False)


def test_workbook_sheets_and_formula_safety(gaps, tmp_path):
    path = write_gap_list(gaps, tmp_path / "gaps.xlsx")[0]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["villages", "communes", "province", "settings"]
    sheet = book["villages"]
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("name")] for row in sheet.iter_rows(min_row=2)]
    # the text is kept as typed, in a string cell: it never runs as a formula
    assert cells[0].value == '=HYPERLINK("http://evil","x")' and cells[0].data_type == "s"
    assert cells[1].value == "<script>alert(1)</script>"
    assert sheet.max_row == 301


def test_csv_side_tables(gaps, tmp_path):
    written = write_gap_list(gaps, tmp_path / "gaps.csv")
    assert [p.name for p in written] == ["gaps.csv", "gaps_communes.csv", "gaps_province.csv",
                                         "gaps_settings.csv"]  # fmt: skip
    villages = pd.read_csv(written[0], encoding="utf-8-sig", dtype={"commune_code": str})
    assert villages["name"].iloc[0].startswith("'=")
    assert len(villages) == 300 and villages["commune_code"].str.len().eq(5).all()


def test_same_gaps_same_bytes(gaps, tmp_path):
    a = write_gap_list(gaps, tmp_path / "a.xlsx")[0].read_bytes()
    b = write_gap_list(gaps, tmp_path / "b.xlsx")[0].read_bytes()
    assert a == b


def test_unknown_format(gaps, tmp_path):
    with pytest.raises(ValueError, match="gap lists are written as"):
        write_gap_list(gaps, tmp_path / "gaps.kml")


# --- a gap list read back is checked for consistency ---------------------------------------


def hand_edited(gaps, path, **edits):
    """Write the gap list as CSV, apply `edits` (column -> function of the table), return it."""
    written = write_gap_list(gaps, path)[0]
    table = pd.read_csv(written, encoding="utf-8-sig", dtype=str)
    for column, edit in edits.items():
        table[column] = edit(table)
    table.to_csv(written, index=False, encoding="utf-8-sig")
    return written, table


def test_households_without_signal_greater_than_households_is_refused_naming_rows(gaps, tmp_path):
    dark = gaps.villages["households_without_signal"].to_numpy() > 0
    ids = gaps.villages.loc[dark, "village_id"].tolist()[:3]

    def times_ten(table):  # a hand edit x10 of three villages' households without signal
        count = table["households_without_signal"].astype(int)
        return count.where(~table["village_id"].isin(ids), count * 10).astype(str)

    path, _ = hand_edited(gaps, tmp_path / "gaps.csv", households_without_signal=times_ten)
    with pytest.raises(ValidationError) as error:
        read_gap_list(path)
    message = str(error.value)
    assert "gap list (gaps.csv)" in message
    assert "column 'households_without_signal, households', 3 rows" in message
    assert all(i in message for i in ids) and "is greater than households" in message
    assert error.value.checks == ("part_exceeds_whole",)


def test_households_without_power_greater_than_households_or_negative_is_refused(gaps, tmp_path):
    first, second = gaps.villages["village_id"].iloc[[4, 7]]

    def power(table):
        count = table["households"].astype(int)
        edited = table["households_without_power"]
        edited = edited.where(table["village_id"] != first, (count + 5).astype(str))
        return edited.where(table["village_id"] != second, "-2")

    path, _ = hand_edited(gaps, tmp_path / "gaps.csv", households_without_power=power)
    with pytest.raises(ValidationError, match=rf"households_without_power.*{second}.*-2"):
        read_gap_list(path)
    path, _ = hand_edited(
        gaps,
        tmp_path / "again.csv",
        households_without_power=lambda t: power(t).where(t["village_id"] != second, "0"),
    )
    with pytest.raises(
        ValidationError, match=rf"households_without_power is greater than households \({first}"
    ):
        read_gap_list(path)


def test_weak_signal_greater_than_without_signal_is_refused(gaps, tmp_path):
    target = gaps.villages["village_id"].iloc[0]

    def weak(table):
        count = table["households"].astype(int) + 1
        return table["households_weak_signal"].where(
            table["village_id"] != target, count.astype(str)
        )

    path, _ = hand_edited(gaps, tmp_path / "gaps.csv", households_weak_signal=weak)
    with pytest.raises(
        ValidationError, match=rf"households_weak_signal, households_without_signal.*{target}"
    ):
        read_gap_list(path)


def test_a_gap_list_from_more_household_points_than_households_reads_back(layers, tmp_path):
    """Power from household points is a share of the village's households, as signal is."""
    villages = layers["villages"].assign(households=layers["villages"]["households"] // 3)
    households = layers["households"].assign(electrified=0.0)
    made = gap_list(villages, layers["towers"], households=households, progress=False)
    counts = made.villages
    assert (counts["households_without_power"] <= counts["households"]).all()
    assert (counts["households_without_power"] == counts["households"]).all()  # all dark
    back = read_gap_list(write_gap_list(made, tmp_path / "gaps.csv")[0])
    assert (
        back.villages["households_without_power"].tolist()
        == counts["households_without_power"].tolist()
    )


def test_a_gap_list_resaved_by_excel_with_semicolons_and_decimal_commas_reads_the_same(
    tmp_path, layers
):
    """Issue 41, item 16: Excel where the comma is the decimal mark writes ';' and '106,6'."""
    gaps = gap_list(layers["villages"], layers["towers"], progress=False)
    write_gap_list(gaps, tmp_path / "gap_list.csv")
    table = pd.read_csv(tmp_path / "gap_list.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")  # fmt: skip
    numbers = [c for c in ("lon", "lat", "best_signal_dbm", "nearest_tower_km") if c in table]
    table[numbers] = table[numbers].apply(lambda c: c.str.replace(".", ",", regex=False))
    table["name"] = table["name"] + ", 12,5"  # text with commas stays text
    table.to_csv(tmp_path / "excel.csv", sep=";", index=False, encoding="utf-8-sig")
    for side in ("communes", "province", "settings"):
        (tmp_path / f"excel_{side}.csv").write_bytes(
            (tmp_path / f"gap_list_{side}.csv").read_bytes()
        )
    original = read_gap_list(tmp_path / "gap_list.csv").villages
    with pytest.warns(DefaultAppliedWarning, match="decimal commas"):
        resaved = read_gap_list(tmp_path / "excel.csv").villages
    for column in ("best_signal_dbm", "nearest_tower_km"):
        assert np.allclose(resaved[column].astype(float), original[column].astype(float),
                           equal_nan=True), column  # fmt: skip
    assert np.allclose(resaved.geometry.x, original.geometry.x)  # lon, lat read as numbers
    assert np.allclose(resaved.geometry.y, original.geometry.y)
    assert (resaved["name"] == original["name"] + ", 12,5").all()
