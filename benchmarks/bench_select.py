"""Site selection at growing sizes, side by side with PySAL spopt; prints a table.

Usage::

    pip install -e '.[bench]'
    python benchmarks/bench_select.py            # the three sizes of the planning issue
    python benchmarks/bench_select.py --quick    # the smallest only

Instances are seeded and clustered: N demand points with 1-200 households each over a
100 x 100 km square (around 60 village clusters), M candidate sites, coverage radius 5 km.
For each size both tools run in one process, from building the model to the solution:
spopt's MCLP (dense cost matrix, PuLP + CBC, 6 minute limit) and whitespot's
select_sites (KD-tree sparse matrix, merged demand, method "auto" with a 60 s limit).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time

import numpy as np
from scipy.spatial import cKDTree

from whitespot.planning import CoverageMatrix, select_sites

SIZES = [(10_000, 1_000, 30), (50_000, 3_000, 60), (200_000, 6_000, 100)]
RADIUS_M = 5_000.0
SIDE_M = 100_000.0
SPOPT_LIMIT_S = 360


def instance(n: int, m: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clustered demand points (x, y, households) and uniform candidate sites."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, SIDE_M, (60, 2))
    owner = rng.integers(0, len(centres), n)
    demand = np.clip(centres[owner] + rng.normal(0, 4_000, (n, 2)), 0, SIDE_M)
    households = rng.integers(1, 201, n).astype(float)
    sites = rng.uniform(0, SIDE_M, (m, 2))
    return demand, households, sites


def run_whitespot(n: int, m: int, p: int, queue: multiprocessing.Queue) -> None:
    demand, households, sites = instance(n, m)
    started = time.perf_counter()
    pairs = cKDTree(sites).sparse_distance_matrix(cKDTree(demand), RADIUS_M, output_type="ndarray")
    matrix = CoverageMatrix.from_pairs(
        pairs["i"], pairs["j"], households, np.array([f"S{j}" for j in range(m)])
    )
    result = select_sites(matrix, sites=p, method="auto", time_limit_s=60.0)
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


def run_spopt(n: int, m: int, p: int, queue: multiprocessing.Queue) -> None:
    import pulp  # noqa: PLC0415 optional, for the comparison only
    from spopt.locate import MCLP  # noqa: PLC0415

    demand, households, sites = instance(n, m)
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


def measure(target, n: int, m: int, p: int, limit_s: float) -> dict:
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(n, m, p, queue))
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
    parser.add_argument("--no-spopt", action="store_true", help="whitespot only")
    args = parser.parse_args()
    sizes = SIZES[:1] if args.quick else SIZES
    header = (
        f"{'N':>8} {'M':>6} {'p':>4} {'tool':<10} {'seconds':>8} {'covered':>12} "
        f"{'bound':>12} {'gap':>7} {'status':<22} {'groups':>7} {'RSS MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for n, m, p in sizes:
        runs = [("whitespot", run_whitespot, 300.0)]
        if not args.no_spopt:
            runs.append(("spopt", run_spopt, SPOPT_LIMIT_S + 30.0))
        for tool, target, limit in runs:
            s = measure(target, n, m, p, limit)
            print(
                f"{n:>8,} {m:>6,} {p:>4} {tool:<10} {s['seconds']:>8.1f} "
                f"{s.get('objective', float('nan')):>12,.0f} "
                f"{s.get('bound', float('nan')):>12,.0f} "
                f"{100 * s.get('gap', float('nan')):>6.2f}% {s['status']:<22} "
                f"{s.get('groups', 0):>7,} {s.get('rss_mb', float('nan')):>7.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
