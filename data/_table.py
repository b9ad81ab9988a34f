"""One table reader for every layer: a CSV or a workbook as offices and phones write it.

The grid of cells (:mod:`whitespot.data._grid`: merged cells, hidden sheets, zero-padded
codes, the encoding) is read once; then the header row is found below any title rows by
the layer's alias table (:func:`layer_headers`), a cell merged down a text column (an
operator, a commune, a technology over its rows) is the same value in each row it covers,
while one merged over a count or a cost is refused (copied, it would be counted again);
a single coordinate column (``Tọa độ``: ``16.8, 106.9``) is split into latitude and
longitude. Cells that hold a number with its unit or a code (``30m``, ``Cột 42m``,
``30,5``, ``1800 MHz``, ``B3``, ``-95 dBm``, ``85%``) are read per column kind by
:func:`numbers_with_units` and :data:`BAND_MHZ`. Every reading other than the plain one is
said once per column, with a count and an example.

The department's village list (:mod:`whitespot.department.village_list`) and every layer
read by :func:`whitespot.data.validate_layer` use it.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from whitespot.data._cells import local_numbers, normalize_text
from whitespot.data._grid import HEADER_SEARCH_ROWS, Grid, column_letter, read_grid
from whitespot.data._io import LAT_NAMES, LON_NAMES, _infer_numbers, _read_csv
from whitespot.data._labels import counted
from whitespot.data._problems import ConvertedCellsWarning, Problem, ValidationError
from whitespot.data._schema import COLUMN_ALIASES, LAYER_COLUMNS

COORDINATE_HEADERS: tuple[str, ...] = (
    "tọa độ",
    "toạ độ",
    "tọa độ gps",
    "gps",
    "coordinates",
    "lat, lon",
    "lat/lon",
    "latlon",
    "lat long",
    "vĩ độ, kinh độ",
)
"""Headers of one column that holds both coordinates (``16.8, 106.9``)."""

COPIED_KINDS = ("count", "money")
"""Column kinds whose merged cell is refused: copied into each row it would count again."""

BAND_MHZ: dict[str, float] = {
    "b1": 2100.0,
    "b3": 1800.0,
    "b5": 850.0,
    "b7": 2600.0,
    "b8": 900.0,
    "b20": 800.0,
    "b28": 700.0,
    "b38": 2600.0,
    "b40": 2300.0,
    "b41": 2500.0,
    "n1": 2100.0,
    "n3": 1800.0,
    "n8": 900.0,
    "n28": 700.0,
    "n41": 2500.0,
    "n77": 3700.0,
    "n78": 3500.0,
    "n79": 4700.0,
}
"""Frequency (MHz, the band's common name) of each LTE band ``B<n>`` (3GPP TS 36.101,
Table 5.5-1) and NR band ``n<n>`` (TS 38.101-1, Table 5.2-1) in use or auctioned in
Viet Nam and its neighbours: ``B3`` is the 1800 MHz band (downlink 1805-1880 MHz).
``Band 3`` and ``LTE B3`` read the same."""

UNITS: dict[str, dict[str, float]] = {
    "height_m": {"m": 1.0, "mét": 1.0, "met": 1.0},
    "frequency_mhz": {"mhz": 1.0, "ghz": 1000.0},
    "eirp_dbm": {"dbm": 1.0},
    "signal_dbm": {"dbm": 1.0},
    "azimuth_deg": {"°": 1.0, "độ": 1.0, "deg": 1.0},
    "beamwidth_deg": {"°": 1.0, "độ": 1.0, "deg": 1.0},
    "voltage_kv": {"kv": 1.0},
    "electrified": {"%": 0.01},
    "households": {"hộ": 1.0, "ho": 1.0},
    "population": {"người": 1.0, "khẩu": 1.0},
}
"""The units each column may carry in its cells, and the factor to the column's unit
(``2.6 GHz`` is 2600 MHz, ``85%`` a share of 0.85). Words before the number (``Cột 42m``,
``GSM 900``) are read over; a cell with two numbers is not a number."""

_WITH_UNIT = re.compile(
    r"^\s*(?P<words>[^\W\d_][^\d+\-]*?\s+)?(?P<number>[-+]?\d+(?:[.,]\d+)*)\s*(?P<unit>[^\d\s]*)\s*$"
)
_BAND = re.compile(
    r"^\s*(?:(?:lte|nr|4g|5g)\s*)?(?:band\s*(?P<band>\d{1,3})|(?P<code>[bn]\d{1,3}))\s*$",
    re.IGNORECASE,
)
_PAIR = re.compile(
    r"^\s*\(?\s*(?P<a>[-+]?\d+(?:[.,]\d+)?)\s*°?\s*(?:;|,|\s)\s*(?P<b>[-+]?\d+(?:[.,]\d+)?)\s*°?\s*\)?\s*$"
)


def layer_headers(layer: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Normalised header -> column of `layer`: its own names and their aliases.

    Parameters
    ----------
    layer : str
        One of :data:`~whitespot.data._schema.LAYERS`.
    extra : mapping of column -> header, optional
        The user's names for columns; they win.

    Returns
    -------
    dict
        :func:`~whitespot.data._cells.normalize_text` of each header -> the column it is:
        the layer's columns, :data:`~whitespot.data._schema.COLUMN_ALIASES`, the coordinate
        names of :data:`~whitespot.data._io.LON_NAMES` and :data:`~whitespot.data._io.LAT_NAMES`
        and :data:`COORDINATE_HEADERS` (``coordinates``).
    """
    lookup = {normalize_text(spec.name): spec.name for spec in LAYER_COLUMNS.get(layer, ())}
    for name, aliases in COLUMN_ALIASES.get(layer, {}).items():
        for alias in aliases:
            lookup.setdefault(normalize_text(alias), name)
    for names, column in (
        (LON_NAMES, "lon"),
        (LAT_NAMES, "lat"),
        (COORDINATE_HEADERS, "coordinates"),
    ):
        for alias in names:
            lookup.setdefault(normalize_text(alias), column)
    lookup.update({normalize_text(header): name for name, header in (extra or {}).items()})
    return lookup


def row_fields(row: Sequence[object], lookup: Mapping[str, str]) -> dict[int, str]:
    """Position -> field of each cell of `row` that names a field of `lookup`."""
    return {
        c: lookup[normalize_text(cell)]
        for c, cell in enumerate(row)
        if cell is not None and normalize_text(cell) in lookup
    }


def header_scores(rows: Sequence[Sequence[object]], lookup: Mapping[str, str]) -> list[int]:
    """How many distinct fields each of the first rows names (the header names the most)."""
    return [len(set(row_fields(row, lookup).values())) for row in rows[:HEADER_SEARCH_ROWS]]


def header_row(rows: Sequence[Sequence[object]], lookup: Mapping[str, str]) -> int:
    """Return the position of the header row; rows above it are titles.

    The first row, unless a row below names more fields (two at least).
    """
    scores = header_scores(rows, lookup)
    if not scores:
        return 0
    best = int(np.argmax(scores))
    return best if scores[best] >= 2 and scores[best] > scores[0] else 0


def merged_count_problems(
    grid: Grid, header: int, counted_columns: Mapping[int, str], label: str, item: str
) -> list[Problem]:
    """Refuse merged cells below the header over a column that counts (copied, counted again).

    Parameters
    ----------
    grid : Grid
        The sheet, merged ranges filled.
    header : int
        Grid position of the (last) header row.
    counted_columns : mapping of position -> field
        The columns whose values are counted or summed (households, a cost).
    label : str
        The layer and file, for the message.
    item : str
        What one row is (``"village"``), for the message.
    """
    problems = []
    for first, last, left, right in grid.merged:
        fields = [counted_columns[c] for c in range(left, right + 1) if c in counted_columns]
        if first > header and fields:
            rows = f"{grid.rows[first]}-{grid.rows[last]}"
            problems.append(
                Problem(label, fields[0], "merged_count",
                        f"one {fields[0]} cell ({grid.cells[first][left]}) is merged over rows "
                        f"{rows} (column {column_letter(left)}): copied into each row it would "
                        f"count it again; unmerge it and give each {item} its own value",
                        row=grid.rows[first])
            )  # fmt: skip
    return problems


def read_table(
    path: str | Path,
    layer: str,
    *,
    sheet: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a CSV or workbook of a layer as offices and phones write it.

    Parameters
    ----------
    path : path-like
        ``.csv``/``.txt`` (``,``, ``;`` or tab; decimal commas with ``;``) or
        ``.xlsx``/``.xls`` (recognised by content).
    layer : str
        The layer the table holds: its aliases find the header row and the sheet.
    sheet : str, optional
        Sheet of a workbook; default the sheet named `layer`, else the visible sheet whose
        first rows name most of the layer's columns.
    headers : mapping of header -> column name, optional
        Renames headers before coordinates are looked for.

    Returns
    -------
    pandas.DataFrame
        The rows below the header (empty rows left out), under the file's headers;
        columns of numbers as floats; a single coordinate column split into ``lat`` and
        ``lon``.

    Raises
    ------
    ValidationError
        If a merged cell covers several rows of a count or a cost, naming the column and
        the rows.

    Warns
    -----
    ConvertedCellsWarning
        Once each for title rows skipped, a merged column filled, a coordinate column
        split, another sheet read.
    """
    path = Path(path)
    label = f"{layer} ({path.name})"
    lookup = layer_headers(layer)
    if path.suffix.lower() in (".csv", ".txt"):
        titles: list[list] = []

        def header_line(lines: list[str]) -> int:
            separator = max((",", ";", "\t"), key="\n".join(lines).count)
            rows = [[cell.strip() or None for cell in row]
                    for row in csv.reader(lines, delimiter=separator)]  # fmt: skip
            found = header_row(rows, lookup)
            titles.extend(rows[:found])
            return found

        table = _read_csv(path, headers, header_line=header_line)
        _say_titles(titles, label)
        table = table.dropna(how="all").reset_index(drop=True)  # ",,,," lines, as in sheets
    else:
        grid = read_grid(
            path,
            sheet or layer,
            label,
            score=lambda head: max(header_scores(head, lookup), default=0),
            columns_of=f"the {layer} columns",
            formulas=False,
        )
        table = _grid_table(grid, lookup, layer, label).rename(columns=dict(headers or {}))
        table = _infer_numbers(table)  # after the renaming: a code's column stays text
    return _one_coordinate_column(table, lookup, label)


def _say(label: str, message: str) -> None:
    warnings.warn(f"{label}: {message}", ConvertedCellsWarning, stacklevel=4)


def _say_titles(titles: list[list], label: str) -> None:
    if titles:
        text = next((str(c) for row in titles for c in row if c is not None), "")
        _say(label, f"{counted(len(titles), 'row')} above the header not read (a title: "
                    f"'{text[:60]}'); the header is row {len(titles) + 1}")  # fmt: skip


def _grid_table(grid: Grid, lookup: Mapping[str, str], layer: str, label: str) -> pd.DataFrame:
    """Return the rows below the grid's header row as a frame; merged cells filled or refused."""
    top = header_row(grid.cells, lookup)
    _say_titles(grid.cells[:top], label)
    for key in ("format_note", "sheet_note"):
        if key in grid.source:
            _say(label, grid.source[key])
    width = max((len(row) for row in grid.cells), default=0)
    header = list(grid.cells[top]) + [None] * (width - len(grid.cells[top])) if grid.cells else []
    copies = _hidden_copies(header, grid.hidden, lookup, label)
    names = [""] * len(header)
    taken: list[str] = []
    for position in [c for c in range(len(header)) if c not in copies] + copies:
        cell = header[position]  # visible columns first: they keep the header as written
        name = str(cell) if cell is not None else f"Unnamed: {position}"
        names[position] = name if name not in taken else f"{name}.{taken.count(name)}"
        taken.append(name)
    _merged_cells(grid, top, names, lookup, layer, label)
    body = [row + [None] * (width - len(row)) for row in grid.cells[top + 1 :]]
    body = [row for row in body if any(cell is not None for cell in row)]
    table = pd.DataFrame(body, columns=names, dtype=object)
    unnamed = [n for n, cell in zip(names, header, strict=True) if cell is None]
    table = table.drop(columns=[n for n in unnamed if table[n].isna().all()])
    return table.drop(columns=[names[c] for c in copies])


def _hidden_copies(
    header: list, hidden: frozenset[int], lookup: Mapping[str, str], label: str
) -> list[int]:
    """Return the positions of hidden columns whose field a visible column names too.

    Offices hide the old values of a column and type the new ones beside it under the same
    header: the visible column is read, as the department's village list does.
    """

    def field(cell: object) -> str:
        text = normalize_text(cell)
        return lookup.get(text, text)

    shown = {field(cell) for c, cell in enumerate(header) if cell is not None and c not in hidden}
    copies = [c for c in sorted(hidden) if c < len(header) and header[c] is not None
              and field(header[c]) in shown]  # fmt: skip
    for c in copies:
        _say(label, f"column {column_letter(c)} ('{header[c]}') is hidden and a visible "
                    "column has the same field: the visible one is read (hidden columns "
                    "often keep old values)")  # fmt: skip
    return copies


def _merged_cells(
    grid: Grid, top: int, names: list[str], lookup: Mapping[str, str], layer: str, label: str
) -> None:
    """Refuse merged counts and costs; say each text column whose merged cells were filled."""
    kinds = {spec.name: spec.kind for spec in LAYER_COLUMNS.get(layer, ())}
    fields = {c: lookup.get(normalize_text(name)) for c, name in enumerate(names)}
    copied = {c: f for c, f in fields.items() if kinds.get(f) in COPIED_KINDS}
    problems = merged_count_problems(grid, top, copied, label, "row")
    if problems:
        raise ValidationError(problems)
    filled: dict[int, list[tuple[int, int]]] = {}
    for first, last, left, right in grid.merged:
        if first > top:
            for c in range(left, right + 1):
                filled.setdefault(c, []).append((first, last))
    for c, spans in sorted(filled.items()):
        rows = sum(last - first + 1 for first, last in spans)
        first, last = spans[0]
        _say(label, f"column '{names[c]}': {counted(len(spans), 'merged cell')} over "
                    f"{counted(rows, 'row')} read as the same value in each row they cover "
                    f"(e.g. '{grid.cells[first][c]}' over rows {grid.rows[first]}-"
                    f"{grid.rows[last]})")  # fmt: skip


def _one_coordinate_column(
    table: pd.DataFrame, lookup: Mapping[str, str], label: str
) -> pd.DataFrame:
    """Split a single coordinate column (``16.8, 106.9``) into ``lat`` and ``lon``, said."""
    fields = {column: lookup.get(normalize_text(column)) for column in table.columns}
    if {"lon", "lat"} & set(fields.values()) or "coordinates" not in fields.values():
        return table
    column = next(c for c, f in fields.items() if f == "coordinates")
    text = table[column].astype("string")
    pair = text.str.extract(_PAIR)
    first, second = (
        pd.to_numeric(pair[part].str.replace(",", "."), errors="coerce").astype(float)
        for part in ("a", "b")
    )
    lon_first = (first.abs() > 90).to_numpy(dtype=bool)  # a latitude is within 90 degrees
    out = table.drop(columns=column)
    out["lat"] = np.where(lon_first, second, first)
    out["lon"] = np.where(lon_first, first, second)
    read = int(first.notna().sum())
    said = f"column '{column}' holds both coordinates: {counted(read, 'cell')} read as latitude, "
    said += "longitude"
    if read:
        said += (f" (e.g. '{text[first.notna()].iloc[0]}'), {int(lon_first.sum())} of them "
                 "longitude first as their numbers say")  # fmt: skip
    unreadable = int(text.notna().sum()) - read
    if unreadable:
        shown = text[text.notna() & first.isna()].iloc[0]
        said += f"; {counted(unreadable, 'cell')} not two numbers (e.g. '{shown}'): no location"
    _say(label, said)
    return out


def numbers_with_units(values: pd.Series, column: str) -> tuple[pd.Series, str | None]:
    """Read cells that hold a number with its unit, words or a band code, per column.

    Parameters
    ----------
    values : pandas.Series
        One column's cells.
    column : str
        The column's canonical name: its units are :data:`UNITS`; ``frequency_mhz``
        also reads band codes (:data:`BAND_MHZ`).

    Returns
    -------
    values : pandas.Series
        The cells, those read as numbers in the column's unit (floats) in place; others,
        and plain numbers, as they were.
    said : str or None
        What was read, with its count and an example (``3 cells with their unit or words
        (e.g. 'Cột 42m' -> 42)``); None when every cell was plain.
    """
    units = UNITS.get(column)
    if units is None and column != "frequency_mhz":
        return values, None
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values, None
    text = values.astype("string").str.strip()
    plain = pd.to_numeric(text, errors="coerce").notna() | text.isna() | (text == "")
    if plain.all():
        return values, None
    out = values.astype(object).copy()
    said = []
    if column == "frequency_mhz":
        band = text.where(~plain).str.extract(_BAND)
        code = band["code"].fillna("b" + band["band"]).str.lower()
        mhz = code.map(BAND_MHZ)
        hit = mhz.notna().to_numpy()
        if hit.any():
            out[hit] = mhz[hit].to_numpy()
            said.append(f"{counted(int(hit.sum()), 'band code')} as its frequency "
                        f"(e.g. '{text[hit].iloc[0]}' -> {mhz[hit].iloc[0]:g} MHz)")  # fmt: skip
            plain |= hit
    parts = text.where(~plain).str.extract(_WITH_UNIT)
    unit = parts["unit"].str.lower().fillna("")
    factor = unit.map({"": 1.0, **(units or {})})
    number, _, ambiguous = local_numbers(parts["number"].where(factor.notna()))
    hit = np.isfinite(number)
    if hit.any():
        read = number[hit] * factor[hit].to_numpy(dtype=float)
        out[hit] = read
        said.append(f"{counted(int(hit.sum()), 'cell')} with a unit, words or a decimal comma "
                    f"(e.g. '{text[hit].iloc[0]}' -> {read[0]:g})")  # fmt: skip
    if (ambiguous & hit).any():
        said.append(f"{counted(int((ambiguous & hit).sum()), 'cell')} with one group of three "
                    f"digits read as thousands (e.g. '{text[ambiguous & hit].iloc[0]}' -> "
                    f"{number[ambiguous & hit][0]:g}); write it without the separator if a "
                    "decimal is meant")  # fmt: skip
    return out, ("; ".join(said) or None)
