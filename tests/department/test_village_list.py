"""Reading a department's own village list: headers, merged cells, skipped rows, problems."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from whitespot.data import ValidationError, load_sample
from whitespot.department import read_village_list
from whitespot.department._headers import header_map, normalize_text

FILES = Path(__file__).parents[1] / "report" / "data"


def issues_at(village_list, row):
    table = village_list.issues
    return set(table.loc[table["row"] == row, "check"])


def test_normalized_headers_match_in_any_spelling():
    lookup = header_map()
    for header in ("Thôn/Bản", "THON BAN", "thôn, bản", " Thon/ban "):
        assert lookup[normalize_text(header)] == "name"
    assert lookup[normalize_text("Số hộ")] == "households"
    assert lookup[normalize_text("SO HO")] == "households"
    assert lookup[normalize_text("Vĩ độ")] == "lat"
    assert normalize_text("Đắk Lắk") == "dak lak"


def test_user_headers_extend_the_map():
    assert header_map({"households": "Tổng số hộ dân"})["tong so ho dan"] == "households"
    with pytest.raises(ValueError, match="unknown column key"):
        header_map({"housholds": "x"})


def test_vietnamese_workbook_with_merged_two_row_header():
    listed = read_village_list(FILES / "quang_tri_vi.xlsx")
    villages = listed.villages
    # every numbered row (STT) of the sheet is a village, and each is read once
    sheet = load_workbook(FILES / "quang_tri_vi.xlsx").active
    numbered = [r for r in range(7, sheet.max_row + 1) if isinstance(sheet.cell(r, 1).value, int)]
    assert villages["source_row"].tolist() == numbered
    assert len(villages) == 60
    assert villages["old_province"].eq("Quảng Trị").all()
    # district cells merged down each block, and the "Tọa độ" group split into lon and lat
    assert villages["old_district"].str.startswith("Huyện ").all()
    assert villages.geometry.notna().all()
    sample = load_sample().villages.set_index("name")
    for row in villages.itertuples():
        if row.name in sample.index and sample.index.tolist().count(row.name) == 1:
            expected = sample.loc[row.name].geometry
            assert row.geometry.distance(expected) < 1e-5  # DMS to 0.1", comma decimals
    skipped = listed.issues.groupby("check")["row"].apply(list)
    assert skipped["numbering_row"] == [6]
    assert skipped["total_row"] == [sheet.max_row]
    assert len(skipped["heading_row"]) == villages["old_district"].nunique()
    assert set(skipped["empty_row"]).isdisjoint(numbered)
    assert listed.source["header_rows"] == "5" or listed.source["header_rows"] == "4, 5"
    text_counts = listed.issues[listed.issues["check"] == "text_in_number"]
    assert (text_counts["value"].str.endswith(" hộ")).all() and len(text_counts) >= 5
    assert villages["surveyed"].notna().all()
    assert set(villages["electrified"]) <= {0.0, 1.0}


def test_broken_workbook_reports_each_problem_by_row():
    listed = read_village_list(FILES / "broken.xlsx")
    villages = listed.villages
    assert villages["source_row"].tolist() == [4, 5, 7, 8, 9, 10, 11, 12, 13, 14]
    assert issues_at(listed, 5) == {"text_in_number"}
    assert villages.set_index("source_row").loc[5, "households"] == 120
    assert issues_at(listed, 6) == {"empty_row"}
    assert issues_at(listed, 7) == {"swapped_lonlat"}
    row7 = villages.set_index("source_row").geometry[7]
    assert 106 < row7.x < 108 and 16 < row7.y < 18
    assert issues_at(listed, 8) == {"coordinate_notation"}  # DMS and a decimal comma
    assert villages.set_index("source_row").geometry[8].y == pytest.approx(16.75)
    assert issues_at(listed, 9) == {"negative_households"}
    assert villages.set_index("source_row")["households"].isna()[9]
    assert issues_at(listed, 10) == {"missing_coordinates"}
    assert villages.set_index("source_row").geometry.isna()[10]
    assert issues_at(listed, 14) == {"not_a_share"}
    assert issues_at(listed, 15) == {"subtotal_mismatch"}  # "Cộng 999": the villages add up to less
    errors = listed.issues[listed.issues["severity"] == "error"]
    assert set(errors["row"]) == {9, 10, 14}


def test_windows_1258_csv_with_unaccented_headers_and_vietnamese_hemispheres():
    listed = read_village_list(FILES / "quang_tri_cp1258.csv")
    assert listed.source["encoding"] == "cp1258"
    assert len(listed.villages) == 12
    names = set(load_sample().villages["name"])
    assert set(listed.villages["name"]) <= names  # tone marks decoded and composed (NFC)
    assert (listed.villages["coordinate_notation"] == "dms").all()
    bounds = listed.villages.total_bounds
    assert 106 < bounds[0] < bounds[2] < 108 and 16 < bounds[1] < bounds[3] < 18


def test_english_csv_keeps_its_ids():
    listed = read_village_list(FILES / "quang_tri_en.csv")
    assert listed.villages["village_id"].str.startswith("QT-V").all()
    assert not listed.villages["id_generated"].any()
    assert listed.issues.empty


def test_ids_missing_and_repeated(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "Mã thôn,Xã,Tỉnh,Thôn,Số hộ,Kinh độ,Vĩ độ\n"
        "T1,Hướng Lập,Quảng Trị,Thôn A,10,106.6,16.9\n"
        ",Hướng Lập,Quảng Trị,Thôn B,12,106.61,16.91\n"
        "T1,Hướng Lập,Quảng Trị,Thôn C,8,106.62,16.92\n",
        encoding="utf-8",
    )
    listed = read_village_list(path)
    assert listed.villages["village_id"].tolist() == ["T1", "R3", "T1#2"]
    assert listed.villages["id_generated"].tolist() == [False, True, False]
    assert issues_at(listed, 3) == {"missing_id"}
    assert issues_at(listed, 4) == {"duplicate_id"}


def test_missing_column_names_the_fix(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("Thôn,Tổng số hộ dân,Kinh độ,Vĩ độ\nThôn A,10,106.6,16.9\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"no column for households .*--columns"):
        read_village_list(path)
    listed = read_village_list(path, columns={"households": "Tổng số hộ dân"})
    assert listed.villages["households"].tolist() == [10]


def test_unreadable_file_gets_one_line(tmp_path):
    path = tmp_path / "danh_sach.xlsx"
    path.write_text("this is not a workbook")
    with pytest.raises(ValidationError) as caught:
        read_village_list(path)
    message = str(caught.value)
    assert "danh_sach.xlsx" in message and "cannot be read" in message
    assert "\n" not in message


def test_no_header_row(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no header row found"):
        read_village_list(path)


def test_counts_with_thousands_separators_and_words(tmp_path):
    path = tmp_path / "v.csv"
    cells = ["1.250", "120 hộ", "12,5", "khoảng 50", "7"]
    rows = "".join(f'Thôn {i},"{c}",106.6,16.{i}\n' for i, c in enumerate(cells))
    path.write_text("Thôn,Số hộ,Kinh độ,Vĩ độ\n" + rows, encoding="utf-8")
    listed = read_village_list(path)
    households = listed.villages["households"].to_numpy(dtype=float, na_value=np.nan)
    assert households[0] == 1250 and households[1] == 120 and households[4] == 7
    assert np.isnan(households[2]) and np.isnan(households[3])
    assert {"not_whole"} == issues_at(listed, 4) - {"missing_province", "missing_commune"}
    assert {"not_a_number"} == issues_at(listed, 5) - {"missing_province", "missing_commune"}
    assert {"text_in_number"} == issues_at(listed, 3) - {"missing_province", "missing_commune"}


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_codes_typed_as_numbers_under_a_zero_padding_format_keep_their_zeros(tmp_path, suffix):
    """A village code 7 formatted ``00000`` is ``00007`` as Excel shows it, in both formats,
    so that it matches the same code typed as text in the next submission."""
    rows = [
        ["Mã thôn", "Thôn", "Số hộ", "Kinh độ", "Vĩ độ"],
        [7, "Thôn A", 10, 106.6, 16.9],
        [120, "Thôn B", 12, 106.61, 16.91],
        ["00031", "Thôn C", 8, 106.62, 16.92],
    ]
    path = tmp_path / f"v{suffix}"
    if suffix == ".xlsx":
        book = Workbook()
        for row in rows:
            book.active.append(row)
        for cell in book.active["A"][1:3] + book.active["C"][1:2]:
            cell.number_format = "00000" if cell.column_letter == "A" else "0"
        book.save(path)
    else:
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("Thôn")
        padded = xlwt.easyxf(num_format_str="00000")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if c == 0 and r in (1, 2):
                    sheet.write(r, c, value, padded)
                else:
                    sheet.write(r, c, value)
        book.save(str(path))
    listed = read_village_list(path)
    assert listed.villages["village_id"].tolist() == ["00007", "00120", "00031"]
    assert listed.villages["households"].tolist() == [10, 12, 8]  # "0" pads nothing
