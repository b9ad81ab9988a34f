"""Co-location, upgrades and satellite terminals beside new sites, compared over a lifetime."""

from __future__ import annotations

import math

import numpy as np
import pytest

from whitespot import InputError
from whitespot.planning import (
    OptionCosts,
    bid_lots,
    coverage_matrix,
    demand_points,
    lifetime_cost,
    option_candidates,
    plan_sites,
)
from whitespot.planning.options import OPTIONS

OFF = OptionCosts(colocation=math.inf, upgrade=math.inf, satellite_terminal=math.inf)


@pytest.fixture(scope="module")
def towers(layers):
    return layers["towers"]


@pytest.fixture(scope="module")
def mixed(gaps, layers):
    return plan_sites(
        gaps,
        cover_all=True,
        towers=layers["towers"],
        grid=layers["grid"],
        options=OptionCosts(),
        curve_steps=0,
        progress=False,
    )


def test_lifetime_cost_is_capex_reinvestment_and_discounted_opex():
    # PVIFA(2 %, 10 years) = 8.9826 (Brealey, Myers and Allen, annuity tables)
    assert lifetime_cost(0.0, 1.0, horizon_years=10, rate=0.02) == pytest.approx(8.9826, abs=1e-4)
    # a 5-year terminal is bought again at year 5 of 10: 100 (1 + 1.02^-5) + 10 PVIFA
    assert lifetime_cost(100.0, 10.0, horizon_years=10, rate=0.02, life_years=5) == (
        pytest.approx(100 * (1 + 1.02**-5) + 10 * 8.982585, rel=1e-6)
    )
    # life of the horizon or more, no opex: the capex itself, to the last bit
    capex = np.array([1234.567, 0.1 + 0.2])
    assert np.array_equal(lifetime_cost(capex, 0.0, horizon_years=10, rate=0.02), capex)
    with pytest.raises(InputError, match="life_years"):
        lifetime_cost(1.0, 0.0, horizon_years=10, rate=0.02, life_years=0)


def test_option_costs_refuse_nonsense():
    with pytest.raises(InputError, match="colocation"):
        OptionCosts(colocation=-1.0)
    with pytest.raises(InputError, match="satellite_opex_per_year"):
        OptionCosts(satellite_opex_per_year=math.inf)
    assert "horizon_years" in OptionCosts().settings()["option_defaults"]
    assert "upgrade," not in OptionCosts(upgrade=1.0).settings()["option_defaults"].split()


@pytest.mark.parametrize("goal", [{"budget": 20_000.0}, {"cover_all": True}, {"sites": 6}])
def test_options_at_infinite_cost_give_todays_plan(gaps, layers, goal):
    common = dict(towers=layers["towers"], grid=layers["grid"], curve_steps=0, progress=False)
    today = plan_sites(gaps, **goal, **common)
    off = plan_sites(gaps, **goal, options=OFF, **common)
    assert off.selection.site_ids == today.selection.site_ids
    assert off.selection.objective == today.selection.objective
    assert off.selection.bound == pytest.approx(today.selection.bound, rel=1e-12)  # LP round-off
    assert off.matrix.n_sites == today.matrix.n_sites
    assert off.sites["total_cost"].sum() == today.sites["total_cost"].sum()


def test_candidates_by_operator(gaps, towers):
    frame = option_candidates(gaps, towers, OptionCosts(operator="Viettel"))
    kind = frame["option"]
    hosts = frame.loc[kind == "colocation", "site_id"].str.removeprefix("colocation:")
    upgraded = frame.loc[kind == "upgrade", "site_id"].str.removeprefix("upgrade:")
    by_id = towers.set_index(towers["tower_id"].astype(str))
    assert len(hosts) and (by_id.loc[hosts, "operator"] != "Viettel").all()
    assert len(upgraded) and (by_id.loc[upgraded, "operator"] == "Viettel").all()
    assert by_id.loc[upgraded, "technology"].isin(["2G", "3G"]).all()
    # each at its tower and at its height
    at = frame[kind == "colocation"].to_crs(towers.crs).geometry
    assert at.geom_equals(by_id.loc[hosts].geometry.reset_index(drop=True), align=False).all()
    none = option_candidates(gaps, towers, OFF)
    assert len(none) == 0


def test_a_satellite_terminal_serves_its_village_only(gaps):
    frame = option_candidates(gaps, None, OptionCosts(satellite_households_per_terminal=20))
    demand = demand_points(gaps)
    matrix = coverage_matrix(frame, demand)
    by_point = matrix.cover[:, matrix.group_of_point[matrix.group_of_point >= 0]]
    reachable = np.flatnonzero(matrix.group_of_point >= 0)
    site, point = by_point.nonzero()
    villages = frame["village_id"].to_numpy()
    assert (villages[site] == demand["village_id"].to_numpy()[reachable[point]]).all()
    # every household without signal (judged) has its village's terminal
    assert matrix.unreachable == 0
    # terminals per village: ceil(households / 20), capex and opex each
    needs = np.ceil(
        gaps.villages.set_index("village_id").loc[villages, "households_without_signal"] / 20
    ).to_numpy()
    assert np.array_equal(frame["terminals"].to_numpy(), np.maximum(needs, 1))
    assert np.allclose(frame["capex"], 75.0 * frame["terminals"])


def test_a_colocation_covers_what_a_new_site_there_would(gaps, towers):
    frame = option_candidates(gaps, towers, OptionCosts(upgrade=math.inf))
    frame = frame[frame["option"] == "colocation"].reset_index(drop=True)
    demand = demand_points(gaps)
    as_options = coverage_matrix(frame, demand)
    as_sites = coverage_matrix(frame.drop(columns="option"), demand)
    assert (as_options.cover != as_sites.cover).nnz == 0


def test_mixed_plan_counts_lots_and_villages(mixed):
    sites, settings = mixed.sites, mixed.settings
    counts = {kind: int((sites["option"] == kind).sum()) for kind in OPTIONS}
    assert counts == {kind: settings[f"sites_{kind}"] for kind in OPTIONS}
    assert counts["satellite"] > 0 and counts["new_tower"] > 0
    assert f"{counts['satellite']} satellite terminals" in mixed.headline()
    # a lot holds one kind of work
    assert mixed.lots.groupby("lot")["option"].nunique().eq(1).all()
    assert set(mixed.lots["option"]) == {k for k, n in counts.items() if n}
    by_backhaul = bid_lots(sites, mixed.backhaul, by="backhaul")
    assert by_backhaul.groupby("lot")["option"].nunique().eq(1).all()
    terminals = by_backhaul[by_backhaul["option"] == "satellite"]
    assert (terminals["cluster"] == terminals["site_ids"]).all()  # a lot each
    # each served village once, with the option of a site that serves it
    villages = mixed.villages
    assert villages["village_id"].is_unique
    assert villages["households_new"].sum() == pytest.approx(mixed.selection.covered, abs=1)
    assert villages["lifetime_cost"].sum() == pytest.approx(sites["lifetime_cost"].sum(), rel=1e-6)
    option_of = sites.set_index("site_id")["option"]
    assert (option_of.loc[villages["site_id"]].to_numpy() == villages["option"]).all()
    # satellite terminals and co-located equipment need no microwave of their own
    linked = set(mixed.backhaul["from_id"]) | set(mixed.backhaul["to_id"])
    assert not linked & set(sites.loc[sites["option"] != "new_tower", "site_id"])


def test_options_serve_the_same_households_for_less(gaps, layers, mixed):
    towers_only = plan_sites(
        gaps,
        cover_all=True,
        towers=layers["towers"],
        grid=layers["grid"],
        options=OFF,
        curve_steps=0,
        progress=False,
    )
    assert mixed.selection.covered == towers_only.selection.covered
    assert mixed.selection.objective < towers_only.selection.objective
    assert mixed.selection.gap <= 1e-4 or mixed.selection.status == "time_limit"
