"""A survey column is read under each of its names, in every layer and command (issue 29).

The same village file in whitespot's own form, its survey column headed each way a
department or a planner writes it, must give the same evidence through the Python API,
``whitespot gaps``, ``whitespot validate`` and ``whitespot report``; a column that only looks
like a survey is named, with how to map it, never passed through silently.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.coverage import gap_list
from whitespot.data import UnreadColumnWarning, validate_villages
from whitespot.department import read_village_list

ALIASES = (
    "survey_signal",
    "has_signal",
    "HAS SIGNAL",
    "Có sóng",
    "Có sóng?",
    "co song",
    "Sóng",
    "signal",
    "coverage",
)
ANSWERS = ("no", "yes", "weak", "", "no", "yes") * 5
"""One answer per village, in the order of the sample's first 30 villages."""


@pytest.fixture(scope="module")
def towers_csv(province, tmp_path_factory):
    path = tmp_path_factory.mktemp("towers") / "towers.csv"
    towers = province.towers
    towers.drop(columns="geometry").assign(lon=towers.geometry.x, lat=towers.geometry.y).to_csv(
        path, index=False
    )
    return path


def village_table(province, header: str) -> pd.DataFrame:
    villages = province.villages.iloc[: len(ANSWERS)]
    table = villages[["village_id", "name", "commune_code", "households"]].copy()
    table["lon"], table["lat"] = villages.geometry.x, villages.geometry.y
    table[header] = ANSWERS
    return table


def write(table: pd.DataFrame, folder, name="villages.csv"):
    path = folder / name
    table.to_csv(path, index=False)
    return path


def gaps_cli(villages, towers, out, *extra) -> pd.DataFrame:
    argv = ["gaps", "--villages", str(villages), "--towers", str(towers), "--out", str(out)]
    assert main([*argv, *extra]) == 0
    return pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)


@pytest.fixture(scope="module")
def reference(province, towers_csv, tmp_path_factory):
    """The evidence with whitespot's own column name."""
    folder = tmp_path_factory.mktemp("reference")
    out = gaps_cli(write(village_table(province, "survey_signal"), folder), towers_csv,
                   folder / "gaps.csv")  # fmt: skip
    assert set(out["survey_signal"]) == {"yes", "no", "weak", ""}
    assert (out["evidence"] != "no_evidence").sum() == 25
    return out[["village_id", "survey_signal", "evidence", "signal_status"]]


@pytest.mark.parametrize("header", ALIASES)
def test_each_name_gives_the_same_evidence_in_gaps(
    header, province, towers_csv, reference, tmp_path, capsys
):
    out = gaps_cli(write(village_table(province, header), tmp_path), towers_csv,
                   tmp_path / "gaps.csv")  # fmt: skip
    pd.testing.assert_frame_equal(out[list(reference.columns)], reference)
    assert "looks like" not in capsys.readouterr().err


@pytest.mark.parametrize("header", ALIASES)
def test_each_name_is_read_by_the_python_api_and_the_department_reader(
    header, province, layers, tmp_path
):
    table = village_table(province, header)
    gdf = province.villages.iloc[: len(ANSWERS)].assign(**{header: list(ANSWERS)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreadColumnWarning)
        read = validate_villages(gdf)
    assert read["survey_signal"].fillna("").tolist() == list(ANSWERS)
    listed = read_village_list(write(table, tmp_path))
    assert listed.villages["survey_signal"].fillna("").tolist() == list(ANSWERS)
    gaps = gap_list(read, layers["towers"], progress=False)
    assert gaps.villages["survey_signal"].fillna("").tolist() == list(ANSWERS)


@pytest.mark.parametrize("header", ["has_signal", "Có sóng?", "coverage"])
def test_each_name_gives_the_same_evidence_in_report(
    header, province, towers_csv, reference, tmp_path
):
    villages = write(village_table(province, header), tmp_path)
    out = tmp_path / "package"
    argv = ["report", "--villages", str(villages), "--towers", str(towers_csv), "--out", str(out)]
    code = main([*argv, "--lang", "en"])
    assert code == 0
    package = pd.read_csv(out / "gap_list.csv", encoding="utf-8-sig", keep_default_na=False)
    merged = reference.merge(package, on="village_id", suffixes=("", "_report"))
    assert len(merged) == len(reference)
    assert (merged["survey_signal"] == merged["survey_signal_report"]).all()
    assert (merged["evidence"] == merged["evidence_report"]).all()


def test_a_lookalike_survey_column_is_named_with_how_to_map_it(
    province, towers_csv, reference, tmp_path, capsys
):
    header = "Tình trạng sóng (T6/2026)"
    villages = write(village_table(province, header), tmp_path)
    with pytest.warns(UnreadColumnWarning, match=r"--columns survey_signal="):
        validate_villages(province.villages.iloc[:30].assign(**{header: list(ANSWERS)}))
    plain = gaps_cli(villages, towers_csv, tmp_path / "plain.csv")
    err = capsys.readouterr().err
    assert f"column '{header}' looks like survey_signal" in err
    assert f"--columns survey_signal='{header}'" in err
    assert (plain["evidence"] == "no_evidence").all()  # not read: said, not silent
    mapped = gaps_cli(villages, towers_csv, tmp_path / "mapped.csv",
                      "--columns", f"survey_signal={header}")  # fmt: skip
    pd.testing.assert_frame_equal(mapped[list(reference.columns)], reference)
    # the department reader says it in its problems
    issues = read_village_list(villages).issues
    unread = issues[issues["check"] == "unread_column"]
    assert unread["column"].tolist() == [header] and (unread["severity"] == "warning").all()


def test_a_lookalike_household_count_is_named_when_households_are_missing(province, tmp_path):
    table = village_table(province, "survey_signal").rename(columns={"households": "Số hộ dân cư"})
    path = write(table, tmp_path)
    code = main(["validate", "villages", str(path)])
    assert code != 0
    with pytest.raises(Exception, match=r"looks like households .*--columns households="):
        validate_villages(
            province.villages.iloc[:30].rename(columns={"households": "Số hộ dân cư"})
        )


def test_a_mapped_header_that_is_not_there_is_named(province, towers_csv, tmp_path, capsys):
    villages = write(village_table(province, "survey_signal"), tmp_path)
    argv = ["gaps", "--villages", str(villages), "--towers", str(towers_csv)]
    code = main([*argv, "--out", str(tmp_path / "g.csv"), "--columns", "survey_signal=Khảo sát"])
    assert code == 1
    assert "--columns survey_signal='Khảo sát': no such column" in capsys.readouterr().err


def test_a_filled_alias_beside_whitespots_own_empty_column_is_read_and_said(
    province, towers_csv, reference, tmp_path, capsys
):
    """Issue 39: a file written from validate_villages carries an empty survey_signal; the
    department's has_signal beside it was ignored without a word."""
    table = village_table(province, "has_signal")
    table.insert(4, "survey_signal", "")  # whitespot's own column, written empty
    path = write(table, tmp_path)
    out = gaps_cli(path, towers_csv, tmp_path / "gaps.csv")
    pd.testing.assert_frame_equal(out[list(reference.columns)], reference)
    err = capsys.readouterr().err
    assert "columns 'survey_signal' and 'has_signal' both give survey_signal" in err
    assert "read from 'has_signal'" in err
    # both filled and disagreeing: refused, naming both columns and the rows
    table["survey_signal"] = ["yes"] * len(table)
    both = write(table, tmp_path, "both.csv")
    code = main(["gaps", "--villages", str(both), "--towers", str(towers_csv),
                 "--out", str(tmp_path / "both_gaps.csv")])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "columns 'survey_signal' and 'has_signal' both give survey_signal and disagree" in err
    # naming the column to read settles it
    settled = gaps_cli(both, towers_csv, tmp_path / "s.csv",
                       "--columns", "survey_signal=has_signal")  # fmt: skip
    pd.testing.assert_frame_equal(settled[list(reference.columns)], reference)


def test_the_department_reader_reads_the_filled_one_of_two_survey_columns(province, tmp_path):
    """Issue 39, the department's reader: an empty first column gives way to a filled one."""
    table = village_table(province, "has_signal")
    table.insert(4, "survey_signal", "")
    listed = read_village_list(write(table, tmp_path))
    assert listed.villages["survey_signal"].fillna("").tolist() == list(ANSWERS)
    said = listed.issues[listed.issues["check"] == "repeated_column"]["message"].tolist()
    assert (
        said and "read 'has_signal'" in said[0] and "the first visible one with values" in said[0]
    )
