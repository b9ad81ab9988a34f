"""Backhaul over terrain: blocked hops raised, re-routed through relays, or satellite."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from pyproj import CRS

from whitespot._errors import InputError
from whitespot.data import Terrain
from whitespot.planning import (
    BackhaulCheck,
    LineOfSightSettings,
    UnitCosts,
    backhaul_costs,
    hop_clearance,
    hop_profile_figure,
    plan_hop_figure,
    plan_sites,
    read_candidates,
    read_plan,
    write_plan,
)
from whitespot.planning.backhaul import checked_backhaul_costs, checked_network
from whitespot.planning.costs import backhaul_network
from whitespot.radio import SignalSetup

UTM = CRS.from_epsg(32648)
CELL_M = 30.0
SIZE_M = 21_000.0
TOWER_XY = (2_000.0, 10_000.0)
SITE_XY = (12_000.0, 10_000.0)  # 10 km east of the tower: an 18 GHz hop
RELAY_XY = (7_000.0, 2_000.0)  # south of the ridge: sees both
RIDGE_X = 7_000.0


def world(ridge_m: float, ridge_from_y: float = 0.0) -> Terrain:
    """Flat ground at 0 m with a ridge three cells wide along x = 7 km, from y on north."""
    cells = int(SIZE_M / CELL_M)
    elevation = np.zeros((cells, cells))
    x = (np.arange(cells) + 0.5) * CELL_M
    y = SIZE_M - (np.arange(cells) + 0.5) * CELL_M
    ridge = (np.abs(x - RIDGE_X) <= CELL_M)[None, :] & (y >= ridge_from_y)[:, None]
    elevation[ridge] = ridge_m
    return Terrain(elevation, Affine(CELL_M, 0, 0, 0, -CELL_M, SIZE_M), UTM)


def layer(id_column: str, points: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {id_column: list(points), "height_m": 30.0},
        geometry=gpd.points_from_xy(*np.array(list(points.values())).T),
        crs=UTM,
    )


TOWERS = layer("tower_id", {"T": TOWER_XY})
COSTS = UnitCosts()


def network(terrain: Terrain, sites: dict, rules: LineOfSightSettings | None = None):
    return checked_network(
        layer("site_id", sites),
        TOWERS,
        COSTS,
        UTM,
        terrain=terrain,
        rules=rules or LineOfSightSettings(),
    )


def test_flat_ground_changes_nothing():
    check = network(world(0.0), {"S": SITE_XY, "R": RELAY_XY})
    plain = backhaul_network(layer("site_id", {"S": SITE_XY, "R": RELAY_XY}), TOWERS, COSTS, UTM)
    assert check.links[["from_id", "to_id", "cluster"]].equals(
        plain[["from_id", "to_id", "cluster"]]
    )
    assert check.counts()["los_hops_clear"] == 2 and check.links["cost"].eq(150.0).all()
    assert check.links["frequency_mhz"].tolist() == [18_000.0, 18_000.0]  # 10 and 9.4 km


def test_hop_behind_a_high_ridge_is_rerouted_through_a_relay_that_sees():
    check = network(world(500.0, ridge_from_y=5_000.0), {"S": SITE_XY, "R": RELAY_XY})
    hops = check.hops.set_index(["from_id", "to_id"])["outcome"]
    assert hops.to_dict() == {("S", "T"): "rerouted", ("R", "T"): "clear", ("S", "R"): "relay"}
    assert check.counts() == {
        "los_hops_clear": 1,
        "los_hops_raised": 0,
        "los_hops_rerouted": 1,
        "los_hops_satellite": 0,
        "los_hops_not_checked": 0,
        "los_relay_hops_added": 1,
        "los_sites_satellite": 0,
    }
    assert set(zip(check.links["from_id"], check.links["to_id"], strict=True)) == {
        ("R", "T"),
        ("S", "R"),
    }
    assert (check.links["cluster"] == "T").all()


def test_low_ridge_is_cleared_by_raising_the_new_site_mast():
    check = network(world(30.0), {"S": SITE_XY})
    link = check.links.iloc[0]
    assert link["line_of_sight"] == "raised" and link["raised_id"] == "S"
    assert link["cost"] == pytest.approx(150.0 + 30.0 * link["raise_m"], abs=0.01)
    # the raise is what the hop needs: ~2 (ridge + bulge + F1 - mast) at mid-path
    assert 2 * (30 + 1.47 + 6.45 - 30) <= link["raise_m"] <= 2 * (30 + 1.47 + 6.45 - 30) + 1
    for extra_m, passes in [(0.0, True), (-0.2, False)]:
        raised = hop_clearance(
            world(30.0),
            shapely.Point(SITE_XY),
            shapely.Point(TOWER_XY),
            height_a_m=30.0 + link["raise_m"] + extra_m,
            height_b_m=30.0,
            frequency_mhz=18_000.0,
        )
        assert raised.passes == passes
    assert check.counts()["los_hops_raised"] == 1


def test_hop_that_no_mast_within_the_limit_clears_turns_to_satellite():
    check = network(world(30.0), {"S": SITE_XY}, LineOfSightSettings(max_mast_height_m=40.0))
    assert check.links.empty and check.satellite_sites == ["S"]
    assert check.hops["outcome"].tolist() == ["satellite"]
    assert check.counts()["los_sites_satellite"] == 1


@pytest.mark.parametrize(("cost_per_m", "outcome"), [(30.0, "rerouted"), (1.0, "raised")])
def test_the_cheaper_of_raising_and_rerouting_wins(cost_per_m, outcome):
    rules = LineOfSightSettings(mast_cost_per_m=cost_per_m)
    check = network(world(30.0, ridge_from_y=5_000.0), {"S": SITE_XY, "R": RELAY_XY}, rules)
    assert check.hops.set_index(["from_id", "to_id"])["outcome"][("S", "T")] == outcome


def test_site_on_its_own_takes_a_farther_tower_that_sees_or_satellite():
    terrain = world(500.0, ridge_from_y=5_000.0)
    sites = layer(
        "site_id", {"S": SITE_XY, "near": (2_500.0, 10_000.0), "far": (19_000.0, 20_000.0)}
    )
    rules = LineOfSightSettings()
    alone = checked_backhaul_costs(sites, TOWERS, COSTS, UTM, terrain=terrain, rules=rules)
    assert alone["backhaul_line_of_sight"].tolist() == ["satellite", "clear", "not checked"]
    assert alone["backhaul_cost"].tolist()[:2] == [600.0, 150.0]
    # "far" needs relays placed by the designer: priced by distance, as without a DEM
    plain = backhaul_costs(sites, TOWERS, COSTS, UTM)
    assert alone.iloc[2, :4].equals(plain.iloc[2])
    towers = layer("tower_id", {"T": TOWER_XY, "south": (19_000.0, 500.0)})
    both = checked_backhaul_costs(sites, towers, COSTS, UTM, terrain=terrain, rules=rules)
    assert both.loc[0, "backhaul_line_of_sight"] == "rerouted"
    assert both.loc[0, "anchor_distance_km"] == pytest.approx(11.8, abs=0.001)
    assert both.loc[0, "backhaul_cost"] == 150.0


def test_settings_are_checked():
    with pytest.raises(InputError, match="climate"):
        LineOfSightSettings(climate="arctic")
    with pytest.raises(InputError, match="bands"):
        LineOfSightSettings(bands=((15_000.0, 0.0),))
    rules = LineOfSightSettings(bands=((7_500.0, 40.0), (23_000.0, 5.0)))
    assert rules.bands[0] == (23_000.0, 5.0)  # highest frequency first
    assert rules.frequency_mhz(np.array([3.0, 5.0, 6.0])).tolist() == [23_000.0, 23_000.0, 7_500.0]
    assert rules.max_hop_km(UnitCosts(max_hop_km=15.0)) == 15.0
    assert LineOfSightSettings(bands=((23_000.0, 5.0),)).max_hop_km(UnitCosts()) == 5.0


def test_failing_profile_is_drawn():
    pytest.importorskip("matplotlib")
    figure = hop_profile_figure(
        world(30.0),
        shapely.Point(TOWER_XY),
        shapely.Point(SITE_XY),
        height_a_m=30.0,
        height_b_m=30.0,
        frequency_mhz=18_000.0,
    )
    (ax,) = figure.axes
    assert ax.get_title().startswith("fails: raise both masts")
    assert "5.00 km" in ax.get_title()


@pytest.fixture(scope="module")
def plans(gaps, layers, province):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            terrain: plan_sites(
                gaps,
                sites=8,
                towers=layers["towers"],
                terrain=province.terrain if terrain else None,
                curve_steps=0,
                setup=SignalSetup(model="rma"),
            )
            for terrain in (False, True)
        }


def test_plan_without_a_dem_says_line_of_sight_was_not_checked(plans):
    plan = plans[False]
    assert plan.settings["line_of_sight"].startswith("not checked (no DEM)")
    assert plan.line_of_sight is None
    assert "backhaul_line_of_sight" not in plan.candidates
    assert not any(key.startswith("los_") for key in plan.settings)


def test_plan_with_a_dem_counts_every_hop_it_would_have_built(plans, layers, tmp_path):
    plan = plans[True]
    check = plan.line_of_sight
    assert isinstance(check, BackhaulCheck)
    distance_only = backhaul_network(plan.sites, layers["towers"], COSTS, check.hops.crs)
    outcomes = ("clear", "raised", "rerouted", "satellite", "not_checked")
    counted = sum(check.counts()[f"los_hops_{o}"] for o in outcomes)
    assert counted == len(distance_only)
    assert plan.settings["los_hops_satellite"] == check.counts()["los_hops_satellite"]
    assert plan.settings["line_of_sight"].startswith("checked over the DEM: ITU-R P.530-18")
    assert set(plan.backhaul["line_of_sight"]) <= {"clear", "raised", "not checked"}
    assert (
        plan.candidates["backhaul_line_of_sight"]
        .isin(["clear", "raised", "rerouted", "satellite", "not checked"])
        .all()
    )
    written = write_plan(plan, tmp_path / "sites.csv")
    settings = pd.read_csv(next(p for p in written if p.name == "sites_settings.csv"))
    assert {"line_of_sight", "los_hops_clear", "los_hops_rerouted"} <= set(settings["setting"])
    write_plan(plan, tmp_path / "sites.geojson")
    drawn = read_plan(tmp_path / "sites.geojson")
    assert drawn.sites["site_id"].tolist() == plan.sites["site_id"].tolist()
    assert len(drawn.backhaul) == len(plan.backhaul)
    plan.candidates[["site_id", "height_m", "geometry"]].to_file(tmp_path / "candidates.gpkg")
    assert read_candidates(tmp_path / "candidates.gpkg")["site_id"].tolist() == (
        plan.candidates["site_id"].tolist()
    )


def test_a_plan_hop_is_drawn_from_the_plan(plans, province):
    pytest.importorskip("matplotlib")
    plan = plans[True]
    hop = plan.line_of_sight.hops.sort_values("clearance_fraction").iloc[0]
    figure = plan_hop_figure(plan, province.terrain, hop["from_id"], hop["to_id"])
    assert f"({hop['clearance_fraction']:.2f} F1)" in figure.axes[0].get_title()
    with pytest.raises(InputError, match="without a DEM"):
        plan_hop_figure(plans[False], province.terrain, hop["from_id"], hop["to_id"])
