"""Speed and memory of signal prediction at growing sizes; prints a table.

Usage::

    python benchmarks/bench_signal.py            # 1e4, 1e5, 1e6 households, 1e4 towers
    python benchmarks/bench_signal.py --quick    # 1e4 and 1e5 only

Each size runs in its own process so that peak memory is its own. Provinces come from the
sample generator (whitespot.data.make_province) at the requested size; the Hata runs use
the 2G (900 MHz) and 4G (1800 MHz) towers, which the Hata family covers.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

from whitespot.data import load_sample, make_province, validate_households, validate_towers
from whitespot.radio import SignalSetup, predict_signal

HOUSEHOLDS_PER_VILLAGE = 92.7  # mean of the generator's lognormal mix


def run_hata(households: int, towers: int) -> dict[str, float]:
    province = make_province(
        villages=max(1, round(households / HOUSEHOLDS_PER_VILLAGE)),
        towers=round(towers / 0.85),
        seed=7,
    )
    points = validate_households(province.households)
    masts = validate_towers(province.towers)
    masts = masts[masts["technology"].isin(["2G", "4G"])]
    return measure_prediction(points, masts, SignalSetup(model="hata"))


def run_terrain() -> dict[str, float]:
    province = load_sample()
    points = validate_households(province.households)
    masts = validate_towers(province.towers)
    return measure_prediction(points, masts, SignalSetup(model="terrain", terrain=province.terrain))


def measure_prediction(points, masts, setup: SignalSetup) -> dict[str, float]:
    """Time and trace the memory of one predict_signal call."""
    tracemalloc.start()
    started = time.perf_counter()
    result = predict_signal(points, masts, setup, progress=False)
    seconds = time.perf_counter() - started
    _, traced = tracemalloc.get_traced_memory()
    return {
        "households": len(points),
        "towers": len(masts),
        "seconds": seconds,
        "pairs": result.attrs["pairs_evaluated"],
        "traced_mb": traced / 2**20,
        "covered": float((result["best_margin_db"] >= 0).mean()),
    }


def child(kind: str, households: int, towers: int) -> None:
    stats = run_terrain() if kind == "terrain" else run_hata(households, towers)
    stats["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(stats))


def measure(kind: str, households: int = 0, towers: int = 0) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(households), str(towers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip 1e6 households")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    sizes = [10_000, 100_000] + ([] if args.quick else [1_000_000])
    header = (
        f"{'model':<8} {'households':>10} {'towers':>7} {'seconds':>8} {'pairs':>11} "
        f"{'pairs/s':>10} {'s/1e5 hh':>8} {'traced MB':>9} {'peak RSS MB':>11} {'covered':>7}"
    )
    print(header)
    print("-" * len(header))
    rows = [("hata", measure("hata", n, 10_000)) for n in sizes]
    rows.append(("terrain", measure("terrain")))
    for kind, s in rows:
        print(
            f"{kind:<8} {s['households']:>10,} {s['towers']:>7,} {s['seconds']:>8.2f} "
            f"{s['pairs']:>11,} {s['pairs'] / s['seconds']:>10.3g} "
            f"{s['seconds'] / s['households'] * 1e5:>8.2f} {s['traced_mb']:>9.0f} "
            f"{s['peak_rss_mb']:>11.0f} {s['covered']:>7.1%}"
        )


if __name__ == "__main__":
    main()
