"""The best server beside a plain baseline, at growing sizes; prints one table.

Usage::

    python benchmarks/bench_best_server.py            # 1e4, 1e5, 1e6 households, 1e4 towers
    python benchmarks/bench_best_server.py --quick    # 1e4 and 1e5 only

Each size runs in its own process: a province from ``whitespot.data.make_province`` (2G and
4G towers, Hata), households and towers given in their UTM zone, as a planner holds them.
Side by side in that process:

- ``plain``: every (household, tower) pair within the tower's reach from a KD-tree, the
  margin from the tower's two Hata coefficients, ``np.maximum.at``, one thread
  (``bench_country.kdtree_sketch``; the tower arrays are prepared before timing);
- ``whitespot``: ``predict_signal`` as a user calls it (the metric CRS chosen from the
  layer, every output column), the compiled kernel on all threads.

Each row checks that both give the same class (covered / weak / none) to every household
and the same best margin (largest difference, dB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
from bench_country import HOUSEHOLDS_PER_VILLAGE, kdtree_sketch, timed

from whitespot.data import make_province, metric_crs, validate_households, validate_towers
from whitespot.radio import SignalEngine, SignalSetup, predict_signal, signal_status


def side_by_side(households: int, towers: int) -> dict:
    province = make_province(
        villages=max(1, round(households / HOUSEHOLDS_PER_VILLAGE)),
        towers=round(towers / 0.85),
        seed=7,
    )
    utm = metric_crs(province.households)
    points = validate_households(province.households).to_crs(utm)
    masts = validate_towers(province.towers)
    masts = masts[masts["technology"].isin(["2G", "4G"])].to_crs(utm)
    setup = SignalSetup(model="hata")
    predict_signal(points.iloc[:1000], masts, setup, progress=False)  # compile once
    found, seconds, mb = timed(lambda: predict_signal(points, masts, setup, progress=False))
    prepared = SignalEngine.prepare(masts, setup.in_crs(utm))  # the baseline's towers
    plain, plain_s, plain_mb = timed(kdtree_sketch, points, prepared, setup.in_crs(utm))
    weak = setup.budget.weak_band_db
    plain = np.where(plain < -weak, np.nan, plain)
    margin = found["best_margin_db"].to_numpy(float)
    same = np.isnan(plain) == np.isnan(margin)
    known = ~np.isnan(plain) & same
    return {
        "households": len(points),
        "towers": len(masts),
        "plain_s": plain_s,
        "plain_mb": plain_mb,
        "whitespot_s": seconds,
        "whitespot_mb": mb,
        "other_class": int((signal_status(plain, weak) != signal_status(margin, weak)).sum()),
        "largest_db": float(np.abs(plain[known] - margin[known]).max(initial=0.0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip 1e6 households")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(side_by_side(args.child, 10_000)))
        return
    header = (
        f"{'households':>10} {'towers':>7} {'plain s':>8} {'whitespot s':>11} {'ratio':>6} "
        f"{'plain MB':>8} {'whitespot MB':>12} {'other class':>11} {'largest dB':>10}"
    )
    print(header)
    print("-" * len(header))
    for size in [10_000, 100_000] + ([] if args.quick else [1_000_000]):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{row['households']:>10,} {row['towers']:>7,} {row['plain_s']:>8.2f} "
            f"{row['whitespot_s']:>11.2f} {row['whitespot_s'] / row['plain_s']:>6.2f} "
            f"{row['plain_mb']:>8.0f} {row['whitespot_mb']:>12.0f} {row['other_class']:>11,} "
            f"{row['largest_db']:>10.2g}",
            flush=True,
        )


if __name__ == "__main__":
    main()
