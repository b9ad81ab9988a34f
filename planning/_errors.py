"""Exception types raised by whitespot.planning."""

from __future__ import annotations

from whitespot._errors import WhitespotError


class InfeasibleError(WhitespotError):
    """The site-selection problem has no solution (e.g. forced sites exceed the budget)."""
