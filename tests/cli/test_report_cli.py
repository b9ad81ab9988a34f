"""whitespot report (and gaps) on a department's own spreadsheet: package, progress, errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from whitespot.cli import main

DEPARTMENT = Path(__file__).parents[1] / "report" / "data"


@pytest.fixture(scope="module")
def towers_file(tmp_path_factory, province):
    path = tmp_path_factory.mktemp("towers") / "towers.csv"
    table = province.towers.drop(columns="geometry")
    table["lon"], table["lat"] = province.towers.geometry.x, province.towers.geometry.y
    table.loc[3, "technology"] = ""  # a tower without technology, for the quality sheet
    table.to_csv(path, index=False)
    return path


def run(*arguments):
    return main([str(a) for a in arguments])


def test_report_then_report_again_with_the_previous(tmp_path, towers_file, capsys):
    first = tmp_path / "round1"
    code = run("report", "--villages", DEPARTMENT / "quang_tri_vi.xlsx", "--towers", towers_file,
               "--out", first)  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out  # Vietnamese by default
    assert "chưa có sóng" in out and "Chất lượng dữ liệu" in out
    assert (first / "summary.html").exists() and (first / "map.html").exists()

    second = tmp_path / "round2"
    code = run("report", "--villages", DEPARTMENT / "quang_tri_vi.xlsx", "--towers", towers_file,
               "--previous", first / "gap_list.xlsx", "--target", 2853, "--lang", "vi",
               "--out", second)  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "/2.853 địa điểm" in out and "so với kỳ trước" in out
    book = openpyxl.load_workbook(second / "gap_list.xlsx")
    assert "Tiến độ" in book.sheetnames
    assert book["Tiến độ"].max_row == 61  # every village, all found again
    quality = [row[3].value for row in book["Chất lượng dữ liệu"].iter_rows(min_row=2)]
    assert "technology" in quality  # the tower without technology is listed


def test_report_in_english_with_extra_headers(tmp_path, towers_file, capsys):
    source = tmp_path / "list.csv"
    text = (DEPARTMENT / "quang_tri_en.csv").read_text(encoding="utf-8-sig")
    source.write_text(text.replace(";households;", ";Total HH;", 1), encoding="utf-8")
    code = run("report", "--villages", source, "--towers", towers_file, "--lang", "en",
               "--columns", "households=Total HH", "--out", tmp_path / "out")  # fmt: skip
    assert code == 0
    assert "households) without signal" in capsys.readouterr().out
    book = openpyxl.load_workbook(tmp_path / "out" / "gap_list.xlsx")
    assert book.sheetnames[0] == "villages"
    assert [c.value for c in book["villages"][1]][:2] == ["village_id", "name"]


def test_unreadable_file_is_one_line(tmp_path, towers_file, capsys):
    bad = tmp_path / "danh_sach.xlsx"
    bad.write_text("not a workbook")
    code = run("report", "--villages", bad, "--towers", towers_file, "--out", tmp_path / "o")
    assert code == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert len(errors) == 1
    assert (
        errors[0].startswith("error: villages (danh_sach.xlsx)") and "cannot be read" in errors[0]
    )


def test_bad_columns_option(tmp_path, towers_file, capsys):
    with pytest.raises(SystemExit) as caught:
        run("report", "--villages", DEPARTMENT / "quang_tri_en.csv", "--towers", towers_file,
            "--columns", "housholds=Số hộ", "--out", tmp_path)  # fmt: skip
    assert caught.value.code == 2
    assert "KEY one of" in capsys.readouterr().err


def test_gaps_accepts_a_department_list(tmp_path, towers_file, capsys):
    out = tmp_path / "gaps.xlsx"
    code = run("gaps", "--villages", DEPARTMENT / "broken.xlsx", "--towers", towers_file,
               "--out", out)  # fmt: skip
    assert code == 0
    assert "department's village list" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out)["villages"]
    assert sheet.max_row == 11  # the ten village rows of the file, none dropped
