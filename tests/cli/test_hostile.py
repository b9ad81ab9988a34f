"""Hostile input through the command line, as a new user would meet it.

Every case builds its files in the test, runs ``whitespot`` and checks the documented exit
code, a message that names the file, the column and the rows, that every village that goes in
comes out, and that no half-written or mixed package is left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import warnings
import zipfile
from html import escape
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import whitespot.report._package as package_module
from whitespot._errors import InputError, WhitespotError
from whitespot.cli import main
from whitespot.coverage import GapCriteria, read_gap_list
from whitespot.data import (
    Terrain,
    ValidationError,
    make_province,
    read_layer,
    validate_towers,
    write_layer,
    write_terrain,
)
from whitespot.department import read_village_list
from whitespot.planning import plan_sites
from whitespot.radio import ItmParameters, SignalSetup, predict_signal

EXIT_INVALID, EXIT_USAGE, EXIT_FILE = 1, 2, 3


@pytest.fixture(scope="module")
def small():
    """A small synthetic province: 40 villages, 13 towers, its DEM."""
    return make_province(villages=40, seed=7)


@pytest.fixture(scope="module")
def files(small, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {
        "villages": write_layer(small.villages, folder / "villages.csv"),
        "towers": write_layer(small.towers, folder / "towers.csv"),
        "households": write_layer(small.households, folder / "households.gpkg"),
        "dem": write_terrain(small.terrain, folder / "dem.tif"),
    }
    half = small.terrain.elevation_m.copy()
    half[:, half.shape[1] // 2 :] = np.nan
    paths["half_dem"] = write_terrain(
        Terrain(half, small.terrain.transform, small.terrain.crs), folder / "half.tif"
    )
    return paths


def run(capsys, *argv: object) -> tuple[int, str, str]:
    """Run the command; return its exit code, stdout and stderr."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_report(capsys, villages: object, towers: object, out: object, *extra: object):
    """Run ``whitespot report`` in English (unless `extra` gives ``--lang``)."""
    language = [] if "--lang" in extra else ["--lang", "en"]
    return run(
        capsys,
        "report",
        "--villages",
        villages,
        "--towers",
        towers,
        *language,
        *extra,
        "--out",
        out,
    )


def gaps_argv(villages: object, towers: object, out: object, *extra: object) -> list[str]:
    """The command line of ``whitespot gaps``."""
    argv = ["gaps", "--villages", villages, "--towers", towers, *extra, "--out", out]
    return [str(a) for a in argv]


def run_gaps(capsys, villages: object, towers: object, out: object, *extra: object):
    """Run ``whitespot gaps``."""
    return run(capsys, *gaps_argv(villages, towers, out, *extra))


def run_plan(capsys, gap_file: object, out: object, *extra: object):
    """Run ``whitespot plan``."""
    return run(capsys, "plan", "--gaps", gap_file, *extra, "--out", out)


def leftovers(folder: Path) -> list[str]:
    """Temporary files or staging folders a run left behind."""
    return sorted(p.name for p in folder.rglob(".*") if p.name != ".")


# --- 1. a DEM that does not cover the area ---------------------------------------------------


def test_dem_that_misses_half_the_area_is_refused_naming_the_places(files, capsys, tmp_path):
    code, _, err = run_gaps(
        capsys, files["villages"], files["towers"], tmp_path / "g.xlsx", "--dem", files["half_dem"]
    )
    assert code == EXIT_INVALID
    assert "terrain" in err and "DEM" in err and "ids:" in err and "--dem-fallback" in err
    assert not (tmp_path / "g.xlsx").exists()


def test_dem_fallback_flags_each_village_and_the_settings(small, files, capsys, tmp_path):
    out = tmp_path / "g.xlsx"
    code, _, _ = run_gaps(
        capsys,
        files["villages"],
        files["towers"],
        out,
        "--dem",
        files["half_dem"],
        "--dem-fallback",
        "flat",
    )
    assert code == 0
    villages = pd.read_excel(out, sheet_name="villages")
    assert len(villages) == len(small.villages)
    assert 0 < villages["terrain_fallback"].sum() < len(villages)
    settings = pd.read_excel(out, sheet_name="settings").set_index("setting")["value"]
    assert settings["terrain_fallback"].startswith("flat model without diffraction")


def test_validate_terrain_reports_how_much_of_each_layer_it_covers(files, capsys):
    code, out, err = run(
        capsys,
        "validate",
        "terrain",
        files["half_dem"],
        "--villages",
        files["villages"],
        "--towers",
        files["towers"],
    )
    assert code == EXIT_INVALID
    assert "villages:" in out and "on the DEM" in out and "off it:" in out
    assert "does not cover" in err
    code, out, _ = run(capsys, "validate", "terrain", files["dem"], "--villages", files["villages"])
    assert code == 0 and "(100.0%)" in out


# --- 2-5. a department's own spreadsheet -------------------------------------------------------


def department_rows(small, count: int = 8) -> list[dict]:
    villages = small.villages.head(count)
    return [
        {
            "Thôn/Bản": row.name,
            "Số hộ": int(row.households),
            "Kinh độ": row.geometry.x,
            "Vĩ độ": row.geometry.y,
        }
        for row in villages.itertuples()
    ]


def test_department_codes_are_kept_and_checked(small, files, capsys, tmp_path):
    rows = department_rows(small, 4)
    codes = [("44", "19435"), ("44", "19441"), ("44", "19441"), ("44", "99999")]
    for row, (province, commune) in zip(rows, codes, strict=True):
        row.update({"Mã tỉnh": province, "Mã xã": commune})
    path = tmp_path / "codes.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    code, _, _ = run_report(capsys, path, files["towers"], tmp_path / "pkg")
    assert code == 0
    book = tmp_path / "pkg" / "gap_list.xlsx"
    villages = pd.read_excel(book, sheet_name="villages", dtype={"commune_code": str})
    assert villages["commune_code"].tolist() == ["19435", "19441", "19441", "99999"]
    assert villages["admin_status"].tolist()[:3] == ["code_given"] * 3
    assert villages["admin_status"].iloc[3] == "code_unknown"
    communes = pd.read_excel(book, sheet_name="communes", dtype={"commune_code": str})
    assert set(communes["commune_code"]) == {"19435", "19441", "99999"}
    quality = pd.read_csv(tmp_path / "pkg" / "data_quality.csv", encoding="utf-8-sig")
    assert "missing_commune" not in set(quality["check"])  # no false errors
    assert "code_unknown" in set(quality["check"])


def subtotal_workbook(small, path: Path, label_column: int, label: str) -> list[dict]:
    """Two district blocks, each closed by a subtotal, then a grand total (all labelled)."""
    rows = department_rows(small, 6)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["STT", "Huyện", "Xã", "Thôn/Bản", "Số hộ", "Kinh độ", "Vĩ độ"])
    for block, members in (("Hướng Hóa", rows[:3]), ("Đakrông", rows[3:])):
        sheet.append(["I", f"Huyện {block}"])
        for i, row in enumerate(members, start=1):
            sheet.append(
                [i, block, "Hướng Lập", row["Thôn/Bản"], row["Số hộ"], row["Kinh độ"], row["Vĩ độ"]]
            )
        subtotal = [None] * 7
        subtotal[label_column] = label
        subtotal[4] = sum(r["Số hộ"] for r in members)
        sheet.append(subtotal)
    total = [None] * 7
    total[label_column] = "Tổng cộng"
    total[4] = sum(r["Số hộ"] for r in rows) + 5  # a slip the clerk should see
    sheet.append(total)
    book.save(path)
    return rows


@pytest.mark.parametrize(("column", "label"), [(0, "Cộng huyện"), (3, "Cộng"), (1, "TC huyện")])
def test_subtotal_rows_are_skipped_wherever_their_label_stands(small, column, label, tmp_path):
    path = tmp_path / "subtotals.xlsx"
    rows = subtotal_workbook(small, path, column, label)
    listed = read_village_list(path)
    assert len(listed.villages) == len(rows)
    assert listed.villages["households"].sum() == sum(r["Số hộ"] for r in rows)
    checks = listed.issues.set_index("row")["check"]
    assert checks[6] == "subtotal_row" and checks[11] == "subtotal_row"  # sums agree
    assert checks[12] == "total_mismatch"  # the grand total is 5 too many
    assert "5" not in str(listed.villages["name"].tolist())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blocks=st.lists(st.lists(st.integers(0, 900), min_size=1, max_size=5), min_size=1, max_size=4),
    label=st.sampled_from(["Cộng", "Cộng huyện", "Cộng xã", "Tổng", "Tổng cộng", "TC", "Total"]),
)
def test_totals_never_become_villages(blocks, label, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["STT", "Thôn/Bản", "Số hộ", "Kinh độ", "Vĩ độ"])
    count = 0
    for block in blocks:
        for households in block:
            count += 1
            sheet.append([count, f"Thôn {count}", households, 106.5 + count / 1000, 16.7])
        sheet.append([label, None, sum(block)])
    path = tmp_path / f"totals_{abs(hash((str(blocks), label)))}.xlsx"
    book.save(path)
    listed = read_village_list(path)
    assert len(listed.villages) == count
    assert listed.villages["households"].sum() == sum(map(sum, blocks))


def test_a_village_named_like_a_total_stays_a_village(tmp_path):
    path = tmp_path / "names.csv"
    pd.DataFrame(
        {
            "Thôn/Bản": ["Cộng Hòa", "Tổng Xá"],
            "Số hộ": [50, 60],
            "Kinh độ": [106.6, 106.7],
            "Vĩ độ": [16.7, 16.8],
        }
    ).to_csv(path, index=False)
    assert read_village_list(path).villages["name"].tolist() == ["Cộng Hòa", "Tổng Xá"]


def test_a_row_with_only_its_name_is_a_village_with_missing_data(small, files, capsys, tmp_path):
    rows = department_rows(small, 3)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Huyện", "Xã", "Thôn/Bản", "Số hộ", "Kinh độ", "Vĩ độ"])
    sheet.append(["II. Huyện Hướng Hóa"])  # row 2: a heading
    sheet.merge_cells("A2:F2")
    sheet.append(
        [
            "Hướng Hóa",
            "Hướng Lập",
            rows[0]["Thôn/Bản"],
            rows[0]["Số hộ"],
            rows[0]["Kinh độ"],
            rows[0]["Vĩ độ"],
        ]
    )
    sheet.append([None, None, "Bản Chỉ Có Tên"])  # row 4: a village with only its name
    sheet.append(["Xã A Ngo"])  # row 5: a commune heading in the first column
    path = tmp_path / "name_only.xlsx"
    book.save(path)
    listed = read_village_list(path)
    assert listed.villages["name"].tolist() == [rows[0]["Thôn/Bản"], "Bản Chỉ Có Tên"]
    checks = listed.issues.groupby("row")["check"].apply(set)
    assert checks[2] == {"heading_row"} and checks[5] == {"heading_row"}
    assert {"missing_households", "missing_coordinates"} <= checks[4]
    code, _, _ = run_report(capsys, path, files["towers"], tmp_path / "pkg")
    assert code == 0
    out = pd.read_csv(tmp_path / "pkg" / "gap_list.csv", encoding="utf-8-sig")
    assert len(out) == 2 and out["gap_type"].iloc[1] == "location_unknown"


def test_a_windows_1252_file_is_detected_and_the_doubt_reported(small, files, capsys, tmp_path):
    path = tmp_path / "latin.csv"
    text = "Thon/Ban,Xa,So ho,Kinh do,Vi do\n"
    for i, row in enumerate(small.villages.head(5).itertuples()):
        text += f"Thôn Tân Phú {i},Xã Hòa Bình,{row.households},{row.geometry.x},{row.geometry.y}\n"
    path.write_bytes(text.encode("cp1252"))
    listed = read_village_list(path)
    assert listed.source["encoding"] == "cp1252"
    assert listed.villages["old_commune"].iloc[0] == "Xã Hòa Bình"  # not "Xă Hòa Bình"
    assert listed.villages["name"].iloc[0] == "Thôn Tân Phú 0"
    code, _, _ = run_report(capsys, path, files["towers"], tmp_path / "pkg")
    assert code == 0
    quality = pd.read_csv(tmp_path / "pkg" / "data_quality.csv", encoding="utf-8-sig")
    encoding = quality[quality["check"] == "encoding"]
    assert len(encoding) == 1 and encoding["severity"].iloc[0] == "warning"
    assert "cp1252" in encoding["message"].iloc[0] and "UTF-8" in encoding["message"].iloc[0]


# --- 6-7. implausible values, towers far away ---------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "column", "value"),
    [("villages", "households", 10**12), ("towers", "eirp_dbm", 500), ("towers", "height_m", 5000)],
)
def test_impossible_values_are_refused_by_validate_and_gaps(
    small, files, capsys, tmp_path, layer, column, value
):
    frame = getattr(small, layer).copy()
    frame[column] = frame[column].astype(float)
    frame.loc[frame.index[2], column] = value
    path = write_layer(frame, tmp_path / f"{layer}.csv")
    code, _, err = run(capsys, "validate", layer, path)
    assert code == EXIT_INVALID
    assert f"column '{column}'" in err and "impossible" in err
    assert str(frame.iloc[2][f"{layer[:-1] if layer == 'towers' else 'village'}_id"]) in err
    others = {"villages": files["villages"], "towers": files["towers"], layer: path}
    code, _, err2 = run_gaps(capsys, others["villages"], others["towers"], tmp_path / "g.xlsx")
    assert code == EXIT_INVALID and "impossible" in err2


def test_impossible_households_in_a_department_list_are_flagged_in_report(
    small, files, capsys, tmp_path
):
    rows = department_rows(small, 4)
    rows[1]["Số hộ"] = 10**12
    path = tmp_path / "big.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    code, _, _ = run_report(capsys, path, files["towers"], tmp_path / "pkg")
    assert code == 0
    quality = pd.read_csv(tmp_path / "pkg" / "data_quality.csv", encoding="utf-8-sig")
    flagged = quality[quality["check"] == "implausible"]
    assert flagged["row"].tolist() == [3] and flagged["column"].tolist() == ["households"]
    totals = pd.read_excel(tmp_path / "pkg" / "gap_list.xlsx", sheet_name="province")
    assert totals["households"].iloc[0] < 10**6  # never counted


def test_towers_far_from_the_villages_are_warned_loudly(small, files, capsys, tmp_path):
    far = small.towers.copy()
    far["geometry"] = far.geometry.translate(xoff=-4.0, yoff=4.0)  # 600 km away
    path = write_layer(far, tmp_path / "far.csv")
    code, _, err = run_gaps(capsys, files["villages"], path, tmp_path / "g.xlsx")
    assert code == 0 and "do not cover the villages' area" in err
    settings = pd.read_excel(tmp_path / "g.xlsx", sheet_name="settings")
    assert "do not cover" in settings.set_index("setting")["value"]["towers_check"]
    rows = department_rows(small, 5)
    village_file = tmp_path / "list.csv"
    pd.DataFrame(rows).to_csv(village_file, index=False)
    code, _, err = run_report(capsys, village_file, path, tmp_path / "pkg")
    assert code == 0 and "do not cover" in err
    quality = pd.read_csv(tmp_path / "pkg" / "data_quality.csv", encoding="utf-8-sig")
    assert quality["check"].iloc[0] == "towers_far" and quality["severity"].iloc[0] == "error"


# --- 8-9. progress against itself, exact round trips ---------------------------------------------


def messy_list(small, path: Path) -> None:
    """Repeated names at one place, a row without a name, a row without coordinates, ids
    that look like formulas or negative numbers."""
    rows = department_rows(small, 6)
    rows[3] = dict(rows[2])  # the same village twice
    rows[4]["Thôn/Bản"] = ""
    rows[5]["Kinh độ"] = rows[5]["Vĩ độ"] = None
    ids = ["-42", "=A1+1", "+7", "@SUM(A1)", "QT 01", "0012"]
    pd.DataFrame([{"Mã thôn": i, **r} for i, r in zip(ids, rows, strict=True)]).to_csv(
        path, index=False
    )


def test_a_list_against_itself_reports_no_change(small, files, capsys, tmp_path):
    path = tmp_path / "messy.csv"
    messy_list(small, path)
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_report(capsys, path, files["towers"], first)[0] == 0
    code, out, _ = run_report(
        capsys, path, files["towers"], second, "--previous", first / "gap_list.xlsx"
    )
    assert code == 0 and "0 newly found" in out
    progress = pd.read_csv(second / "progress.csv", encoding="utf-8-sig", dtype=str)
    assert len(progress) == 6
    assert not progress["progress_status"].isin(["newly_found", "not_in_current", "closed"]).any()
    assert (progress["village_id"] == progress["previous_village_id"]).all()


def test_ids_and_names_round_trip_exactly_through_the_workbook(small, files, capsys, tmp_path):
    path = tmp_path / "messy.csv"
    messy_list(small, path)
    assert run_report(capsys, path, files["towers"], tmp_path / "pkg")[0] == 0
    sheet = openpyxl.load_workbook(tmp_path / "pkg" / "gap_list.xlsx")["villages"]
    ids = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert ids == ["-42", "=A1+1", "+7", "@SUM(A1)", "QT 01", "0012"]
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))
    back = read_gap_list(tmp_path / "pkg" / "gap_list.xlsx")
    assert back.villages["village_id"].tolist() == ids
    settings = back.settings
    # the tool's own values come back as written: the threshold and its measure
    assert (settings["threshold_2G_dbm"], settings["threshold_2G_measure"]) == ("-95.0", "RxLev")
    csv_back = read_gap_list(tmp_path / "pkg" / "gap_list.geojson")
    assert csv_back.setup == back.setup  # the same signal setup through either file


# --- 10. whole or nothing ------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    ("stop", "expected"), [("interrupt", 130), ("terminate", 143), ("fail", 4)]
)
def test_an_interrupted_package_leaves_the_older_one_whole(
    small, files, capsys, tmp_path, monkeypatch, stop, expected
):
    rows = department_rows(small, 6)
    path = tmp_path / "list.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    folder = tmp_path / "pkg"
    assert (
        run_report(
            capsys,
            path,
            files["towers"],
            folder,
            "--previous",
            files["villages"].with_name("nope.xlsx"),
        )[0]
        == 3
    )
    assert run_report(capsys, path, files["towers"], folder)[0] == 0
    before = snapshot(folder)

    def broken(*args, **kwargs):
        if stop == "interrupt":
            raise KeyboardInterrupt
        if stop == "terminate":
            os.kill(os.getpid(), signal.SIGTERM)
        raise RuntimeError("disk full")

    monkeypatch.setattr(package_module, "write_summary", broken)
    rows[0]["Số hộ"] += 10  # a new round whose numbers differ
    pd.DataFrame(rows).to_csv(path, index=False)
    code, _, err = run_report(capsys, path, files["towers"], folder)
    assert code == expected
    assert len(err.strip().splitlines()) == 1
    assert snapshot(folder) == before  # the older package, untouched and whole
    assert leftovers(folder) == []


def test_a_finished_package_leaves_no_file_of_the_older_one(small, files, capsys, tmp_path):
    rows = department_rows(small, 6)
    path = tmp_path / "list.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    first, folder = tmp_path / "first", tmp_path / "pkg"
    assert run_report(capsys, path, files["towers"], first)[0] == 0
    assert (
        run_report(
            capsys,
            path,
            files["towers"],
            folder,
            "--previous",
            first / "gap_list.xlsx",
        )[0]
        == 0
    )
    assert (folder / "progress.csv").exists()
    (folder / "my_notes.txt").write_text("kept")
    assert run_report(capsys, path, files["towers"], folder)[0] == 0
    assert not (folder / "progress.csv").exists()  # it belonged to the older package
    assert (folder / "my_notes.txt").read_text() == "kept"
    assert leftovers(folder) == []


# --- 11. exit codes of user mistakes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "layer"),
    [
        ("empty.csv", b"", "villages"),
        ("header.csv", b"village_id,households,lon,lat\n", "villages"),
        ("empty.gpkg", b"", "towers"),
        ("broken.gpkg", b"SQLite format 3\x00" + b"\x00" * 200, "towers"),
        ("cells.csv.gz", b"\x1f\x8b\x08\x00garbage", "opencellid"),
        ("dem.tif", b"II*\x00 not a tiff", "terrain"),
        ("list.xlsx", b"PK\x03\x04 not a workbook", "villages"),
    ],
)
def test_broken_files_are_input_errors_naming_the_file(capsys, tmp_path, name, content, layer):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run(capsys, "validate", layer, path)
    assert code == EXIT_INVALID, err
    assert name in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1  # one line, without the reader's own notes


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "--gaps", "g.geojson", "--sites", "-1", "--out", "s.xlsx"],
        ["plan", "--gaps", "g.geojson", "--sites", "nan", "--out", "s.xlsx"],
        ["plan", "--gaps", "g.geojson", "--budget", "-5", "--out", "s.xlsx"],
        ["plan", "--gaps", "g.geojson", "--budget", "inf", "--out", "s.xlsx"],
        ["plan", "--gaps", "g.geojson", "--sites", "3", "--time-limit", "0", "--out", "s.xlsx"],
        ["plan", "--gaps", "g.geojson", "--sites", "3", "--out", "s.txt"],
        ["gaps", "--villages", "v", "--towers", "t", "--max-grid-km", "-1", "--out", "g.xlsx"],
        ["gaps", "--villages", "v", "--towers", "t", "--max-grid-km", "nan", "--out", "g.xlsx"],
        ["gaps", "--villages", "v", "--towers", "t", "--environment", "jungle", "--out", "g.xlsx"],
        ["gaps", "--villages", "v", "--towers", "t", "--out", "gaps.docx"],
        ["report", "--villages", "v", "--towers", "t", "--max-age-days", "-3", "--out", "p"],
        ["report", "--villages", "v", "--towers", "t", "--max-age-days", "inf", "--out", "p"],
        ["map", "--gaps", "g.geojson", "--out", "map.png"],
        ["sample", "--villages", "0", "--out", "s"],
    ],
)
def test_bad_command_line_values_are_refused_before_any_work(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == EXIT_USAGE
    assert "error: argument" in capsys.readouterr().err


def test_an_output_under_a_regular_file_is_refused_by_the_parser(files, capsys, tmp_path):
    blocker = tmp_path / "report.txt"
    blocker.write_text("a file")
    with pytest.raises(SystemExit) as stop:
        main(gaps_argv(files["villages"], files["towers"], blocker / "gaps.xlsx"))
    assert stop.value.code == EXIT_USAGE
    assert "is a file, not a folder" in capsys.readouterr().err


# --- 12. plan edges ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gap_files(small, files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan_edges")
    assert main(gaps_argv(files["villages"], files["towers"], folder / "gaps.geojson")) == 0
    everywhere = small.villages.copy()
    everywhere["tower_id"] = [f"T{i}" for i in range(len(everywhere))]
    towers = write_layer(everywhere[["tower_id", "geometry"]], folder / "everywhere.csv")
    assert main(gaps_argv(files["villages"], towers, folder / "covered.geojson")) == 0
    return folder


def test_plan_with_nothing_left_to_cover_is_an_empty_plan(gap_files, capsys, tmp_path):
    code, out, _ = run_plan(
        capsys, gap_files / "covered.geojson", tmp_path / "s.xlsx", "--sites", "5"
    )
    assert code == 0 and "nothing left to cover" in out
    assert pd.read_excel(tmp_path / "s.xlsx", sheet_name="sites").empty


@pytest.mark.parametrize("objective", [["--sites", "0"], ["--budget", "0"]])
def test_plan_with_no_sites_to_build_is_proven_empty(gap_files, capsys, tmp_path, objective):
    code, out, _ = run_plan(capsys, gap_files / "gaps.geojson", tmp_path / "s.xlsx", *objective)
    said = "0 new sites" if objective[0] == "--sites" else "no site fits the budget of 0 "
    assert code == 0 and said in out and "(optimal)" in out


def test_plan_with_an_empty_candidates_file_is_an_input_error(gap_files, capsys, tmp_path):
    candidates = tmp_path / "candidates.gpkg"
    empty = make_province(villages=5, seed=1).villages.iloc[:0][["geometry"]]
    empty["site_id"] = pd.Series(dtype=str)
    empty.to_file(candidates)
    code, _, err = run_plan(
        capsys,
        gap_files / "gaps.geojson",
        tmp_path / "s.xlsx",
        "--cover-all",
        "--candidates",
        candidates,
    )
    assert code == EXIT_INVALID and "candidates (candidates.gpkg)" in err and "no rows" in err


def test_plan_whose_candidates_reach_nobody_says_so(gap_files, capsys, tmp_path):
    far = make_province(villages=5, seed=1).villages.head(2)[["geometry"]]
    far["geometry"] = far.geometry.translate(xoff=-3.0, yoff=3.0)
    far["site_id"] = ["FAR1", "FAR2"]
    candidates = write_layer(far, tmp_path / "far.geojson")
    code, out, _ = run_plan(
        capsys,
        gap_files / "gaps.geojson",
        tmp_path / "s.xlsx",
        "--cover-all",
        "--candidates",
        candidates,
    )
    assert code == 0 and "no candidate site reaches" in out
    unreachable = pd.read_excel(tmp_path / "s.xlsx", sheet_name="unreachable")
    gaps = read_gap_list(gap_files / "gaps.geojson").villages
    judged = gaps["signal_status"] != "beyond_model_range"  # not demand: not judged
    assert set(unreachable["village_id"]) == set(
        gaps.loc[judged & (gaps["households_without_signal"] > 0), "village_id"]
    )


def test_cover_all_that_cannot_reach_most_households_says_so_first(gap_files, capsys, tmp_path):
    gaps = read_gap_list(gap_files / "gaps.geojson").villages
    one = gaps[gaps["households_without_signal"] > 0].head(1)
    candidates = write_layer(
        one.assign(site_id="ONLY")[["site_id", "geometry"]], tmp_path / "one.geojson"
    )
    code, out, _ = run_plan(
        capsys,
        gap_files / "gaps.geojson",
        tmp_path / "s.xlsx",
        "--cover-all",
        "--candidates",
        candidates,
    )
    assert code == 0
    assert out.splitlines()[1].startswith("covering all is not possible")
    assert len(pd.read_excel(tmp_path / "s.xlsx", sheet_name="unreachable")) > 0


# --- 13. validate reads what gaps and report read; --previous named as such ---------------------


def test_validate_reads_a_department_list_as_gaps_does(small, files, capsys, tmp_path):
    path = tmp_path / "list.csv"
    pd.DataFrame(department_rows(small, 5)).to_csv(path, index=False)
    code, out, _ = run(capsys, "validate", "villages", path)
    assert code == 0 and "read as a department's village list: 5 villages" in out
    assert run_gaps(capsys, path, files["towers"], tmp_path / "g.xlsx")[0] == 0


def test_a_bad_previous_file_is_named_as_the_previous_list(small, files, capsys, tmp_path):
    path = tmp_path / "list.csv"
    pd.DataFrame(department_rows(small, 5)).to_csv(path, index=False)
    previous = tmp_path / "old.csv"
    previous.write_text("a,b\n1,2\n")
    code, _, err = run_report(
        capsys, path, files["towers"], tmp_path / "pkg", "--previous", previous
    )
    assert code == EXIT_INVALID
    assert err.startswith("error: previous gap list (--previous) (old.csv)")
    assert not (tmp_path / "pkg").exists()


# --- 14. the plan is made with the gap list's own physics ---------------------------------------


def test_plan_uses_the_gap_lists_signal_setup(files, capsys, tmp_path):
    plain, harsh = tmp_path / "plain.geojson", tmp_path / "harsh.geojson"
    common = [
        "gaps",
        "--villages",
        files["villages"],
        "--towers",
        files["towers"],
        "--model",
        "hata",
        "--extrapolate",  # one 3G tower at 2100 MHz
        "--extrapolate",  # one 3G tower at 2100 MHz
    ]
    assert run(capsys, *common, "--out", plain)[0] == 0
    assert (
        run(
            capsys,
            *common,
            "--environment",
            "suburban",
            "--building-loss-db",
            "15",
            "--out",
            harsh,
        )[0]
        == 0
    )
    out = tmp_path / "sites.xlsx"
    assert run(capsys, "plan", "--gaps", harsh, "--sites", "4", "--out", out)[0] == 0
    shown = pd.read_excel(out, sheet_name="settings").set_index("setting")["value"]
    assert shown["environment"] == "suburban"
    assert shown["building_loss_db"] == "15.0"
    assert shown["extrapolate"] == "True"
    assert (shown["threshold_4G_dbm"], shown["threshold_4G_measure"]) == ("-110.0", "RSRP")
    # the same demand planned with the gap list's physics covers less than without it
    gaps = read_gap_list(harsh)
    with_setup = plan_sites(gaps, sites=4, curve_steps=0, progress=False)
    loose = plan_sites(
        gaps.__class__(
            gaps.villages,
            gaps.communes,
            gaps.provinces,
            None,
            {"model": "hata", "extrapolate": "True"},
        ),
        sites=4,
        curve_steps=0,
        progress=False,
    )
    assert with_setup.selection.covered < loose.selection.covered


def test_an_interrupted_gap_list_leaves_none_of_its_files(files, capsys, tmp_path, monkeypatch):
    from whitespot.coverage import _export as export  # noqa: PLC0415 the module whose writer fails

    written = []
    real = export.write_layer

    def stop_after_the_first(*args, **kwargs):
        if written:
            raise KeyboardInterrupt
        written.append(real(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(export, "write_layer", stop_after_the_first)
    out = tmp_path / "gaps.csv"
    code, _, err = run_gaps(capsys, files["villages"], files["towers"], out)
    assert code == 130 and err.startswith("interrupted")
    assert written  # the villages file was written, in the staging folder
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_sentences_count_one_in_the_singular(small, files, capsys, tmp_path):
    one = write_layer(small.villages.head(1), tmp_path / "one.csv")
    code, out, _ = run_gaps(capsys, one, files["towers"], tmp_path / "g.xlsx")
    assert code == 0
    assert " of 1 village (" in out and "1 villages" not in out


# --- issue 30: nothing lost, nothing doubled ------------------------------------------------


def test_a_header_only_village_list_is_a_named_error(files, capsys, tmp_path):
    for header in ("Thôn/Bản,Số hộ,Kinh độ,Vĩ độ\n", "village_id,households,lon,lat\n"):
        villages = tmp_path / "empty.csv"
        villages.write_text(header, encoding="utf-8")
        code, _, err = run_report(capsys, villages, files["towers"], tmp_path / "out")
        assert code == EXIT_INVALID, err
        assert "empty.csv" in err and ("no village rows" in err or "no rows" in err)
        code, _, err = run(capsys, *gaps_argv(villages, files["towers"], tmp_path / "g.csv"))
        assert code == EXIT_INVALID, err


def test_a_list_without_any_usable_coordinates_still_gives_a_package(files, capsys, tmp_path):
    """Every village listed as location_unknown, the headline says so (issue 27, item 1)."""
    villages = tmp_path / "nowhere.csv"
    villages.write_text(
        "Thôn/Bản,Số hộ,Kinh độ,Vĩ độ\nBản A,12,,\nBản B,30,abc,\nBản C,7,999,999\n",
        encoding="utf-8",
    )
    code, out, err = run_report(capsys, villages, files["towers"], tmp_path / "out")
    assert code == 0, err
    assert "3 villages without a usable location" in out
    listed = pd.read_csv(tmp_path / "out" / "gap_list.csv", encoding="utf-8-sig")
    assert listed["gap_type"].tolist() == ["location_unknown"] * 3
    assert (tmp_path / "out" / "map.html").exists()


def test_opencellid_on_a_plain_towers_file_says_what_it_is(files, capsys, tmp_path):
    code, _, err = run(
        capsys, *gaps_argv(files["villages"], files["towers"], tmp_path / "g.csv", "--opencellid")
    )
    assert code == EXIT_INVALID
    assert "not an OpenCelliD export" in err and "leave out --opencellid" in err
    assert "nan" not in err


def test_opencellid_cells_of_another_country_serve_no_village(small, files, capsys, tmp_path):
    """MCC 456 cells at every village: left out and counted; `--mcc 456` keeps them (item 9)."""
    rows = [
        ["LTE", 456, 1, 7, 256 * (1000 + i), 0, p.x, p.y, 1000, 5, 1, 0, 0, 0]
        for i, p in enumerate(small.villages.geometry)
    ]
    path = tmp_path / "cells.csv"
    pd.DataFrame(rows).to_csv(path, index=False, header=False)
    code, _, err = run(capsys, *gaps_argv(files["villages"], path, tmp_path / "g.csv",
                                          "--opencellid"))  # fmt: skip
    assert code == EXIT_INVALID and "no cells of MCC 452" in err and "MCC 456: 40" in err
    code, out, err = run(capsys, *gaps_argv(files["villages"], path, tmp_path / "g.csv",
                                            "--opencellid", "--mcc", "456"))  # fmt: skip
    assert code == 0 and out.startswith("0 of 40 villages"), err
    code, out, _ = run(capsys, "validate", "opencellid", path, "--mcc", "any")
    assert code == 0 and "OK, 40 towers" in out
    with pytest.raises(SystemExit) as stop:
        main(["validate", "opencellid", str(path), "--mcc", "45"])
    assert stop.value.code == EXIT_USAGE
    assert "not a mobile country code" in capsys.readouterr().err


def test_previous_list_inside_the_new_package_is_refused(files, capsys, tmp_path):
    out = tmp_path / "out"
    assert run_report(capsys, files["villages"], files["towers"], out)[0] == 0
    before = (out / "gap_list.xlsx").read_bytes()
    code, _, err = run_report(
        capsys, files["villages"], files["towers"], out, "--previous", out / "gap_list.xlsx"
    )
    assert code == EXIT_USAGE and "inside --out" in err and "round-1" in err
    assert (out / "gap_list.xlsx").read_bytes() == before  # last round's list untouched


def test_a_new_package_keeps_the_users_own_files_and_drops_the_old_packages(
    files, capsys, tmp_path
):
    out = tmp_path / "out"
    assert run_report(capsys, files["villages"], files["towers"], out)[0] == 0
    (out / "round-1").mkdir()
    (out / "round-1" / "gap_list.xlsx").write_bytes((out / "gap_list.xlsx").read_bytes())
    (out / "ghi_chu.txt").write_text("của phòng", encoding="utf-8")
    (out / "progress.csv").write_text("an older package's file", encoding="utf-8")
    previous = out / "round-1" / "gap_list.xlsx"
    code, _, err = run_report(
        capsys, files["villages"], files["towers"], out, "--previous", previous
    )
    assert code == 0, err
    assert (out / "ghi_chu.txt").read_text(encoding="utf-8") == "của phòng"
    assert previous.exists()
    assert "older package" not in (out / "progress.csv").read_text(encoding="utf-8-sig")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_visible_coordinates_win_over_hidden_ones_and_the_choice_is_said(small, tmp_path):
    villages = small.villages.head(6)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Thôn/Bản", "Số hộ", "Kinh độ", "Vĩ độ", "Kinh độ", "Vĩ độ"])
    for name, households, point in zip(
        villages["name"], villages["households"], villages.geometry, strict=True
    ):
        sheet.append([name, int(households), point.x + 0.3, point.y - 0.2, point.x, point.y])
    for letter in ("C", "D"):  # last round's coordinates, hidden, not deleted
        sheet.column_dimensions[letter].hidden = True
    book.save(tmp_path / "hidden.xlsx")
    listed = read_village_list(tmp_path / "hidden.xlsx")
    assert listed.villages.geometry.x.tolist() == pytest.approx(villages.geometry.x.tolist())
    said = listed.issues[listed.issues["check"] == "repeated_column"]
    assert set(said["column"]) == {"lon", "lat"}
    lon = said.loc[said["column"] == "lon", "message"].iloc[0]
    assert "column E, visible), the first visible one" in lon and "column C, hidden" in lon


def test_a_used_range_to_the_last_row_reads_only_the_rows_that_hold_values(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Thôn/Bản", "Số hộ", "Kinh độ", "Vĩ độ"])
    for i in range(5):
        sheet.append([f"Bản {i}", 10 + i, 106.8 + i / 100, 16.8])
    sheet.cell(row=1_048_000, column=1).number_format = "0.00"  # one formatted empty cell
    book.save(tmp_path / "huge.xlsx")
    listed = read_village_list(tmp_path / "huge.xlsx")
    assert len(listed.villages) == 5
    tail = listed.issues[listed.issues["check"] == "empty_tail"]
    assert tail["message"].tolist() == [
        "rows 7 to 1,048,000 hold nothing (formatted but empty cells): not read"
    ]


# --- issue 27: the files departments really send -------------------------------------------


def hamlets_workbook(path, rows, merge=None):
    """A department's workbook: header, then `rows`; `merge` a range such as "B3:B4"."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Xã", "Số hộ", "Thôn/Bản", "Kinh độ", "Vĩ độ", "Ghi chú"])
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def test_a_household_count_merged_over_two_hamlets_is_an_error_naming_the_rows(
    files, capsys, tmp_path
):
    rows = [
        ["Xã A", 40, "Bản 1", 106.80, 16.80, None],
        [None, None, "Bản 2", 106.81, 16.81, None],
        ["Xã A", 25, "Bản 3", 106.82, 16.82, None],
    ]
    path = hamlets_workbook(tmp_path / "merged.xlsx", rows, merge="B2:B3")
    code, _, err = run_report(capsys, path, files["towers"], tmp_path / "out")
    assert code == EXIT_INVALID
    assert "households" in err and "merged over rows 2-3" in err and "column B" in err
    # a commune name merged over its hamlets is filled into each row, as Excel shows it
    two = [rows[0], [None, 30, *rows[1][2:]]]
    path = hamlets_workbook(tmp_path / "names.xlsx", two, merge="A2:A3")
    listed = read_village_list(path)
    assert listed.villages["households"].tolist() == [40, 30]


def test_formulas_never_saved_are_named_not_read_as_zero(files, capsys, tmp_path):
    rows = [
        ["Xã A", "=20+20", "Bản 1", 106.80, 16.80, "=1+1"],
        ["Xã A", 30, "Bản 2", 106.81, 16.81, None],
        ["Xã A", "=B2+B3", "Bản 3", 106.82, 16.82, None],
    ]
    path = hamlets_workbook(tmp_path / "formulas.xlsx", rows)  # openpyxl saves no values
    code, _, err = run_report(capsys, path, files["towers"], tmp_path / "out")
    assert code == EXIT_INVALID
    assert "2 cells hold formulas with no saved value (B2, B4; e.g. =20+20)" in err
    assert "open and save it" in err


def test_a_hand_edited_gap_list_is_validated_when_planned(files, capsys, tmp_path):
    """`12 hộ` typed into a gap list: a named error, not ValueError (issue 27, item 2)."""
    assert main(gaps_argv(files["villages"], files["towers"], tmp_path / "gaps.csv")) == 0
    capsys.readouterr()
    table = pd.read_csv(tmp_path / "gaps.csv", encoding="utf-8-sig", dtype=str)
    table.loc[2, "households_without_signal"] = "12 hộ"
    table.loc[4, "signal_status"] = "lõm"
    table.to_csv(tmp_path / "gaps.csv", index=False, encoding="utf-8-sig")
    code, _, err = run_plan(capsys, tmp_path / "gaps.csv", tmp_path / "s.xlsx", "--sites", "3")
    assert code == EXIT_INVALID, err
    assert "households_without_signal" in err and "12 hộ" in err
    assert table.loc[2, "village_id"] in err and "signal_status" in err and "lõm" in err


def old_xls(path, sheets):
    """An Excel 97-2003 workbook (xlwt): `sheets` maps name -> (rows, hidden)."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    for name, (rows, hidden) in sheets.items():
        sheet = book.add_sheet(name)
        sheet.visibility = 1 if hidden else 0
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


VILLAGE_ROWS = [
    ["Thôn/Bản", "Số hộ", "Kinh độ", "Vĩ độ"],
    ["Bản Một", 12, 106.80, 16.80],
    ["Bản Hai", 30, 106.81, 16.81],
]


@pytest.mark.parametrize("name", ["danh_sach.xls", "renamed.xlsx"])
def test_an_old_xls_list_is_read_from_the_sheet_with_the_village_columns(
    files, capsys, tmp_path, name
):
    """.xls, an .xls renamed .xlsx, villages on sheet 2 beside a summary and a hidden sheet."""
    path = old_xls(
        tmp_path / name,
        {
            "Cũ": ([["Thôn/Bản", "Số hộ", "Kinh độ", "Vĩ độ"], ["Bản Cũ", 1, 106.0, 16.0]], True),
            "Tổng hợp": ([["Tổng số hộ", 42]], False),
            "Thôn bản": (VILLAGE_ROWS, False),
        },
    )
    listed = read_village_list(path)
    assert listed.villages["name"].tolist() == ["Bản Một", "Bản Hai"]
    assert listed.villages["households"].tolist() == [12, 30]
    notes = listed.issues.set_index("check")["message"]
    assert "read sheet 'Thôn bản', the one with the village columns" in notes["sheet_chosen"]
    assert "hidden sheets not read: 'Cũ'" in notes["sheet_chosen"]
    if name.endswith(".xlsx"):
        assert notes["file_format"] == "the file is a .xls workbook named .xlsx: read as .xls"
    code, _, err = run_report(capsys, path, files["towers"], tmp_path / "out")
    assert code == 0, err
    code, out, err = run(capsys, *gaps_argv(path, files["towers"], tmp_path / "g.csv"))
    assert code == 0 and "as a department's village list" in out, err


def test_vn2000_metres_are_converted_with_their_zone_and_refused_without(
    small, files, capsys, tmp_path
):
    """X (northing) and Y (easting) in VN-2000 TM-3 metres (issue 27, items 1 and 4)."""
    villages = small.villages.head(8)
    metres = villages.to_crs("EPSG:9212")  # VN-2000 / TM-3 106-15
    table = pd.DataFrame(
        {
            "Thôn/Bản": villages["name"].to_numpy(),
            "Số hộ": villages["households"].to_numpy(),
            "X": metres.geometry.y.round(3).to_numpy(),  # surveyors' X is the northing
            "Y": metres.geometry.x.round(3).to_numpy(),
        }
    )
    path = tmp_path / "vn2000.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValidationError, match=r"8 rows hold coordinates in metres.*EPSG:9212"):
        read_village_list(path)
    listed = read_village_list(path, crs="EPSG:9212")
    assert listed.villages.geometry.x.to_numpy() == pytest.approx(
        villages.geometry.x.to_numpy(), abs=1e-6
    )
    assert listed.villages.geometry.y.to_numpy() == pytest.approx(
        villages.geometry.y.to_numpy(), abs=1e-6
    )
    said = listed.issues[listed.issues["check"] == "coordinate_notation"]["message"]
    assert len(said) == 8 and said.str.contains("metres in VN-2000 / TM-3 106-15").all()
    code, _, err = run_report(capsys, path, files["towers"], tmp_path / "out")
    assert code == EXIT_INVALID and "--crs" in err
    code, out, err = run_report(
        capsys, path, files["towers"], tmp_path / "out", "--crs", "EPSG:9212"
    )
    assert code == 0, err
    assert "without a usable location" not in out


def test_vn2000_zone_is_taken_from_the_rows_province_and_district(small, files, capsys, tmp_path):
    """No --crs: each row's pre-2025 province (its district where the name was merged in
    2025) gives the zone, said per row; a merged name alone is refused (item 4)."""
    villages = small.villages.head(6)
    metres = villages.to_crs("EPSG:9212")  # old Quảng Trị: VN-2000 / TM-3 106-15
    table = pd.DataFrame(
        {
            "Tỉnh": "Quảng Trị",
            "Huyện": "Hải Lăng",
            "Thôn/Bản": villages["name"].to_numpy(),
            "Số hộ": villages["households"].to_numpy(),
            "X": metres.geometry.y.round(3).to_numpy(),
            "Y": metres.geometry.x.round(3).to_numpy(),
        }
    )
    path = tmp_path / "vn2000.csv"
    table.to_csv(path, index=False)
    listed = read_village_list(path)
    assert listed.villages.geometry.x.to_numpy() == pytest.approx(
        villages.geometry.x.to_numpy(), abs=1e-6
    )
    said = listed.issues[listed.issues["check"] == "coordinate_notation"]
    assert len(said) == 6 and (said["severity"] == "warning").all()
    assert (
        said["message"]
        .str.contains(
            r"TM-3 106-15 \(EPSG:9212\), the zone of district Hải Lăng's pre-2025 province"
        )
        .all()
    )
    code, _, err = run_report(capsys, path, files["towers"], tmp_path / "out")
    assert code == 0, err
    table.drop(columns="Huyện").to_csv(path, index=False)
    with pytest.raises(ValidationError, match=r"several zones \(EPSG:9211, EPSG:9212\)"):
        read_village_list(path)
    table.assign(**{"Tỉnh": "Quảng Bình"}).to_csv(path, index=False)  # wrong province: 106-00
    shifted = read_village_list(path).villages.geometry.x.to_numpy()
    assert (villages.geometry.x.to_numpy() - shifted) == pytest.approx(0.25, abs=0.01)


def test_metres_in_a_file_of_whitespots_form_are_named_as_vn2000(small, capsys, tmp_path):
    """x/y metres under whitespot's own headers: named as VN-2000 with the fix (item 4)."""
    metres = small.villages.head(3).to_crs("EPSG:9212")
    path = tmp_path / "villages.csv"
    pd.DataFrame(
        {"village_id": metres["village_id"], "households": metres["households"],
         "x": metres.geometry.x, "y": metres.geometry.y}
    ).to_csv(path, index=False)  # fmt: skip
    code, _, err = run(capsys, "validate", "villages", path)
    assert code == EXIT_INVALID and "coordinates in metres, not degrees: VN-2000" in err
    assert "out of range" not in err


def trial_inputs(small, folder: Path) -> dict[str, Path]:
    """Files of this round's trial, made here: each must end in a result or exit 1 or 2."""
    folder.mkdir(exist_ok=True)
    files = {}
    files["header_only"] = folder / "header_only.csv"
    files["header_only"].write_text("Thôn/Bản,Số hộ,Kinh độ,Vĩ độ\n", encoding="utf-8")
    files["no_coordinates"] = folder / "no_coordinates.csv"
    files["no_coordinates"].write_text(
        "Thôn/Bản,Số hộ,X,Y\nBản A,12,,\nBản B,3,abc,\n", encoding="utf-8"
    )
    metres = small.villages.head(4).to_crs("EPSG:9212")
    files["metres"] = folder / "metres.csv"
    pd.DataFrame(
        {"Thôn/Bản": ["A", "B", "C", "D"], "Số hộ": [1, 2, 3, 4],
         "X": metres.geometry.y.to_numpy(), "Y": metres.geometry.x.to_numpy()}
    ).to_csv(files["metres"], index=False)  # fmt: skip
    files["merged"] = hamlets_workbook(
        folder / "merged.xlsx",
        [["A", 40, "B1", 106.8, 16.8, None], [None, None, "B2", 106.81, 16.81, None]],
        merge="B2:B3",
    )
    files["formulas"] = hamlets_workbook(
        folder / "formulas.xlsx", [["A", "=1+1", "B1", 106.8, 16.8, None]]
    )
    files["latin1"] = folder / "latin1.csv"
    files["latin1"].write_bytes(
        "Thôn/Bản,Số hộ,Kinh độ,Vĩ độ\nBản Nà,12,106.8,16.8\n".encode("cp1252", "replace")
    )
    files["not_a_list"] = folder / "not_a_list.csv"
    files["not_a_list"].write_text("a;b\n1;2\n", encoding="utf-8")
    return files


def test_no_trial_input_ends_in_an_internal_error(small, files, capsys, tmp_path):
    """Every input problem is one of whitespot's own errors: exit 1 or 2, never 4 (item 3)."""
    for name, path in trial_inputs(small, tmp_path / "trial").items():
        for argv in (
            gaps_argv(path, files["towers"], tmp_path / f"{name}.csv"),
            ["report", "--villages", path, "--towers", files["towers"], "--lang", "en",
             "--out", tmp_path / f"{name}_package"],
            ["validate", "villages", path],
        ):  # fmt: skip
            code, _, err = run(capsys, *argv)
            assert code in (0, EXIT_INVALID, EXIT_USAGE), (name, argv[0], err)
            assert "internal error" not in err, (name, argv[0], err)


def test_bad_arguments_are_whitespots_own_errors():
    with pytest.raises(InputError, match="covered_share"):
        GapCriteria(covered_share=2.0)
    assert issubclass(InputError, WhitespotError) and issubclass(WhitespotError, ValueError)
    assert issubclass(ValidationError, WhitespotError)


def test_a_geojson_copied_alone_keeps_its_settings_and_a_csv_says_it_has_none(
    files, capsys, tmp_path
):
    """The plan uses the model the list was made with, or warns that it cannot (item 10)."""
    made = tmp_path / "made"
    argv = gaps_argv(files["villages"], files["towers"], made / "gaps.geojson", "--model", "hata")
    assert main([*argv, "--extrapolate"]) == 0
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(made / "gaps.geojson", alone / "gaps.geojson")
    back = read_gap_list(alone / "gaps.geojson")
    assert back.settings["model"] == "hata" and back.setup.model == "hata"
    assert len(read_layer(alone / "gaps.geojson")) == len(back.villages)  # still GeoJSON
    assert main(gaps_argv(files["villages"], files["towers"], made / "gaps.csv")) == 0
    shutil.copy(made / "gaps.csv", alone / "gaps.csv")
    capsys.readouterr()
    code, _, err = run_plan(capsys, alone / "gaps.csv", tmp_path / "s.xlsx", "--sites", "2")
    assert code == 0 and "carries no settings" in err


def test_a_windows_1252_list_names_its_encoding_and_the_rows_that_lost_letters(
    files, capsys, tmp_path
):
    """Vietnamese letters saved as '?' by a Latin code page are said, row by row (item 11)."""
    rows = "Bản Nà Hẩu,12,106.8,16.8\nThôn Đồng Tâm,30,106.81,16.81\nBan Pa,7,106.82,16.82\n"
    english = tmp_path / "latin_en.csv"
    english.write_bytes(f"village,households,lon,lat\n{rows}".encode("cp1252", "replace"))
    listed = read_village_list(english)
    lost = listed.issues[listed.issues["check"] == "lost_letters"]
    assert lost["row"].tolist() == [2, 3] and lost["value"].tolist()[0] == "B?n Nà H?u"
    assert "cp12" in lost["message"].iloc[0] and "CSV UTF-8" in lost["message"].iloc[0]
    vietnamese = tmp_path / "latin_vi.csv"
    vietnamese.write_bytes(f"Thôn/Bản,Số hộ,Kinh độ,Vĩ độ\n{rows}".encode("cp1252", "replace"))
    code, _, err = run_report(capsys, vietnamese, files["towers"], tmp_path / "out")
    assert code == EXIT_INVALID and "not UTF-8" in err and "'?' where a letter should be" in err


def test_phone_numbers_and_codes_keep_their_leading_zeros(small, capsys, tmp_path):
    """`0912345678` and `00007` in the user's own columns come out as typed (issue 27, item 7)."""
    villages = small.villages.head(12).copy()
    villages["phone"] = [f"09{i:08d}" for i in range(12)]
    villages["ma_thon"] = [f"{i:05d}" for i in range(12)]
    villages["zalo"] = [f"+84{i:09d}" for i in range(12)]
    towers = write_layer(small.towers, tmp_path / "towers.csv")
    for name in ("villages.csv", "villages.xlsx"):
        source = write_layer(villages, tmp_path / name)
        for out in ("gaps.csv", "gaps.xlsx", "gaps.geojson"):
            made = tmp_path / source.stem / source.suffix[1:] / out
            code, _, err = run_gaps(capsys, source, towers, made)
            assert code == 0, err
            back = read_gap_list(made).villages.set_index("village_id")
            for column in ("phone", "ma_thon", "zalo"):
                assert (
                    back.loc[villages["village_id"], column].tolist() == villages[column].tolist()
                ), (name, out, column)
        table = pd.read_csv(made.with_name("gaps.csv"), dtype=str, encoding="utf-8-sig")
        assert table["phone"].str.startswith("09").all()


def sites_at_gaps(gap_files, capex: list[str]):
    """Three candidate sites S1-S3 at villages without signal, with `capex` typed as text."""
    gaps = read_gap_list(gap_files / "gaps.geojson").villages
    sites = gaps[gaps["households_without_signal"] > 0].head(3)[["geometry"]].copy()
    sites["site_id"] = ["S1", "S2", "S3"]
    sites["capex"] = capex
    return sites


def test_vietnamese_thousands_in_a_cost_column_are_read_as_counts_are(gap_files, capsys, tmp_path):
    """`2.150` triệu in capex is 2,150, not 2.15; undecided cells are warned (item 7)."""
    sites = sites_at_gaps(gap_files, capex=["2.150", "1.850", "950"])
    sites["owner_phone"] = ["0912345678", "0912345679", "0912345670"]
    candidates = write_layer(sites, tmp_path / "candidates.csv")
    code, _, err = run_plan(
        capsys, gap_files / "gaps.geojson", tmp_path / "s.xlsx", "--sites", "3",
        "--candidates", candidates,
    )  # fmt: skip
    assert code == 0, err
    assert "column 'capex', 2 rows (ids: S1, S2): one group of three digits" in err
    assert "2.150 -> 2,150" in err
    ranked = pd.read_excel(tmp_path / "s.xlsx", sheet_name="sites").set_index("site_id")
    assert ranked["capex"].to_dict() == {"S1": 2150.0, "S2": 1850.0, "S3": 950.0}
    sites["capex"] = ["2.150", "1,5", "950"]  # a decimal comma: the column is Vietnamese
    write_layer(sites, candidates)
    code, _, err = run_plan(
        capsys, gap_files / "gaps.geojson", tmp_path / "t.xlsx", "--sites", "3",
        "--candidates", candidates,
    )  # fmt: skip
    assert code == 0 and "one group of three" not in err, err
    ranked = pd.read_excel(tmp_path / "t.xlsx", sheet_name="sites").set_index("site_id")
    assert ranked["capex"].to_dict() == {"S1": 2150.0, "S2": 1.5, "S3": 950.0}


def test_capex_written_in_vnd_is_read_by_its_size_and_said(gap_files, capsys, tmp_path):
    """1.200.000.000 (VND) in capex is 1,200 million VND, said; not a plan of nothing (item 8)."""
    sites = sites_at_gaps(gap_files, capex=["1.200.000.000", "1.500.000.000", "950.000.000"])
    candidates = write_layer(sites, tmp_path / "candidates.csv")
    code, _, err = run_plan(
        capsys, gap_files / "gaps.geojson", tmp_path / "s.xlsx", "--budget", "5000",
        "--candidates", candidates,
    )  # fmt: skip
    assert code == 0, err
    assert "converted to million VND" in err
    ranked = pd.read_excel(tmp_path / "s.xlsx", sheet_name="sites").set_index("site_id")
    assert len(ranked) >= 1  # read as VND, no site fitted any budget
    assert set(ranked["capex"]) <= {1200.0, 1500.0, 950.0}
    settings = pd.read_excel(tmp_path / "s.xlsx", sheet_name="settings")
    assert "VND, converted to million VND" in settings.to_string()


def test_itm_outside_ntias_limits_is_a_named_error_and_never_nan(small, files, capsys, tmp_path):
    """Masts below ITM's 0.5 m are refused naming them (exit 1); a 30 MHz network over
    sea-like ground, where Vogler's term is NaN, gets finite levels as NTIA's code gives
    (item 13)."""
    low = small.towers.copy()
    low["height_m"] = 0.3
    towers = write_layer(low, tmp_path / "low.csv")
    code, _, err = run_gaps(
        capsys, files["villages"], towers, tmp_path / "g.csv", "--model", "itm", "--dem",
        files["dem"],
    )  # fmt: skip
    assert code == EXIT_INVALID, err
    assert "valid for base_height_m 0.5..3000" in err and low["tower_id"].iloc[0] in err
    band = small.towers.copy()
    band["frequency_mhz"] = 30.0
    sea = ItmParameters(polarization="vertical", conductivity_s_m=100.0, permittivity=80.0)
    setup = SignalSetup(model="itm", terrain=small.terrain, itm=sea)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 30 MHz is unusual for a carrier: said, not refused
        signal = predict_signal(small.villages, validate_towers(band), setup, progress=False)
    heard = signal["best_tower_id"].notna()
    assert heard.any() and np.isfinite(signal.loc[heard, "best_signal_dbm"]).all()


def test_a_coordinates_column_copied_from_google_maps_is_read(small, files, capsys, tmp_path):
    """*Tọa độ* holding ``16.9, 106.6`` (latitude first, as Google Maps copies a place)."""
    villages = small.villages.head(6)
    table = pd.DataFrame(
        {
            "Thôn/Bản": villages["name"].to_numpy(),
            "Số hộ": villages["households"].to_numpy(),
            "Tọa độ": [f"{p.y:.6f}, {p.x:.6f}" for p in villages.geometry],
        }
    )
    path = tmp_path / "toa_do.xlsx"
    table.to_excel(path, index=False)
    code, _, err = run_report(capsys, path, files["towers"], tmp_path / "out")
    assert code == 0, err
    gaps = read_gap_list(tmp_path / "out" / "gap_list.geojson").villages
    assert np.allclose(gaps.geometry.x, villages.geometry.x, atol=1e-6)
    assert np.allclose(gaps.geometry.y, villages.geometry.y, atol=1e-6)
    quality = pd.read_csv(tmp_path / "out" / "data_quality.csv", encoding="utf-8-sig")
    assert "one_coordinate_column" in set(quality["check"])


def test_a_kmz_drawn_in_google_earth_is_a_village_list(small, files, capsys, tmp_path):
    """Placemarks in a folder per commune, *Số hộ* in ExtendedData, one drawn as an outline."""
    villages = small.villages.head(4)
    marks = []
    for i, (name, households, point) in enumerate(
        zip(villages["name"], villages["households"], villages.geometry, strict=True)
    ):
        shape = (
            f"<Point><coordinates>{point.x},{point.y},0</coordinates></Point>"
            if i
            else "<Polygon><outerBoundaryIs><LinearRing><coordinates>"
            + " ".join(f"{x},{y},0" for x, y in point.buffer(0.001).exterior.coords)
            + "</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        )
        marks.append(
            f"<Placemark><name>{escape(name)}</name><ExtendedData>"
            f'<Data name="Số hộ"><value>{households} hộ</value></Data>'
            f'<Data name="Tỉnh"><value>Quảng Trị</value></Data></ExtendedData>{shape}</Placemark>'
        )
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><Folder><name>Hướng Lập</name>{''.join(marks)}</Folder></Document></kml>"
    )
    path = tmp_path / "thon_ban.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", kml)
    code, _, err = run_report(
        capsys, path, files["towers"], tmp_path / "out", "--columns", "commune=folder"
    )
    assert code == 0, err
    gaps = read_gap_list(tmp_path / "out" / "gap_list.geojson").villages
    assert gaps["households"].tolist() == villages["households"].tolist()
    assert np.allclose(gaps.geometry.x, villages.geometry.x, atol=1e-3)  # the outline's inside
    assert np.allclose(gaps.geometry.y, villages.geometry.y, atol=1e-3)
    quality = pd.read_csv(tmp_path / "out" / "data_quality.csv", encoding="utf-8-sig")
    assert "missing_province" not in set(quality["check"])
