"""Cost of ITU-R P.2108 clutter and P.2109 indoor judgement in a gap list; prints a table.

Usage::

    python benchmarks/bench_clutter.py             # 300, 1,000 and 3,000 villages
    python benchmarks/bench_clutter.py --quick     # 300 and 1,000 only
    python benchmarks/bench_clutter.py --sizes 300

The goal (issue 42): a province of 3,000 villages with P.2108 and P.2109 on costs at most
1.3x the same gap list without them. All runs of a size are made side by side in one
process, on one province from the sample generator (whitespot.data.make_province), with
households: first a warm-up (the compiled kernel), then the setups in turn, ``--repeat``
rounds, the best time of each kept. Setups:

* ``median outdoor`` - the default (RMa NLOS, median, outdoors);
* ``P.2108 3.1 + P.2109`` - trees/forest clutter at the receiver (P.2108-1 section 3.1),
  households judged indoors (P.2109-2, traditional, 50 %) at 90 % of locations: per-tower
  constants, the compiled kernel as without them;
* ``P.2108 3.2 + P.2109`` - the statistical clutter loss (P.2108-1 section 3.2, 50 %),
  which depends on each path's length, so pairs are evaluated by the numpy search.
"""

from __future__ import annotations

import argparse
import time
import warnings

from whitespot.coverage import gap_list
from whitespot.data import make_province, validate_households, validate_towers, validate_villages
from whitespot.radio import SignalSetup

SETUPS = {
    "median outdoor": SignalSetup(),
    "P.2108 3.1 + P.2109": SignalSetup(
        clutter="trees_forest", indoor="p2109", location_probability=0.9
    ),
    "P.2108 3.2 + P.2109": SignalSetup(clutter_percent=50.0, indoor="p2109"),
}
TOWERS_PER_VILLAGE = 0.3


def gap_list_seconds(layers: dict, setup: SignalSetup) -> tuple[float, int]:
    """Wall time of one gap list, s, and its villages without signal."""
    started = time.perf_counter()
    gaps = gap_list(
        layers["villages"], layers["towers"], setup, households=layers["households"], progress=False
    )
    return time.perf_counter() - started, gaps.totals()["villages_without_signal"]


def province_layers(villages: int) -> dict:
    province = make_province(
        villages=villages, towers=max(4, round(villages * TOWERS_PER_VILLAGE)), seed=11
    )
    return {
        "villages": validate_villages(province.villages),
        "towers": validate_towers(province.towers),
        "households": validate_households(province.households),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 and 1,000 villages only")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of villages")
    parser.add_argument("--repeat", type=int, default=3, help="runs per setup (best kept)")
    args = parser.parse_args()
    sizes = args.sizes or ([300, 1_000] if args.quick else [300, 1_000, 3_000])
    warnings.simplefilter("ignore")  # defaults applied to generated layers
    header = (
        f"{'villages':>8} {'households':>10} {'towers':>6}  {'setup':<20} {'seconds':>8} "
        f"{'x median':>8} {'without signal':>14}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        layers = province_layers(size)
        gap_list_seconds(layers, SETUPS["median outdoor"])  # warm-up: compile, caches
        best = dict.fromkeys(SETUPS, float("inf"))
        without = {}
        for _ in range(args.repeat):  # round robin: a busy machine slows every setup alike
            for name, setup in SETUPS.items():
                seconds, without[name] = gap_list_seconds(layers, setup)
                best[name] = min(best[name], seconds)
        for name in SETUPS:
            print(
                f"{size:>8,} {len(layers['households']):>10,} {len(layers['towers']):>6,}  "
                f"{name:<20} {best[name]:>8.2f} {best[name] / best['median outdoor']:>8.2f} "
                f"{without[name]:>14,}"
            )


if __name__ == "__main__":
    main()
