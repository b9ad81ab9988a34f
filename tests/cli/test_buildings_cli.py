"""whitespot gaps --buildings/--population, and plan leaving unlisted settlements out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.coverage import read_gap_list
from whitespot.coverage._unlisted import without_unlisted
from whitespot.coverage.partitioned import write_partitions


@pytest.fixture(scope="module")
def files(tmp_path_factory, province, sample_footprints):
    folder = tmp_path_factory.mktemp("buildings")
    paths = {name: folder / f"{name}.gpkg" for name in ("villages", "towers")}
    province.villages.to_file(paths["villages"])
    province.towers.to_file(paths["towers"])
    buildings = sample_footprints[0]
    table = pd.DataFrame(
        {
            "latitude": buildings.geometry.y,
            "longitude": buildings.geometry.x,
            "area_in_meters": buildings["area_m2"],
            "confidence": buildings["confidence"],
        }
    )
    paths["buildings"] = folder / "open_buildings.csv.gz"
    table.to_csv(paths["buildings"], index=False)
    return paths


def test_gaps_with_buildings_lists_the_settlements_no_list_names(files, tmp_path, capsys):
    out = tmp_path / "gaps.geojson"
    argv = ["gaps", "--villages", str(files["villages"]), "--towers", str(files["towers"])]
    argv += ["--buildings", str(files["buildings"]), "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "and 3 settlements no list names:" in printed
    gaps = read_gap_list(out)
    assert len(gaps.villages) == 303
    assert gaps.villages["households_estimated"].notna().all()
    listed, left_out = without_unlisted(gaps)
    assert left_out == 3
    assert len(listed.villages) == 300
    assert not listed.villages["village_id"].str.startswith("unlisted-").any()
    plan = ["plan", "--gaps", str(out), "--sites", "1", "--out", str(tmp_path / "plan.csv")]
    assert main(plan) == 0
    assert "3 settlements no list names left out of the plan" in capsys.readouterr().out
    assert main([*plan, "--plan-unlisted"]) == 0
    assert "left out of the plan" not in capsys.readouterr().out


def test_buildings_with_a_households_folder_on_dask_equal_one_file(
    files, province, tmp_path, capsys
):
    """The country path: household partitions and footprint tiles, two Dask workers."""
    pytest.importorskip("distributed")
    households = tmp_path / "households.gpkg"
    province.households.to_file(households)
    write_partitions(
        province.households.assign(part=province.households.index // 9000), tmp_path / "hh",
        by="part",
    )  # fmt: skip
    table = pd.read_csv(files["buildings"])
    (tmp_path / "tiles").mkdir()
    table.iloc[::2].to_csv(tmp_path / "tiles" / "a_buildings.csv.gz", index=False)
    table.iloc[1::2].to_csv(tmp_path / "tiles" / "b_buildings.csv.gz", index=False)
    common = ["gaps", "--villages", str(files["villages"]), "--towers", str(files["towers"])]
    common += ["--model", "hata", "--extrapolate"]
    one = tmp_path / "one" / "gaps.csv"
    spread = tmp_path / "spread" / "gaps.csv"
    argv = ["--households", str(households), "--buildings", str(files["buildings"])]
    assert main([*common, *argv, "--out", str(one)]) == 0
    argv = ["--households", str(tmp_path / "hh"), "--buildings", str(tmp_path / "tiles")]
    assert main([*common, *argv, "--workers", "2", "--out", str(spread)]) == 0
    printed = capsys.readouterr().out
    assert "and 3 settlements no list names:" in printed
    assert "wrote 3 household partitions" in printed
    for name in ("gaps.csv", "gaps_communes.csv", "gaps_province.csv"):
        assert (one.parent / name).read_bytes() == (spread.parent / name).read_bytes(), name
    assert without_unlisted(read_gap_list(spread))[1] == 3


def test_report_checks_the_list_against_footprints(files, tmp_path, capsys):
    department = Path(__file__).parents[1] / "report" / "data" / "quang_tri_en.csv"
    out = tmp_path / "package"
    argv = ["report", "--villages", str(department), "--towers", str(files["towers"])]
    argv += ["--buildings", str(files["buildings"]), "--lang", "en", "--out", str(out)]
    assert main(argv) == 0
    assert "settlements no list names" in capsys.readouterr().out
    gaps = read_gap_list(out / "gap_list.csv")
    rows = gaps.villages
    listed = ~rows["village_id"].str.startswith("unlisted-")
    n = len(pd.read_csv(department, sep=";"))
    assert listed.sum() == n  # every row of the department's file, first, once
    assert listed.iloc[:n].all() and not listed.iloc[n:].any()
    # the sample's villages this list leaves out are found from their houses
    assert (~listed).sum() > 0
    quality = pd.read_csv(out / "data_quality.csv", encoding="utf-8-sig")
    flagged = quality[quality["check"] == "households_disagree"]
    assert len(flagged) > 0
    assert flagged["message"].str.contains("estimated from building footprints").all()


def test_the_vietnamese_headline_counts_the_settlements_apart(files, tmp_path, capsys):
    department = Path(__file__).parents[1] / "report" / "data" / "quang_tri_en.csv"
    argv = ["gaps", "--villages", str(department), "--towers", str(files["towers"])]
    argv += ["--buildings", str(files["buildings"]), "--out", str(tmp_path / "gaps.csv")]
    assert main(argv) == 0
    english = capsys.readouterr().out
    argv = ["report", "--villages", str(department), "--towers", str(files["towers"])]
    argv += ["--buildings", str(files["buildings"]), "--out", str(tmp_path / "package")]
    assert main(argv) == 0
    vietnamese = capsys.readouterr().out
    settlements = english.split("; and ")[-1].split(" settlements no list names")[0]
    assert f"và {settlements} cụm dân cư chưa có trong danh sách" in vietnamese


def test_min_confidence_leaves_out_the_footprints_below_it(files, tmp_path, capsys):
    argv = ["gaps", "--villages", str(files["villages"]), "--towers", str(files["towers"])]
    argv += ["--buildings", str(files["buildings"]), "--min-confidence", "0.95"]
    argv += ["--out", str(tmp_path / "gaps.csv")]
    assert main(argv) == 0
    printed = capsys.readouterr()
    assert "1,824 of 1,824 footprints left out: 1,824 below confidence 0.95" in printed.err
    assert "settlements no list names" not in printed.out
    assert (read_gap_list(tmp_path / "gaps.csv").villages["buildings_counted"] == 0).all()
