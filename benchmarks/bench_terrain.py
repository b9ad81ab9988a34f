"""Terrain at speed: one site's coverage raster, and a province of households, with a DEM.

Usage::

    python benchmarks/bench_terrain.py            # one-site raster, province
    python benchmarks/bench_terrain.py --quick    # one-site raster only

Part 1, the issue's case: one 30 m 4G mast in the middle of a hilly synthetic 30 m DEM,
its coverage raster over 20 x 20 km at 30 m (``signal_raster``, 447,561 cells, terrain
model: RMa LOS + Bullington over the profile of every cell). Side by side in the same
process:

- ``whitespot`` (the compiled kernel: each path walked once, every sample read bilinearly
  from the DEM where it falls);
- ``numpy profiles`` (the numpy path it replaced: profiles sampled as (paths x samples)
  arrays in chunks of 40,000 with ``map_coordinates``, then ``bullington_loss_db``),
  through the same ``signal_raster``;
- ``naive sampling``: the issue's peer, only sampling 447,561 profiles of 64 points with
  ``map_coordinates`` (no loss computed at all).

The two full runs are compared cell by cell (largest and 99.9th percentile difference of
the best signal, dB).

The same raster with ITM (``model="itm"``: Longley-Rice over each cell's profile) follows.

Part 2, a province: 10^5 households, 300 towers, a 30 m DEM of 100 x 100 km, the gap
list's household step (``predict_signal``), with the terrain model (Bullington) and with
ITM: seconds and peak memory.
"""

from __future__ import annotations

import argparse
import time
import warnings
from unittest.mock import patch

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from bench_country import timed
from pyproj import CRS
from scipy.ndimage import gaussian_filter, map_coordinates

from whitespot.coverage import signal_raster
from whitespot.data import Terrain, validate_towers
from whitespot.radio import SignalSetup, bullington_loss_db, predict_signal
from whitespot.radio import _engine as signal_module
from whitespot.radio._terrain import terrain_profiles

CRS_UTM = CRS.from_epsg(32648)
CELL_M = 30.0
NUMPY_CHUNK = 40_000


def hilly_dem(size_km: float, seed: int = 3) -> Terrain:
    """A 30 m DEM of rolling hills: relief of several hundred metres over kilometres."""
    cells = round(size_km * 1000 / CELL_M)
    rng = np.random.default_rng(seed)
    relief = gaussian_filter(rng.standard_normal((cells, cells)), sigma=40.0)
    relief += 0.3 * gaussian_filter(rng.standard_normal((cells, cells)), sigma=8.0)
    relief = 600.0 * (relief - relief.min()) / (relief.max() - relief.min())
    transform = Affine(CELL_M, 0.0, 500_000.0, 0.0, -CELL_M, 1_800_000.0 + cells * CELL_M)
    return Terrain(relief.astype(float), transform, CRS_UTM, source="synthetic hills")


def masts(xy: np.ndarray) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "tower_id": [f"T{k:04d}" for k in range(len(xy))],
            "operator": "Viettel",
            "technology": "4G",
            "height_m": 30.0,
            "frequency_mhz": 1800.0,
            "eirp_dbm": 27.0,
        },
        geometry=gpd.points_from_xy(*xy.T),
        crs=CRS_UTM,
    )
    return validate_towers(frame.to_crs("EPSG:4326"), region=None)


def numpy_diffraction_db(receiver_xy, tower, distance_m, towers, engine):
    """The numpy path the compiled kernel replaced (whitespot before this benchmark)."""
    ground, budget = engine.ground, engine.budget
    cell_m = abs(ground.transform.a)
    loss = np.zeros(len(tower))
    flat = np.zeros(len(tower), dtype=bool)
    for start in range(0, len(tower), NUMPY_CHUNK):
        part = slice(start, start + NUMPY_CHUNK)
        samples = int(np.clip(np.ceil(distance_m[part].max() / (0.5 * cell_m)) + 1, 3, 256))
        profiles = terrain_profiles(ground, towers.xy[tower[part]], receiver_xy[part], samples)
        missing = np.isnan(profiles).any(axis=1)
        with np.errstate(invalid="ignore"):
            loss[part], _ = bullington_loss_db(
                profiles,
                np.maximum(distance_m[part], 1.0) / 1000.0,
                towers.height_m[tower[part]],
                budget.mobile_height_m,
                towers.frequency_mhz[tower[part]],
            )
        flat[part] = missing
    loss[flat] = 0.0
    return loss, flat


def naive_sampling(terrain: Terrain, site_xy: np.ndarray, cell_xy: np.ndarray) -> None:
    """Sample 64 points on every site-to-cell profile with map_coordinates (no loss)."""
    inverse = ~terrain.transform
    steps = np.linspace(0.0, 1.0, 64)[None, :]
    for start in range(0, len(cell_xy), NUMPY_CHUNK):
        part = cell_xy[start : start + NUMPY_CHUNK]
        x = site_xy[0] + (part[:, :1] - site_xy[0]) * steps
        y = site_xy[1] + (part[:, 1:] - site_xy[1]) * steps
        col = inverse.a * x + inverse.b * y + inverse.c - 0.5
        row = inverse.d * x + inverse.e * y + inverse.f - 0.5
        map_coordinates(terrain.elevation_m, [row.ravel(), col.ravel()], order=1)


def one_site() -> list[tuple]:
    terrain = hilly_dem(24.0)
    west, north = terrain.transform.c, terrain.transform.f
    site = np.array([[west + 12_000.0, north - 12_000.0]])
    towers = masts(site)
    area = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(
            [site[0, 0] - 10_000 + 15, site[0, 0] + 10_000 - 15],
            [site[0, 1] - 10_000 + 15, site[0, 1] + 10_000 - 15],
        ),
        crs=CRS_UTM,
    )
    setup = SignalSetup(model="terrain", terrain=terrain, crs=CRS_UTM)
    signal_raster(towers, area.iloc[:1], setup, resolution_m=CELL_M, progress=False)  # JIT
    fast, fast_s, fast_mb = timed(
        lambda: signal_raster(towers, area, setup, resolution_m=CELL_M, progress=False)
    )
    cells = fast.signal_dbm.size
    with patch.object(signal_module, "_diffraction_db", numpy_diffraction_db):
        slow, slow_s, slow_mb = timed(
            lambda: signal_raster(towers, area, setup, resolution_m=CELL_M, progress=False)
        )
    rows, cols = fast.signal_dbm.shape
    col, row = np.meshgrid(np.arange(cols) + 0.5, np.arange(rows) + 0.5)
    cell_xy = np.column_stack(fast.transform @ (col.ravel(), row.ravel()))
    _, naive_s, naive_mb = timed(naive_sampling, terrain, site[0], cell_xy)
    itm = setup.replace(model="itm")
    signal_raster(towers, area.iloc[:1], itm, resolution_m=CELL_M, progress=False)  # JIT
    _, itm_s, itm_mb = timed(
        lambda: signal_raster(towers, area, itm, resolution_m=CELL_M, progress=False)
    )
    difference = np.abs(fast.signal_dbm - slow.signal_dbm)
    known = np.isfinite(difference)
    print(
        f"one site: {cells:,} cells; whitespot vs numpy profiles: largest difference "
        f"{difference[known].max():.3f} dB, 99.9th percentile "
        f"{np.percentile(difference[known], 99.9):.3f} dB, "
        f"{(difference[known] > 0.1).mean() * 100:.3f} % of cells above 0.1 dB",
        flush=True,
    )
    return [
        ("one site, 447,561 cells", "whitespot (compiled)", fast_s, fast_mb),
        ("one site, 447,561 cells", "numpy profiles (before)", slow_s, slow_mb),
        ("one site, 447,561 cells", "naive sampling, 64 points, no loss", naive_s, naive_mb),
        ("one site, 447,561 cells", "whitespot ITM (compiled)", itm_s, itm_mb),
    ]


def province() -> list[tuple]:
    terrain = hilly_dem(100.0, seed=5)
    rng = np.random.default_rng(9)
    west, north = terrain.transform.c, terrain.transform.f
    low = np.array([west + 1_000.0, north - 99_000.0])
    tower_xy = low + rng.uniform(0.0, 98_000.0, (300, 2))
    towers = masts(tower_xy)
    towns = low + rng.uniform(0.0, 98_000.0, (1_000, 2))
    homes = towns[rng.integers(0, 1_000, 100_000)] + rng.normal(0.0, 400.0, (100_000, 2))
    homes = np.clip(homes, low, low + 98_000.0)
    households = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*homes.T), crs=CRS_UTM)
    rows = []
    for model, method in (("terrain", "whitespot (compiled)"), ("itm", "whitespot ITM")):
        setup = SignalSetup(model=model, terrain=terrain, crs=CRS_UTM)
        result, seconds, mb = timed(
            lambda setup=setup: predict_signal(households, towers, setup, progress=False)
        )
        covered = (result["best_margin_db"] >= 0).mean()
        print(
            f"province, {model}: {len(households):,} households, {len(towers)} towers, DEM "
            f"{terrain.shape[0]:,} x {terrain.shape[1]:,} cells; {covered:.1%} covered; "
            f"{result.attrs['pairs_evaluated']:,} paths",
            flush=True,
        )
        rows.append(("province, 10^5 households x 300 towers", method, seconds, mb))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the one-site raster only")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    rows = one_site() + ([] if args.quick else province())
    table = pd.DataFrame(rows, columns=["case", "method", "seconds", "peak MB"])
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    print(f"(whole benchmark {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
