"""One parser for the cells of any input: text as matched, yes/no words, counts with units.

Validation of whitespot's own layers and the reader of a department's spreadsheet read
cells the same way through these functions.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from whitespot.data.vocabulary import (
    FALSE_WORDS,
    NO_SIGNAL_WORDS,
    SIGNAL_WORDS,
    TRUE_WORDS,
    WEAK_WORDS,
)

THOUSANDS = r"-?\d{1,3}(?:[.,\s]\d{3})+"
"""A whole number with thousands separators: ``1.250``, ``1,250``, ``1 250``."""

COUNT_PATTERN = re.compile(
    rf"^\s*(?P<number>{THOUSANDS}|-?\d+(?:[.,]\d+)?)\s*"
    r"(?:hộ|ho|hh|households?|người|nguoi|khẩu|khau|persons?|people)?\.?\s*$",
    re.IGNORECASE,
)
"""A count as typed: ``120``, ``120 hộ``, ``1.250`` or ``1,250`` (thousands), ``12,5``."""


def normalize_text(text: object) -> str:
    """Lower-case ASCII form of a header, a place name or a word, for matching.

    Diacritics are removed (``đ`` becomes ``d``), every run of other characters becomes one
    space, and the ends are stripped: ``"Thôn/Bản "`` and ``"THON BAN"`` both give
    ``"thon ban"``.
    """
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", " ", bare).strip()


def yes_no(values: pd.Series) -> np.ndarray:
    """Return 1.0 for yes words, 0.0 for no words, NaN for anything else.

    Words of :data:`~whitespot.data.vocabulary.TRUE_WORDS` and
    :data:`~whitespot.data.vocabulary.FALSE_WORDS` in Vietnamese (with or without
    diacritics) or English, any case; booleans as themselves.
    """
    # normalize_text reads str(value): normalize each distinct text once (a column holds
    # a few words), keyed by text so that True and 1.0 stay apart
    codes, distinct = pd.factorize(values.astype(str).to_numpy())
    words = pd.Series([normalize_text(text) for text in distinct], dtype=object)
    meaning = np.full(len(distinct) + 1, np.nan)  # code -1 (a missing cell) takes the last
    meaning[:-1][words.isin(TRUE_WORDS).to_numpy()] = 1.0
    meaning[:-1][words.isin(FALSE_WORDS).to_numpy()] = 0.0
    out = meaning[codes]
    out[values.isna().to_numpy()] = np.nan
    return out


def survey_answers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Read a survey's "Có sóng?" column as ``yes``/``weak``/``no``.

    Returns
    -------
    answers : numpy.ndarray of object
        ``"yes"``, ``"weak"``, ``"no"`` or None where the cell is empty.
    unreadable : numpy.ndarray of bool
        Cells that hold something that is none of these.
    """
    codes, distinct = pd.factorize(values.astype(str).to_numpy())
    meaning = np.full(len(distinct) + 1, None, dtype=object)
    bad = np.zeros(len(distinct) + 1, dtype=bool)
    for position, text in enumerate(distinct):
        word = normalize_text(text)
        if word in TRUE_WORDS or word in SIGNAL_WORDS:
            meaning[position] = "yes"
        elif word in FALSE_WORDS or word in NO_SIGNAL_WORDS:
            meaning[position] = "no"
        elif word in WEAK_WORDS:
            meaning[position] = "weak"
        else:
            bad[position] = str(text).strip() not in ("", "nan", "NaN", "None", "<NA>")
    empty = values.isna().to_numpy()
    answers, unreadable = meaning[codes], bad[codes]
    answers[empty], unreadable[empty] = None, False
    return answers, unreadable


def count_value(cell: object) -> float | None:
    """Return the count in a cell (``120``, ``120 hộ``, ``1.250``), or None if there is none."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int | float):
        return float(cell) if np.isfinite(cell) else None
    match = COUNT_PATTERN.match(str(cell))
    if match is None:
        return None
    number = match.group("number")
    if re.fullmatch(THOUSANDS, number):
        number = re.sub(r"[.,\s]", "", number)
    return float(number.replace(",", "."))
