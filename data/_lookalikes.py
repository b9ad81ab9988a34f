"""Columns that look like a known field under a name whitespot does not know.

A survey column headed ``Tình trạng sóng`` or a household count headed ``Số hộ dân cư`` is
not read under those names; passed through silently, the survey would change nothing and a
user would not know why. :func:`lookalike_columns` finds them by the words of their header
and the kind of their cells, so that every reader can say which column it did not read and
how to map it (``--columns``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from whitespot.data._cells import normalize_text, survey_answers

LOOKALIKES: dict[str, tuple[frozenset[str], str, str]] = {
    "survey_signal": (frozenset({"song", "signal"}), "answers", "yes/no answers about signal"),
    "households": (frozenset({"ho", "household", "households"}), "count", "a household count"),
}
"""Field -> (words of a header that hint at it, the kind of its cells, what it holds)."""

LOOKALIKE_SHARE = 0.8
"""A column looks like its field when at least this share of its non-empty cells fit."""


def lookalike_columns(table: pd.DataFrame, read: set[str]) -> list[tuple[str, str]]:
    """Return (header, field) of the columns that look like a field not read.

    Parameters
    ----------
    table : pandas.DataFrame
        The columns not mapped to a field, under their headers in the file.
    read : set of str
        Fields read already: their lookalikes are other columns, not missed ones.

    Returns
    -------
    list of (str, str)
        In column order.
    """
    found = []
    for column in table.columns:
        words = set(normalize_text(column).split())
        for field, (hints, kind, _) in LOOKALIKES.items():
            if field not in read and words & hints and _cells_fit(table[column], kind):
                found.append((str(column), field))
    return found


def lookalike_message(header: str, field: str) -> str:
    """Say that column `header` looks like `field`, is not read, and how to map it."""
    what = LOOKALIKES[field][2]
    return (
        f"column {header!r} looks like {field} ({what}) but is not read under that name: "
        f"map it with --columns {field}='{header}' (Python: columns={{'{field}': '{header}'}})"
    )


def _cells_fit(values: pd.Series, kind: str) -> bool:
    text = values.astype("string").str.strip()
    present = text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    if not present.any():
        return False
    if kind == "answers":
        answers, _ = survey_answers(values[present])
        fit = np.array([a is not None for a in answers])
    else:
        fit = pd.to_numeric(text[present], errors="coerce").notna().to_numpy()
    return bool(fit.mean() >= LOOKALIKE_SHARE)
