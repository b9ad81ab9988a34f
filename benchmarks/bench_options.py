"""A plan with every option on beside today's plan of new sites only; prints a table.

Usage::

    python benchmarks/bench_options.py                      # the sample, then 10,000 villages
    python benchmarks/bench_options.py --villages 300       # the sample's size only

The issue's target: with co-location, upgrades and satellite terminals on
(:class:`whitespot.planning.OptionCosts` at its defaults), the plan takes at most twice the
time of today's plan (``options=None``) on the same instance. Both run in the same process
on the same gap list (signal per village, RMa), towers and grid, for the least lifetime cost
covering every household (``cover_all``) and for the most households within a budget of a
tenth of the towers-only cover; the time is :func:`whitespot.planning.plan_sites` from the
gap list to the ranked, costed and lotted plan, without the coverage curve. The gap list is
built once per size and not timed.
"""

from __future__ import annotations

import argparse
import time

from whitespot.coverage import gap_list
from whitespot.data import make_province
from whitespot.planning import Objective, OptionCosts, plan_sites
from whitespot.radio import SignalSetup

SIZES = (300, 10_000)


def run(villages: int) -> list[tuple]:
    """Time today's plan and the plan with options on one province of `villages`."""
    province = make_province(villages=villages)
    gaps = gap_list(
        province.villages, province.towers, grid=province.grid,
        setup=SignalSetup(model="rma"), progress=False,
    )  # fmt: skip
    common = dict(towers=province.towers, grid=province.grid, curve_steps=0, progress=False)
    rows = []
    budget = None
    for goal in ("cover_all", "budget"):
        timed = {}
        for name, options in (("today", None), ("options", OptionCosts())):
            objective = Objective.cover_all() if goal == "cover_all" else Objective.budget(budget)
            start = time.perf_counter()
            plan = plan_sites(gaps, objective, options=options, **common)
            timed[name] = (time.perf_counter() - start, plan)
        if goal == "cover_all":
            budget = 0.1 * timed["today"][1].selection.cost
        (t0, p0), (t1, p1) = timed["today"], timed["options"]
        rows.append(
            (
                villages, goal, p0.matrix.n_sites, p1.matrix.n_sites, t0, t1, t1 / t0,
                p0.selection.covered, p1.selection.covered,
                p0.selection.cost, p1.selection.cost, p1.selection.gap,
                " ".join(f"{k.removeprefix('sites_')}={v}" for k, v in p1.settings.items()
                         if k.startswith("sites_") and v),
            )
        )  # fmt: skip
    return rows


def main() -> None:
    """Print today's plan and the plan with options side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    print(
        f"{'villages':>8} {'goal':>9} {'cands':>6} {'+opts':>6} {'today s':>8} "
        f"{'options s':>9} {'ratio':>5} {'hh today':>9} {'hh opts':>9} "
        f"{'cost today':>11} {'cost opts':>10} {'gap':>6}  chosen with options"
    )
    for villages in args.villages:
        for row in run(villages):
            v, goal, n0, n1, t0, t1, ratio, h0, h1, c0, c1, gap, chosen = row
            print(
                f"{v:>8,} {goal:>9} {n0:>6,} {n1:>6,} {t0:>8.2f} {t1:>9.2f} {ratio:>5.2f} "
                f"{h0:>9,.0f} {h1:>9,.0f} {c0:>11,.0f} {c1:>10,.0f} {gap:>6.2%}  {chosen}",
                flush=True,
            )


if __name__ == "__main__":
    main()
