"""Footprints tallied per part and merged: the same estimates and settlements as all at once."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from whitespot.data import FootprintsLeftOutWarning
from whitespot.department import EstimateSettings
from whitespot.department._footprints import place_buildings, residential_mask
from whitespot.department._tally import merge_tallies, tally_footprints, tally_placed
from whitespot.department._unlisted import (
    LINK_DISTANCE_M,
    MIN_BUILDINGS,
    settlement_rows,
    unlisted_settlements,
)

UTM48 = 32648
X0, Y0 = 600_000.0, 1_850_000.0


@pytest.fixture(scope="module")
def province():
    """Two listed villages and their houses; two hamlets, one a chain along x = X0 + 6000."""
    rng = np.random.default_rng(7)
    villages = gpd.GeoDataFrame(
        {"village_id": ["V1", "V2"], "households": [20, 20], "commune_code": ["1", "2"]},
        geometry=shapely.points([(X0, Y0), (X0 + 3000, Y0)]),
        crs=UTM48,
    )
    houses = [np.array([x, Y0]) + rng.uniform(-200, 200, (20, 2)) for x in (X0, X0 + 3000)]
    # a chain of 10 houses 60 m apart, crossing x = X0 + 6000 between its 5th and 6th house
    chain = np.column_stack([X0 + 5730 + 60 * np.arange(10), np.full(10, Y0 + 2000)])
    hamlet = np.array([X0, Y0 + 5000]) + rng.uniform(-50, 50, (9, 2))
    xy = np.vstack([*houses, chain, hamlet])
    buildings = gpd.GeoDataFrame(
        {"area_m2": rng.choice([10.0, 60.0, 80.0], len(xy)).astype(np.float32)},
        geometry=shapely.points(xy),
        crs=UTM48,
    )
    return villages, buildings


def _in_parts(villages, buildings, part: np.ndarray):
    """Settlement rows and counts from the footprints tallied part by part, then merged."""
    settings = EstimateSettings()
    household = residential_mask(buildings, settings.residential_area_m2)
    placed = place_buildings(villages, buildings, settings)
    tallies = [
        tally_placed(
            placed.where[part == p], placed.xy[part == p], household[part == p], len(villages),
            LINK_DISTANCE_M,
        )
        for p in np.unique(part)
    ]  # fmt: skip
    merged = merge_tallies(tallies, LINK_DISTANCE_M, MIN_BUILDINGS)
    rows = settlement_rows(
        merged, villages, placed.areas, communes=None, population=None, settings=settings,
        link_distance_m=LINK_DISTANCE_M,
    )  # fmt: skip
    return rows, merged


def test_a_settlement_across_two_parts_is_counted_once(province):
    villages, buildings = province
    west = (buildings.geometry.x < X0 + 6000).to_numpy()
    rows, merged = _in_parts(villages, buildings, west.astype(int))
    chain = rows[rows["buildings_counted"] == 10]
    assert len(rows) == 2  # the chain and the hamlet, not the chain's two halves
    assert len(chain) == 1
    assert chain.geometry.x.iloc[0] == pytest.approx(X0 + 5730 + 60 * 4.5)
    whole = unlisted_settlements(villages, buildings)
    pd.testing.assert_frame_equal(rows, whole)
    assert merged.counted.tolist() == [20, 20]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("parts", [2, 5])
def test_any_split_of_the_footprints_gives_the_same_rows_and_counts(province, seed, parts):
    villages, buildings = province
    rng = np.random.default_rng(seed)
    shuffled = buildings.iloc[rng.permutation(len(buildings))].reset_index(drop=True)
    rows, merged = _in_parts(villages, shuffled, rng.integers(0, parts, len(shuffled)))
    whole = unlisted_settlements(villages, buildings)
    pd.testing.assert_frame_equal(rows, whole)  # ids, centres, households: exactly
    settings = EstimateSettings()
    placed = place_buildings(villages, buildings, settings)
    assert merged.counted.tolist() == np.bincount(placed.where[placed.where >= 0]).tolist()


def test_parts_with_no_footprint_outside_merge(province):
    villages, buildings = province
    inside = buildings.iloc[:40]  # the listed villages' own houses only
    rows, merged = _in_parts(villages, inside, np.arange(40) % 3)
    assert rows.empty
    assert merged.counted.sum() == 40


def test_files_tallied_one_by_one_say_what_they_left_out_once(province, tmp_path):
    villages, buildings = province
    lonlat = buildings.to_crs(4326)
    table = pd.DataFrame(
        {
            "latitude": lonlat.geometry.y,
            "longitude": lonlat.geometry.x,
            "area_in_meters": buildings["area_m2"],
            "confidence": 0.9,
        }
    )
    low = table.iloc[:4].assign(confidence=0.5)  # left out, whatever file they are in
    (tmp_path / "tiles").mkdir()
    pd.concat([table.iloc[::2], low.iloc[:1]]).to_csv(tmp_path / "tiles" / "a.csv.gz", index=False)
    pd.concat([table.iloc[1::2], low.iloc[1:]]).to_csv(tmp_path / "tiles" / "b.csv.gz", index=False)
    kwargs = {"link_distance_m": LINK_DISTANCE_M, "min_buildings": MIN_BUILDINGS}
    with pytest.warns(FootprintsLeftOutWarning) as said:
        merged, _, parts = tally_footprints(
            villages, tmp_path / "tiles", EstimateSettings(), thresholds=(0.7, 0.0), **kwargs
        )
    assert [str(w.message) for w in said] == [
        f"buildings (tiles): 4 of {len(table) + 4} footprints left out: 4 below confidence "
        "0.7 (min_confidence)"
    ]
    assert parts == 2
    whole, _, _ = tally_footprints(
        villages, buildings, EstimateSettings(), thresholds=(0.7, 0.0), **kwargs
    )
    assert merged.counted.tolist() == whole.counted.tolist() == [20, 20]
    assert merged.residential.tolist() == whole.residential.tolist()
    assert sorted(np.bincount(merged.settlement[merged.settlement >= 0])) == [9, 10]
