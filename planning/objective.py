"""What site selection optimizes: a number of sites, a budget, or covering all."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from whitespot._errors import InputError
from whitespot.planning._problem import PROBLEMS


@dataclass(frozen=True)
class Objective:
    """The objective of site selection, with the sites it must and must not build.

    Make one with :meth:`sites`, :meth:`budget` or :meth:`cover_all`, and pass it to
    :func:`~whitespot.planning.plan_sites`, :func:`~whitespot.planning.select_sites` or
    :func:`~whitespot.planning.plan_country`. It is checked when it is made.

    Attributes
    ----------
    problem : {"max_coverage", "budget", "set_cover"}
        Maximal covering with a number of sites (Church & ReVelle 1974), budgeted maximal
        covering, or least-cost set covering (Toregas et al. 1971): the ``problem`` of the
        :class:`~whitespot.planning.SiteSelection` it gives.
    limit : int, float or None
        The number of sites to build (``"max_coverage"``, a whole number >= 0), or the
        money to spend (``"budget"``, a finite number >= 0) in the unit of the candidates'
        cost: for :func:`~whitespot.planning.plan_sites` the candidates' capex unit, which
        is ``UnitCosts.currency`` (default million VND); for
        :func:`~whitespot.planning.select_sites` the unit of ``matrix.cost``. None for
        ``"set_cover"``.
    forced : tuple of str, default ()
        Ids of candidate sites that must be built; they count against the number of sites
        and the budget.
    forbidden : tuple of str, default ()
        Ids of candidate sites that must not be built.

    Raises
    ------
    whitespot.InputError
        Naming the value: an unknown problem, a number of sites that is not a whole number
        >= 0, a budget that is not a finite number >= 0, a limit given to set covering,
        site ids given as one string, or a site both forced and forbidden.

    Examples
    --------
    >>> from whitespot.planning import Objective
    >>> Objective.sites(20).limit
    20
    >>> Objective.budget(30_000, forced=["S1"]).forced
    ('S1',)
    >>> Objective.cover_all(forbidden=["S7"]).problem
    'set_cover'
    """

    problem: str
    limit: float | None = None
    forced: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.problem not in PROBLEMS:
            raise InputError(
                f"Objective: problem={self.problem!r} must be one of {', '.join(PROBLEMS)}"
            )
        object.__setattr__(self, "limit", _checked_limit(self.problem, self.limit))
        forced = _site_ids(self.forced, "forced")
        forbidden = _site_ids(self.forbidden, "forbidden")
        both = sorted(set(forced) & set(forbidden))
        if both:
            raise InputError(f"Objective: sites both forced and forbidden: {', '.join(both)}")
        object.__setattr__(self, "forced", forced)
        object.__setattr__(self, "forbidden", forbidden)

    @classmethod
    def sites(
        cls, count: int, *, forced: Iterable[str] = (), forbidden: Iterable[str] = ()
    ) -> Objective:
        """Cover the most households with `count` sites (maximal covering).

        Parameters
        ----------
        count : int
            Number of sites to build, forced sites included (a whole number >= 0).
        forced, forbidden : iterable of str, default ()
            Site ids that must, or must not, be built.

        Returns
        -------
        Objective
            With ``problem="max_coverage"`` and ``limit=count``.
        """
        return cls(
            "max_coverage", count, _site_ids(forced, "forced"), _site_ids(forbidden, "forbidden")
        )

    @classmethod
    def budget(
        cls, amount: float, *, forced: Iterable[str] = (), forbidden: Iterable[str] = ()
    ) -> Objective:
        """Cover the most households for a budget (budgeted maximal covering).

        Parameters
        ----------
        amount : float
            Money to spend on sites, forced sites included, in the unit of the candidates'
            cost (``UnitCosts.currency`` in a plan, default million VND; the unit of
            ``matrix.cost`` in :func:`~whitespot.planning.select_sites`). A finite number
            >= 0.
        forced, forbidden : iterable of str, default ()
            Site ids that must, or must not, be built.

        Returns
        -------
        Objective
            With ``problem="budget"`` and ``limit=amount``.
        """
        return cls("budget", amount, _site_ids(forced, "forced"), _site_ids(forbidden, "forbidden"))

    @classmethod
    def cover_all(cls, *, forced: Iterable[str] = (), forbidden: Iterable[str] = ()) -> Objective:
        """Cover every coverable household at the least cost (set covering).

        With unit costs (a plan by number of sites) the least cost is the fewest sites.
        Households no allowed candidate reaches are reported, not a failure.

        Parameters
        ----------
        forced, forbidden : iterable of str, default ()
            Site ids that must, or must not, be built.

        Returns
        -------
        Objective
            With ``problem="set_cover"`` and no limit.
        """
        return cls(
            "set_cover", None, _site_ids(forced, "forced"), _site_ids(forbidden, "forbidden")
        )

    def settings(self) -> dict[str, object]:
        """Return the objective as a plan's settings record it.

        Returns
        -------
        dict
            ``sites`` (the number of sites or None), ``budget`` (the money or None) and
            ``cover_all`` (bool).
        """
        return {
            "sites": self.limit if self.problem == "max_coverage" else None,
            "budget": self.limit if self.problem == "budget" else None,
            "cover_all": self.problem == "set_cover",
        }


def _checked_limit(problem: str, limit: object) -> float | None:
    """Return `limit` as `problem` takes it, or refuse it naming the value."""
    if problem == "set_cover":
        if limit is not None:
            raise InputError(f"Objective: set covering takes no limit (got limit={limit!r})")
        return None
    real = isinstance(limit, numbers.Real) and not isinstance(limit, bool)
    if problem == "max_coverage":
        if not (real and float(limit).is_integer() and limit >= 0):
            raise InputError(f"Objective.sites: count={limit!r} must be a whole number >= 0")
        return int(limit)
    if not (real and np.isfinite(limit) and limit >= 0):
        raise InputError(f"Objective.budget: amount={limit!r} must be a finite number >= 0")
    return limit


def _site_ids(ids: Iterable[str], what: str) -> tuple[str, ...]:
    """Return site ids as a tuple of str; one bare string is refused (not split in letters)."""
    if isinstance(ids, str | bytes):
        raise InputError(
            f"Objective: {what}={ids!r} must be a list of site ids, not one string "
            f"(write {what}=[{ids!r}])"
        )
    return tuple(str(i) for i in ids)
