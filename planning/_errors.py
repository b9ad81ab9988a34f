"""Exception types raised by whitespot.planning."""

from __future__ import annotations


class InfeasibleError(ValueError):
    """The site-selection problem has no solution (e.g. forced sites exceed the budget)."""
