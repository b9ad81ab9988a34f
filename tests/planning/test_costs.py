"""Power and backhaul costs, and the shared networks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from whitespot.data import utm_crs
from whitespot.planning import UnitCosts, backhaul_costs, power_costs
from whitespot.planning.costs import backhaul_network, power_extension

CRS = utm_crs(106.9, 16.8)


def points(xy_km, id_column="site_id", prefix="S"):
    xy = np.asarray(xy_km, dtype=float) * 1000.0
    return gpd.GeoDataFrame(
        {id_column: [f"{prefix}{i}" for i in range(len(xy))]},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    )


GRID = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (100_000, 0)])], crs=CRS)


def test_power_picks_the_cheaper_of_grid_and_solar():
    costs = UnitCosts(grid_connection=80, grid_line_per_km=350, solar_power=500)
    result = power_costs(points([[10, 0.5], [10, 1.2], [10, 1.3], [10, 5]]), GRID, costs, CRS)
    assert result["grid_distance_km"].tolist() == [0.5, 1.2, 1.3, 5.0]
    # 1.2 km of line costs 80 + 420 = 500, as much as solar: the tie goes to the grid
    assert result["power_option"].tolist() == ["grid", "grid", "solar", "solar"]
    assert result["power_cost"].tolist() == pytest.approx([80 + 175, 500, 500, 500])


def test_without_a_grid_every_site_is_solar():
    result = power_costs(points([[1, 1]]), None, UnitCosts(), CRS)
    assert result["power_option"].tolist() == ["solar"] and np.isnan(result["grid_distance_km"][0])


def test_backhaul_hops_relays_and_satellite():
    costs = UnitCosts(microwave_hop=150, max_hop_km=15, relay_mast=400, satellite_backhaul=800)
    anchors = points([[0, 0]], "tower_id", "T")
    result = backhaul_costs(points([[10, 0], [20, 0], [40, 0]]), anchors, costs, CRS)
    assert result["backhaul_hops"].tolist() == [1, 2, 0]
    assert result["backhaul_cost"].tolist() == [150, 2 * 150 + 400, 800]
    assert result["backhaul_option"].tolist() == ["microwave", "microwave", "satellite"]


def test_backhaul_network_relays_through_new_sites():
    costs = UnitCosts(max_hop_km=15)
    anchors = points([[0, 0]], "tower_id", "T")
    links = backhaul_network(points([[10, 0], [22, 0], [50, 50]]), anchors, costs, CRS)
    pairs = sorted(zip(links["from_id"], links["to_id"], strict=True))
    assert pairs == [("S0", "S1"), ("S0", "T0")]  # S1 relays through S0; S2 has no path
    assert set(links["cluster"]) == {"T0"}
    assert links["length_km"].tolist() == pytest.approx([12.0, 10.0])


def test_power_extension_is_a_minimum_spanning_tree():
    chain = points([[10, 3], [10, 6], [10, 9]], "point_id", "P")
    lines = power_extension(chain, GRID, UnitCosts(grid_line_per_km=100), CRS)
    assert sorted(lines["length_km"].tolist()) == pytest.approx([3.0, 3.0, 3.0])
    assert lines["cost"].sum() == pytest.approx(900.0)
    assert (lines["to_id"] == "grid").sum() == 1  # one connection to the grid, shared


def test_unit_costs_are_checked():
    with pytest.raises(ValueError, match="site_capex=-1"):
        UnitCosts(site_capex=-1)
