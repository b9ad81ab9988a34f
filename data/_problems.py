"""Exception and warning types raised by whitespot.data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from whitespot._errors import WhitespotError, WhitespotWarning

MAX_IDS_SHOWN = 10


def format_ids(ids: Sequence[object], limit: int = MAX_IDS_SHOWN) -> str:
    """Return up to `limit` ids as a comma-separated string, with the count of the rest.

    Parameters
    ----------
    ids : sequence
        Row ids (or row labels) to show.
    limit : int, default 10
        How many ids to print before summarising the rest.

    Returns
    -------
    str
        For example ``"V1, V2, V3 and 4 more"``.
    """
    shown = ", ".join(str(i) for i in ids[:limit])
    rest = len(ids) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


ISSUE_COLUMNS = ("layer", "row", "village_id", "column", "check", "severity", "value", "message")
"""Columns of a table of problems (:func:`problem_table`), as the data-quality sheet shows them."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input layer: the one record every check writes.

    Validation raises them (in a :class:`ValidationError`, naming ids); the department
    reader and the data-quality checks list them by row (:func:`problem_table`).

    Attributes
    ----------
    layer : str
        Layer name, with the file name where known (``"villages (bad.csv)"``).
    column : str
        Column at fault (``"geometry"`` for coordinates and shapes, ``"crs"`` for the CRS).
    check : str
        Short machine-readable code of the check that failed (``"duplicate_id"`` ...).
    message : str
        What is wrong and what would fix it, in words a data clerk understands.
    ids : tuple
        Ids (or row labels) of the offending rows; empty for layer-wide problems.
    row : int, optional
        Row number in the file, for a problem of one row (0 for the whole file).
    severity : {"error", "warning", "info"}, default "error"
        See :data:`whitespot.data._vocabulary.SEVERITIES`.
    value : str, default ""
        The cell as read.
    """

    layer: str
    column: str
    check: str
    message: str
    ids: tuple = field(default_factory=tuple)
    row: int | None = None
    severity: str = "error"
    value: str = ""

    def __str__(self) -> str:
        if not self.ids:
            return f"{self.layer}: column '{self.column}': {self.message}"
        rows = f"{len(self.ids)} row{'s' if len(self.ids) != 1 else ''}"
        ids = format_ids(list(dict.fromkeys(self.ids)))
        return f"{self.layer}: column '{self.column}', {rows} (ids: {ids}): {self.message}"


def problem_table(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems of single rows as a table (:data:`ISSUE_COLUMNS`), in the order given."""
    return pd.DataFrame(
        [
            (p.layer, p.row if p.row is not None else 0, p.ids[0] if p.ids else "", p.column,
             p.check, p.severity, p.value, p.message)
            for p in problems
        ],
        columns=list(ISSUE_COLUMNS),
    )  # fmt: skip


class ValidationError(WhitespotError):
    """An input layer failed validation.

    The message lists every problem found, each naming the layer, the column and up to ten
    offending ids; ``problems`` holds them as :class:`Problem` objects.
    """

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            layer = self.problems[0].layer
            lines = [f"{layer}: {len(self.problems)} problems"]
            lines += [f"  - {p}".replace(f"{p.layer}: ", "", 1) for p in self.problems]
            text = "\n".join(lines)
        super().__init__(text)

    @property
    def checks(self) -> tuple[str, ...]:
        """Codes of the checks that failed, in the order found."""
        return tuple(p.check for p in self.problems)


class DefaultAppliedWarning(WhitespotWarning):
    """A default value was filled into an optional column (the message says which, how many)."""


class GuessedEncodingWarning(WhitespotWarning):
    """A text file's encoding was guessed, or it cannot hold every Vietnamese letter."""


class AmbiguousNumberWarning(WhitespotWarning):
    """Numbers such as ``2.150`` read as thousands with nothing in their column to say so."""


class ImplausibleValueWarning(WhitespotWarning):
    """Values are possible but unusual for their column (the message names rows and column)."""


class UnreadColumnWarning(WhitespotWarning):
    """A column looks like a known one under a name not known, and is not read (map it)."""


class DuplicateColumnWarning(WhitespotWarning):
    """Two columns name one field and the first is empty where the other has values.

    The values are read from the other column (the message names both and the rows);
    two columns that disagree where both have values refuse the layer instead.
    """


class OpenCellidWarning(WhitespotWarning):
    """An OpenCelliD export holds other countries' cells, or cell ids that collide."""


class OperatorCodeWarning(WhitespotWarning):
    """Operators given by network code (``45204``, ``452-04``) were read as their names."""


class MultiTechnologyWarning(WhitespotWarning):
    """Sites listing several technologies in one row became one tower per technology."""


class TowersFarWarning(WhitespotWarning):
    """The towers do not cover the villages' area (another province, wrong CRS, no towers)."""
