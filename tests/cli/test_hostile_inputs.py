"""Hostile inputs read back through the command line: what a user hands whitespot again.

A calibration file, a gap list and a cluster address come back from people and from other
programs (a spreadsheet, Notepad, a hand edit). Each case builds its file in the test, runs
``whitespot`` as a user would, and checks the documented exit code and a message that
names the file, the group or rows, and the field or column.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.coverage import write_partitions
from whitespot.data import make_province, write_layer
from whitespot.radio import Calibration, CalibrationGroup

EXIT_INVALID, EXIT_USAGE = 1, 2

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small synthetic province (40 villages, 13 towers) as CSV files."""
    small = make_province(villages=40, seed=7)
    folder = tmp_path_factory.mktemp("inputs")
    return {
        "villages": write_layer(small.villages, folder / "villages.csv"),
        "towers": write_layer(small.towers, folder / "towers.csv"),
        "households": small.households,
    }


def run(capsys, *argv: object) -> tuple[int, str, str]:
    """Run the command; return its exit code, stdout and stderr."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def gaps(capsys, files, out, *extra: object) -> tuple[int, str, str]:
    """Run ``whitespot gaps`` on the small province."""
    return run(capsys, "gaps", "--villages", files["villages"], "--towers", files["towers"],
               *extra, "--out", out)  # fmt: skip


# --- a calibration file read back ----------------------------------------------------------


def pooled_group(technology: str, offset_db: object, slope: object = 1.0) -> dict:
    """A fitted group for every operator of `technology`, as its JSON record."""
    nan = float("nan")
    group = CalibrationGroup("*", technology, 0.0, 0.0, 1.0, 0.5, 300, 4, 120, 0.5, 8.0,
                             -4.0, 8.0, 0.0, 6.0, nan)  # fmt: skip
    record = json.loads(Calibration("rma", None, (group,)).to_json())["groups"][0]
    return {**record, "offset_db": offset_db, "slope_db_per_decade": slope}


def write_calibration(path, *groups: dict, encoding: str = "utf-8"):
    """A calibration of the default model (RMa) with these group records."""
    record = json.loads(Calibration("rma", None, ()).to_json())
    record["groups"] = list(groups)
    path.write_text(json.dumps(record, indent=2), encoding=encoding)
    return path


def test_a_calibration_of_80_db_or_a_nan_slope_is_refused_naming_group_and_field(
    files, capsys, tmp_path
):
    calibration = write_calibration(
        tmp_path / "calibration.json",
        pooled_group("2G", 80.0),
        pooled_group("4G", 3.0, slope=float("nan")),
    )
    out = tmp_path / "gaps.csv"
    code, _, err = gaps(capsys, files, out, "--calibration", calibration)
    assert code == EXIT_INVALID, err
    assert "calibration.json: 2 fields cannot be used" in err
    assert "all operators 2G (group 1): offset_db 80 dB is outside -30..30 dB" in err
    assert "all operators 4G (group 2): slope_db_per_decade is empty or NaN" in err
    assert "Traceback" not in err and not out.exists()


def test_a_calibration_with_decimal_commas_is_read_and_said(files, capsys, tmp_path):
    calibration = write_calibration(
        tmp_path / "calibration.json", pooled_group("2G", "6,3062", slope="1,5")
    )
    code, out, err = gaps(capsys, files, tmp_path / "gaps.csv", "--calibration", calibration)
    assert code == 0, err
    assert "all operators 2G (group 1): offset_db '6,3062' as 6.3062 (a decimal comma)" in err
    assert "7 of 13 towers corrected" in out


def test_a_calibration_saved_by_notepad_with_a_byte_order_mark_is_read(files, capsys, tmp_path):
    calibration = write_calibration(
        tmp_path / "calibration.json", pooled_group("2G", 2.0), encoding="utf-8-sig"
    )
    code, out, err = gaps(capsys, files, tmp_path / "gaps.csv", "--calibration", calibration)
    assert code == 0, err
    assert "7 of 13 towers corrected" in out


# --- a gap list read back -----------------------------------------------------------------


def test_plan_refuses_a_gap_list_whose_households_without_signal_were_multiplied_by_ten(
    files, capsys, tmp_path
):
    gap_file = tmp_path / "gap_list.csv"
    code, _, err = gaps(capsys, files, gap_file)
    assert code == 0, err
    table = pd.read_csv(gap_file, encoding="utf-8-sig", dtype=str)
    dark = table["households_without_signal"].astype(int) > 0
    edited = table.index[dark][:2]
    table.loc[edited, "households_without_signal"] = (
        table.loc[edited, "households_without_signal"].astype(int) * 10
    ).astype(str)
    table.to_csv(gap_file, index=False, encoding="utf-8-sig")
    out = tmp_path / "sites.csv"
    code, _, err = run(capsys, "plan", "--gaps", gap_file, "--sites", 2, "--out", out)
    assert code == EXIT_INVALID, err
    assert "gap list (gap_list.csv)" in err
    assert "column 'households_without_signal, households', 2 rows" in err
    assert all(village in err for village in table.loc[edited, "village_id"])
    assert "Traceback" not in err and not out.exists()


# --- households of villages the villages file does not list -------------------------------


def test_a_partition_of_households_of_unknown_villages_is_refused_naming_it(
    files, capsys, tmp_path
):
    households = files["households"].assign(part=lambda h: h.index % 3)
    written = write_partitions(households, tmp_path / "households", by="part")
    other = households[households["part"] == 1].assign(village_id=lambda h: "N" + h["village_id"])
    write_layer(other.drop(columns="part"), written[1])  # a partition of another province
    out = tmp_path / "gaps.csv"
    code, _, err = gaps(capsys, files, out, "--households", tmp_path / "households")
    assert code == EXIT_INVALID, err
    assert f"{len(other):,} households in 1 of 3 partitions" in err
    assert "part=1/households.parquet" in err and sorted(other["village_id"])[0] in err
    assert "absent from the villages file" in err and not out.exists()


# --- a cluster address -----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["notanaddress", "tcp://10.0.0.5", "http://h:8786", "h:0"])
def test_a_scheduler_that_is_not_an_address_is_a_usage_error_naming_the_form(capsys, address):
    argv = ["gaps", "--villages", "v.csv", "--towers", "t.csv", "--scheduler", address,
            "--out", "gaps.csv"]  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--scheduler" in err and "tcp://host:port" in err and "Traceback" not in err
    assert len(err.strip().splitlines()[-1]) < 300
