"""The planning pipeline on the sample province: ranking, lots, curve, files."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import openpyxl
import pytest

from whitespot.coverage import gap_list
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE
from whitespot.planning import (
    CapexUnitWarning,
    Plan,
    candidates_from_gaps,
    candidates_from_terrain,
    candidates_on_grid,
    coverage_matrix,
    demand_points,
    plan_sites,
    select_sites,
    write_plan,
)
from whitespot.planning._bidding import RANKING_COLUMNS
from whitespot.radio import SignalSetup


@pytest.fixture(scope="module")
def plan(gaps, layers, province):
    return plan_sites(
        gaps,
        sites=8,
        towers=layers["towers"],
        grid=layers["grid"],
        terrain=province.terrain,
        curve_steps=4,
        setup=SignalSetup(model="rma"),
    )


def test_ranked_sites(plan, gaps):
    assert isinstance(plan, Plan)
    sites = plan.sites
    assert list(sites.columns) == [*RANKING_COLUMNS, "geometry"]
    assert sites["rank"].tolist() == list(range(1, 9))
    assert sites["households_new"].is_monotonic_decreasing
    assert sites["households_cumulative"].iloc[-1] == pytest.approx(plan.selection.covered)
    assert (
        sites["total_cost"] == sites["capex"] + sites["power_cost"] + sites["backhaul_cost"]
    ).all()
    served = set("; ".join(sites["villages_served"]).split("; "))
    uncovered = set(gaps.villages.loc[gaps.villages["households_without_signal"] > 0, "village_id"])
    assert served <= uncovered
    assert plan.selection.gap <= 1e-4 or plan.selection.status == "time_limit"


def test_households_new_match_the_matrix(plan):
    # the marginal gains recomputed from the matrix, site by site
    matrix, order = plan.matrix, plan.selection.sites
    covered = [matrix.covered_weight(order[: k + 1]) for k in range(len(order))]
    assert np.diff([0, *covered]).tolist() == pytest.approx(plan.sites["households_new"].tolist())


def test_lots_add_up(plan, gaps, layers):
    lots = plan.lots
    assert lots["sites"].sum() == len(plan.sites)
    assert lots["total_cost"].sum() == pytest.approx(plan.sites["total_cost"].sum())
    assert lots["households_new"].sum() == plan.sites["households_new"].sum()
    by_backhaul = plan_sites(
        gaps,
        sites=8,
        towers=layers["towers"],
        lots_by="backhaul",
        curve_steps=0,
        setup=SignalSetup(model="rma"),
    )
    assert "cluster" in by_backhaul.lots.columns


def test_curve_grows_with_budget(plan):
    curve = plan.curve
    assert curve["budget"].is_monotonic_increasing
    assert curve["households_covered"].is_monotonic_increasing
    assert (curve["bound"] >= curve["households_covered"] - 1e-6).all()
    assert curve["share_covered"].iloc[-1] == pytest.approx(
        plan.matrix.coverable / plan.matrix.point_weight.sum()
    )


def test_budget_and_cover_all(gaps, layers):
    budget = plan_sites(
        gaps,
        budget=10_000.0,
        towers=layers["towers"],
        curve_steps=0,
        setup=SignalSetup(model="rma"),
    )
    assert budget.sites["total_cost"].sum() <= 10_000.0
    every = plan_sites(
        gaps, cover_all=True, towers=layers["towers"], curve_steps=0, setup=SignalSetup(model="rma")
    )
    assert every.selection.covered == pytest.approx(every.selection.coverable)


def test_candidate_generators(gaps, province):
    ring = candidates_from_gaps(gaps, ring_points=4)
    uncovered = (gaps.villages["households_without_signal"] > 0).sum()
    assert len(ring) == 5 * uncovered and ring["site_id"].is_unique
    high = candidates_from_terrain(province.terrain, gaps, spacing_m=2000)
    assert len(high) > 0 and (high["ground_m"] > 0).all() and high["site_id"].is_unique
    grid = candidates_on_grid(gaps.villages, spacing_m=10_000)
    assert len(grid) > 40 and grid["site_id"].is_unique


def test_demand_and_matrix_from_gaps(gaps):
    demand = demand_points(gaps)
    judged = gaps.villages["signal_status"] != BEYOND_MODEL_RANGE
    assert (
        demand["households"].sum() == gaps.villages.loc[judged, "households_without_signal"].sum()
    )
    candidates = candidates_from_gaps(gaps)
    matrix = coverage_matrix(candidates, demand, progress=False, setup=SignalSetup(model="rma"))
    assert matrix.coverable + matrix.unreachable == pytest.approx(demand["households"].sum())
    assert matrix.n_groups < len(demand)  # identical demand merged
    exact = select_sites(matrix, sites=5, method="exact")
    greedy = select_sites(matrix, sites=5, method="greedy")
    assert greedy.objective <= exact.objective <= greedy.bound + 1e-6


def test_write_plan(plan, tmp_path):
    written = write_plan(plan, tmp_path / "sites.xlsx")
    book = openpyxl.load_workbook(written[0])
    assert book.sheetnames == [
        "sites", "lots", "villages", "curve", "backhaul", "power_lines", "unreachable",
        "settings",
    ]  # fmt: skip
    names = [p.name for p in write_plan(plan, tmp_path / "sites.geojson")]
    assert names == [
        "sites.geojson",
        "sites_backhaul.geojson",
        "sites_power_lines.geojson",
        "sites_lots.csv",
        "sites_villages.csv",
        "sites_curve.csv",
        "sites_unreachable.csv",
        "sites_settings.csv",
    ]


@pytest.mark.parametrize(
    ("capex", "unit"),
    [
        (1_200_000_000.0, "VND, converted to million VND"),
        (1.2, "billion VND (tỷ đồng), converted to million VND"),
        (1_200.0, "million VND"),
    ],
)
def test_capex_in_vnd_or_billions_is_read_by_its_size_and_said(gaps, capex, unit):
    """Capex of 1,200,000,000 (VND) no longer passes as 1.2 billion million VND (issue 27)."""
    candidates = candidates_from_gaps(gaps).head(20).assign(capex=capex)
    if unit == "million VND":
        plan = plan_sites(gaps, sites=2, candidates=candidates, progress=False)
    else:
        with pytest.warns(CapexUnitWarning, match="converted to million VND"):
            plan = plan_sites(gaps, sites=2, candidates=candidates, progress=False)
    assert plan.settings["capex_unit"] == unit
    assert plan.sites["capex"].tolist() == pytest.approx([1_200.0] * len(plan.sites))


def test_a_plan_keeps_the_gap_lists_metric_crs(layers):
    # a gap list made in VN-2000 (EPSG:3405) is planned there, not in the UTM zone
    gaps = gap_list(
        layers["villages"], layers["towers"], SignalSetup(model="rma", crs="EPSG:3405"),
        progress=False,
    )  # fmt: skip
    assert gaps.setup.crs.to_epsg() == 3405
    plan = plan_sites(gaps, sites=2, curve_steps=0)
    assert plan.settings["metric_crs"] == "EPSG:3405"


def test_a_dem_made_in_memory_survives_from_gap_list_to_plan(layers, province):
    dem = replace(province.terrain, source="")  # made in memory: no file to read again
    gaps = gap_list(
        layers["villages"], layers["towers"], SignalSetup(model="terrain", terrain=dem),
        progress=False,
    )  # fmt: skip
    assert gaps.setup.terrain is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback on RMa LOS
        plan = plan_sites(gaps, sites=2, curve_steps=0)
    assert plan.settings["model"] == "terrain"
    assert plan.settings["terrain_file"] == "(a DEM in memory)"


def test_a_budget_below_every_site_says_why_no_site_is_built(gaps):
    """Issue 41, item 18: '0 new sites' without a reason; now the cheapest site is named."""
    plan = plan_sites(gaps, budget=100.0, curve_steps=0)
    assert len(plan.sites) == 0
    cheapest = float(plan.candidates["lifetime_cost"].min())
    assert plan.headline().startswith("no site fits the budget of 100 ")
    assert f"the cheapest candidate costs {cheapest:,.0f}" in plan.headline()
