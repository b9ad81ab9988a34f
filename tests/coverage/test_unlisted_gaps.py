"""A gap list made with footprints: estimate columns, and unlisted settlements counted apart."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree

from whitespot.coverage import gap_list
from whitespot.data import WGS84, counted, utm_crs


@pytest.fixture(scope="module")
def footprints(layers):
    """Houses around each sample village, and three hamlets 4 km or more from any village."""
    villages = layers["villages"]
    crs = utm_crs(*villages.union_all().centroid.coords[0])
    xy = shapely.get_coordinates(villages.to_crs(crs).geometry)
    rng = np.random.default_rng(43)
    around = np.repeat(xy, 6, axis=0) + rng.uniform(-150, 150, (6 * len(xy), 2))
    tree = cKDTree(xy)
    grid = np.stack(
        np.meshgrid(
            *[np.linspace(lo, hi, 60) for lo, hi in zip(xy.min(0), xy.max(0), strict=True)]
        ),
        -1,
    )
    grid = grid.reshape(-1, 2)
    far = grid[tree.query(grid)[0] > 4000]
    chosen = far[np.linspace(0, len(far) - 1, 3).astype(int)]
    hamlets = np.vstack([c + rng.uniform(-40, 40, (8, 2)) for c in chosen])
    points = np.vstack([around, hamlets])
    buildings = gpd.GeoDataFrame(
        {"area_m2": np.full(len(points), 60.0, np.float32), "confidence": np.float32(0.9)},
        geometry=shapely.points(points),
        crs=crs,
    ).to_crs(WGS84)
    return buildings, chosen, crs


@pytest.fixture(scope="module")
def with_buildings(layers, footprints):
    return gap_list(layers["villages"], layers["towers"], buildings=footprints[0], progress=False)


@pytest.fixture(scope="module")
def plain(layers):
    return gap_list(layers["villages"], layers["towers"], progress=False)


def test_the_three_hamlets_follow_the_villages_as_unlisted_rows(layers, footprints, with_buildings):
    _, chosen, crs = footprints
    rows = with_buildings.villages
    n = len(layers["villages"])
    assert len(rows) == n + 3
    assert not rows["unlisted"].iloc[:n].any()
    assert rows["unlisted"].iloc[n:].all()
    assert rows["village_id"].iloc[n:].str.match(r"unlisted-\d+-\d+$").all()
    assert (rows["households"].iloc[n:] == 8).all()
    centres = shapely.get_coordinates(rows.iloc[n:].to_crs(crs).geometry)
    assert cKDTree(chosen).query(centres)[0].max() < 60
    # judged like the listed villages
    assert (
        rows["signal_status"].iloc[n:].isin(["covered", "weak", "none", "beyond_model_range"]).all()
    )
    assert rows["households_estimated"].iloc[:n].notna().all()
    assert "households_estimate_basis" in rows


def test_unlisted_settlements_are_counted_apart(with_buildings, plain):
    assert with_buildings.totals() == plain.totals()
    unlisted = with_buildings.villages[with_buildings.villages["unlisted"]]
    without = int(
        unlisted.loc[
            unlisted["signal_status"].isin(["weak", "none"]), "households_without_signal"
        ].sum()
    )
    assert with_buildings.headline().startswith(plain.headline())
    assert with_buildings.headline().endswith(
        f"; and 3 settlements no list names: {counted(without, 'household')} without signal"
    )
    assert "household_size" in with_buildings.settings


def test_listed_columns_keep_their_types(with_buildings, plain):
    listed = with_buildings.villages
    for column in plain.villages.columns:
        assert listed[column].dtype == plain.villages[column].dtype, column
