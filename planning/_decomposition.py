"""A bound below the LP relaxation: Lagrangian decomposition of maximal covering by regions.

The sites are split into regions of little shared demand (spectral bisection of the graph
of demand the sites share). Demand that sites of two or more regions reach is the only
coupling besides the count or budget row; pricing both with multipliers (the LP's duals)
leaves one small MILP per region. Solved exactly, the regions close the integrality gap
inside them, which the LP's duals alone cannot: the bound is at most the LP optimum at the
LP's duals, and lower where the regions' own MILPs are.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, diags, hstack, identity
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import eigsh

from whitespot.planning._bounds import _knapsack_price
from whitespot.planning._highs import solve_highs
from whitespot.planning._problem import _open_sites, _Problem
from whitespot.planning.matrix import CoverageMatrix


def _bound_by_regions(
    problem: _Problem,
    multiplier: np.ndarray,
    count: int,
    deadline: float,
    stop: threading.Event | None = None,
) -> float:
    """Return the decomposition's bound: `count` regions, `multiplier` and its knapsack price.

    At the LP's duals the price is the LP's (the critical ratio of the continuous
    knapsack), and the bound is never above the LP's (:func:`_decomposed_bound`).
    """
    price = _knapsack_price(problem, problem.cover @ multiplier, _open_sites(problem))
    region = _regions(problem, count)
    return _decomposed_bound(problem, multiplier, price, region, deadline, stop)


def _decomposed_bound(
    problem: _Problem,
    multiplier: np.ndarray,
    price: float,
    region: np.ndarray,
    deadline: float,
    stop: threading.Event | None = None,
) -> float:
    """Upper bound on maximal covering (by count or budget) from regions solved exactly.

    Lagrangian decomposition (Guignard & Kim 1987) of the covering model with the sites
    split by `region`: a demand group that sites of several regions reach is counted in
    each of them, weighted lambda_g, plus w_g - lambda_g once, which is valid since
    w_g min(1, sum_r A_rg) <= (w_g - lambda_g) + lambda_g sum_r min(1, A_rg) for every
    lambda_g in [0, w_g] (A_rg the region's sites that cover g). The count or budget row
    is priced at `price` (mu >= 0, Fisher 1981): each region solves
    max sum_g w^r_g y_g - mu sum_j c_j x_j over its own sites, and the bound is
    mu * limit + sum_g (w_g - lambda_g) over shared groups + sum of the regions' bounds.
    A region's MILP that does not finish gives HiGHS's proven dual bound, never more than
    its Lagrangian value at the multipliers (kept when smaller), so the bound is valid
    whether or not the MILPs finish.

    Parameters
    ----------
    problem : _Problem
        Maximal covering by count or budget.
    multiplier : numpy.ndarray
        lambda_g per demand group, clipped to [0, w_g]: the LP's duals of the covering rows.
    price : float
        mu, the price of one site (count) or of one unit of cost (budget); clipped to >= 0.
    region : numpy.ndarray of int
        Region of each site (the allowed ones count).
    deadline : float
        ``time.perf_counter()`` value by which the MILPs end; each region gets a share
        of the time left in proportion to its matrix entries.
    stop : threading.Event, optional
        Once set, the MILP under way stops and the regions left take their Lagrangian value.

    Returns
    -------
    float
        The bound (households).
    """
    cover = problem.cover
    weight = problem.weight
    lam = np.clip(multiplier, 0.0, weight)
    mu = max(float(price), 0.0)
    usable = problem.allowed
    site_cost = problem.cost if problem.by_budget else np.ones(cover.shape[0])
    by_group = cover[usable].T.tocsr()  # groups x usable sites
    usable_at = np.flatnonzero(usable)
    labels = region[usable_at][by_group.indices]
    # regions per group: a group is shared when its sites lie in more than one region
    low = np.full(len(weight), np.iinfo(np.int64).max)
    high = np.full(len(weight), -1)
    rows = np.repeat(np.arange(len(weight)), np.diff(by_group.indptr))
    np.minimum.at(low, rows, labels)
    np.maximum.at(high, rows, labels)
    shared = (high >= 0) & (low != high)
    inner_weight = np.where(shared, lam, weight)
    bound = mu * problem.limit + float((weight - lam)[shared].sum())
    regions = np.unique(region[usable_at])
    sizes = np.array([cover[usable_at[region[usable_at] == r]].nnz for r in regions], float)
    for r, size_left in zip(regions, np.cumsum(sizes[::-1])[::-1], strict=True):
        sites = usable_at[region[usable_at] == r]
        share = cover[sites].nnz / max(size_left, 1.0)
        until = time.perf_counter() + share * max(deadline - time.perf_counter(), 0.0)
        priced = _Priced(inner_weight, lam, site_cost, mu)
        bound += _region_bound(problem, sites, priced, until, stop)
    return min(bound, float(weight.sum()))


@dataclass(frozen=True)
class _Priced:
    """A region's prices: its demand weights w^r, the covering rows' lambda, mu and costs."""

    weight: np.ndarray
    multiplier: np.ndarray
    site_cost: np.ndarray
    price: float


def _region_bound(
    problem: _Problem,
    sites: np.ndarray,
    priced: _Priced,
    deadline: float,
    stop: threading.Event | None,
) -> float:
    """Bound on max sum_g w^r_g y_g - mu sum_j c_j x_j over the region's `sites` (a MILP).

    The smaller of the MILP's proven dual bound and the region's Lagrangian value with its
    covering rows priced at lambda, sum_g max(0, w^r_g - lambda_g) + sum_j max(0, s_j -
    mu c_j) (forced sites s_j - mu c_j): the regions' Lagrangian values add up to the
    LP's Lagrangian bound at (lambda, mu), so the decomposition is never weaker than it.
    """
    part = problem.cover[sites].tocoo()
    reached = np.zeros(len(priced.weight), dtype=bool)
    reached[part.col] = True
    forced = np.isin(sites, problem.forced)
    reduced = problem.cover[sites] @ priced.multiplier - priced.price * priced.site_cost[sites]
    lagrangian = float(
        np.maximum(priced.weight - priced.multiplier, 0.0)[reached].sum()
        + np.maximum(reduced[~forced], 0.0).sum()
        + reduced[forced].sum()
    )
    left = deadline - time.perf_counter()
    if left < 0.05 or (stop is not None and stop.is_set()):
        return lagrangian
    merged = CoverageMatrix.from_pairs(
        part.row, part.col, priced.weight, sites.astype(str), priced.site_cost[sites]
    )
    keep = merged.weight > 0
    groups = merged.cover[:, keep].astype(np.float64).T.tocsr()  # groups x sites
    n_groups, n_sites = groups.shape
    # min  mu c.x - w.y  s.t.  y_g - sum_j a_jg x_j <= 0,  forced x at 1
    matrix = csr_matrix(hstack([-groups, identity(n_groups, format="csr")]))
    objective = np.concatenate([priced.price * merged.cost, -merged.weight[keep]])
    lower = np.concatenate([forced.astype(float), np.zeros(n_groups)])
    integer = np.concatenate([np.ones(n_sites, dtype=bool), np.zeros(n_groups, dtype=bool)])
    solved = solve_highs(objective, matrix, np.full(n_groups, -np.inf), np.zeros(n_groups),
                         lower, np.ones(n_sites + n_groups), integer, time_limit_s=left,
                         gap=1e-6, stop=stop, presolve=True)  # fmt: skip
    if not np.isfinite(solved.bound):
        return lagrangian
    return min(-solved.bound, lagrangian)


def _regions(problem: _Problem, count: int) -> np.ndarray:
    """Split the allowed sites into about `count` regions that share little demand.

    Recursive spectral bisection (Pothen, Simon & Liou 1990; Shi & Malik 2000): the sites
    are the nodes of a graph whose edge weights are the demand two sites both cover; each
    part is cut at the median of its Fiedler vector of the normalized Laplacian, so the
    regions have about equal numbers of sites. Parts that fall apart into connected pieces
    are split along them first. Sites not allowed get region -1.

    Returns
    -------
    numpy.ndarray of int
        Region of each site.
    """
    n_sites = problem.cover.shape[0]
    region = np.full(n_sites, -1)
    usable = np.flatnonzero(problem.allowed)
    scaled = problem.cover[usable] @ diags(np.sqrt(problem.weight))
    shared = (scaled @ scaled.T).tocsr()
    shared.setdiag(0.0)
    shared.eliminate_zeros()
    parts = [np.arange(len(usable))]
    while len(parts) < count:
        largest = max(range(len(parts)), key=lambda i: len(parts[i]))
        halves = _bisect(shared, parts[largest])
        if halves is None:
            break
        parts[largest : largest + 1] = halves
    for label, part in enumerate(parts):
        region[usable[part]] = label
    return region


def _bisect(shared: csr_matrix, part: np.ndarray) -> list[np.ndarray] | None:
    """Split the sites `part` in two: along connected pieces, else at the Fiedler median."""
    if len(part) < 4:
        return None
    graph = shared[part][:, part]
    pieces, label = connected_components(graph, directed=False)
    if pieces > 1:
        largest = np.argmax(np.bincount(label))
        return [part[label == largest], part[label != largest]]
    degree = np.asarray(graph.sum(axis=1)).ravel()
    scale = diags(1.0 / np.sqrt(np.maximum(degree, 1e-12)))
    normalized = scale @ graph @ scale
    start = np.sqrt(degree)  # the top eigenvector, a deterministic start
    _, vectors = eigsh(normalized, k=2, which="LA", v0=start / np.linalg.norm(start))
    fiedler = scale @ vectors[:, 0]  # eigsh sorts ascending: the second largest first
    order = np.argsort(fiedler, kind="stable")
    half = len(part) // 2
    return [part[order[:half]], part[order[half:]]]
