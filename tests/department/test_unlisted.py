"""Settlements no list names, found from footprints outside every listed village's area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from whitespot.data import FootprintsLeftOutWarning, Population, read_buildings
from whitespot.department import EstimateSettings, unlisted_settlements

UTM48 = 32648
X0, Y0 = 600_000.0, 1_850_000.0
RNG = np.random.default_rng(43)


def _cluster(cx, cy, n, spread_m=60.0) -> np.ndarray:
    return np.column_stack(
        [cx + RNG.uniform(-spread_m, spread_m, n), cy + RNG.uniform(-spread_m, spread_m, n)]
    )


@pytest.fixture
def test_province(tmp_path):
    """Four listed villages with their houses, three unlisted hamlets, and noise."""
    listed = [(X0, Y0), (X0 + 4000, Y0), (X0, Y0 + 4000), (X0 + 4000, Y0 + 4000)]
    villages = gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4"],
            "households": [30, 30, 30, 30],
            "commune_code": ["19429", "19429", "19432", "19432"],
        },
        geometry=shapely.points(listed),
        crs=UTM48,
    ).to_crs(4326)
    hamlets = {(X0 + 2000, Y0 + 8000): 12, (X0 + 9000, Y0 + 500): 7, (X0 + 9000, Y0 + 6000): 20}
    parts = [_cluster(x, y, 30) for x, y in listed]  # listed villages' own houses
    parts += [_cluster(x, y, n) for (x, y), n in hamlets.items()]
    high = np.vstack(parts)
    # a lone farm house every 600 m: too far apart to make a settlement
    lone = np.column_stack([X0 + 12_000 + 600 * np.arange(6), np.full(6, Y0 + 12_000)])
    # trucks, rocks and shadows: dense enough to link, but of low confidence
    noise = _cluster(X0 - 3000, Y0 + 9000, 60, spread_m=150)
    xy = np.vstack([high, lone, noise])
    confidence = np.r_[np.full(len(high) + len(lone), 0.85), RNG.uniform(0.5, 0.65, len(noise))]
    lonlat = gpd.GeoSeries(shapely.points(xy), crs=UTM48).to_crs(4326)
    table = pd.DataFrame(
        {
            "latitude": lonlat.y,
            "longitude": lonlat.x,
            "area_in_meters": 60.0,
            "confidence": confidence,
        }
    )
    path = tmp_path / "open_buildings.csv.gz"
    table.sample(frac=1, random_state=1).to_csv(path, index=False)
    communes = gpd.GeoDataFrame(
        {"commune_code": ["19429", "19432"]},
        geometry=[
            shapely.box(X0 - 5000, Y0 - 5000, X0 + 20_000, Y0 + 3000),
            shapely.box(X0 - 5000, Y0 + 3000, X0 + 20_000, Y0 + 20_000),
        ],
        crs=UTM48,
    )
    return villages, path, communes


def test_three_unnamed_hamlets_are_found_and_nothing_else(test_province):
    villages, path, communes = test_province
    with pytest.warns(FootprintsLeftOutWarning, match="60 of"):
        buildings = read_buildings(path, min_confidence=0.7)
    found = unlisted_settlements(
        villages, buildings, communes=communes, settings=EstimateSettings(radius_m=1000, crs=UTM48)
    )
    assert found["village_id"].tolist() == [
        "unlisted-19429-1",
        "unlisted-19432-1",
        "unlisted-19432-2",
    ]
    assert found["unlisted"].all()
    assert (found["commune_from"] == "communes").all()
    assert found.crs == villages.crs
    centres = shapely.get_coordinates(found.to_crs(UTM48).geometry)
    expected = np.array([(X0 + 9000, Y0 + 500), (X0 + 2000, Y0 + 8000), (X0 + 9000, Y0 + 6000)])
    np.testing.assert_allclose(centres, expected, atol=40)
    assert found["households"].tolist() == [7, 12, 20]
    assert found["population_estimated"].tolist() == [7 * 3.5, 12 * 3.5, 20 * 3.5]


def test_without_communes_the_nearest_village_gives_the_commune(test_province):
    villages, path, _ = test_province
    with pytest.warns(FootprintsLeftOutWarning):
        buildings = read_buildings(path, min_confidence=0.7)
    found = unlisted_settlements(
        villages, buildings, settings=EstimateSettings(radius_m=1000, crs=UTM48)
    )
    assert (found["commune_from"] == "nearest village").all()
    assert found["village_id"].tolist() == [
        "unlisted-19429-1",
        "unlisted-19432-1",
        "unlisted-19432-2",
    ]


def test_the_link_distance_decides_what_is_one_settlement():
    villages = gpd.GeoDataFrame(
        {"village_id": ["V1"], "households": [5], "commune_code": ["1"]},
        geometry=[shapely.Point(X0, Y0)],
        crs=UTM48,
    )
    # two rows of five houses 90 m apart, the rows 150 m apart
    xy = np.array([(X0 + 5000 + 90 * i, Y0 + 150 * j) for j in range(2) for i in range(5)])
    buildings = gpd.GeoDataFrame({"area_m2": [50.0] * 10}, geometry=shapely.points(xy), crs=UTM48)
    apart = unlisted_settlements(villages, buildings, link_distance_m=100)
    joined = unlisted_settlements(villages, buildings, link_distance_m=160)
    assert apart["households"].tolist() == [5, 5]
    assert joined["households"].tolist() == [10]
    assert unlisted_settlements(villages, buildings, link_distance_m=100, min_buildings=6).empty


def test_persons_of_a_settlement_are_the_raster_over_its_outline():
    villages = gpd.GeoDataFrame(
        {"village_id": ["V1"], "households": [5], "commune_code": ["1"]},
        geometry=[shapely.Point(X0, Y0)],
        crs=UTM48,
    )
    xy = np.array([(X0 + 5000 + 60 * i, Y0 + 30 * (i % 2)) for i in range(6)])
    buildings = gpd.GeoDataFrame({"area_m2": [50.0] * 6}, geometry=shapely.points(xy), crs=UTM48)
    # 0.01 persons per m² everywhere around, on 10 m cells in the villages' own CRS
    cells = 10.0
    count = np.full((200, 200), 0.01 * cells**2)
    transform = Affine(cells, 0, X0 + 4000, 0, -cells, Y0 + 1000)
    population = Population(count, transform, gpd.GeoSeries(crs=UTM48).crs)
    found = unlisted_settlements(villages, buildings, population=population)
    outline = shapely.convex_hull(shapely.multipoints(xy)).buffer(50.0, quad_segs=16)
    assert found["population_estimated"].iloc[0] == pytest.approx(0.01 * outline.area, rel=1e-9)
    assert found["households"].iloc[0] == 6
