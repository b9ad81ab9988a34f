"""Households and persons estimated per village from footprints and a population raster."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st

from whitespot._errors import InputError
from whitespot.data import Population
from whitespot.department import (
    HOUSEHOLD_SIZE,
    EstimateSettings,
    estimate_households,
    households_disagree,
    place_buildings,
    village_areas,
)
from whitespot.department._footprints import count_buildings

UTM48 = 32648
X0, Y0 = 600_000.0, 1_850_000.0  # Quảng Trị, UTM 48N


def _villages(geometry, households=None, crs=UTM48) -> gpd.GeoDataFrame:
    n = len(geometry)
    return gpd.GeoDataFrame(
        {
            "village_id": [f"V{i}" for i in range(n)],
            "households": households if households is not None else [10] * n,
        },
        geometry=list(geometry),
        crs=crs,
    )


def test_point_villages_get_voronoi_cells_within_the_radius_and_polygons_keep_theirs():
    square = shapely.box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)
    villages = _villages(
        [
            shapely.Point(X0, Y0),
            shapely.Point(X0 + 1000, Y0),
            square,
            shapely.Point(X0 + 5500, Y0 + 1200),
        ]
    )
    areas = village_areas(villages, radius_m=800, crs=UTM48)
    # the bisector of the first two points is x = X0 + 500
    assert areas.iloc[0].bounds[2] == pytest.approx(X0 + 500)
    assert areas.iloc[1].bounds[0] == pytest.approx(X0 + 500)
    assert areas.iloc[1].bounds[2] == pytest.approx(X0 + 1800, abs=1)
    assert areas.iloc[2].equals(square)
    # the point next to the polygon village loses what the polygon holds
    assert areas.iloc[3].intersection(square).area == pytest.approx(0)
    assert shapely.union_all(areas.to_numpy()).area == pytest.approx(areas.area.sum())


def test_villages_at_one_point_do_not_count_the_same_area_twice():
    villages = _villages([shapely.Point(X0, Y0), shapely.Point(X0, Y0)])
    areas = village_areas(villages, radius_m=500, crs=UTM48)
    assert areas.iloc[0].area == pytest.approx(np.pi * 500**2, rel=0.01)
    assert areas.iloc[1].is_empty


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_points_are_placed_as_an_exact_point_in_polygon_test_places_them(seed):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 20_000, size=(40, 2))
    centres[1] = centres[0]  # two villages at one point
    geometry = list(shapely.points(centres))
    geometry[2] = shapely.box(*centres[2], *(centres[2] + 800))  # and a polygon village
    villages = _villages(geometry)
    xy = rng.uniform(-1000, 21_000, size=(3000, 2))
    areas = np.asarray(village_areas(villages, radius_m=1500, crs=UTM48).array)
    # some points exactly on the edges and corners, some a hair inside or outside
    edge = shapely.get_coordinates(shapely.boundary(areas[:8]))
    xy = np.vstack([xy, edge, edge + 1e-3, edge - 1e-3])
    buildings = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=UTM48)
    where = place_buildings(villages, buildings, EstimateSettings(radius_m=1500, crs=UTM48)).where
    points = shapely.points(xy)
    for position in range(len(areas)):
        exact = shapely.intersects(areas[position], points)
        mine = where == position
        # on a shared edge a point may belong to either neighbour, never to neither
        assert not (mine & ~exact).any()
    # in some area exactly: each area tested on its own (their union moves shared edges by
    # a rounding error, and a point on such an edge then falls in a gap of the union)
    in_any = np.any([shapely.intersects(area, points) for area in areas], axis=0)
    assert ((where >= 0) == in_any).all()


def test_households_count_residential_footprints_in_each_area():
    villages = _villages([shapely.box(X0, Y0, X0 + 500, Y0 + 500), shapely.Point(X0 + 3000, Y0)])
    xy = np.array(
        [
            [X0 + 10, Y0 + 10],
            [X0 + 100, Y0 + 100],
            [X0 + 200, Y0 + 200],
            [X0 + 3100, Y0],
            [X0 + 9000, Y0],
        ]
    )
    buildings = gpd.GeoDataFrame(
        {"area_m2": [80.0, 5.0, 1200.0, np.nan, 90.0], "confidence": 0.9},
        geometry=shapely.points(xy),
        crs=UTM48,
    ).to_crs(4326)
    placed = place_buildings(villages, buildings, EstimateSettings(crs=UTM48))
    counted, residential = count_buildings(placed, buildings, (20.0, 500.0))
    assert counted.tolist() == [3, 1]
    assert residential.tolist() == [1, 1]  # the shed and the school are not households
    estimates = estimate_households(
        villages, buildings=buildings, settings=EstimateSettings(crs=UTM48)
    )
    assert estimates["households_estimated"].tolist() == [1, 1]
    assert estimates["population_estimated"].tolist() == [HOUSEHOLD_SIZE, HOUSEHOLD_SIZE]
    assert (estimates["households_estimate_basis"] == "buildings").all()


def _raster_4326(west, north, cells=(7, 9), size_deg=0.0008, seed=0) -> Population:
    count = np.random.default_rng(seed).uniform(0, 30, size=cells)
    return Population(
        count, Affine(size_deg, 0, west, 0, -size_deg, north), gpd.GeoSeries(crs=4326).crs
    )


def test_a_raster_inside_one_village_gives_it_the_raster_total_across_crs():
    # the raster is in EPSG:4326, the villages in UTM 48N; it lies wholly in village V0
    village = shapely.box(X0, Y0, X0 + 3000, Y0 + 3000)
    villages = _villages([village, shapely.Point(X0 + 10_000, Y0)])
    lon, lat = (
        gpd.GeoSeries([shapely.Point(X0 + 1000, Y0 + 2000)], crs=UTM48)
        .to_crs(4326)
        .iloc[0]
        .coords[0]
    )
    population = _raster_4326(lon, lat)
    estimates = estimate_households(
        villages, population=population, settings=EstimateSettings(crs=UTM48)
    )
    total = population.count.sum()
    assert estimates["population_estimated"].iloc[0] == pytest.approx(total, rel=1e-6)
    assert estimates["population_estimated"].iloc[1] == 0
    assert estimates["households_estimated"].iloc[0] == round(total / HOUSEHOLD_SIZE)
    assert estimates["households_estimate_basis"].iloc[0] == "population"


@pytest.mark.parametrize("cells_per_pass", [1_000_000, 37])
def test_a_raster_split_between_two_villages_is_shared_without_loss(monkeypatch, cells_per_pass):
    monkeypatch.setattr("whitespot.department._zonal.CELLS_PER_PASS", cells_per_pass)
    lon, lat = (
        gpd.GeoSeries([shapely.Point(X0 + 1000, Y0 + 2000)], crs=UTM48)
        .to_crs(4326)
        .iloc[0]
        .coords[0]
    )
    population = _raster_4326(lon, lat, cells=(20, 20), seed=1)
    # two villages whose shared edge cuts the raster's cells obliquely
    left = shapely.Polygon([(X0, Y0), (X0 + 1900, Y0), (X0 + 1500, Y0 + 3000), (X0, Y0 + 3000)])
    right = shapely.Polygon(
        [(X0 + 1900, Y0), (X0 + 4000, Y0), (X0 + 4000, Y0 + 3000), (X0 + 1500, Y0 + 3000)]
    )
    villages = _villages([left, right])
    estimates = estimate_households(
        villages, population=population, settings=EstimateSettings(crs=UTM48)
    )
    persons = estimates["population_estimated"]
    assert (persons > 0.1 * population.total).all()
    assert persons.sum() == pytest.approx(population.total, rel=1e-6)


def test_households_that_disagree_with_the_estimate_are_flagged():
    villages = _villages(
        [shapely.Point(X0 + i * 3000, Y0) for i in range(4)], households=[100, 40, 3, 60]
    )
    estimates = pd.DataFrame(
        {
            "households_estimated": pd.array([95, 10, 12, 0], dtype="Int64"),
            "households_estimate_basis": "buildings",
        },
        index=villages.index,
    )
    flagged = households_disagree(villages, estimates, tolerance=0.5, min_difference=5)
    # 100 vs 95 agrees; 40 vs 10 and 60 vs 0 do not; 3 vs 12 differs by 9 > 0.5 x 12
    assert flagged["village_id"].tolist() == ["V1", "V2", "V3"]
    assert flagged["difference"].tolist() == [30.0, -9.0, 60.0]


def test_footprints_given_as_polygons_count_by_their_centroid_and_need_a_crs():
    villages = _villages([shapely.box(X0, Y0, X0 + 500, Y0 + 500)])
    squares = shapely.box([X0 + 10, X0 + 490], Y0 + 10, [X0 + 20, X0 + 530], Y0 + 20)
    buildings = gpd.GeoDataFrame({"area_m2": [100.0, 400.0]}, geometry=squares, crs=UTM48)
    estimates = estimate_households(
        villages, buildings=buildings, settings=EstimateSettings(crs=UTM48)
    )
    # the second square straddles the edge, its centroid (X0 + 510) outside
    assert estimates["buildings_counted"].tolist() == [1]
    with pytest.raises(InputError, match="buildings: the footprints have no CRS"):
        estimate_households(villages, buildings=buildings.set_crs(None, allow_override=True))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_villages_covering_a_raster_in_another_crs_share_its_total_exactly(seed):
    rng = np.random.default_rng(seed)
    # 30 point villages whose Voronoi cells within 5 km cover a 3 x 3 km square
    centres = np.array([X0, Y0]) + rng.uniform(0, 3000, size=(30, 2))
    villages = _villages(shapely.points(centres))
    lon, lat = (
        gpd.GeoSeries([shapely.Point(X0 + 500, Y0 + 2500)], crs=UTM48)
        .to_crs(4326)
        .iloc[0]
        .coords[0]
    )
    population = _raster_4326(
        lon, lat, cells=(int(rng.integers(2, 30)), 20), size_deg=0.0009, seed=seed
    )
    estimates = estimate_households(
        villages, population=population, settings=EstimateSettings(radius_m=5000, crs=UTM48)
    )
    assert estimates["population_estimated"].sum() == pytest.approx(population.total, rel=1e-6)
