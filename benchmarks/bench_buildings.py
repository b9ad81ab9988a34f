"""Households from footprints and unlisted settlements beside a plain sjoin + groupby.

Usage::

    python benchmarks/bench_buildings.py            # 1e5 and 1e6 footprints
    python benchmarks/bench_buildings.py --quick    # 1e4 and 1e5

One synthetic province of 3,000 point villages (about 2 km apart, jittered, over about
110 x 110 km, UTM 48N); footprints in EPSG:4326 as ``read_buildings`` returns them: 90 %
within 700 m of a village, 7 % in 300 unlisted hamlets, 3 % scattered. Generation is not
timed. Each row, in one process:

- ``whitespot``: ``estimate_households`` (village areas: Voronoi cells within 1 km;
  footprints placed; residential sizes counted) plus ``unlisted_settlements`` (the same
  areas, footprints outside linked within 100 m, at least 5 to a settlement, communes by
  nearest village), from the footprints in EPSG:4326;
- ``baseline``: the same footprints and the same village areas (computed before timing,
  given in the metric CRS) with ``geopandas.sjoin(predicate="within")`` after
  ``to_crs`` of the footprints, and ``groupby(...).size()``: counts only, no clusters;
- ``ratio``: whitespot's time over the baseline's (the issue's target: <= 0.5 at 10^6).

Seconds and peak memory above the start (RSS sampled every 5 ms).
"""

from __future__ import annotations

import argparse
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from bench_country import timed

from whitespot.department import (
    EstimateSettings,
    estimate_households,
    place_buildings,
    unlisted_settlements,
    village_areas,
)

UTM48 = 32648
X0, Y0 = 500_000.0, 1_800_000.0
VILLAGES = 3_000


def province(footprints: int, seed: int = 43) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(VILLAGES)))
    grid = np.stack(np.meshgrid(np.arange(side), np.arange(side)), -1).reshape(-1, 2)[:VILLAGES]
    centres = np.array([X0, Y0]) + grid * 2000.0 + rng.uniform(-400, 400, (VILLAGES, 2))
    villages = gpd.GeoDataFrame(
        {
            "village_id": [f"V{i}" for i in range(VILLAGES)],
            "households": rng.integers(20, 300, VILLAGES),
            "commune_code": [f"{10_000 + i // 10}" for i in range(VILLAGES)],
        },
        geometry=shapely.points(centres),
        crs=UTM48,
    )
    listed = int(footprints * 0.90)
    hamlet = int(footprints * 0.07)
    scatter = footprints - listed - hamlet
    around = centres[rng.integers(0, VILLAGES, listed)] + rng.normal(0, 300, (listed, 2))
    hamlets = np.array([X0 + 1000, Y0 + 1000]) + rng.uniform(0, 2000 * (side - 1), (300, 2))
    in_hamlets = hamlets[rng.integers(0, 300, hamlet)] + rng.normal(0, 60, (hamlet, 2))
    scattered = np.array([X0, Y0]) + rng.uniform(0, 2000 * side, (scatter, 2))
    xy = np.vstack([around, in_hamlets, scattered])
    buildings = gpd.GeoDataFrame(
        {
            "area_m2": rng.lognormal(4.3, 0.6, footprints).astype(np.float32),
            "confidence": rng.uniform(0.7, 1.0, footprints).astype(np.float32),
            "height_m": np.full(footprints, np.nan, np.float32),
        },
        geometry=shapely.points(xy),
        crs=UTM48,
    ).to_crs(4326)
    return villages.to_crs(4326), buildings


def whitespot(villages, buildings):
    settings = EstimateSettings(crs=UTM48)
    placed = place_buildings(villages, buildings, settings)
    estimates = estimate_households(villages, buildings=buildings, settings=settings, placed=placed)
    unlisted = unlisted_settlements(villages, buildings, settings=settings, placed=placed)
    return int(estimates["buildings_counted"].sum()), len(unlisted)


def baseline(areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame):
    joined = gpd.sjoin(buildings.to_crs(areas.crs), areas, predicate="within")
    counts = joined.groupby("index_right").size()
    return int(counts.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^4 and 10^5 footprints")
    sizes = (10_000, 100_000) if parser.parse_args().quick else (100_000, 1_000_000)
    warnings.simplefilter("ignore")
    rows = []
    for size in sizes:
        villages, buildings = province(size)
        areas = gpd.GeoDataFrame(
            geometry=village_areas(villages, radius_m=1000, crs=UTM48)
        ).reset_index(drop=True)
        (counted, unlisted), mine, mine_mb = timed(whitespot, villages, buildings)
        theirs_counted, theirs, theirs_mb = timed(baseline, areas, buildings)
        rows.append(
            {
                "footprints": f"{size:,}",
                "villages": f"{VILLAGES:,}",
                "whitespot s": round(mine, 2),
                "whitespot MB": round(mine_mb),
                "in villages": f"{counted:,}",
                "unlisted": unlisted,
                "sjoin+groupby s": round(theirs, 2),
                "sjoin MB": round(theirs_mb),
                "sjoin in villages": f"{theirs_counted:,}",
                "ratio": round(mine / theirs, 2),
            }
        )
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
