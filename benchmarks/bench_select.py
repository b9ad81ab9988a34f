"""Site selection at growing sizes, side by side with PySAL spopt; prints a table.

Usage::

    pip install -e '.[bench]'
    python benchmarks/bench_select.py            # the three sizes of the planning issue
    python benchmarks/bench_select.py --quick    # the smallest only
    python benchmarks/bench_select.py --objective budget --no-spopt   # budgeted covering
    python benchmarks/bench_select.py --objective cover --no-spopt    # set covering
    python benchmarks/bench_select.py --points 50000 --before         # one size, and
                                       # whitespot without the decomposition bound beside it

Instances are seeded, over a 100 x 100 km square with a 5 km coverage radius, 1-200
households per point, in two families (``--family A`` or ``B``; both by default): A, about
60 village clusters of 4 km spread with uniform candidates; B, towns of heavy-tailed
(Pareto) sizes and 0.8-4 km spreads plus 15 % rural background, half the candidates near
demand. Each tool runs in its own process, from building the model to the solution:
whitespot's select_sites (KD-tree sparse matrix, merged demand, method "auto", 60 s limit);
the plain baseline, the same merged matrix as one MILP for HiGHS through scipy with the
same limit and nothing else, up to 50,000 points (``--no-highs`` leaves it out); and, up
to 10,000 points, spopt's MCLP (dense cost matrix, PuLP + CBC, 6 minute limit).

Objectives (``--objective``): ``sites`` (maximal covering with p sites, the default),
``budget`` (budgeted maximal covering: site costs drawn from 800-2,000, a budget of p
times the mean cost) and ``cover`` (least cost covering every coverable household). spopt
has no budgeted model; its set-covering model (LSCP) minimises the count, not the cost, so
only ``sites`` is compared with it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, hstack, identity, vstack
from scipy.spatial import cKDTree

from whitespot.planning import CoverageMatrix, Objective, SelectionStrategy, select_sites

SIZES = [(10_000, 1_000, 30), (50_000, 3_000, 60), (200_000, 6_000, 100)]
RADIUS_M = 5_000.0
SIDE_M = 100_000.0
SPOPT_LIMIT_S = 360
HIGHS_MAX_POINTS = 50_000
"""The plain HiGHS MILP runs up to this size: at 200,000 points it found nothing in 300 s
(issue 15), and its model takes several GB."""
SPOPT_MAX_POINTS = 10_000
"""spopt builds a dense N x M cost matrix: beyond this it runs out of time or memory."""


def instance(
    n: int, m: int, seed: int = 1, family: str = "A"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Demand points (x, y), households per point and candidate sites of one family.

    Family A: 60 village clusters of 4 km spread, candidates uniform. Family B: towns of
    heavy-tailed (Pareto) sizes and spreads of 0.8-4 km plus 15 % of points scattered as
    rural background, half of the candidates near demand points (2 km spread), half uniform.
    """
    if family == "B":
        return instance_b(n, m, seed)
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, SIDE_M, (60, 2))
    owner = rng.integers(0, len(centres), n)
    demand = np.clip(centres[owner] + rng.normal(0, 4_000, (n, 2)), 0, SIDE_M)
    households = rng.integers(1, 201, n).astype(float)
    sites = rng.uniform(0, SIDE_M, (m, 2))
    return demand, households, sites


def instance_b(n: int, m: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Family B (see :func:`instance`)."""
    rng = np.random.default_rng(seed)
    towns = max(n // 400, 5)
    size = rng.pareto(1.2, towns) + 1.0
    spread = rng.uniform(800.0, 4_000.0, towns)
    centres = rng.uniform(0, SIDE_M, (towns, 2))
    rural = int(0.15 * n)
    owner = rng.choice(towns, size=n - rural, p=size / size.sum())
    town_points = centres[owner] + rng.normal(0, 1, (n - rural, 2)) * spread[owner, None]
    demand = np.clip(np.vstack([town_points, rng.uniform(0, SIDE_M, (rural, 2))]), 0, SIDE_M)
    households = rng.integers(1, 201, n).astype(float)
    near = m // 2
    anchors = demand[rng.integers(0, n, near)]
    sites = np.vstack(
        [anchors + rng.normal(0, 2_000, (near, 2)), rng.uniform(0, SIDE_M, (m - near, 2))]
    )
    return demand, households, np.clip(sites, 0, SIDE_M)


def site_costs(m: int, seed: int = 1) -> np.ndarray:
    """Costs of the candidate sites: 800-2,000 (million VND), seeded."""
    return np.random.default_rng(seed + 1).uniform(800.0, 2_000.0, m)


def covering_pairs(demand: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(site, demand point) pairs within the coverage radius, by KD-tree, in chunks of
    demand points kept as int32 (a single query holds 24 bytes per pair: 0.8 GB at 200,000
    points of family B)."""
    tree = cKDTree(sites)
    site_at, point_at = [], []
    for start in range(0, len(demand), 20_000):
        chunk = cKDTree(demand[start : start + 20_000])
        pairs = tree.sparse_distance_matrix(chunk, RADIUS_M, output_type="ndarray")
        site_at.append(pairs["i"].astype(np.int32))
        point_at.append((pairs["j"] + start).astype(np.int32))
    return np.concatenate(site_at), np.concatenate(point_at)


def merged_matrix(
    demand: np.ndarray, households: np.ndarray, sites: np.ndarray, cost: np.ndarray
) -> CoverageMatrix:
    """The coverage matrix every tool but spopt starts from: KD-tree pairs, merged demand."""
    site_at, point_at = covering_pairs(demand, sites)
    site_ids = np.array([f"S{j}" for j in range(len(sites))])
    return CoverageMatrix.from_pairs(site_at, point_at, households, site_ids, cost)


def run_whitespot_before(
    n: int, m: int, p: int, queue: multiprocessing.Queue, family: str, objective: str = "sites"
) -> None:
    """whitespot without the Lagrangian decomposition by regions (its bound before issue 45)."""
    run_whitespot(n, m, p, queue, family, objective, SelectionStrategy(decomposition_regions=-1))


def run_whitespot(
    n: int,
    m: int,
    p: int,
    queue: multiprocessing.Queue,
    family: str,
    objective: str = "sites",
    strategy: SelectionStrategy | None = None,
) -> None:
    demand, households, sites = instance(n, m, family=family)
    cost = site_costs(m)
    started = time.perf_counter()
    matrix = merged_matrix(demand, households, sites, cost)
    goal = {
        "sites": lambda: Objective.sites(p),
        "budget": lambda: Objective.budget(p * float(cost.mean())),
        "cover": Objective.cover_all,
    }[objective]()
    result = select_sites(matrix, goal, method="auto", time_limit_s=60.0, strategy=strategy)
    queue.put(
        {
            "seconds": time.perf_counter() - started,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "status": result.status,
            "groups": matrix.n_groups,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run_highs(
    n: int, m: int, p: int, queue: multiprocessing.Queue, family: str, objective: str = "sites"
) -> None:
    """The plain baseline: the same merged matrix as one MILP for HiGHS (scipy), no tricks."""
    demand, households, sites = instance(n, m, family=family)
    cost = site_costs(m)
    started = time.perf_counter()
    matrix = merged_matrix(demand, households, sites, cost)
    cover = matrix.cover.T.astype(float).tocsr()  # groups x sites
    n_groups = cover.shape[0]
    options = {"time_limit": 60.0, "mip_rel_gap": 1e-4, "disp": False}
    if objective == "cover":  # min c.x  s.t.  every coverable group covered
        result = milp(cost, constraints=[LinearConstraint(cover, lb=1.0)],
                      integrality=np.ones(m), bounds=Bounds(0, 1), options=options)  # fmt: skip
        value, bound = result.fun, _dual_bound(result)
    else:  # max w.y  s.t.  y_g <= sum_j a_jg x_j,  count or cost of x <= limit
        row = np.ones(m) if objective == "sites" else cost
        limit = p if objective == "sites" else p * float(cost.mean())
        link = hstack([-cover, identity(n_groups, format="csr")])
        budget = csr_matrix(np.concatenate([row, np.zeros(n_groups)]))
        result = milp(
            np.concatenate([np.zeros(m), -matrix.weight]),
            constraints=[LinearConstraint(vstack([link, budget]).tocsr(), -np.inf,
                                          np.concatenate([np.zeros(n_groups), [limit]]))],
            integrality=np.concatenate([np.ones(m), np.zeros(n_groups)]),
            bounds=Bounds(0, 1),
            options=options,
        )  # fmt: skip
        value = -result.fun if result.fun is not None else np.nan
        bound = -_dual_bound(result)
    value = np.nan if value is None else float(value)
    queue.put(
        {
            "seconds": time.perf_counter() - started,
            "objective": value,
            "bound": float(bound),
            "gap": abs(value - bound) / max(abs(bound), abs(value), 1e-12),
            "status": "optimal" if result.status == 0 else result.message[:22],
            "groups": matrix.n_groups,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def _dual_bound(result: object) -> float:
    """HiGHS's MIP dual bound from scipy's result; nan when it proved none in time."""
    bound = getattr(result, "mip_dual_bound", None)
    return np.nan if bound is None else float(bound)


def run_spopt(n: int, m: int, p: int, queue: multiprocessing.Queue, family: str) -> None:
    import pulp  # noqa: PLC0415 optional, for the comparison only
    from spopt.locate import MCLP  # noqa: PLC0415

    demand, households, sites = instance(n, m, family=family)
    started = time.perf_counter()
    cost = np.hypot(demand[:, None, 0] - sites[None, :, 0], demand[:, None, 1] - sites[None, :, 1])
    model = MCLP.from_cost_matrix(cost, households, service_radius=RADIUS_M, p_facilities=p)
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=SPOPT_LIMIT_S))
    queue.put(
        {
            "seconds": time.perf_counter() - started,
            "objective": float(pulp.value(model.problem.objective) or float("nan")),
            "status": pulp.LpStatus[model.problem.status],
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def measure(target, n: int, m: int, p: int, limit_s: float, family: str, objective: str) -> dict:
    queue = multiprocessing.Queue()
    extra = () if target is run_spopt else (objective,)
    process = multiprocessing.Process(target=target, args=(n, m, p, queue, family, *extra))
    started = time.perf_counter()
    process.start()
    process.join(limit_s)
    if process.is_alive():
        process.terminate()
        return {"seconds": time.perf_counter() - started, "status": "no solution in time"}
    if queue.empty():
        return {
            "seconds": time.perf_counter() - started,
            "status": f"failed (exit code {process.exitcode})",
        }
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smallest size only")
    parser.add_argument("--no-spopt", action="store_true", help="without spopt")
    parser.add_argument("--no-highs", action="store_true", help="without the plain HiGHS MILP")
    parser.add_argument("--family", choices=["A", "B"], action="append", help="default both")
    parser.add_argument(
        "--objective", choices=["sites", "budget", "cover"], default="sites", help="default sites"
    )
    parser.add_argument(
        "--points", type=int, choices=[n for n, _, _ in SIZES], help="one size only"
    )
    parser.add_argument(
        "--before", action="store_true", help="also whitespot without the decomposition bound"
    )
    args = parser.parse_args()
    sizes = SIZES[:1] if args.quick else SIZES
    if args.points:
        sizes = [size for size in SIZES if size[0] == args.points]
    header = (
        f"{'fam':>3} {'N':>8} {'M':>6} {'p':>4} {'tool':<10} {'seconds':>8} {'objective':>12} "
        f"{'bound':>12} {'gap':>7} {'status':<22} {'groups':>7} {'RSS MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for family, (n, m, p) in ((f, size) for f in args.family or ["A", "B"] for size in sizes):
        runs = [("whitespot", run_whitespot, 300.0)]
        if args.before:
            runs.append(("before", run_whitespot_before, 300.0))
        if not args.no_highs and n <= HIGHS_MAX_POINTS:
            runs.append(("HiGHS", run_highs, 300.0))
        if not args.no_spopt and n <= SPOPT_MAX_POINTS and args.objective == "sites":
            runs.append(("spopt", run_spopt, SPOPT_LIMIT_S + 30.0))
        for tool, target, limit in runs:
            s = measure(target, n, m, p, limit, family, args.objective)
            print(
                f"{family:>3} {n:>8,} {m:>6,} {p:>4} {tool:<10} {s['seconds']:>8.1f} "
                f"{s.get('objective', float('nan')):>12,.0f} "
                f"{s.get('bound', float('nan')):>12,.0f} "
                f"{100 * s.get('gap', float('nan')):>6.2f}% {s['status']:<22} "
                f"{s.get('groups', 0):>7,} {s.get('rss_mb', float('nan')):>7.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
