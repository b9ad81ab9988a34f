"""One parser for the cells of any input: text as matched, yes/no words, counts with units.

Validation of whitespot's own layers and the reader of a department's spreadsheet read
cells the same way through these functions.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from whitespot.data._schema import OPERATOR_COMPANIES, OPERATOR_SYNONYMS, PLMN_NAMES
from whitespot.data._vocabulary import (
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

    Words of :data:`~whitespot.data._vocabulary.TRUE_WORDS` and
    :data:`~whitespot.data._vocabulary.FALSE_WORDS` in Vietnamese (with or without
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


_PLAIN = r"-?\d+"
_DOT_GROUPS = r"-?\d{1,3}(?:\.\d{3})+"
_COMMA_GROUPS = r"-?\d{1,3}(?:,\d{3})+"
_ONE_GROUP = r"-?\d{1,3}[.,]\d{3}"
_NUMBER_FORMS: tuple[tuple[str, str], ...] = (
    ("plain", _PLAIN),
    ("ambiguous", _ONE_GROUP),  # 2.150 or 2,150: thousands, or a decimal?
    ("vietnamese", rf"{_DOT_GROUPS}(?:,\d+)?|-?\d+,\d+"),  # 1.250.000 / 1.250,5 / 2,5
    ("english", rf"{_COMMA_GROUPS}(?:\.\d+)?|-?\d+\.\d+"),  # 1,250,000 / 1,250.5 / 2.5
    ("spaced", r"-?\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?"),  # 1 250 000, 1 250,5
)


def local_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read numbers as Vietnamese offices and English software write them.

    ``1.250.000`` and ``1.250,5`` (dots group thousands, the comma is the decimal mark),
    ``1,250,000`` and ``1,250.5`` (the English way), ``2,5``, ``2.5``, ``1 250 000`` and
    plain ``2150`` read as they are meant. A cell with one group of three digits after the
    only separator (``2.150``, ``2,150``) is decided by the column: where the column's
    other cells show the Vietnamese way (a decimal comma, dots grouping), ``2.150`` is
    2,150 and ``2,150`` is 2.15; where they show the English way, the reverse. Where the
    column does not say (or says both), such a cell is read as thousands, as Vietnamese
    counts are (:data:`THOUSANDS`), and marked ambiguous.

    Parameters
    ----------
    values : pandas.Series
        Cells: numbers (taken as they are) or text.

    Returns
    -------
    numbers : numpy.ndarray of float
        The values; NaN where a cell is empty or unreadable.
    unreadable : numpy.ndarray of bool
        Cells holding something that is not a number.
    ambiguous : numpy.ndarray of bool
        Cells read as thousands without the column saying so.
    """
    given = pd.to_numeric(values.where(values.map(_is_number)), errors="coerce")
    numbers = given.to_numpy(dtype=float, na_value=np.nan)
    text = values.where(given.isna()).astype("string").str.strip()
    codes, distinct = pd.factorize(text.to_numpy(dtype=object, na_value=None))
    forms = np.array([_number_form(t) for t in distinct] + [""], dtype=object)
    shown = {"vietnamese", "english"} & set(forms)
    column = shown.pop() if len(shown) == 1 else None
    read = np.array([_number(t, f, column) for t, f in zip(distinct, forms, strict=False)])
    from_text = np.append(read, np.nan)[codes]
    numbers = np.where(given.notna().to_numpy(), numbers, from_text)
    empty = text.fillna("").to_numpy(dtype=object) == ""
    unreadable = ~empty & ~np.isfinite(numbers)
    ambiguous = (forms[codes] == "ambiguous") & (column is None)
    return np.where(unreadable, np.nan, numbers), unreadable, ambiguous


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float | np.number) and not isinstance(cell, bool)


def _number_form(text: str) -> str:
    """Which of :data:`_NUMBER_FORMS` `text` has; ``""`` if none."""
    return next((form for form, pattern in _NUMBER_FORMS if re.fullmatch(pattern, text)), "")


def _number(text: str, form: str, column: str | None) -> float:
    """Return `text` in `form` as a float; a one-group cell the `column`'s way, else thousands."""
    if form == "":
        try:
            return float(text)  # 1.5e3 and the like
        except ValueError:
            return np.nan
    text = re.sub(r"[ \u00a0]", "", text)
    if form == "ambiguous" and column is None:
        return float(re.sub(r"[.,]", "", text))
    comma_decimal = {"vietnamese": True, "english": False}.get(
        column if form == "ambiguous" else form, "," in text
    )
    if comma_decimal:
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", ""))


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


PLMN_CODE = re.compile(r"\s*(\d{3})\s*[-/ ]?\s*(\d{2,3})(?:\.0)?\s*")
"""A network code as phones and exports write it: ``45204``, ``452-04``, ``452 04``."""


def operator_names(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Replace operators given by network code or another spelling with their names.

    Parameters
    ----------
    values : pandas.Series
        Operator cells: names in any case and spelling that contain exactly one operator's
        words of :data:`~whitespot.data._schema.OPERATORS`, whatever stands around them, or
        network codes (MCC and MNC) of :data:`~whitespot.data._schema.PLMN_OPERATORS`.

    Returns
    -------
    names : pandas.Series
        The operators, by name where a cell names one (or gives its code); other cells as
        they are.
    converted : numpy.ndarray of bool
        Rows whose cell was replaced by another spelling.
    unresolved : numpy.ndarray of bool
        Rows whose cell names no operator, or two (kept as written); missing cells and
        ``unknown`` are not counted.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.Series(["45204", "VNPT Quảng Trị", "Viettel", "Viettel/Mobi", "46001"])
    >>> names, converted, unresolved = operator_names(cells)
    >>> names.tolist()
    ['Viettel', 'VinaPhone', 'Viettel', 'Viettel/Mobi', '46001']
    >>> converted.tolist(), unresolved.tolist()
    ([True, True, False, False, False], [False, False, False, True, False])
    """
    text = values.astype("string")
    is_code = text.str.fullmatch(PLMN_CODE.pattern).fillna(False)
    codes = text.where(is_code).str.extract(PLMN_CODE.pattern)
    plmn = codes[0] + "-" + pd.to_numeric(codes[1]).astype("Int64").astype("string")
    position, spellings = pd.factorize(text)  # each distinct spelling read once
    found = [_operators_named(s) for s in spellings]
    single = np.array([next(iter(f)) if len(f) == 1 else None for f in found] + [None], object)
    unclear = np.array([len(f) != 1 for f in found] + [False])
    named = plmn.map(PLMN_NAMES).fillna(pd.Series(single[position], index=values.index))
    converted = (named.notna() & (named != text)).fillna(False).to_numpy()
    absent = text.isna() | text.str.strip().str.lower().isin(["", "unknown"])
    unresolved = unclear[position] & plmn.isna().to_numpy() & ~absent.fillna(True).to_numpy()
    return values.where(named.isna().to_numpy(), named), converted, unresolved


def _operators_named(spelling: str) -> set[str]:
    """Find the operators a cell names: by their words or their company's long name.

    Words of :data:`~whitespot.data._schema.OPERATORS`; long names of
    :data:`~whitespot.data._schema.OPERATOR_COMPANIES`.
    """
    text = normalize_text(spelling)
    words = text.split()
    pairs = [" ".join(words[k : k + 2]) for k in range(len(words) - 1)]
    joined = ["".join(words[k : k + 2]) for k in range(len(words) - 1)]
    found = {OPERATOR_SYNONYMS[w] for w in (*words, *pairs, *joined) if w in OPERATOR_SYNONYMS}
    return found | {
        name
        for name, companies in OPERATOR_COMPANIES.items()
        if any(f" {company} " in f" {text} " for company in companies)
    }


ZERO_PADDED = re.compile(r"0{2,}")
"""A number format that pads whole numbers with zeros (``00000`` shows 7 as ``00007``)."""

_CODE_FORMAT = re.compile(r'(?:"[^"]*"|\\.|[0#]|[-+ /()])+')
"""A number format of digit places and literal text only (``"QT-"0000``, ``000-000``,
``\\Q\\T0000``): no decimal point, thousands separator, percent, exponent or date."""
_FORMAT_TOKEN = re.compile(r'"([^"]*)"|\\(.)|([0#])|(.)')


def shown_number(value: object, number_format: str | None) -> object:
    """Return a whole number as Excel shows it under a code's number format, else `value`.

    A code typed as a number and formatted ``00000`` (a village code 7 shown as ``00007``),
    ``"QT-"0000`` (``QT-0007``) or ``000-000`` (``000-007``), or a phone number formatted
    ``0000000000``, is text whose zeros and letters are the value; read as the number, it
    would no longer match the same code typed as text. Formats with fewer than two zero
    places, a decimal point, a thousands separator, a percent sign or a date are numbers,
    and left as they are.
    """
    if not (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and number_format
        and float(value).is_integer()
        and value >= 0
    ):
        return value
    number_format = number_format.split(";")[0]  # the format of positive numbers
    if ZERO_PADDED.fullmatch(number_format):
        return str(int(value)).zfill(len(number_format))
    if not _CODE_FORMAT.fullmatch(number_format):
        return value
    tokens = _FORMAT_TOKEN.findall(number_format)
    places = [k for k, token in enumerate(tokens) if token[2]]
    if sum(token[2] == "0" for token in tokens) < 2:
        return value  # "0", "##0", 0" hộ": a number, perhaps with its unit
    digits = list(str(int(value)))
    shown = []
    for k in range(len(tokens) - 1, -1, -1):  # digits fill the places from the right
        quoted, escaped, place, literal = tokens[k]
        if not place:
            shown.append(quoted or escaped or literal)
        elif k == places[0]:  # the first place takes every digit left
            rest = "".join(digits) or ("0" if place == "0" else "")
            shown.append(rest)
            digits = []
        else:
            shown.append(digits.pop() if digits else ("0" if place == "0" else ""))
    return "".join(reversed(shown))
