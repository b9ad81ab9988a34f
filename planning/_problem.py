"""The selection problem in matrix form, checked once, and what every technique asks of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

from whitespot._errors import InputError
from whitespot.planning._errors import InfeasibleError
from whitespot.planning.matrix import CoverageMatrix
from whitespot.planning.strategy import SelectionStrategy

if TYPE_CHECKING:
    from whitespot.planning.objective import Objective

PROBLEMS = ("max_coverage", "budget", "set_cover")


@dataclass(frozen=True)
class _Problem:
    """A validated selection problem in matrix form, its kind resolved once into flags.

    Attributes
    ----------
    kind : str
        One of :data:`PROBLEMS` (for reports).
    minimize : bool
        Set covering: least cost; the others maximise the demand covered.
    by_count : bool
        Maximal covering: at most `limit` sites.
    by_budget : bool
        Budgeted covering: sites costing at most `limit`.
    strategy : SelectionStrategy
        How ``auto`` solves it; carried with the problem, so that every stage and every
        restricted problem reads the same controls.
    """

    kind: str
    cover: csr_matrix
    weight: np.ndarray
    cost: np.ndarray
    limit: float
    forced: np.ndarray
    allowed: np.ndarray
    strategy: SelectionStrategy = field(default_factory=SelectionStrategy)
    minimize: bool = field(init=False)
    by_count: bool = field(init=False)
    by_budget: bool = field(init=False)

    def __post_init__(self) -> None:
        if self.kind not in PROBLEMS:
            raise InputError(f"problem kind {self.kind!r} is not one of {', '.join(PROBLEMS)}")
        object.__setattr__(self, "minimize", self.kind == "set_cover")
        object.__setattr__(self, "by_count", self.kind == "max_coverage")
        object.__setattr__(self, "by_budget", self.kind == "budget")


def _positions(matrix: CoverageMatrix, ids: Iterable[str], what: str) -> np.ndarray:
    ids = [str(i) for i in ids]
    lookup = {site: j for j, site in enumerate(matrix.site_ids)}
    unknown = [i for i in ids if i not in lookup]
    if unknown:
        raise InputError(f"{what} sites not among the candidates: {', '.join(unknown[:10])}")
    return np.array(sorted({lookup[i] for i in ids}), dtype=int)


def _problem(
    matrix: CoverageMatrix, objective: Objective, strategy: SelectionStrategy | None = None
) -> _Problem:
    """Build the problem of an :class:`~whitespot.planning.objective.Objective` over `matrix`."""
    forced_at = _positions(matrix, objective.forced, "forced")
    forbidden_at = _positions(matrix, objective.forbidden, "forbidden")
    allowed = np.ones(matrix.n_sites, dtype=bool)
    allowed[forbidden_at] = False
    # float data: scipy converts a boolean matrix to float on every product otherwise
    cover = matrix.cover.astype(np.float64)
    kind = objective.problem
    limit = np.inf if kind == "set_cover" else float(objective.limit)
    if kind == "max_coverage" and len(forced_at) > limit:
        raise InfeasibleError(f"{len(forced_at)} forced sites exceed sites={objective.limit}")
    if kind == "budget" and matrix.cost[forced_at].sum() > limit:
        raise InfeasibleError(
            f"forced sites cost {matrix.cost[forced_at].sum():g} > budget={limit:g}"
        )
    weight = matrix.weight
    if kind == "set_cover":
        # demand only forbidden sites reach cannot be covered: leave it out
        reachable = np.asarray(cover[allowed].sum(axis=0)).ravel() > 0
        cover, weight = cover[:, reachable].tocsr(), weight[reachable]
    return _Problem(kind, cover, weight, matrix.cost, limit, forced_at, allowed,
                    strategy or SelectionStrategy())  # fmt: skip


def _nothing_to_choose(problem: _Problem) -> bool:
    """No candidate, no demand, or (for a number of sites or a budget) nothing beyond the forced."""
    if problem.cover.shape[0] == 0 or problem.cover.nnz == 0 or problem.weight.sum() == 0:
        return True
    if problem.by_count:
        return problem.limit <= len(problem.forced)
    if problem.by_budget:
        spare = problem.limit - problem.cost[problem.forced].sum()
        return not (problem.cost[problem.allowed] <= spare).any()
    return False


def _value(problem: _Problem, chosen: np.ndarray) -> float:
    if problem.minimize:
        return float(problem.cost[chosen].sum())
    return _covered(problem, chosen)


def _covered(problem: _Problem, chosen: np.ndarray) -> float:
    return float(problem.weight[_covered_groups(problem, chosen)].sum())


def _covered_groups(problem: _Problem, chosen: np.ndarray) -> np.ndarray:
    """Mask of the demand groups that some site in `chosen` covers."""
    if len(chosen) == 0:
        return np.zeros(problem.cover.shape[1], dtype=bool)
    return np.asarray(problem.cover[chosen].sum(axis=0)).ravel() > 0


def _open_sites(problem: _Problem) -> np.ndarray:
    """Mask of the sites still to decide: allowed and not forced."""
    open_sites = problem.allowed.copy()
    open_sites[problem.forced] = False
    return open_sites


def _better(problem: _Problem, candidate: np.ndarray, incumbent: np.ndarray) -> bool:
    a, b = _value(problem, candidate), _value(problem, incumbent)
    return a < b if problem.minimize else a > b


def _tighter(problem: _Problem, a: float, b: float) -> float:
    return max(a, b) if problem.minimize else min(a, b)


def _gap(problem: _Problem, objective: float, bound: float) -> float:
    if not np.isfinite(bound):
        return np.inf
    scale = max(abs(bound), abs(objective), 1e-12)
    difference = objective - bound if problem.minimize else bound - objective
    return max(difference, 0.0) / scale
