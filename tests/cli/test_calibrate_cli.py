"""whitespot calibrate, and the calibration and the evidence through gaps, plan, map, report."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.coverage import read_gap_list
from whitespot.data import validate_towers
from whitespot.evidence import synthetic_measurements
from whitespot.radio import SignalSetup

DEPARTMENT = Path(__file__).parents[1] / "report" / "data"
HATA = SignalSetup(model="hata", extrapolate=True)

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


def run(*arguments):
    return main([str(a) for a in arguments])


@pytest.fixture(scope="module")
def files(tmp_path_factory, province):
    """Towers, villages and a drive test (CSV, an app's headers) 9 dB weaker than Hata."""
    folder = tmp_path_factory.mktemp("drive")
    paths = {"towers": folder / "towers.gpkg", "villages": folder / "villages.gpkg"}
    province.towers.to_file(paths["towers"])
    province.villages.to_file(paths["villages"])
    towers = validate_towers(province.towers)
    towers = towers[towers["technology"] == "2G"]
    drive = synthetic_measurements(towers, HATA, samples=4_000, offset_db=9.0, seed=5)
    table = drive.drop(columns="geometry").rename(columns={"signal_dbm": "RxLev"})
    table["lon"], table["lat"] = drive.geometry.x, drive.geometry.y
    paths["measurements"] = folder / "drive_test.csv"
    table.to_csv(paths["measurements"], index=False)
    return paths


@pytest.fixture(scope="module")
def calibration_file(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("calibration") / "calibration.json"
    code = run("calibrate", "--towers", files["towers"], "--measurements",
               files["measurements"], "--model", "hata", "--extrapolate", "--out", out)  # fmt: skip
    assert code == 0
    return out


def test_calibrate_prints_a_line_per_group_and_writes_the_json(files, calibration_file, capsys):
    out = calibration_file.with_name("again.json")
    code = run("calibrate", "--towers", files["towers"], "--measurements",
               files["measurements"], "--model", "hata", "--extrapolate", "--out", out)  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    record = json.loads(out.read_text(encoding="utf-8"))
    assert out.read_bytes() == calibration_file.read_bytes()  # the same fit, byte for byte
    assert record["model"] == "hata"
    groups = {(g["operator"], g["technology"]): g for g in record["groups"]}
    assert ("*", "2G") in groups and ("Viettel", "2G") in groups
    for group in record["groups"]:
        assert f"{group['operator'] if group['operator'] != '*' else 'all operators'}" in printed
        assert group["rmse_after_db"] < group["rmse_before_db"]
        assert abs(group["offset_db"] - 9.0) < 2.5
    assert printed.count("offset") == len(record["groups"])


def test_calibrate_refuses_a_one_group_file_it_cannot_fit(files, tmp_path, capsys):
    table = pd.read_csv(files["measurements"])
    one = table[table["tower_id"] == table["tower_id"].iloc[0]]
    path = tmp_path / "one.csv"
    one.to_csv(path, index=False)
    code = run("calibrate", "--towers", files["towers"], "--measurements", path,
               "--model", "hata", "--extrapolate", "--out", tmp_path / "c.json")  # fmt: skip
    assert code == 1
    error = capsys.readouterr().err
    assert "one tower" in error and not (tmp_path / "c.json").exists()


def test_calibrate_names_a_bad_by(files, tmp_path, capsys):
    with pytest.raises(SystemExit):
        run("calibrate", "--towers", files["towers"], "--measurements", files["measurements"],
            "--by", "operator,band", "--out", tmp_path / "c.json")  # fmt: skip
    assert "band" in capsys.readouterr().err


def test_gaps_plan_and_map_carry_the_calibration(files, calibration_file, tmp_path, capsys):
    common = ["--villages", files["villages"], "--towers", files["towers"], "--model", "hata",
              "--extrapolate", "--technology", "2G"]  # fmt: skip
    assert run("gaps", *common, "--out", tmp_path / "plain.xlsx") == 0
    code = run("gaps", *common, "--calibration", calibration_file, "--measurements",
               files["measurements"], "--out", tmp_path / "tuned.xlsx")  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "calibration" in printed and "towers corrected" in printed
    plain, tuned = read_gap_list(tmp_path / "plain.xlsx"), read_gap_list(tmp_path / "tuned.xlsx")
    # 9 dB more loss than the model: more villages without signal once calibrated
    assert tuned.totals()["villages_without_signal"] > plain.totals()["villages_without_signal"]
    assert tuned.setup.calibration is not None and plain.setup.calibration is None
    assert "offset" in tuned.settings["calibration_groups"]
    assert "evidence:" in printed

    code = run("plan", "--gaps", tmp_path / "tuned.xlsx", "--sites", 3, "--out",
               tmp_path / "sites.geojson")  # fmt: skip
    assert code == 0
    settings = pd.read_csv(tmp_path / "sites_settings.csv", encoding="utf-8-sig")
    values = dict(zip(settings["setting"], settings["value"], strict=True))
    assert "offset" in values["calibration_groups"]

    code = run("map", "--gaps", tmp_path / "tuned.xlsx", "--towers", files["towers"],
               "--measurements", files["measurements"], "--out", tmp_path / "map.html")  # fmt: skip
    assert code == 0
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "Measurements (dBm)" in page and "Model error: measured - predicted" in page


def test_map_measurements_need_towers(files, calibration_file, tmp_path, capsys):
    assert run("gaps", "--villages", files["villages"], "--towers", files["towers"],
               "--out", tmp_path / "g.xlsx") == 0  # fmt: skip
    code = run("map", "--gaps", tmp_path / "g.xlsx", "--measurements", files["measurements"],
               "--out", tmp_path / "m.html")  # fmt: skip
    assert code == 2 and "needs --towers" in capsys.readouterr().err


def test_report_weighs_the_departments_survey_column(files, tmp_path, capsys, province):
    book = openpyxl.load_workbook(DEPARTMENT / "quang_tri_vi.xlsx")
    sheet = book.active
    sheet.cell(row=4, column=12, value="Có sóng?")
    answers = {8: "Không", 9: "Có", 10: "yếu", 11: "??"}
    for row, answer in answers.items():
        sheet.cell(row=row, column=12, value=answer)
    source = tmp_path / "survey.xlsx"
    book.save(source)
    towers = tmp_path / "towers.csv"
    table = province.towers.drop(columns="geometry")
    table["lon"], table["lat"] = province.towers.geometry.x, province.towers.geometry.y
    table.to_csv(towers, index=False)
    code = run("report", "--villages", source, "--towers", towers, "--out", tmp_path / "out")
    assert code == 0
    printed = capsys.readouterr().out
    assert "đối chiếu thực tế" in printed
    package = openpyxl.load_workbook(tmp_path / "out" / "gap_list.xlsx")
    villages = package["Thôn bản"]
    header = [c.value for c in villages[1]]
    survey = header.index("Khảo sát: có sóng?")
    evidence = header.index("Đối chiếu thực tế")
    said = [row[survey] for row in villages.iter_rows(min_row=2, values_only=True)]
    judged = [row[evidence] for row in villages.iter_rows(min_row=2, values_only=True)]
    assert said[:4] == ["không", "có", "yếu", None]
    assert set(judged[:3]) <= {
        "khớp dự báo",
        "khảo sát khác dự báo",
        "theo thực địa (ngoài cự ly mô hình)",
    }
    assert judged[3] == "chưa có đối chiếu"
    quality = [row[3].value for row in package["Chất lượng dữ liệu"].iter_rows(min_row=2)]
    assert "survey_signal" in quality  # the unreadable "??" is listed, not guessed
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "Thôn cần kiểm tra thực địa" in summary


def test_gaps_cli_keeps_villages_the_measurements_find_dark_and_flags_both_ways(
    files, tmp_path, province
):
    plain = tmp_path / "plain.csv"
    assert run("gaps", "--villages", files["villages"], "--towers", files["towers"],
               "--out", plain) == 0  # fmt: skip
    table = pd.read_csv(plain, encoding="utf-8-sig")
    covered = table[(table["signal_status"] == "covered")].head(2)
    dark = table[(table["signal_status"] == "none")].head(2)
    networks = province.towers[["operator", "technology"]].drop_duplicates()
    rows = [  # every network found dark: no operator's phone hears signal there
        {"lon": r.lon, "lat": r.lat, "RSRP": -130.0, "technology": n.technology,
         "operator": n.operator}
        for r in covered.itertuples() for n in networks.itertuples() for _ in range(4)
    ] + [
        {"lon": r.lon, "lat": r.lat, "RSRP": -60.0, "technology": "4G", "operator": "Viettel"}
        for r in dark.itertuples() for _ in range(4)
    ]  # fmt: skip
    measured = tmp_path / "app.csv"
    pd.DataFrame(rows).to_csv(measured, index=False)
    out = tmp_path / "checked.csv"
    assert run("gaps", "--villages", files["villages"], "--towers", files["towers"],
               "--measurements", measured, "--out", out) == 0  # fmt: skip
    checked = pd.read_csv(out, encoding="utf-8-sig").set_index("village_id")
    for village in covered["village_id"]:
        assert checked.loc[village, "evidence_finding"] == "no_signal_found"
        assert checked.loc[village, "signal_status"] == "none"  # kept on the list
    for village in dark["village_id"]:
        assert checked.loc[village, "evidence_finding"] == "signal_found"
        assert checked.loc[village, "gap_type"] != "ok"  # still a gap, to be checked
    assert checked["check_in_field"].sum() == 4


def test_a_g_nettrack_export_calibrates_by_operator_name(province, tmp_path, capsys):
    """G-NetTrack Pro's tab-separated export: ``NetworkTech``, ``Level``, and ``Operator``
    as a network code (45204): read as the towers' operator names, and said."""
    towers = validate_towers(province.towers)
    towers = towers[towers["technology"] == "2G"]
    drive = synthetic_measurements(towers, HATA, samples=3_000, offset_db=9.0, seed=6)
    codes = {"Viettel": "45204", "VinaPhone": "45202", "MobiFone": "45201"}
    table = pd.DataFrame(
        {
            "Timestamp": "2026.11.20_08.00.00",
            "Longitude": drive.geometry.x,
            "Latitude": drive.geometry.y,
            "Operatorname": drive["operator"],
            "Operator": drive["operator"].map(codes),
            "CellID": drive["tower_id"],
            "NetworkTech": drive["technology"],
            "Level": drive["signal_dbm"].round(),
        }
    )
    path = tmp_path / "gnettrack.txt"
    table.to_csv(path, sep="\t", index=False)
    towers_file = tmp_path / "towers.gpkg"
    province.towers.to_file(towers_file)
    code = run("calibrate", "--towers", towers_file, "--measurements", path, "--model", "hata",
               "--extrapolate", "--out", tmp_path / "c.json")  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "network codes and other names read as the operators' names" in captured.err
    assert "45204 -> Viettel" in captured.err
    assert "Viettel 2G: offset +" in captured.out  # the towers' operator, not "45204"


def test_a_group_of_two_towers_is_refused_and_nan_is_never_printed(province, tmp_path, capsys):
    """Issue 39: MobiFone 5G (2 towers) was applied with 'offset +10.7 ± nan dB'."""
    towers = validate_towers(province.towers)
    five_g = towers[towers["technology"] == "5G"]
    assert (five_g["operator"] == "MobiFone").sum() == 2
    drive = synthetic_measurements(
        five_g, HATA, samples=3_000, offset_db=-15.0, distance_km=(1.0, 5.0), seed=3
    )
    table = drive.drop(columns="geometry").assign(lon=drive.geometry.x, lat=drive.geometry.y)
    table.to_csv(tmp_path / "drive.csv", index=False)
    province.towers.to_file(tmp_path / "towers.gpkg")
    province.villages.to_file(tmp_path / "villages.gpkg")
    out = tmp_path / "calibration.json"
    code = run("calibrate", "--towers", tmp_path / "towers.gpkg", "--measurements",
               tmp_path / "drive.csv", "--model", "hata", "--extrapolate",
               "--out", out)  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "nan" not in printed
    assert "MobiFone 5G: not calibrated: its uncertainty cannot be estimated" in printed
    record = json.loads(out.read_text(encoding="utf-8"))
    assert ("MobiFone", "5G") not in {(g["operator"], g["technology"]) for g in record["groups"]}
    assert all(g["offset_ci_db"] is not None for g in record["groups"])
    # a file of an older whitespot, with the group and null intervals: not applied, said
    record["groups"].append({**record["groups"][0], "operator": "MobiFone",
                             "offset_ci_db": None, "slope_ci_db": None})  # fmt: skip
    old = tmp_path / "old.json"
    old.write_text(json.dumps(record), encoding="utf-8")
    code = run("gaps", "--villages", tmp_path / "villages.gpkg", "--towers",
               tmp_path / "towers.gpkg", "--calibration", old, "--model", "hata",
               "--extrapolate", "--out", tmp_path / "gaps.csv")  # fmt: skip
    err = capsys.readouterr()
    assert code == 0, err.err
    assert "without confidence intervals, not applied" in err.err and "MobiFone 5G" in err.err
    assert "nan" not in err.out
