"""Bounds on the optimum: LP relaxation (HiGHS) and Lagrangian relaxation (subgradient)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from whitespot.planning._exact import _highs_model
from whitespot.planning._highs import solve_highs
from whitespot.planning._local_search import _relaxed_choice
from whitespot.planning._problem import _open_sites, _Problem


@dataclass(frozen=True)
class _Relaxation:
    """What the LP relaxation gives.

    The bound, the duals of the covering rows (the multipliers that prove it) and the
    sites' LP values; both None when the LP did not finish.
    """

    bound: float
    multiplier: np.ndarray | None
    x: np.ndarray | None


def _lp_dual_bound(
    problem: _Problem,
    time_limit_s: float,
    solver: str = "ipx",
    stop: threading.Event | None = None,
) -> _Relaxation:
    """Bound on the optimum from the LP relaxation (HiGHS), with the LP's duals and values.

    The bound is not the solver's objective but the Lagrangian function evaluated exactly
    at the LP's duals of the covering rows (clipped to their box): a valid bound whatever
    the solver's accuracy, equal to the LP optimum at an optimal dual. When the LP does not
    finish in time, or `stop` is set first, the bound is trivial (0 for set covering, inf
    otherwise). The multipliers serve reduced-cost fixing and rank sites; the values guide
    the search (:func:`~whitespot.planning._exact._lp_guided`).

    Parameters
    ----------
    solver : {"ipx", "simplex", "pdlp"}
        Interior point (IPX, without presolve unless the strategy's ``ipm_presolve``), dual
        simplex, or the first-order PDLP, whose duals give a bound even when it stops at
        the time limit (the values are then None: its iterate is not a solution of the LP).
    """
    n_sites, n_groups = problem.cover.shape
    model = _highs_model(problem)
    presolve = solver == "simplex" or problem.strategy.ipm_presolve
    solved = solve_highs(*model, np.zeros(len(model[0]), dtype=bool), time_limit_s=time_limit_s,
                         gap=0.0, stop=stop, presolve=presolve, solver=solver)  # fmt: skip
    if solved.row_dual is None:
        return _Relaxation(0.0 if problem.minimize else np.inf, None, None)
    x = solved.x[:n_sites] if solved.status == "optimal" else None
    if problem.minimize:
        multiplier = np.maximum(solved.row_dual, 0.0)
        return _Relaxation(_lagrangian_value(problem, multiplier)[0], multiplier, x)
    multiplier = np.clip(-solved.row_dual[:n_groups], 0.0, problem.weight)
    bound = _covering_dual(problem, multiplier, problem.cover @ multiplier)[0]
    return _Relaxation(min(bound, float(problem.weight.sum())), multiplier, x)


def _first_order_bound(problem: _Problem, deadline: float) -> _Relaxation:
    """Bound from the LP relaxation by PDLP, run until `deadline` (its setup included).

    For matrices beyond the strategy's ``lp_bound_max_nonzeros``, where interior point
    does not finish: PDLP's duals at its time limit, evaluated exactly (:func:`_lp_dual_bound`).
    """
    setup = problem.strategy.pdlp_setup_s_per_entry * problem.cover.nnz
    return _lp_dual_bound(problem, max(deadline - time.perf_counter() - setup, 0.5), "pdlp")


def _lagrangian_value(problem: _Problem, multiplier: np.ndarray) -> tuple[float, np.ndarray]:
    """Lagrangian bound at `multiplier` and each site's score (max coverage, set covering)."""
    score = problem.cover @ multiplier
    if problem.minimize:
        reduced = problem.cost - score
        x = (reduced < 0) & problem.allowed
        x[problem.forced] = True
        return float(multiplier.sum() + reduced[x].sum()), score
    return _covering_dual(problem, multiplier, score)[0], score


def _fixed_by_reduced_cost(
    problem: _Problem, multiplier: np.ndarray, incumbent: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sites that every solution better than the incumbent leaves out, and ones it builds.

    Lagrangian reduced-cost fixing (Beasley 1990) at `multiplier`: forcing site j in (or
    out) changes the Lagrangian bound by its reduced cost; when the bound with j forced
    cannot beat the incumbent, j takes the other value in every better solution. For
    maximal covering with whole households a better solution covers at least one household
    more, which fixes more. A budget's relaxation is a fractional knapsack; its dual price
    mu (the score per cost of the site the budget cuts) gives each site the reduced cost
    s_j - mu c_j (:func:`_budget_fixing`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Masks over the sites: fixed out, fixed in.
    """
    out = np.zeros(problem.cover.shape[0], dtype=bool)
    fixed_in = out.copy()
    open_sites = _open_sites(problem)
    if problem.by_budget:
        bound, reduced = _budget_fixing(problem, multiplier, open_sites)
    else:
        bound, score = _lagrangian_value(problem, multiplier)
    slack = 1e-7 * max(abs(bound), 1.0)  # float error of the bound
    if problem.minimize:
        reduced = problem.cost - score
        # forcing j in adds max(r_j, 0); forcing it out adds max(-r_j, 0)
        out = open_sites & (bound + np.maximum(reduced, 0) >= incumbent + slack)
        fixed_in = open_sites & (bound + np.maximum(-reduced, 0) >= incumbent + slack)
        return out, fixed_in & ~out
    whole = np.all(problem.weight == np.round(problem.weight))
    threshold = incumbent + (1.0 if whole else 0.0) - slack
    if problem.by_budget:
        # forcing j in takes min(r_j, 0) off the bound; forcing it out takes max(r_j, 0)
        out = open_sites & (bound + np.minimum(reduced, 0) < threshold)
        fixed_in = open_sites & (bound - np.maximum(reduced, 0) < threshold)
        return out, fixed_in & ~out
    room = int(problem.limit) - len(problem.forced)
    candidates = np.flatnonzero(open_sites & (score > 0))
    if room <= 0 or len(candidates) <= room:
        return out, fixed_in
    ranked = candidates[np.argsort(-score[candidates], kind="stable")]
    top, rest = ranked[:room], ranked[room:]
    weakest, next_best = score[top[-1]], score[rest[0]]
    # j outside the top takes the weakest one's place; a top site gives way to the next
    gain = np.where(open_sites, np.maximum(score, 0.0) - weakest, -np.inf)
    out = open_sites & (bound + gain < threshold)
    out[top] = False
    fixed_in[top] = bound - (score[top] - next_best) < threshold
    return out, fixed_in


def _site_ranking(problem: _Problem, multiplier: np.ndarray) -> np.ndarray:
    """Rank sites for kernel search by their worth at `multiplier`.

    The worth is the demand a site covers at the multipliers' prices; under a budget, less
    the budget's price of its cost, and for set covering less its cost (minus its reduced
    cost either way), so that cheap sites rank too.
    """
    if problem.minimize:
        return problem.cover @ multiplier - problem.cost
    if problem.by_budget:
        return _budget_fixing(problem, multiplier, _open_sites(problem))[1]
    return problem.cover @ multiplier


def _budget_fixing(
    problem: _Problem, multiplier: np.ndarray, open_sites: np.ndarray
) -> tuple[float, np.ndarray]:
    """Lagrangian bound of a budget problem with its knapsack priced, and reduced costs.

    With the budget constraint priced at mu >= 0 as well, the bound is
    sum_g max(0, w_g - lambda_g) + sum(forced s_j) + mu B' + sum_open max(0, s_j - mu c_j),
    B' the budget the forced sites leave: valid for every mu, and equal to the fractional
    knapsack's value at its critical ratio, which is the mu used.

    Returns
    -------
    (float, numpy.ndarray)
        The bound and each site's reduced cost s_j - mu c_j.
    """
    score = problem.cover @ multiplier
    room = problem.limit - problem.cost[problem.forced].sum()
    price = _knapsack_price(problem, score, open_sites)
    reduced = score - price * problem.cost
    bound = (
        float(np.maximum(problem.weight - multiplier, 0).sum())
        + float(score[problem.forced].sum())
        + price * room
        + float(np.maximum(reduced[open_sites], 0).sum())
    )
    return bound, reduced


def _knapsack_price(problem: _Problem, score: np.ndarray, open_sites: np.ndarray) -> float:
    """Price of the count or budget row at site scores `score`: the critical ratio.

    The score per cost (per site for a count) of the site that the count or budget cuts
    in the continuous knapsack over the open sites; 0 when every site with a positive
    score fits. The knapsack's value is ``price * room + sum max(0, score - price * cost)``.
    """
    cost = problem.cost if problem.by_budget else np.ones(len(score))
    room = problem.limit - cost[problem.forced].sum()
    paid = np.flatnonzero(open_sites & (score > 0) & (cost > 0))
    order = paid[np.argsort(-score[paid] / cost[paid], kind="stable")]
    over = np.cumsum(cost[order]) > room
    cut = order[np.argmax(over)] if over.any() else None  # the site the row cuts
    return 0.0 if cut is None else float(score[cut] / cost[cut])


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
    iterations: int | None = None,
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
    step factor when the bound stalls. `iterations` defaults to the strategy's
    ``lagrangian_iterations``.
    """
    strategy = problem.strategy
    iterations = strategy.lagrangian_iterations if iterations is None else iterations
    cover, weight = problem.cover, problem.weight
    if len(weight) == 0:
        return _Dual(0.0, None, np.zeros(cover.shape[0]), np.zeros(0))
    minimize = problem.minimize
    initial = np.full(len(weight), 1.0) if minimize else weight * 0.5
    multiplier = initial if start is None else start.copy()
    best_multiplier = multiplier
    best = -np.inf if minimize else np.inf
    proposal, proposal_value = None, incumbent
    # a continuation from earlier multipliers takes shorter, smoother steps
    theta, deflection = (1.0, strategy.lagrangian_deflection) if start is None else (0.5, 0.9)
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
        if stalled >= strategy.lagrangian_patience:
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
    hits = integral if problem.by_count else cover.T @ x
    return value, (weight > multiplier) - hits, sites, float(weight[integral > 0].sum())
