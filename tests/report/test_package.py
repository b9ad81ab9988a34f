"""The submission package: workbook sheets and formatting, CSV, GeoJSON, map, summary page."""

from __future__ import annotations

import filecmp

import pandas as pd
from openpyxl import load_workbook

from whitespot.coverage import read_gap_list
from whitespot.data._labels import VIETNAMESE_HEADERS
from whitespot.report import PACKAGE_FILES, write_submission

from .conftest import FORMULA_NAME, HOSTILE_NAME

VIETNAMESE_SHEETS = [
    "Thôn bản",
    "Xã",
    "Tỉnh",
    "Chất lượng dữ liệu",
    "Dữ liệu đầu vào",
    "Tiến độ",
    "Thiết lập",
]


def test_package_files(package):
    _, written = package
    names = {p.name for p in written}
    assert set(PACKAGE_FILES) <= names
    assert "progress.csv" in names
    assert all(p.exists() and p.stat().st_size > 0 for p in written)


def test_workbook_sheets_headers_and_formats(package, submission):
    folder, _ = package
    book = load_workbook(folder / "gap_list.xlsx")
    assert book.sheetnames == VIETNAMESE_SHEETS
    sheet = book["Thôn bản"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["Mã thôn", "Thôn/Bản", "Mã tỉnh", "Mã xã"]
    assert "Kinh độ" in headers and "Số hộ chưa có sóng" in headers
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}61"
    assert sheet.column_dimensions["B"].width > 10
    lon = headers.index("Kinh độ") + 1
    households = headers.index("Số hộ") + 1
    assert sheet.cell(2, lon).number_format == "0.000000"
    assert isinstance(sheet.cell(2, lon).value, float)
    assert round(sheet.cell(2, lon).value, 6) == sheet.cell(2, lon).value
    assert isinstance(sheet.cell(2, households).value, int)  # numbers as numbers
    assert sheet.cell(2, households).number_format == "#,##0"
    code = headers.index("Mã xã") + 1
    assert sheet.cell(2, code).value == submission.gaps.villages["commune_code"].iloc[0]
    assert book["Tiến độ"].max_row == len(submission.progress.villages) + 1
    quality = [c.value for c in book["Chất lượng dữ liệu"][1]]
    assert quality[:3] == [VIETNAMESE_HEADERS[c] for c in ("layer", "row", "village_id")]
    # what to fix in Vietnamese, the English detail beside it (issue 26, item 9)
    rows = list(book["Chất lượng dữ liệu"].iter_rows(min_row=2, values_only=True))
    check, fix = quality.index("Kiểm tra"), quality.index("Cần sửa")
    detail = quality.index("Chi tiết")
    stale = next(row for row in rows if row[check] == "số liệu đã cũ")
    assert stale[fix] == "Cập nhật số liệu mới." and "surveyed" in stale[detail]
    inputs = book["Dữ liệu đầu vào"]
    assert [c.value for c in inputs["B"]][1] == "quang_tri_vi.xlsx"  # with its date and age
    communes = [c.value for c in book["Xã"][1]]
    assert "Điểm" in communes  # the data-quality score of each commune


def test_criteria_in_vietnamese(package, hostile_package):
    folder, _ = package
    table = pd.read_excel(folder / "gap_list.xlsx", sheet_name="Thôn bản")
    criteria = table["Tiêu chí"]
    assert criteria.str.startswith("Sóng: ").all()
    assert criteria.str.contains(r"% hộ có sóng \(yêu cầu 80%\)").all()
    assert criteria.str.contains("Điện: ").all()
    covered = criteria[table["Tình trạng sóng"] == "có sóng"]
    assert covered.str.contains(r"ngưỡng -\d+ dBm (RSRP|SS-RSRP|RSCP|RxLev)\)").all()
    english = pd.read_csv(hostile_package[1] / "gap_list.csv", encoding="utf-8-sig")
    assert english["criteria"].str.startswith("signal ").all()


def test_status_words_in_vietnamese_read_back_as_codes(package, submission):
    folder, _ = package
    table = pd.read_excel(folder / "gap_list.xlsx", sheet_name="Thôn bản")
    assert set(table["Loại vùng lõm"]) <= {
        "không lõm",
        "lõm sóng",
        "lõm điện",
        "lõm sóng và điện",
        "ngoài cự ly mô hình",
    }
    again = read_gap_list(folder / "gap_list.xlsx")
    assert again.villages["gap_type"].tolist() == submission.gaps.villages["gap_type"].tolist()
    assert (
        again.villages["commune_code"].tolist() == submission.gaps.villages["commune_code"].tolist()
    )


def test_geojson_holds_every_village_for_the_other_commands(package, submission):
    folder, _ = package
    again = read_gap_list(folder / "gap_list.geojson")
    assert len(again.villages) == len(submission.gaps.villages)
    assert "gap_type" in again.villages  # English names and codes


def test_same_input_same_workbook(submission, tmp_path, layers):
    first = write_submission(submission, tmp_path / "a", towers=layers["towers"])
    second = write_submission(submission, tmp_path / "b", towers=layers["towers"])
    for one, two in zip(first, second, strict=True):
        assert filecmp.cmp(one, two, shallow=False), one.name


def test_english_package_and_hostile_names(hostile_package):
    _, folder, _ = hostile_package
    book = load_workbook(folder / "gap_list.xlsx")
    assert book.sheetnames == ["villages", "communes", "province", "data quality", "inputs",
                               "progress", "settings"]  # fmt: skip
    cells = [row[1] for row in book["villages"].iter_rows(min_row=2)]
    # no formula runs when the clerk opens the file, and the name is kept as typed
    assert FORMULA_NAME in [c.value for c in cells]
    assert all(c.data_type == "s" for c in cells if c.value == FORMULA_NAME)
    csv_text = (folder / "gap_list.csv").read_text(encoding="utf-8-sig")
    assert "'" + FORMULA_NAME.replace('"', '""') in csv_text
    summary = (folder / "summary.html").read_text(encoding="utf-8")
    page_map = (folder / "map.html").read_text(encoding="utf-8")
    for page in (summary, page_map):
        assert HOSTILE_NAME not in page
    assert "No previous list given" in [c.value for c in book["progress"]["A"]][1]


def test_summary_page(package, submission):
    folder, _ = package
    page = (folder / "summary.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert "<svg" in page and "<script" not in page
    for sentence in submission.headlines("vi"):
        assert sentence in page
    assert "Đã phủ sóng" in page
    for name in submission.gaps.villages["commune_name"].unique():
        assert name in page
    assert f"{len(submission.gaps.villages):,}" in page
