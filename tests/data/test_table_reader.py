"""Towers as provincial offices list them, read through the one table reader (issue 41, 1-4).

Each test builds the file an office would hand in (a workbook with a title row and merged
cells, a ``;`` CSV with decimal commas) and reads it the way ``whitespot validate towers
FILE`` does (:func:`whitespot.data.validate_layer`), or through the command itself.
"""

from __future__ import annotations

import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.data import ConvertedCellsWarning, ValidationError, validate_layer
from whitespot.data._cells import operator_names
from whitespot.data._table import BAND_MHZ, numbers_with_units, read_table


def _read(path):
    """Read towers as the command does; return the layer and what was said."""
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        towers = validate_layer("towers", path)
    return towers, [str(w.message) for w in said if w.category is ConvertedCellsWarning]


def _office_workbook(path, rows, *, merge_operator=True):
    """A provincial tower list: a title, an empty row, the header, operators merged down."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Trạm BTS"
    sheet.append(["DANH SÁCH TRẠM BTS TRÊN ĐỊA BÀN TỈNH QUẢNG TRỊ"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["Mã trạm", "Nhà mạng", "Công nghệ", "Độ cao", "Kinh độ", "Vĩ độ"])
    for row in rows:
        sheet.append(row)
    if merge_operator:  # each operator's name merged down its rows, as offices keep it
        first = 4
        for _, block in pd.Series([r[1] for r in rows]).groupby(
            (pd.Series([r[1] for r in rows]).notna()).cumsum()
        ):
            last = first + len(block) - 1
            if last > first:
                sheet.merge_cells(f"B{first}:B{last}")
            first = last + 1
    book.save(path)
    return path


def test_a_title_row_and_operators_merged_down_their_rows_are_read(tmp_path):
    rows = [
        ["VTL001", "Viettel", "4G", 30, 106.90, 16.80],
        ["VTL002", None, "4G", 30, 106.91, 16.81],
        ["VTL003", None, "4G", 30, 106.92, 16.82],
        ["VNP001", "VinaPhone", "4G", 30, 106.93, 16.83],
        ["VNP002", None, "4G", 30, 106.94, 16.84],
    ]
    path = _office_workbook(tmp_path / "tram.xlsx", rows)
    towers, said = _read(path)
    assert towers["tower_id"].tolist() == ["VTL001", "VTL002", "VTL003", "VNP001", "VNP002"]
    assert towers["operator"].tolist() == ["Viettel"] * 3 + ["VinaPhone"] * 2
    assert any("2 rows above the header not read" in s and "DANH SÁCH" in s for s in said)
    merged = next(s for s in said if "'Nhà mạng'" in s)
    assert "2 merged cells over 5 rows" in merged and "'Viettel' over rows 4-6" in merged


def test_a_count_merged_over_rows_is_refused_naming_column_and_rows(tmp_path):
    """A cost merged over two candidate sites would be paid twice: refused."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Danh sách vị trí đề xuất"])
    sheet.append(["site_id", "capex", "lon", "lat"])
    sheet.append(["C1", 900_000_000, 106.9, 16.8])
    sheet.append(["C2", None, 106.91, 16.81])
    sheet.merge_cells("B3:B4")
    path = tmp_path / "candidates.xlsx"
    book.save(path)
    with pytest.raises(ValidationError) as error:
        validate_layer("candidates", path)
    assert "merged over rows 3-4 (column B)" in str(error.value)
    assert error.value.problems[0].check == "merged_count"


@pytest.mark.parametrize(
    ("written", "technologies", "ids"),
    [
        ("4G/LTE", ["4G"], ["A1"]),
        ("2G-3G-4G", ["2G", "3G", "4G"], ["A1-2G", "A1-3G", "A1-4G"]),
        ("2G + 4G", ["2G", "4G"], ["A1-2G", "A1-4G"]),
        ("GSM, LTE", ["2G", "4G"], ["A1-2G", "A1-4G"]),
        ("LTE-A", ["4G"], ["A1"]),  # one technology with a dash, not two
        ("4G+", ["4G"], ["A1"]),
    ],
)
def test_technology_cells_as_offices_write_them(tmp_path, written, technologies, ids):
    path = tmp_path / "t.csv"
    path.write_text(f'tower_id,technology,lon,lat\nA1,"{written}",106.9,16.8\n', "utf-8")
    towers, said = _read(path)
    assert towers["technology"].tolist() == technologies
    assert towers["tower_id"].tolist() == ids
    assert (written == "4G/LTE") == any("one technology twice (e.g. '4G/LTE')" in s for s in said)


def test_heights_and_frequencies_with_units_words_and_band_codes(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Mã trạm,Công nghệ,Độ cao,Băng tần,lon,lat\n"
        "A1,4G,30m,1800 MHz,106.90,16.8\n"
        "A2,4G,Cột 42m,B3,106.91,16.8\n"
        'A3,4G,"30,5",Band 3,106.92,16.8\n'
        "A4,5G,30 m,n78,106.93,16.8\n"
        "A5,3G,25,2.1 GHz,106.94,16.8\n",
        "utf-8",
    )
    towers, said = _read(path)
    assert towers["height_m"].tolist() == [30.0, 42.0, 30.5, 30.0, 25.0]
    assert towers["frequency_mhz"].tolist() == [1800.0, 1800.0, 1800.0, 3500.0, 2100.0]
    height = next(s for s in said if "'height_m'" in s)
    assert "4 cells with a unit, words or a decimal comma (e.g. '30m' -> 30)" in height
    frequency = next(s for s in said if "'frequency_mhz'" in s)
    assert "3 band codes as its frequency (e.g. 'B3' -> 1800 MHz)" in frequency
    assert "2 cells with a unit" in frequency


def test_numbers_with_units_per_column_kind():
    cells = pd.Series(["-95 dBm", "-101", "-88dBm", None])
    values, said = numbers_with_units(cells, "signal_dbm")
    assert values.tolist()[:3] == [-95.0, "-101", -88.0]
    assert said.startswith("2 cells")
    shares, _ = numbers_with_units(pd.Series(["85%", "1"]), "electrified")
    assert shares.tolist() == [pytest.approx(0.85), "1"]
    # a unit of another column, or two numbers, is not read
    kept, said = numbers_with_units(pd.Series(["30 MHz", "30/40"]), "height_m")
    assert kept.tolist() == ["30 MHz", "30/40"] and said is None
    assert BAND_MHZ["b3"] == 1800.0  # 3GPP TS 36.101 Table 5.5-1: band 3 DL 1805-1880 MHz


def test_one_coordinate_column_in_a_semicolon_csv_with_decimal_commas(tmp_path):
    path = tmp_path / "tram.csv"
    path.write_text(
        "Mã trạm;Nhà mạng;Công nghệ;Độ cao;Tọa độ\n"
        'A1;Viettel;4G;30,5;"16,80; 106,90"\n'
        'A2;Viettel;4G;42;"16.81, 106.91"\n'
        'A3;Viettel;4G;42;"106.92, 16.82"\n',
        "utf-8",
    )
    towers, said = _read(path)
    assert towers["height_m"].tolist() == [30.5, 42.0, 42.0]
    assert towers.geometry.x.tolist() == [106.90, 106.91, 106.92]
    assert towers.geometry.y.tolist() == [16.80, 16.81, 16.82]
    split = next(s for s in said if "'Tọa độ' holds both coordinates" in s)
    assert "3 cells read as latitude, longitude" in split and "1 of them longitude first" in split


def test_a_title_row_above_a_csv_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Danh sách trạm BTS tỉnh Quảng Trị,,,\nMã trạm,Nhà mạng,Kinh độ,Vĩ độ\n"
        "A1,Mobi,106.9,16.8\n",
        "utf-8",
    )
    towers, said = _read(path)
    assert towers["tower_id"].tolist() == ["A1"] and towers["operator"].tolist() == ["MobiFone"]
    assert any("1 row above the header not read" in s for s in said)


def test_one_row_per_sector_is_one_site_with_sectors(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Mã trạm,Công nghệ,Góc phương vị,lon,lat\n"
        "QT001,4G,0,106.9,16.8\nQT001,4G,120,106.9,16.8\nQT001,4G,370,106.9,16.8\n"
        "QT002,4G,,106.95,16.85\n",
        "utf-8",
    )
    towers, said = _read(path)
    assert towers["tower_id"].tolist() == ["QT001-S1", "QT001-S2", "QT001-S3", "QT002"]
    assert towers["azimuth_deg"].tolist()[:3] == [0.0, 120.0, 10.0]
    assert np.isnan(towers["azimuth_deg"].iloc[3])
    sectors = next(s for s in said if "one row per sector" in s)
    assert "1 site" in sectors and "QT001: 3 sectors" in sectors and "<site>-S1" in sectors
    assert any("370 -> 10" in s and "QT001-S3" in s for s in said)


def test_an_azimuth_of_720_is_an_error_naming_rows_and_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "tower_id,technology,azimuth_deg,lon,lat\nA1,4G,720,106.9,16.8\nA2,4G,90,106.9,16.8\n",
        "utf-8",
    )
    with pytest.raises(ValidationError) as error:
        validate_layer("towers", path)
    problem = next(p for p in error.value.problems if p.check == "out_of_range")
    assert problem.column == "azimuth_deg" and problem.ids == ("A1",)


def test_rows_repeating_an_id_without_azimuths_stay_duplicates(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "tower_id,technology,azimuth_deg,lon,lat\nA1,4G,0,106.9,16.8\nA1,4G,0,106.9,16.8\n",
        "utf-8",
    )
    with pytest.raises(ValidationError) as error:
        validate_layer("towers", path)
    assert "duplicate_id" in error.value.checks


@pytest.mark.parametrize(
    ("written", "operator"),
    [
        ("Viettel 4G", "Viettel"),
        ("Tập đoàn Viettel", "Viettel"),
        ("Viettel (VTL)", "Viettel"),
        ("Tập đoàn Công nghiệp - Viễn thông Quân đội", "Viettel"),
        ("Vina", "VinaPhone"),
        ("VNPT Quảng Trị", "VinaPhone"),
        ("Tổng công ty Dịch vụ Viễn thông", "VinaPhone"),
        ("Mobi", "MobiFone"),
        ("Tổng công ty Viễn thông MobiFone", "MobiFone"),
        ("Mobifone 3G", "MobiFone"),
        ("VMS", "MobiFone"),
        ("Công ty Cổ phần Viễn thông Di động Toàn Cầu", "Gmobile"),
    ],
)
def test_operators_as_offices_write_them(written, operator):
    names, converted, unresolved = operator_names(pd.Series([written]))
    assert converted.tolist() == [written != operator]
    assert names.tolist() == [operator] and not unresolved.any()


def test_operator_spellings_are_said_once_each_through_the_command(tmp_path, capsys):
    path = tmp_path / "tram.csv"
    path.write_text(
        "Mã trạm,Nhà mạng,lon,lat\nA1,Tập đoàn Công nghiệp - Viễn thông Quân đội,106.9,16.8\n"
        "A2,Viettel 4G,106.91,16.8\nA3,Viettel 4G,106.92,16.8\nA4,Viettel/Mobi,106.93,16.8\n",
        "utf-8",
    )
    assert main(["validate", "towers", str(path)]) == 0
    printed = capsys.readouterr()
    assert printed.err.count("Viettel 4G -> Viettel") == 1
    assert "Tập đoàn Công nghiệp - Viễn thông Quân đội -> Viettel" in printed.err
    assert "1 row name no operator or two ('Viettel/Mobi' (1))" in printed.err
    assert "towers (tram.csv): OK, 4 rows" in printed.out


def test_an_office_workbook_through_the_command(tmp_path, capsys):
    """All habits at once: title, merged operators, 2G-3G-4G, Cột 42m, sectors."""
    rows = [
        ["QT001", "Viettel", "2G-3G-4G", "Cột 42m", 106.90, 16.80],
        ["QT002", None, "4G/LTE", "30m", 106.91, 16.81],
        ["QT003", "Mobifone 3G", "3G", "30,5", 106.92, 16.82],
    ]
    path = _office_workbook(tmp_path / "tram.xlsx", rows)
    assert main(["validate", "towers", str(path)]) == 0
    assert "towers (tram.xlsx): OK, 5 rows" in capsys.readouterr().out


def test_read_table_finds_the_sheet_with_the_layer_columns_and_skips_hidden_ones(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Tổng hợp"
    book.active.append(["Tổng số trạm", 3])
    hidden = book.create_sheet("cũ")
    hidden.append(["Mã trạm", "Kinh độ", "Vĩ độ"])
    hidden.append(["OLD", 100.0, 10.0])
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("Trạm")
    sheet.append(["Mã trạm", "Kinh độ", "Vĩ độ"])
    sheet.append(["A1", 106.9, 16.8])
    path = tmp_path / "tram.xlsx"
    book.save(path)
    with pytest.warns(ConvertedCellsWarning, match="hidden sheets not read: 'cũ'"):
        table = read_table(path, "towers")
    assert table["Mã trạm"].tolist() == ["A1"]


def test_a_village_table_with_units_in_its_cells(tmp_path):
    """The same reader for villages in whitespot's form: ``120 hộ``, ``85%``."""
    path = tmp_path / "v.csv"
    path.write_text(
        "village_id,households,electrified,lon,lat\n"
        "V1,120 hộ,85%,106.9,16.8\nV2,45,1,106.91,16.81\nV3,1.250 hộ,0%,106.92,16.82\n",
        "utf-8",
    )
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        villages = validate_layer("villages", path)
    assert villages["households"].tolist() == [120, 45, 1250]
    assert villages["electrified"].tolist() == [pytest.approx(0.85), 1.0, 0.0]
    text = " ".join(str(w.message) for w in said if w.category is ConvertedCellsWarning)
    assert "'households': 2 cells with a unit" in text and "'120 hộ' -> 120" in text
    assert "'electrified': 2 cells with a unit" in text and "'85%' -> 0.85" in text
    assert "1 cell with one group of three digits read as thousands (e.g. '1.250 hộ'" in text


def test_a_site_id_merged_over_its_sector_rows(tmp_path):
    """``Mã trạm``, the operator and the coordinates merged down a site's three sectors."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã trạm", "Nhà mạng", "Góc phương vị", "Kinh độ", "Vĩ độ"])
    for azimuth in (0, 120, 240):
        first = azimuth == 0
        sheet.append(
            ["QT001" if first else None, "Viettel" if first else None, azimuth]
            + ([106.9, 16.8] if first else [None, None])
        )
    for column in "ABDE":
        sheet.merge_cells(f"{column}2:{column}4")
    path = tmp_path / "tram.xlsx"
    book.save(path)
    towers, said = _read(path)
    assert towers["tower_id"].tolist() == ["QT001-S1", "QT001-S2", "QT001-S3"]
    assert towers["azimuth_deg"].tolist() == [0.0, 120.0, 240.0]
    assert towers["operator"].tolist() == ["Viettel"] * 3
    assert towers.geometry.x.tolist() == [106.9] * 3
    assert any("'Mã trạm': 1 merged cell over 3 rows" in s for s in said)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("tower_id,azimuth_deg,lon,lat\nA1,0,106.9,16.8\nA1,120,106.9,16.8\n,10,106.9,16.8\n", 1),
        ("tower_id,technology,azimuth_deg,lon,lat\nA1,,0°,106.9,16.8\nA1,4G,120°,106.9,16.8\n", 0),
        (
            "tower_id,frequency_mhz,height_m,lon,lat\nA1,abc,Cột,106.9,16.8\nA2,B99,m,106.9,16.8\n",
            1,
        ),
        ("Tọa độ,tower_id\n,A1\nabc,A2\n", 1),
    ],
)
def test_odd_tower_files_end_in_a_named_error_or_a_result(tmp_path, capsys, text, code):
    """Never an internal error (exit 4): a result, or exit 1 naming file, column and rows."""
    path = tmp_path / "t.csv"
    path.write_text(text, "utf-8")
    assert main(["validate", "towers", str(path)]) == code
    err = capsys.readouterr().err
    assert "internal error" not in err and (code == 0 or "towers (t.csv)" in err)
