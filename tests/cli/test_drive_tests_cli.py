"""Drive tests as phone apps export them, through ``whitespot calibrate`` and ``gaps``.

Issue 41, items 5-9: each file is the same synthetic drive test (9 dB weaker than Hata)
written as an app writes it, and calibrates as the plain file does, or is refused with
what its level column holds.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.coverage import read_gap_list
from whitespot.data import validate_towers
from whitespot.evidence import synthetic_measurements
from whitespot.radio import SignalSetup

HATA = SignalSetup(model="hata", extrapolate=True)
RADIO = {"2G": "GSM", "3G": "UMTS", "4G": "LTE", "5G": "NR"}
"""Technologies as apps name them."""
MNC = {"Viettel": 4, "VinaPhone": 2, "MobiFone": 1}
"""Viet Nam's network codes (ITU-T E.212): 452-04 Viettel, 452-02 VinaPhone, 452-01 MobiFone."""


def run(*arguments):
    return main([str(a) for a in arguments])


@pytest.fixture(scope="module")
def drive(tmp_path_factory, province):
    """Towers file, and a drive test of 2G, 3G and 4G towers with whole-dB levels."""
    folder = tmp_path_factory.mktemp("phones")
    towers_path = folder / "towers.gpkg"
    province.towers.to_file(towers_path)
    towers = validate_towers(province.towers)
    towers = towers[towers["technology"].isin(["2G", "3G", "4G"])]
    samples = synthetic_measurements(towers, HATA, samples=1_500, offset_db=9.0, seed=11)
    table = pd.DataFrame(
        {
            "lon": samples.geometry.x.round(6),
            "lat": samples.geometry.y.round(6),
            "level": samples["signal_dbm"].round(1),
            "technology": samples["technology"].to_numpy(),
            "operator": samples["operator"].to_numpy(),
        }
    )
    table = table[table["level"].between(-140, -41)].reset_index(drop=True)
    return folder, towers_path, table


def calibrate(drive, name, table, *options, sep=","):
    """Write `table` as `name`, calibrate with it; the exit code and the JSON (None)."""
    folder, towers, _ = drive
    path = folder / name
    table.to_csv(path, index=False, sep=sep)
    out = path.with_suffix(".json")
    code = run("calibrate", "--towers", towers, "--measurements", path, "--model", "hata",
               "--extrapolate", "--out", out, *options)  # fmt: skip
    return code, json.loads(out.read_text(encoding="utf-8")) if code == 0 else None


@pytest.fixture(scope="module")
def plain(drive):
    """The calibration of the plain file: what every app's export must give."""
    code, record = calibrate(drive, "plain.csv", drive[2])
    assert code == 0
    return record


def test_gnettrack_cell_ids_that_match_no_tower_are_paired_by_position(drive, plain, capsys):
    """Item 5: G-NetTrack's numeric CellID is no Mã trạm: paired as without ids, and said."""
    table = drive[2]
    rng = np.random.default_rng(3)
    export = pd.DataFrame(
        {
            "Timestamp": "2026.05.04_09.15.00",
            "Longitude": table["lon"],
            "Latitude": table["lat"],
            "Operatorname": table["operator"],
            "Operator": table["operator"].map(MNC).map("452{:02d}".format),
            "CellID": rng.integers(10**6, 2**28, len(table)),
            "NetworkTech": table["technology"].map(RADIO),
            "Level": table["level"],
        }
    )
    code, record = calibrate(drive, "gnettrack.txt", export, sep="\t")
    assert code == 0
    out = capsys.readouterr()
    assert "paired by position: none of the" in out.out
    assert f"{len(table):,} measured cell ids" in out.out
    assert "is a tower id of the towers file" in out.err  # the warning
    assert record == plain


def test_semicolon_csv_with_decimal_commas_and_dbm_units(drive, plain, capsys):
    """Item 6: ';' CSV, decimal commas, levels written '-95,5 dBm'."""
    table = drive[2]
    comma = table.copy()
    for column in ("lon", "lat"):
        comma[column] = table[column].map("{:.6f}".format).str.replace(".", ",")
    comma["level"] = table["level"].map("{:.1f} dBm".format).str.replace(".", ",")
    code, record = calibrate(drive, "excel.csv", comma, sep=";")
    assert code == 0
    assert "written with their unit or a decimal comma" in capsys.readouterr().err
    assert record == plain


def test_netmonster_level_per_technology_column(drive, plain, capsys):
    """Item 6: RSSI (2G), RSCP (3G), RSRP (4G) columns; LTE and UMTS rows carry an RSSI too."""
    table = drive[2]
    technology = table["technology"].to_numpy()
    export = table.drop(columns="level").assign(
        technology=table["technology"].map(RADIO),
        RSSI=np.where(technology == "2G", table["level"], table["level"] + 28.0),
        RSCP=np.where(technology == "3G", table["level"], np.nan),
        RSRP=np.where(technology == "4G", table["level"], np.nan),
    )
    code, record = calibrate(drive, "netmonster.csv", export)
    assert code == 0
    err = capsys.readouterr().err
    assert "each row's level read from its technology's column: 2G from 'RSSI'" in err
    assert record == plain


def test_cellmapper_network_is_the_technology_and_operators_as_phones_show_them(
    drive, plain, capsys
):
    """Item 6: CellMapper's Network (GSM, LTE) is no operator; 'VN VINAPHONE', 'Mobi' are."""
    table = drive[2]
    shown = {"Viettel": "VN Viettel", "VinaPhone": "VN VINAPHONE", "MobiFone": "Mobi"}
    export = table.drop(columns="technology").assign(
        Network=table["technology"].map(RADIO), operator=table["operator"].map(shown)
    )
    code, record = calibrate(drive, "cellmapper.csv", export)
    assert code == 0
    assert "column 'Network' holds technologies, not operators" in capsys.readouterr().err
    assert record == plain


def test_no_service_rows_are_kept_counted_and_not_compared(drive, plain, capsys):
    """Item 7: rows with an empty level and NetworkTech NONE, '-', 'No service'."""
    table = drive[2]
    silent = table.iloc[:30].assign(level=np.nan)
    silent["technology"] = np.resize(["NONE", "-", "No service"], 30)
    code, record = calibrate(drive, "no_service.csv", pd.concat([table, silent]))
    assert code == 0
    out = capsys.readouterr()
    assert "30 rows where the phone found no network" in out.err
    assert "30 no_service" in out.out and "(no_service: the phone found no network" in out.out
    assert record["excluded"] == {**plain["excluded"], "no_service": 30}
    assert record["groups"] == plain["groups"]


def test_no_service_rows_find_no_signal_in_the_gap_list(drive, layers, tmp_path, capsys):
    """Item 7: phones of every operator finding no network at villages predicted covered."""
    folder, towers, _ = drive
    villages_path = folder / "villages.gpkg"
    layers["villages"].to_file(villages_path)
    common = ["gaps", "--villages", villages_path, "--towers", towers]
    assert run(*common, "--out", tmp_path / "plain.csv") == 0
    before = read_gap_list(tmp_path / "plain.csv").villages
    covered = before.index[before["signal_status"] == "covered"][:3]
    points = layers["villages"].geometry.iloc[np.repeat(covered, 5 * len(MNC))]
    export = pd.DataFrame(
        {
            "Longitude": points.x.to_numpy(),
            "Latitude": points.y.to_numpy(),
            "Operatorname": np.tile(list(MNC), 5 * len(covered)),
            "NetworkTech": "NONE",
            "Level": "",
        }
    )
    path = folder / "silence.csv"
    export.to_csv(path, index=False)
    code = run(*common, "--measurements", path, "--out", tmp_path / "evidence.csv")
    assert code == 0
    assert f"{len(export)} rows where the phone found no network" in capsys.readouterr().err
    gaps = read_gap_list(tmp_path / "evidence.csv")
    assert f"({len(export)} where the phone found no network)" in gaps.settings["evidence"]
    after = gaps.villages
    assert (after.loc[covered, "evidence_finding"] == "no_signal_found").all()
    assert (after.loc[covered, "signal_status"] == "none").all()
    assert (after.loc[covered, "measurements"] == 5 * len(MNC)).all()


def test_opencellid_net_is_the_operator(drive, plain, capsys):
    """Item 8: OpenCelliD's measurement export: mcc/net, its own cell ids, radio, signal."""
    table = drive[2]
    export = pd.DataFrame(
        {
            "mcc": 452,
            "net": table["operator"].map(MNC),
            "area": 10_203,
            "cell": np.arange(len(table)) + 20_000_000,
            "lon": table["lon"],
            "lat": table["lat"],
            "signal": table["level"],
            "measured": 1_746_000_000,
            "radio": table["technology"].map(RADIO),
        }
    )
    code, record = calibrate(drive, "opencellid.csv", export)
    assert code == 0
    out = capsys.readouterr()
    assert "the operator read from the network codes 'mcc' and 'net'" in out.err
    assert "paired by position" in out.out
    assert record == plain


def test_by_technology_pairs_with_towers_of_every_operator(drive, capsys):
    """Item 8: measurements of no known operator calibrate per technology with --by."""
    table = drive[2].drop(columns="operator")
    code, record = calibrate(drive, "anonymous.csv", table, "--by", "technology")
    assert code == 0, capsys.readouterr().err
    assert {g["operator"] for g in record["groups"]} == {"*"}
    assert "2G" in {g["technology"] for g in record["groups"]}
    assert "no_tower_of_group" not in record["excluded"]


@pytest.mark.parametrize(
    ("quantity", "low", "high", "words"),
    [("RSRQ", -19.5, -3.0, "reference-signal quality"), ("SINR", 0.0, 30.0, "signal-to-noise")],
)
def test_a_quality_figure_in_one_technologys_rows_is_named(
    drive, tmp_path, capsys, quantity, low, high, words
):
    """Item 9: RSRQ or SINR in the 4G rows' level column is refused naming what it holds."""
    table = drive[2].copy()
    rows = table["technology"] == "4G"
    assert 0.1 < rows.mean() < 0.5  # below half of the file: the whole-file check passes it
    rng = np.random.default_rng(5)
    table.loc[rows, "level"] = rng.uniform(low, high, rows.sum()).round(1)
    code, _ = calibrate(drive, f"{quantity}.csv", table)
    assert code == 1
    err = capsys.readouterr().err
    assert f"as {quantity} does" in err and words in err
    assert "column 'level'" in err and "4G values" in err


def test_levels_in_db_are_named_as_a_quality_figure(drive, capsys):
    """Item 9: '-10,5 dB' is a ratio (RSRQ), not a level in dBm."""
    table = drive[2].copy()
    rng = np.random.default_rng(6)
    table["level"] = [f"{v:.1f} dB".replace(".", ",") for v in rng.uniform(-19, -4, len(table))]
    code, _ = calibrate(drive, "db.csv", table, sep=";")
    assert code == 1
    err = capsys.readouterr().err
    assert "values are in dB, not dBm" in err and "reference-signal quality (RSRQ" in err
