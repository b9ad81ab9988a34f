"""Exact MILPs with HiGHS: the whole problem, and kernel search over promising sites."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
from scipy.optimize import Bounds
from scipy.sparse import csr_matrix, hstack, identity, vstack

from whitespot.planning._dominance import dominated_sites, redundant_groups
from whitespot.planning._errors import InfeasibleError
from whitespot.planning._highs import solve_highs
from whitespot.planning._local_search import _drop_redundant
from whitespot.planning._problem import _better, _covered_groups, _Problem, _tighter, _value
from whitespot.planning.matrix import CoverageMatrix


def _kernel_solution(
    problem: _Problem,
    chosen: np.ndarray,
    score: np.ndarray,
    deadline: float,
    stop: threading.Event | None = None,
) -> np.ndarray | None:
    """Solve exactly over kernels of promising sites (kernel search, Angelelli et al. 2010).

    A kernel holds the incumbent's sites and the best sites by `score` (their worth at the
    best dual, :func:`~whitespot.planning._bounds._site_ranking`). Restricted to it, demand
    groups that the kernel cannot tell apart merge again, so the MILP is small; kernels of
    :attr:`~whitespot.planning.SelectionStrategy.kernel_factors` times the sites to choose
    (the incumbent's count for budgets and set covering) are solved while time remains (and
    until `stop` is set), each holding the best solution so far, so each is feasible and no
    worse.
    """
    limit = problem.limit if problem.by_count else max(len(chosen), 1)
    ranked = np.flatnonzero(problem.allowed)[np.argsort(-score[problem.allowed], kind="stable")]
    best = None
    for factor in problem.strategy.kernel_factors:
        if deadline - time.perf_counter() < 1.0 or (stop is not None and stop.is_set()):
            break
        incumbent = chosen if best is None else best
        kernel = np.union1d(
            np.union1d(incumbent, problem.forced), ranked[: int(factor * limit)]
        ).astype(int)
        reduced = _restricted(problem, kernel, problem.forced)
        start = _within(kernel, incumbent, reduced.forced)
        sites, _, _ = _milp(reduced, deadline - time.perf_counter(), 1e-4, start=start, stop=stop)
        if sites is not None and _better(problem, kernel[sites], incumbent):
            best = kernel[sites]
        if len(kernel) >= problem.cover.shape[0]:
            break
    return best


def _lp_guided(problem: _Problem, chosen: np.ndarray, x: np.ndarray, deadline: float) -> np.ndarray:
    """Improve a solution from the LP relaxation's values `x`; return the best one met.

    The MILP over the LP's support (sites with x > 0) and the incumbent's sites: small,
    and solved by HiGHS in well under a second at 10,000 points, within 0.1 % of the
    optimum or at it for the covering problems, within 0.2 % for set covering (whose whole
    MILP takes 12 s there). Set covering first tries LP rounding (:func:`_lp_rounded`).
    """
    if problem.minimize:
        chosen = _lp_rounded(problem, x, chosen)
    if deadline - time.perf_counter() < 1.0:
        return chosen
    support = np.flatnonzero((x > 1e-9) & problem.allowed)
    kernel = np.union1d(np.union1d(support, chosen), problem.forced).astype(int)
    reduced = _restricted(problem, kernel, problem.forced)
    start = _within(kernel, chosen, reduced.forced)
    sites, _, _ = _milp(reduced, deadline - time.perf_counter(), 1e-4, start=start)
    if sites is not None and _better(problem, kernel[sites], chosen):
        chosen = kernel[sites]
    return chosen


def _lp_rounded(problem: _Problem, x: np.ndarray, incumbent: np.ndarray) -> np.ndarray:
    """Return the better of the set cover `incumbent` and one by LP rounding.

    Sites in decreasing x, each kept when it covers demand still uncovered, then redundant
    ones dropped; when the allowed sites cannot cover all, the incumbent.
    """
    cover = problem.cover
    uncovered = ~_covered_groups(problem, problem.forced)
    rounded = list(problem.forced)
    for j in np.argsort(-x, kind="stable"):  # over sites, until every group is covered
        if not uncovered.any():
            break
        rows = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
        if problem.allowed[j] and uncovered[rows].any():
            rounded.append(j)
            uncovered[rows] = False
    if uncovered.any():
        return incumbent
    rounded = _drop_redundant(problem, np.array(rounded, dtype=int))
    return rounded if _better(problem, rounded, incumbent) else incumbent


def _within(kernel: np.ndarray, sites: np.ndarray, forced: np.ndarray) -> np.ndarray | None:
    """Return the positions of `sites` in the sorted `kernel`, as a start for its MILP.

    None unless all lie in the kernel and hold every site `forced` (kernel positions).
    """
    if not len(kernel):
        return None
    at = np.searchsorted(kernel, sites)
    if (at >= len(kernel)).any() or (kernel[np.minimum(at, len(kernel) - 1)] != sites).any():
        return None
    return at if np.isin(forced, at).all() else None


def _restricted(
    problem: _Problem, kernel: np.ndarray, forced: np.ndarray, groups: np.ndarray | None = None
) -> _Problem | None:
    """Restrict the problem to the sites `kernel` (sorted, holding `forced`), merged again.

    Demand groups the kernel cannot tell apart merge; demand no kernel site reaches drops
    out of the covering problems. For set covering that demand makes the restriction
    infeasible: None. With a mask `groups`, only those demand groups stay (the others are
    covered already).
    """
    part = problem.cover[kernel].tocoo()
    site, group, weight = part.row, part.col, problem.weight
    if groups is not None:
        kept = groups[group]
        site, group, weight = site[kept], group[kept], np.where(groups, weight, 0.0)
    merged = CoverageMatrix.from_pairs(
        site, group, weight, kernel.astype(str), problem.cost[kernel]
    )
    if problem.minimize and merged.unreachable > 0:
        return None
    return _Problem(
        problem.kind,
        merged.cover.astype(np.float64),
        merged.weight,
        merged.cost,
        problem.limit,
        np.searchsorted(kernel, forced),
        np.ones(len(kernel), dtype=bool),
        problem.strategy,
    )


def _without_dominated(problem: _Problem) -> tuple[_Problem, np.ndarray]:
    """Drop sites that another allowed site makes useless; return the problem and the kept.

    Site j is dominated by an allowed site k that covers every demand group j covers, at
    no greater cost (any cost for maximal covering by count); see
    :func:`~whitespot.planning._dominance.dominated_sites`. Swapping j for k never loses
    demand or money, so some optimum uses no dominated site. Forced sites stay; forbidden
    ones go. Demand groups merge again over the sites kept. For set covering, demand
    groups that covering another group covers drop out too
    (:func:`~whitespot.planning._dominance.redundant_groups`), which can make more sites
    dominated: both reductions repeat until neither finds more.

    Returns
    -------
    (_Problem, numpy.ndarray)
        The reduced problem and, for each of its sites, its position in `problem`.
    """
    reduced, kept = problem, np.arange(problem.cover.shape[0])
    while True:
        dominated = dominated_sites(
            reduced.cover, reduced.cost, reduced.allowed, by_count=reduced.by_count
        )
        if reduced.minimize:  # a site that reaches no group left is no use to a cover
            dominated |= np.diff(reduced.cover.indptr) == 0
        dominated[reduced.forced] = False
        keep = np.flatnonzero(reduced.allowed & ~dominated)
        if not len(keep):  # nothing allowed at all
            return problem, np.arange(problem.cover.shape[0])
        if len(keep) < len(kept):
            reduced, kept = _restricted(reduced, keep, reduced.forced), kept[keep]
        if not reduced.minimize:  # merging groups makes no site dominated that was not
            return reduced, kept
        redundant = redundant_groups(reduced.cover)
        if not redundant.any():
            return reduced, kept
        reduced = replace(
            reduced, cover=reduced.cover[:, ~redundant].tocsr(), weight=reduced.weight[~redundant]
        )


def _milp(
    problem: _Problem,
    time_limit_s: float,
    gap: float,
    *,
    relax: bool = False,
    start: np.ndarray | None = None,
    stop: threading.Event | None = None,
) -> tuple[np.ndarray | None, float, str]:
    """Solve the MILP (or its LP relaxation) with HiGHS; return sites, bound and status.

    `start` (sites) is a feasible solution HiGHS starts from; once `stop` is set HiGHS
    stops with the best solution so far ("interrupted"). For the relaxation the bound is
    the LP optimum and no sites are returned.
    """
    n_sites = problem.cover.shape[0]
    model = _highs_model(problem)
    chosen = None if start is None else np.zeros(n_sites)
    if chosen is not None:
        chosen[start] = 1.0
        if not problem.minimize:  # each group covered by the start counts in full
            chosen = np.concatenate([chosen, np.minimum(problem.cover.T @ chosen, 1.0)])
    integer = np.zeros(len(model[0]), dtype=bool)
    integer[:n_sites] = not relax
    solved = solve_highs(*model, integer, time_limit_s=time_limit_s, gap=gap, start=chosen,
                         stop=stop, presolve=problem.strategy.milp_presolve)  # fmt: skip
    if solved.status == "infeasible":
        raise InfeasibleError(f"the {problem.kind} problem is infeasible")
    sign = 1.0 if problem.minimize else -1.0
    trivial = 0.0 if problem.minimize else np.inf
    bound = sign * solved.bound if np.isfinite(solved.bound) else trivial
    if relax:
        return None, bound, solved.status
    sites = None if solved.x is None else np.flatnonzero(solved.x[:n_sites] > 0.5)
    if solved.status == "optimal" and sites is not None:
        value = _value(problem, sites)
        bound = _tighter(problem, bound, value) if np.isfinite(bound) else value
    return sites, bound, solved.status


def _highs_model(problem: _Problem) -> tuple[np.ndarray, ...]:
    """Return the MILP (or LP) as :func:`~whitespot.planning._highs.solve_highs` takes it.

    Set covering: min c.x  s.t.  sum_j a_jg x_j >= 1 over the sites. Maximal covering:
    :func:`_covering_model`, sites then demand groups.

    Returns
    -------
    tuple of numpy.ndarray and scipy.sparse.csr_matrix
        Cost, matrix, row lower and upper bounds, column lower and upper bounds.
    """
    if problem.minimize:
        n_groups = problem.cover.shape[1]
        return (problem.cost, problem.cover.T.tocsr(), np.ones(n_groups),
                np.full(n_groups, np.inf), *_site_bounds(problem))  # fmt: skip
    objective, matrix, upper, bounds = _covering_model(problem)
    return objective, matrix, np.full(len(upper), -np.inf), upper, bounds.lb, bounds.ub


def _covering_model(problem: _Problem) -> tuple[np.ndarray, csr_matrix, np.ndarray, Bounds]:
    """Maximal covering as a minimisation over x (sites) then y (demand groups).

    min -w.y  s.t.  y_g - sum_j a_jg x_j <= 0,  sum_j x_j (or c_j x_j) <= limit,
    0 <= x, y <= 1, forced sites at 1 and forbidden at 0.
    """
    n_sites, n_groups = problem.cover.shape
    link = hstack([-problem.cover.T.astype(float), identity(n_groups, format="csr")])
    limit_row = np.concatenate(
        [problem.cost if problem.by_budget else np.ones(n_sites), np.zeros(n_groups)]
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
