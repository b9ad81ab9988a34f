"""Site selection: which candidate sites to build, with a proven bound on the optimum.

Three problems over a :class:`~whitespot.planning.matrix.CoverageMatrix`:

- maximal covering (MCLP, Church & ReVelle 1974): most demand covered by ``sites`` sites;
- budgeted maximal covering: most demand covered for a ``budget`` (site costs);
- set covering (Toregas et al. 1971): least cost (fewest sites with unit costs) covering all
  coverable demand; demand no candidate reaches is reported, not a failure.

Methods: ``"exact"`` solves the MILP with HiGHS through :func:`scipy.optimize.milp` within a
time limit; ``"greedy"`` is lazy greedy (CELF; for budgets the better of the cost-ratio
greedy and the best single site, Khuller et al. 1999) with an upper bound from Lagrangian
relaxation (subgradient); ``"auto"`` runs greedy, stops when its proven gap is within
tolerance, and otherwise spends the time limit on the exact solver. Every result carries
its objective, the bound proved and the relative gap between them.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix, hstack, identity, vstack

from whitespot.planning._errors import InfeasibleError
from whitespot.planning.matrix import CoverageMatrix

METHODS = ("auto", "exact", "greedy")
PROBLEMS = ("max_coverage", "budget", "set_cover")
LAGRANGIAN_ITERATIONS = 2000
LAGRANGIAN_PATIENCE = 100
"""Subgradient iterations without a better bound before the step factor is halved."""
LAGRANGIAN_DEFLECTION = 0.7
"""Share of the previous direction kept in the next (Camerini, Fratta & Maffioli 1975):
damps the zigzag of plain subgradient steps; on the 50,000-point benchmark the bound
comes within 0.1% of the LP optimum instead of stalling 0.6% above it."""
LP_BOUND_MAX_NONZEROS = 200_000
"""Up to this many matrix entries the set-covering bound also comes from the LP relaxation
(HiGHS dual simplex); larger relaxations are slow to solve, Lagrangian relaxation is not."""
LP_BOUND_TIME_S = 20.0
IPM_BOUND_MAX_NONZEROS = 1_500_000
"""Up to this many matrix entries the covering problems' bound also comes from the LP
relaxation, solved by HiGHS's interior-point method on the second core while the
heuristics run (about 17 s for 0.7 M entries); it is tighter than what subgradient steps
reach in the same time."""
AUTO_EXACT_MAX_NONZEROS = 300_000
"""``auto`` gives the whole MILP to HiGHS only up to this many matrix entries; beyond, the
root relaxation alone outlasts any useful time limit, and the kernel MILPs do the exact work."""
KERNEL_FACTORS = (2, 3, 4, 6, 8)
"""Kernel sizes, as multiples of the number of sites to choose."""
SWAP_ROUNDS = 500
"""Most exchanges the local search makes."""


@dataclass(frozen=True)
class SiteSelection:
    """Result of :func:`select_sites`.

    Attributes
    ----------
    sites : numpy.ndarray of int
        Chosen sites (positions in the matrix), in selection order: each adds the most
        demand not yet covered by those before it.
    site_ids : tuple of str
        Their ids, same order.
    marginal : numpy.ndarray
        Demand newly covered by each site, in selection order.
    covered : float
        Demand covered by the chosen sites.
    cost : float
        Their total cost.
    objective : float
        ``covered`` for the covering problems, ``cost`` for set covering.
    bound : float
        Proven upper bound on the optimum (covering problems) or lower bound (set covering).
    gap : float
        Relative optimality gap proved, ``|bound - objective| / max(|bound|, tiny)``.
    problem : str
        ``"max_coverage"``, ``"budget"`` or ``"set_cover"``.
    method : str
        How the solution was found (``"exact"``, ``"greedy"``, ``"greedy+exact"``).
    status : str
        ``"optimal"``, ``"time_limit"`` (best found when time ran out) or ``"heuristic"``.
    coverable, unreachable : float
        Demand some candidate covers; demand none covers.
    seconds : float
        Wall time of the selection.
    """

    sites: np.ndarray
    site_ids: tuple[str, ...]
    marginal: np.ndarray
    covered: float
    cost: float
    objective: float
    bound: float
    gap: float
    problem: str
    method: str
    status: str
    coverable: float
    unreachable: float
    seconds: float

    def summary(self) -> str:
        """One line with the objective, bound and gap."""
        what = "cost" if self.problem == "set_cover" else "households covered"
        return (
            f"{self.problem} by {self.method} ({self.status}): {len(self.sites)} sites, "
            f"{what} {self.objective:,.6g}, bound {self.bound:,.6g}, gap {100 * self.gap:.2f}%; "
            f"{self.covered:,.0f} of {self.coverable:,.0f} coverable households covered, "
            f"{self.unreachable:,.0f} out of reach of every candidate"
        )


@dataclass(frozen=True)
class _Problem:
    """A validated selection problem in matrix form."""

    kind: str
    cover: csr_matrix
    weight: np.ndarray
    cost: np.ndarray
    limit: float
    forced: np.ndarray
    allowed: np.ndarray


def select_sites(  # noqa: PLR0913 keyword-only options
    matrix: CoverageMatrix,
    *,
    sites: int | None = None,
    budget: float | None = None,
    cover_all: bool = False,
    method: str = "auto",
    time_limit_s: float = 60.0,
    gap_tolerance: float = 1e-4,
    forced: Iterable[str] = (),
    forbidden: Iterable[str] = (),
) -> SiteSelection:
    """Choose sites to build: exactly one of `sites`, `budget` or `cover_all`.

    Parameters
    ----------
    matrix : CoverageMatrix
        Candidates x demand (from :func:`whitespot.planning.coverage_matrix`). Existing
        towers count as built: demand is what they leave uncovered.
    sites : int, optional
        Number of sites to build (maximal covering).
    budget : float, optional
        Money to spend, in the unit of ``matrix.cost`` (budgeted maximal covering).
    cover_all : bool, default False
        Least cost covering every coverable household (set covering).
    method : {"auto", "exact", "greedy"}, default "auto"
    time_limit_s : float, default 60
        Wall time the exact solver may use, s.
    gap_tolerance : float, default 1e-4
        ``auto`` stops once the proven relative gap is within this.
    forced, forbidden : iterable of str
        Site ids that must, or must not, be built. Forced sites count against `sites` and
        `budget`.

    Returns
    -------
    SiteSelection

    Raises
    ------
    ValueError
        For a wrong combination of arguments or unknown site ids.
    InfeasibleError
        If the forced sites alone exceed `sites` or `budget`.
    """
    started = time.perf_counter()
    problem = _problem(matrix, sites, budget, cover_all, forced, forbidden)
    if method not in METHODS:
        raise ValueError(f"method={method!r} must be one of {', '.join(METHODS)}")
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s={time_limit_s} must be > 0")

    chosen, status, used = np.array([], dtype=int), "heuristic", method
    bound = np.inf if problem.kind != "set_cover" else 0.0
    deadline = started + time_limit_s
    if _nothing_to_choose(problem):
        # no candidate, no demand left, or no site allowed: the forced sites alone are optimal
        chosen, status, used = problem.forced, "optimal", "none"
        bound = _value(problem, chosen)
    elif method in ("greedy", "auto"):
        chosen, bound = _improve_and_bound(problem, _greedy(problem), deadline)
        used = "greedy"
    remaining = time_limit_s - (time.perf_counter() - started)
    if used != "none" and (
        method == "exact"
        or (
            method == "auto"
            and _gap(problem, _value(problem, chosen), bound) > gap_tolerance
            and problem.cover.nnz <= AUTO_EXACT_MAX_NONZEROS
            and remaining >= 2.0
        )
    ):
        remaining = max(remaining, 1.0)
        exact, exact_bound, exact_status = _milp(problem, remaining, gap_tolerance)
        if exact is not None and (not len(chosen) or _better(problem, exact, chosen)):
            chosen = exact
        bound = exact_bound if method == "exact" else _tighter(problem, bound, exact_bound)
        status = exact_status
        used = "exact" if method == "exact" else "greedy+exact"
    objective = _value(problem, chosen)
    gap = _gap(problem, objective, bound)
    if status == "heuristic" and gap <= gap_tolerance:
        status = "optimal"
    order, marginal = _selection_order(problem, chosen)
    return SiteSelection(
        sites=order,
        site_ids=tuple(str(s) for s in matrix.site_ids[order]),
        marginal=marginal,
        covered=_covered(problem, order),
        cost=float(problem.cost[order].sum()),
        objective=objective,
        bound=float(bound),
        gap=gap,
        problem=problem.kind,
        method=used,
        status=status,
        coverable=matrix.coverable,
        unreachable=matrix.unreachable,
        seconds=time.perf_counter() - started,
    )


def _positions(matrix: CoverageMatrix, ids: Iterable[str], what: str) -> np.ndarray:
    ids = [str(i) for i in ids]
    lookup = {site: j for j, site in enumerate(matrix.site_ids)}
    unknown = [i for i in ids if i not in lookup]
    if unknown:
        raise ValueError(f"{what} sites not among the candidates: {', '.join(unknown[:10])}")
    return np.array(sorted({lookup[i] for i in ids}), dtype=int)


def _problem(
    matrix: CoverageMatrix,
    sites: int | None,
    budget: float | None,
    cover_all: bool,
    forced: Iterable[str],
    forbidden: Iterable[str],
) -> _Problem:
    given = [
        name
        for name, value in (("sites", sites), ("budget", budget), ("cover_all", cover_all or None))
        if value is not None
    ]
    if len(given) != 1:
        raise ValueError(f"give exactly one of sites=, budget= or cover_all=True (got {given})")
    forced_at = _positions(matrix, forced, "forced")
    forbidden_at = _positions(matrix, forbidden, "forbidden")
    both = np.intersect1d(forced_at, forbidden_at)
    if len(both):
        raise ValueError(f"sites both forced and forbidden: {', '.join(matrix.site_ids[both])}")
    allowed = np.ones(matrix.n_sites, dtype=bool)
    allowed[forbidden_at] = False
    # float data: scipy converts a boolean matrix to float on every product otherwise
    cover = matrix.cover.astype(np.float64)
    if cover_all:
        kind, limit = "set_cover", np.inf
    elif sites is not None:
        if sites < 0:
            raise ValueError(f"sites={sites} must be >= 0")
        kind, limit = "max_coverage", float(sites)
        if len(forced_at) > sites:
            raise InfeasibleError(f"{len(forced_at)} forced sites exceed sites={sites}")
    else:
        if budget < 0:
            raise ValueError(f"budget={budget} must be >= 0")
        kind, limit = "budget", float(budget)
        if matrix.cost[forced_at].sum() > budget:
            raise InfeasibleError(
                f"forced sites cost {matrix.cost[forced_at].sum():g} > budget={budget:g}"
            )
    weight = matrix.weight
    if kind == "set_cover":
        # demand only forbidden sites reach cannot be covered: leave it out
        reachable = np.asarray(cover[allowed].sum(axis=0)).ravel() > 0
        cover, weight = cover[:, reachable].tocsr(), weight[reachable]
    return _Problem(kind, cover, weight, matrix.cost, limit, forced_at, allowed)


def _nothing_to_choose(problem: _Problem) -> bool:
    """No candidate, no demand, or (for a number of sites or a budget) nothing beyond the forced."""
    if problem.cover.shape[0] == 0 or problem.cover.nnz == 0 or problem.weight.sum() == 0:
        return True
    if problem.kind == "max_coverage":
        return problem.limit <= len(problem.forced)
    if problem.kind == "budget":
        spare = problem.limit - problem.cost[problem.forced].sum()
        return not (problem.cost[problem.allowed] <= spare).any()
    return False


def _value(problem: _Problem, chosen: np.ndarray) -> float:
    if problem.kind == "set_cover":
        return float(problem.cost[chosen].sum())
    return _covered(problem, chosen)


def _covered(problem: _Problem, chosen: np.ndarray) -> float:
    if len(chosen) == 0:
        return 0.0
    hit = np.asarray(problem.cover[chosen].sum(axis=0)).ravel() > 0
    return float(problem.weight[hit].sum())


def _better(problem: _Problem, candidate: np.ndarray, incumbent: np.ndarray) -> bool:
    a, b = _value(problem, candidate), _value(problem, incumbent)
    return a < b if problem.kind == "set_cover" else a > b


def _tighter(problem: _Problem, a: float, b: float) -> float:
    return max(a, b) if problem.kind == "set_cover" else min(a, b)


def _gap(problem: _Problem, objective: float, bound: float) -> float:
    if not np.isfinite(bound):
        return np.inf
    scale = max(abs(bound), abs(objective), 1e-12)
    difference = objective - bound if problem.kind == "set_cover" else bound - objective
    return max(difference, 0.0) / scale


def _greedy(problem: _Problem) -> np.ndarray:
    """Lazy greedy (CELF): add the site with the best gain (per cost) until the limit."""
    cover, weight, cost = problem.cover, problem.weight, problem.cost
    uncovered = np.ones(len(weight), dtype=bool)
    chosen = list(problem.forced)
    for j in problem.forced:
        uncovered[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]] = False
    spent = float(cost[problem.forced].sum())
    by_ratio = problem.kind != "max_coverage"
    gain = cover @ (weight * uncovered)
    candidates = np.flatnonzero(problem.allowed & (gain > 0))
    candidates = np.setdiff1d(candidates, problem.forced)
    heap = [(-_key(gain[j], cost[j], by_ratio), int(j)) for j in candidates]
    heapq.heapify(heap)
    while (
        heap
        and _room(problem, len(chosen), spent)
        and (problem.kind != "set_cover" or uncovered.any())
    ):
        _, j = heapq.heappop(heap)
        rows = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
        fresh = float(weight[rows][uncovered[rows]].sum())
        if fresh <= 0:
            continue
        key = _key(fresh, cost[j], by_ratio)
        if heap and key < -heap[0][0]:
            heapq.heappush(heap, (-key, j))  # stale: re-queue with its true gain
            continue
        if problem.kind == "budget" and spent + cost[j] > problem.limit:
            continue
        chosen.append(j)
        spent += cost[j]
        uncovered[rows] = False
    result = np.array(chosen, dtype=int)
    if problem.kind == "budget":
        result = _best_single_site(problem, result)
    return result


def _key(gain: float, cost: float, by_ratio: bool) -> float:
    if not by_ratio:
        return gain
    return gain / cost if cost > 0 else np.inf


def _room(problem: _Problem, count: int, spent: float) -> bool:
    if problem.kind == "max_coverage":
        return count < problem.limit
    if problem.kind == "budget":
        return spent < problem.limit or np.any(problem.cost[problem.allowed] == 0)
    return True


def _best_single_site(problem: _Problem, greedy: np.ndarray) -> np.ndarray:
    """Keep the ratio greedy or the best affordable single site, whichever covers more.

    This is Khuller, Moss & Naor (1999); it keeps a (1 - 1/e) / 2 guarantee for budgets.
    """
    free = problem.limit - problem.cost[problem.forced].sum()
    base = np.zeros(len(problem.weight), dtype=bool)
    for j in problem.forced:
        base[problem.cover.indices[problem.cover.indptr[j] : problem.cover.indptr[j + 1]]] = True
    gain = problem.cover @ (problem.weight * ~base)
    affordable = problem.allowed & (problem.cost <= free)
    if not affordable.any():
        return greedy
    single = np.flatnonzero(affordable)[np.argmax(gain[affordable])]
    alternative = np.unique(np.concatenate([problem.forced, [single]])).astype(int)
    return alternative if _covered(problem, alternative) > _covered(problem, greedy) else greedy


def _improve_and_bound(
    problem: _Problem, chosen: np.ndarray, deadline: float
) -> tuple[np.ndarray, float]:
    """Improve a greedy solution and prove a bound on the optimum.

    The bound is the LP relaxation for small and medium instances (HiGHS: dual simplex for
    set covering; interior point for the covering problems, on the second core while the
    heuristics run), else Lagrangian relaxation, which keeps improving on the second core
    while the heuristics run. The Lagrangian iterates also propose solutions and rank the
    sites. The best solution then goes through local search (site swaps for maximal
    covering, dropping redundant sites for set covering) and kernel search.
    """
    bound, lp_future, dual_future = None, None, None
    # HiGHS and scipy's sparse products release the GIL: a second thread uses the second core
    second_core = ThreadPoolExecutor(max_workers=1)
    if problem.kind != "set_cover" and problem.cover.nnz <= IPM_BOUND_MAX_NONZEROS:
        lp_future = second_core.submit(
            _lp_dual_bound, problem, max(deadline - time.perf_counter() - 0.5, 0.5)
        )
    elif problem.cover.nnz <= LP_BOUND_MAX_NONZEROS:
        budget_s = max(min(LP_BOUND_TIME_S, deadline - time.perf_counter()), 0.5)
        _, lp_bound, status = _milp(problem, budget_s, 0.0, relax=True)
        if status == "optimal" and np.isfinite(lp_bound):
            bound = lp_bound
    alone = bound is None and lp_future is None
    # with an LP bound the Lagrangian dual adds no bound, only solutions to try; without
    # one it goes on improving the bound on the second core after this first pass
    iterations = LAGRANGIAN_ITERATIONS if bound is None else LAGRANGIAN_ITERATIONS // 10
    dual = _lagrangian(problem, _value(problem, chosen), deadline, iterations)
    bound = dual.bound if bound is None else _tighter(problem, bound, dual.bound)
    if dual.proposal is not None and _better(problem, dual.proposal, chosen):
        chosen = dual.proposal
    stop = threading.Event()  # the continuation ends when the heuristics do
    if alone:
        dual_future = second_core.submit(
            _lagrangian, problem, _value(problem, chosen), deadline - 0.5,
            LAGRANGIAN_ITERATIONS * 100, dual.multiplier, stop,
        )  # fmt: skip
    if problem.kind == "max_coverage":
        chosen = _swap_search(problem, chosen, deadline)
    elif problem.kind == "set_cover":
        chosen = _drop_redundant(problem, chosen)
    if problem.kind != "set_cover" and _gap(problem, _value(problem, chosen), bound) > 1e-4:
        share = 0.9 * (deadline - time.perf_counter())
        kernel = _kernel_solution(problem, chosen, dual.score, time.perf_counter() + share)
        if kernel is not None and _better(problem, kernel, chosen):
            chosen = kernel
            if problem.kind == "max_coverage":
                chosen = _swap_search(problem, chosen, deadline)
    stop.set()
    if lp_future is not None:
        bound = _tighter(problem, bound, lp_future.result())
    if dual_future is not None:
        bound = _tighter(problem, bound, dual_future.result().bound)
    second_core.shutdown()
    return chosen, bound


def _lp_dual_bound(problem: _Problem, time_limit_s: float) -> float:
    """Upper bound on the covering optimum from the LP relaxation (HiGHS interior point).

    The bound is not the solver's objective but the Lagrangian function evaluated exactly
    at the LP's duals of the covering rows (clipped to [0, w]): a valid bound whatever the
    solver's accuracy, equal to the LP optimum at an optimal dual; inf when the LP does not
    finish in time.
    """
    n_groups = problem.cover.shape[1]
    objective, matrix, upper, bounds = _covering_model(problem)
    result = linprog(
        objective,
        A_ub=matrix,
        b_ub=upper,
        bounds=np.column_stack([bounds.lb, bounds.ub]),
        method="highs-ipm",
        options={"time_limit": float(time_limit_s), "disp": False},
    )
    if result.status != 0 or result.ineqlin is None:
        return np.inf
    multiplier = np.clip(-result.ineqlin.marginals[:n_groups], 0.0, problem.weight)
    bound = _covering_dual(problem, multiplier, problem.cover @ multiplier)[0]
    return min(bound, float(problem.weight.sum()))


def _kernel_solution(
    problem: _Problem, chosen: np.ndarray, score: np.ndarray, deadline: float
) -> np.ndarray | None:
    """Solve exactly over kernels of promising sites (kernel search, Angelelli et al. 2010).

    A kernel holds the incumbent's sites and the best sites by Lagrangian score. Restricted
    to it, demand groups that the kernel cannot tell apart merge again, so the MILP is
    small; kernels of 2 to 8 times the sites to choose are solved while time remains,
    each starting from the best solution so far.
    """
    limit = problem.limit if problem.kind == "max_coverage" else max(len(chosen), 1)
    ranked = np.flatnonzero(problem.allowed)[np.argsort(-score[problem.allowed], kind="stable")]
    best, best_value = None, _value(problem, chosen)
    for factor in KERNEL_FACTORS:
        if deadline - time.perf_counter() < 1.0:
            break
        incumbent = chosen if best is None else best
        kernel = np.union1d(
            np.union1d(incumbent, problem.forced), ranked[: int(factor * limit)]
        ).astype(int)
        part = problem.cover[kernel].tocoo()
        merged = CoverageMatrix.from_pairs(
            part.row, part.col, problem.weight, kernel.astype(str), problem.cost[kernel]
        )
        reduced = _Problem(
            problem.kind,
            merged.cover,
            merged.weight,
            merged.cost,
            problem.limit,
            np.searchsorted(kernel, problem.forced),
            np.ones(len(kernel), dtype=bool),
        )
        sites, _, _ = _milp(reduced, deadline - time.perf_counter(), 1e-4)
        if sites is not None and _value(problem, kernel[sites]) > best_value:
            best, best_value = kernel[sites], _value(problem, kernel[sites])
        if len(kernel) >= problem.cover.shape[0]:
            break
    return best


@dataclass(frozen=True)
class _Dual:
    """What a Lagrangian run gives.

    The bound, the best solution met, the site scores (the multipliers' weight on each
    site at the best bound) and those multipliers.
    """

    bound: float
    proposal: np.ndarray | None
    score: np.ndarray
    multiplier: np.ndarray


def _lagrangian(
    problem: _Problem,
    incumbent: float,
    deadline: float,
    iterations: int = LAGRANGIAN_ITERATIONS,
    start: np.ndarray | None = None,
    stop: threading.Event | None = None,
) -> _Dual:
    """Bound on the optimum by Lagrangian relaxation, the best solution it met, site scores.

    Covering problems relax y_g <= sum_j a_jg x_j with multipliers lambda_g >= 0:
    L = sum_g max(0, w_g - lambda_g) + max over the count/budget constraint (continuous
    knapsack) of sum_j x_j s_j, s_j = sum_g a_jg lambda_g: an upper bound for every lambda;
    the sites with x_j = 1 are a feasible solution. Set covering relaxes sum_j a_jg x_j >= 1
    with u_g >= 0: L = sum_g u_g + sum_j min(0, c_j - sum_g a_jg u_g), a lower bound.
    Multipliers follow deflected subgradient directions (Camerini, Fratta & Maffioli 1975)
    with the Polyak step toward the incumbent (Held, Wolfe & Crowder 1974), halving the
    step factor when the bound stalls.
    """
    cover, weight = problem.cover, problem.weight
    if len(weight) == 0:
        return _Dual(0.0, None, np.zeros(cover.shape[0]), np.zeros(0))
    minimize = problem.kind == "set_cover"
    initial = np.full(len(weight), 1.0) if minimize else weight * 0.5
    multiplier = initial if start is None else start.copy()
    best_multiplier = multiplier
    best = -np.inf if minimize else np.inf
    proposal, proposal_value = None, incumbent
    # a continuation from earlier multipliers takes shorter, smoother steps
    theta, deflection = (1.0, LAGRANGIAN_DEFLECTION) if start is None else (0.5, 0.9)
    stalled, direction = 0, np.zeros(len(weight))
    # any multipliers in the box give a valid bound, and an optimal one lies inside it:
    # lambda_g <= w_g (covering), u_g <= the dearest site (set covering)
    ceiling = np.full(len(weight), problem.cost.max()) if minimize else weight
    best_score = cover @ multiplier
    for _ in range(iterations):
        if time.perf_counter() > deadline or (stop is not None and stop.is_set()):
            break
        score = cover @ multiplier
        if minimize:
            reduced = problem.cost - score
            x = (reduced < 0) & problem.allowed
            x[problem.forced] = True
            value = float(multiplier.sum() + reduced[x].sum())
            subgradient = 1.0 - cover.T @ x.astype(float)
            improved = value > best + 1e-9 * abs(value)
            if improved:
                best_score, best_multiplier = score, multiplier
            best = max(best, value)
            target_gap = incumbent - value
        else:
            value, subgradient, sites, covered = _covering_dual(problem, multiplier, score)
            improved = value < best - 1e-9 * abs(value)
            if improved:
                best_score, best_multiplier = score, multiplier
            best = min(best, value)
            if covered > proposal_value:
                proposal, proposal_value = sites, covered
            target_gap = value - proposal_value
        # components that would leave the box [0, ceiling] do not move
        subgradient[(multiplier <= 0) & (subgradient < 0)] = 0.0
        subgradient[(multiplier >= ceiling) & (subgradient > 0)] = 0.0
        if not subgradient.any() or target_gap <= 1e-9 * max(abs(best), 1.0):
            break  # a zero subgradient: these multipliers are optimal
        direction = subgradient + deflection * direction
        norm = float(direction @ direction)
        stalled = 0 if improved else stalled + 1
        if stalled >= LAGRANGIAN_PATIENCE:
            theta, stalled = theta / 2.0, 0
        step = theta * max(target_gap, 1e-9) / norm
        # both cases move along (uncovered demand - coverage): toward the better bound
        multiplier = np.clip(multiplier + step * direction, 0.0, ceiling)
    if minimize:
        return _Dual(best, None, best_score, best_multiplier)
    return _Dual(min(best, float(weight.sum())), proposal, best_score, best_multiplier)


def _covering_dual(
    problem: _Problem, multiplier: np.ndarray, score: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """Lagrangian function of a covering problem at `multiplier`, with its subgradient.

    Returns the bound, the subgradient (y - coverage), the sites chosen at 1 and the demand
    they cover (a feasible solution).
    """
    cover, weight = problem.cover, problem.weight
    x = _relaxed_choice(problem, score)
    value = float(np.maximum(weight - multiplier, 0).sum() + score @ x)
    sites = np.flatnonzero(x >= 1.0)
    integral = np.asarray(cover[sites].sum(axis=0)).ravel()
    # max coverage picks whole sites; a budget's knapsack may take one site in part
    hits = integral if problem.kind == "max_coverage" else cover.T @ x
    return value, (weight > multiplier) - hits, sites, float(weight[integral > 0].sum())


def _swap_search(problem: _Problem, chosen: np.ndarray, deadline: float) -> np.ndarray:
    """Improve a maximal-covering solution by exchanging one site for another.

    Each round computes the exact gain of every exchange (outside site j in, chosen site k
    out) at once: gain_j - loss_k + shared_jk, where loss_k is the demand only k covers and
    shared_jk the part of it that j covers too (one sparse product). It makes the best
    improving exchange, until none improves or time is up.
    """
    cover, weight = problem.cover, problem.weight
    chosen = np.array(chosen, dtype=int)
    count = np.zeros(len(weight), dtype=np.int64)
    if len(chosen):
        count += np.asarray(cover[chosen].sum(axis=0), dtype=np.int64).ravel()
    movable = np.setdiff1d(chosen, problem.forced)
    tolerance = 1e-9 * max(float(weight.sum()), 1.0)
    for _ in range(SWAP_ROUNDS):
        if time.perf_counter() > deadline or not len(movable):
            break
        only = cover[movable].multiply((weight * (count == 1))[None, :]).tocsr()
        gain = cover @ (weight * (count == 0))
        gain[chosen] = -np.inf
        gain[~problem.allowed] = -np.inf
        delta = (cover @ only.T).toarray()
        delta += gain[:, None] - np.asarray(only.sum(axis=1)).ravel()[None, :]
        j, out = np.unravel_index(np.argmax(delta), delta.shape)
        if delta[j, out] <= tolerance:
            break
        k = movable[out]
        count += cover[j].toarray().ravel().astype(np.int64)
        count -= cover[k].toarray().ravel().astype(np.int64)
        chosen = np.append(chosen[chosen != k], j)
        movable = np.append(movable[movable != k], j)
    return np.sort(chosen)


def _drop_redundant(problem: _Problem, chosen: np.ndarray) -> np.ndarray:
    """Drop the costliest sites whose demand stays covered by the others (set covering)."""
    chosen = np.array(sorted(chosen, key=lambda j: (-problem.cost[j], j)), dtype=int)
    count = np.asarray(problem.cover[chosen].sum(axis=0)).ravel()
    keep = np.ones(len(chosen), dtype=bool)
    for position, j in enumerate(chosen):  # over chosen sites, costliest first
        if j in problem.forced:
            continue
        rows = problem.cover.indices[problem.cover.indptr[j] : problem.cover.indptr[j + 1]]
        if np.all(count[rows] >= 2):
            count[rows] -= 1
            keep[position] = False
    return np.sort(chosen[keep])


def _relaxed_choice(problem: _Problem, score: np.ndarray) -> np.ndarray:
    """Fractional x maximizing score @ x under the count or budget constraint."""
    x = np.zeros(len(score))
    x[problem.forced] = 1.0
    open_sites = problem.allowed.copy()
    open_sites[problem.forced] = False
    positive = np.flatnonzero(open_sites & (score > 0))
    if problem.kind == "max_coverage":
        room = int(problem.limit) - len(problem.forced)
        if room > 0:
            top = positive[np.argsort(-score[positive], kind="stable")[:room]]
            x[top] = 1.0
        return x
    room = problem.limit - problem.cost[problem.forced].sum()
    cost = problem.cost[positive]
    free = cost == 0
    x[positive[free]] = 1.0
    paid = positive[~free]
    order = paid[np.argsort(-score[paid] / problem.cost[paid], kind="stable")]
    spent = np.cumsum(problem.cost[order])
    full = spent <= room
    x[order[full]] = 1.0
    if (~full).any():
        first = np.argmax(~full)
        previous = spent[first - 1] if first > 0 else 0.0
        x[order[first]] = (room - previous) / problem.cost[order[first]]
    return x


def _milp(
    problem: _Problem, time_limit_s: float, gap: float, *, relax: bool = False
) -> tuple[np.ndarray | None, float, str]:
    """Solve the MILP (or its LP relaxation) with HiGHS; return sites, bound and status.

    For the relaxation the bound is the LP optimum and no sites are returned.
    """
    n_sites, n_groups = problem.cover.shape
    options = {"time_limit": float(time_limit_s), "mip_rel_gap": gap, "disp": False}
    if problem.kind == "set_cover":
        constraints = [LinearConstraint(problem.cover.T.astype(float).tocsr(), lb=1.0, ub=np.inf)]
        result = milp(
            problem.cost,
            constraints=constraints,
            integrality=np.zeros(n_sites) if relax else np.ones(n_sites),
            bounds=Bounds(*_site_bounds(problem)),
            options=options,
        )
        sites = None if result.x is None else np.flatnonzero(result.x > 0.5)
        bound = result.fun if relax else getattr(result, "mip_dual_bound", None)
        bound = float(bound) if bound is not None and np.isfinite(bound) else 0.0
    else:
        objective, matrix, upper, bounds = _covering_model(problem)
        integrality = np.concatenate(
            [np.zeros(n_sites) if relax else np.ones(n_sites), np.zeros(n_groups)]
        )
        result = milp(
            objective,
            constraints=[LinearConstraint(matrix, -np.inf, upper)],
            integrality=integrality,
            bounds=bounds,
            options=options,
        )
        sites = None if result.x is None else np.flatnonzero(result.x[:n_sites] > 0.5)
        bound = result.fun if relax else getattr(result, "mip_dual_bound", None)
        bound = -float(bound) if bound is not None and np.isfinite(bound) else np.inf
    if result.status == 0:
        status = "optimal"
    elif result.status == 1:
        status = "time_limit"
    elif result.status == 2:
        raise InfeasibleError(f"the {problem.kind} problem is infeasible: {result.message}")
    else:
        status = f"solver: {result.message}"
    if relax:
        return None, bound, status
    if status == "optimal" and sites is not None:
        value = _value(problem, sites)
        bound = _tighter(problem, bound, value) if np.isfinite(bound) else value
    return sites, bound, status


def _covering_model(problem: _Problem) -> tuple[np.ndarray, csr_matrix, np.ndarray, Bounds]:
    """Maximal covering as a minimisation over x (sites) then y (demand groups).

    min -w.y  s.t.  y_g - sum_j a_jg x_j <= 0,  sum_j x_j (or c_j x_j) <= limit,
    0 <= x, y <= 1, forced sites at 1 and forbidden at 0.
    """
    n_sites, n_groups = problem.cover.shape
    link = hstack([-problem.cover.T.astype(float), identity(n_groups, format="csr")])
    limit_row = np.concatenate(
        [problem.cost if problem.kind == "budget" else np.ones(n_sites), np.zeros(n_groups)]
    )
    matrix = vstack([link, csr_matrix(limit_row)]).tocsr()
    upper = np.concatenate([np.zeros(n_groups), [problem.limit]])
    objective = np.concatenate([np.zeros(n_sites), -problem.weight])
    site_lower, site_upper = _site_bounds(problem)
    bounds = Bounds(
        np.concatenate([site_lower, np.zeros(n_groups)]),
        np.concatenate([site_upper, np.ones(n_groups)]),
    )
    return objective, matrix, upper, bounds


def _site_bounds(problem: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the site variables: forced sites at 1, forbidden ones at 0."""
    lower = np.zeros(problem.cover.shape[0])
    lower[problem.forced] = 1.0
    return lower, problem.allowed.astype(float)


def _selection_order(problem: _Problem, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order chosen sites greedily by the demand each newly covers; return order and gains."""
    cover, weight = problem.cover, problem.weight
    remaining = list(np.asarray(chosen, dtype=int))
    uncovered = np.ones(len(weight), dtype=bool)
    order, gains = [], []
    while remaining:  # over chosen sites (tens to hundreds), not over demand
        fresh = np.array(
            [
                weight[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]][
                    uncovered[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]]
                ].sum()
                for j in remaining
            ]
        )
        pick = int(np.argmax(fresh))
        j = remaining.pop(pick)
        order.append(j)
        gains.append(float(fresh[pick]))
        uncovered[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]] = False
    return np.array(order, dtype=int), np.array(gains)
