"""whitespot plan: from a gap list file to a ranked site list."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.data import make_country


@pytest.fixture(scope="module")
def gap_file(tmp_path_factory, province):
    folder = tmp_path_factory.mktemp("plan")
    for name in ("villages", "towers", "grid"):
        getattr(province, name).to_file(folder / f"{name}.gpkg")
    assert (
        main(
            [
                "gaps",
                "--villages",
                str(folder / "villages.gpkg"),
                "--towers",
                str(folder / "towers.gpkg"),
                "--grid",
                str(folder / "grid.gpkg"),
                "--out",
                str(folder / "gaps.geojson"),
            ]
        )
        == 0
    )
    return folder


@pytest.mark.parametrize("objective", [["--sites", "6"], ["--budget", "12000"], ["--cover-all"]])
def test_plan_prints_objective_bound_gap(gap_file, tmp_path, capsys, objective):
    out = tmp_path / "sites.xlsx"
    code = main(
        [
            "plan",
            "--gaps",
            str(gap_file / "gaps.geojson"),
            *objective,
            "--towers",
            str(gap_file / "towers.gpkg"),
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "bound" in printed and "gap" in printed
    problem = {"--sites": "max_coverage", "--budget": "budget", "--cover-all": "set_cover"}
    assert f"{problem[objective[0]]} by " in printed  # the flag made the Objective
    sites = pd.read_excel(out, sheet_name="sites")
    assert sites["rank"].tolist() == list(range(1, len(sites) + 1))
    assert openpyxl.load_workbook(out).sheetnames[0] == "sites"


def test_plan_csv_and_geojson(gap_file, tmp_path, capsys):
    for suffix in ("csv", "geojson"):
        out = tmp_path / f"sites.{suffix}"
        assert (
            main(
                [
                    "plan",
                    "--gaps",
                    str(gap_file / "gaps.geojson"),
                    "--sites",
                    "3",
                    "--method",
                    "greedy",
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        assert (tmp_path / "sites_lots.csv").exists()


def test_plan_needs_a_gap_list(gap_file, tmp_path, capsys):
    code = main(
        [
            "plan",
            "--gaps",
            str(gap_file / "towers.gpkg"),
            "--sites",
            "3",
            "--out",
            str(tmp_path / "s.csv"),
        ]
    )
    assert code == 1
    assert "not a gap list" in capsys.readouterr().err


def test_plan_needs_one_objective(gap_file, capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--gaps", "g.csv", "--sites", "3", "--cover-all", "--out", "x.csv"])


def test_map_command_draws_gaps_and_sites(gap_file, tmp_path, capsys):
    sites = tmp_path / "sites.geojson"
    assert (
        main(
            [
                "plan",
                "--gaps",
                str(gap_file / "gaps.geojson"),
                "--sites",
                "3",
                "--towers",
                str(gap_file / "towers.gpkg"),
                "--out",
                str(sites),
            ]
        )
        == 0
    )
    out = tmp_path / "map.html"
    assert (
        main(
            [
                "map",
                "--gaps",
                str(gap_file / "gaps.geojson"),
                "--sites",
                str(sites),
                "--towers",
                str(gap_file / "towers.gpkg"),
                "--grid",
                str(gap_file / "grid.gpkg"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert "Proposed sites" in page and "Villages by gap" in page and "Towers: Viettel" in page
    assert main(["map", "--gaps", str(gap_file / "gaps.geojson"), "--out", str(out)]) == 0


def test_plan_by_province_writes_the_national_list_and_summary(tmp_path, capsys):
    provinces = list(make_country(provinces=3, households=6_000, towers=9, seed=5))
    for name in ("villages", "towers"):
        layer = pd.concat([getattr(p, name) for p in provinces], ignore_index=True)
        layer.to_file(tmp_path / f"{name}.gpkg")
    gaps = tmp_path / "gaps.geojson"
    common = ["--villages", str(tmp_path / "villages.gpkg"), "--towers"]
    assert main(["gaps", *common, str(tmp_path / "towers.gpkg"), "--out", str(gaps)]) == 0
    out = tmp_path / "national.xlsx"
    code = main(["plan", "--gaps", str(gaps), "--sites", "2", "--by-province", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "planning group" in printed and "national" in printed
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["sites", "summary", "groups"]
    summary = pd.read_excel(out, sheet_name="summary", dtype={"group": str})
    sites = pd.read_excel(out, sheet_name="sites", dtype={"group": str})
    assert summary["group"].iloc[-1] == "national"
    assert summary["sites"].iloc[:-1].le(2).all()
    assert len(sites) == summary["sites"].iloc[-1]
    assert sites["national_rank"].tolist() == list(range(1, len(sites) + 1))


def test_plan_with_options_weighs_colocation_upgrades_and_terminals(gap_file, tmp_path, capsys):
    out = tmp_path / "sites.xlsx"
    argv = ["plan", "--gaps", str(gap_file / "gaps.geojson"), "--cover-all",
            "--towers", str(gap_file / "towers.gpkg"), "--out", str(out)]  # fmt: skip
    assert main([*argv, "--options", "--operator", "MobiFone"]) == 0
    printed = capsys.readouterr().out
    assert "over 10 years" in printed  # the headline counts each kind and its lifetime cost
    assert "option" in pd.read_excel(out, sheet_name="sites").columns
    no_towers = [a for a in argv if a not in ("--towers", str(gap_file / "towers.gpkg"))]
    assert main([*no_towers, "--options"]) == 2  # co-location needs the towers: said
    assert "--options weighs existing towers" in capsys.readouterr().err
