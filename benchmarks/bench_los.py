"""Line of sight of microwave hops at speed: ``hops_clearance`` against a per-hop loop.

Usage::

    python benchmarks/bench_los.py                 # 100, 1,000, 10,000 hops
    python benchmarks/bench_los.py --counts 100    # the issue's case only

The issue's case: hops of 1-15 km between random points of a hilly synthetic 30 m DEM of
40 x 40 km, at 15 GHz, 30 m masts; the target is at most 0.2 s per 100 hops. Side by side
in the same process:

- ``hops_clearance``: every hop's profile sampled at once as (hops x samples) arrays
  (bilinear, one sample per 30 m cell), in chunks;
- ``per-hop loop``: the plain baseline, ``hop_clearance`` called once per hop (the same
  computation on one profile at a time), run on at most 1,000 hops.

Both must agree hop by hop (passes, clearance): the table says so.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS
from scipy.ndimage import gaussian_filter

from whitespot.data import Terrain
from whitespot.planning import hop_clearance, hops_clearance

CELL_M = 30.0
SIZE_KM = 40.0
FREQUENCY_MHZ = 15_000.0
MAST_M = 30.0
LOOP_AT_MOST = 1_000


def hilly_dem(seed: int = 3) -> Terrain:
    """A 30 m DEM of rolling hills: relief of several hundred metres over kilometres."""
    cells = round(SIZE_KM * 1000 / CELL_M)
    rng = np.random.default_rng(seed)
    relief = gaussian_filter(rng.standard_normal((cells, cells)), sigma=40.0)
    relief = 600.0 * (relief - relief.min()) / (relief.max() - relief.min())
    transform = Affine(CELL_M, 0.0, 500_000.0, 0.0, -CELL_M, 1_800_000.0 + cells * CELL_M)
    return Terrain(relief, transform, CRS.from_epsg(32648), source="synthetic hills")


def random_hops(terrain: Terrain, count: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Hop ends 1-15 km apart, both inside the DEM."""
    rng = np.random.default_rng(seed)
    left, bottom, right, top = terrain.bounds
    start = rng.uniform([left + 15e3, bottom + 15e3], [right - 15e3, top - 15e3], (count, 2))
    angle = rng.uniform(0, 2 * np.pi, count)
    length = rng.uniform(1e3, 15e3, count)
    end = start + length[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return start, end


def per_hop_loop(terrain: Terrain, start: np.ndarray, end: np.ndarray) -> pd.DataFrame:
    rows = [
        hop_clearance(
            terrain,
            shapely.Point(a),
            shapely.Point(b),
            height_a_m=MAST_M,
            height_b_m=MAST_M,
            frequency_mhz=FREQUENCY_MHZ,
        )
        for a, b in zip(start, end, strict=True)
    ]
    return pd.DataFrame([vars(r) for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 1_000, 10_000])
    args = parser.parse_args()
    terrain = hilly_dem()
    rows = []
    for count in args.counts:
        start, end = random_hops(terrain, count)
        began = time.perf_counter()
        table = hops_clearance(
            terrain, start, end, height_a_m=MAST_M, height_b_m=MAST_M, frequency_mhz=FREQUENCY_MHZ
        )
        vector_s = time.perf_counter() - began
        looped = min(count, LOOP_AT_MOST)
        began = time.perf_counter()
        loop = per_hop_loop(terrain, start[:looped], end[:looped])
        loop_s = time.perf_counter() - began
        same = bool(
            (loop["passes"].to_numpy() == table["passes"].to_numpy()[:looped]).all()
            and np.allclose(loop["clearance_m"], table["clearance_m"][:looped], atol=1e-6)
        )
        rows.append(
            {
                "hops": count,
                "hops_clearance s/100 hops": round(vector_s / count * 100, 4),
                "per-hop loop s/100 hops": round(loop_s / looped * 100, 4),
                "hops looped": looped,
                "speed-up": round(loop_s / looped / (vector_s / count), 1),
                "hops passing": int(table["passes"].sum()),
                "same results": same,
            }
        )
    print(f"hops of 1-15 km at {FREQUENCY_MHZ:,.0f} MHz, {MAST_M:g} m masts, 30 m DEM:")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
