"""The base of whitespot's errors and warnings: every input problem is one of these."""

from __future__ import annotations


class WhitespotError(ValueError):
    """The base of every error whitespot raises on a user's input or options.

    The command line exits 1 (or 2 for options that do not fit together) on each, never
    4 (an internal error); being a ``ValueError`` too, ``except ValueError`` still catches it.
    """


class InputError(WhitespotError):
    """An argument or input value whitespot cannot use; the message names it and why."""


class WhitespotWarning(UserWarning):
    """The base of every warning whitespot gives: a default applied, a value doubted.

    Each says what was assumed and for how many rows; ``warnings.simplefilter("error",
    WhitespotWarning)`` turns all of them into errors.
    """
