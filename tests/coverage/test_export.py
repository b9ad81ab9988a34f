"""Writing gap lists: sheets, side tables, and text from input files kept harmless."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from whitespot.coverage import gap_list, write_gap_list
from whitespot.data import validate_towers, validate_villages


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
