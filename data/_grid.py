"""A department's file as a grid of cells, as the clerk sees it in Excel.

Workbooks are read the way their tables are meant: merged cells (a commune name over its
hamlets) are filled into every row they cover, hidden columns are known (old values kept
out of sight), only rows up to the last one holding a value are read (a used range may run
to row 1,048,576 for one formatted empty cell), and formulas that a program wrote without
saving their values are found, not read as empty; a whole number under a zero-padding
format (``00000``) is the text Excel shows (``00007``). CSV files are decoded with their
encoding detected (:func:`whitespot.data._encoding.decode_text`).
"""

from __future__ import annotations

import csv
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlrd
from xlrd import XLRDError

from whitespot.data._cells import shown_number
from whitespot.data._encoding import decode_text
from whitespot.data._io import workbook_kind
from whitespot.data._kml import KML_SUFFIXES, NOTES, read_kml
from whitespot.data._placemarks import village_placemarks
from whitespot.data._problems import Problem, ValidationError

EMPTY_ROWS_STOP = 10_000
"""A run of this many empty rows ends a sheet (its used range may run to row 1,048,576)."""
HEADER_SEARCH_ROWS = 30
"""Rows searched for the header (and for a CSV's separator)."""


@dataclass(frozen=True)
class Grid:
    """The cells of a sheet or CSV file.

    Attributes
    ----------
    cells : list of list
        Rows of text (NFC, stripped; empty as None) or numbers, merged cells filled.
    rows : list of int
        The file's row number of each grid row (1-based; for KML the placemark's number,
        the header row 0).
    source : dict
        What was read: file, sheet or encoding, and an empty tail not read.
    hidden : frozenset of int
        Positions (0-based) of hidden columns.
    merged : tuple of (int, int, int, int)
        Merged ranges that cover several grid rows: first row, last row, first column,
        last column (0-based, inclusive).
    unsaved_formulas : tuple of (int, int, str)
        Cells holding a formula whose value was never saved: row, column (0-based) and
        the formula.
    """

    cells: list[list]
    rows: list[int]
    source: dict
    hidden: frozenset[int] = frozenset()
    merged: tuple[tuple[int, int, int, int], ...] = ()
    unsaved_formulas: tuple[tuple[int, int, str], ...] = field(default=())


def read_grid(
    path: Path,
    sheet: str | None,
    label: str,
    score: Callable[[list[list]], int] = lambda rows: 0,
    columns_of: str = "the village columns",
    formulas: bool = True,
) -> Grid:
    """Read a workbook's sheet (``.xlsx``, old ``.xls``), a CSV or a KML file as a :class:`Grid`.

    A workbook is recognised by its content, not its name (an ``.xls`` renamed ``.xlsx``
    is read, and said). Without `sheet`, the visible sheet whose first rows `score` best
    (the one with `columns_of`) is read, and said when the workbook has several. Without
    `formulas`, cells whose formula has no saved value are not looked for (a second pass).

    Raises
    ------
    ValidationError
        If the file cannot be read or is of another format, naming it (`label`).
    """
    kind = None if path.suffix.lower() in KML_SUFFIXES else workbook_kind(path)  # a KMZ is a zip
    try:
        if kind == ".xlsx":
            grid = _read_xlsx(path, sheet, score, columns_of, formulas=formulas)
        elif kind == ".xls":
            grid = _read_xls(path, sheet, score, columns_of)
        elif path.suffix.lower() in KML_SUFFIXES:
            return _read_kml(path, label)
        elif path.suffix.lower() in (".csv", ".txt"):
            return _read_csv(path)
        elif path.suffix.lower() in (".xlsx", ".xls"):
            raise ValidationError(
                [
                    Problem(
                        label, "file", "unreadable_file",
                        f"cannot be read: by its content {path.name} is not an Excel workbook "
                        "(damaged, or another file renamed); save it from Excel as .xlsx",
                    )
                ]
            )  # fmt: skip
        else:
            raise ValidationError(
                [
                    Problem(
                        label, "file", "unknown_format",
                        f"a village list is .xlsx, .xls, .csv or .kml/.kmz, not {path.suffix!r}",
                    )
                ]
            )  # fmt: skip
    except (
        zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError, csv.Error, XLRDError
    ) as error:  # fmt: skip
        reason = f"{type(error).__name__}: {error}"
        raise ValidationError(
            [Problem(label, "file", "unreadable_file", f"cannot be read ({reason})")]
        ) from error
    if kind != path.suffix.lower():
        grid.source["format_note"] = (
            f"the file is a {kind} workbook named {path.suffix}: read as {kind}"
        )
    return grid


def _chosen_sheet(
    names: list[str],
    visible: list[bool],
    heads: list[list[list]],
    sheet: str | None,
    score: Callable[[list[list]], int],
    columns_of: str,
) -> tuple[int, str | None]:
    """Position of the sheet to read, and what to say of the choice (None: nothing)."""
    if sheet in names:
        return names.index(sheet), None
    scores = [score(head) if shown else -1 for head, shown in zip(heads, visible, strict=True)]
    best = int(np.argmax(scores)) if scores else 0
    if len(names) < 2:
        return best, None
    hidden = [n for n, shown in zip(names, visible, strict=True) if not shown]
    note = f"read sheet {names[best]!r}, the one with {columns_of} (sheets: "
    note += ", ".join(repr(n) for n in names) + ")"
    if hidden:
        note += f"; hidden sheets not read: {', '.join(repr(n) for n in hidden)}"
    return best, note


def column_letter(position: int) -> str:
    """Return the spreadsheet letter of a 0-based column position: 0 -> A, 27 -> AB."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _read_xlsx(
    path: Path,
    sheet: str | None,
    score: Callable[[list[list]], int],
    columns_of: str,
    *,
    formulas: bool = True,
) -> Grid:
    import openpyxl  # noqa: PLC0415 only needed for workbooks

    book = openpyxl.load_workbook(path, data_only=True)
    heads = [
        [list(row) for row in s.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]
        for s in book.worksheets
    ]
    visible = [s.sheet_state == "visible" for s in book.worksheets]
    chosen, note = _chosen_sheet(book.sheetnames, visible, heads, sheet, score, columns_of)
    worksheet = book.worksheets[chosen]
    used = _used_rows(path, worksheet.title)
    cells = [
        [shown_number(cell.value, getattr(cell, "number_format", None)) for cell in row]
        for row in worksheet.iter_rows(max_row=used)
    ]
    merged = []
    for cell_range in worksheet.merged_cells.ranges:
        if cell_range.min_row > used:
            continue
        value = cells[cell_range.min_row - 1][cell_range.min_col - 1]
        last_row = min(cell_range.max_row, used)
        for r in range(cell_range.min_row - 1, last_row):
            for c in range(cell_range.min_col - 1, cell_range.max_col):
                cells[r][c] = value
        if last_row > cell_range.min_row:
            merged.append(
                (
                    cell_range.min_row - 1,
                    last_row - 1,
                    cell_range.min_col - 1,
                    cell_range.max_col - 1,
                )
            )
    hidden = frozenset(
        c - 1
        for dimension in worksheet.column_dimensions.values()
        if dimension.hidden
        for c in range(dimension.min or 1, (dimension.max or dimension.min or 1) + 1)
    )
    source = {"file": path.name, "sheet": worksheet.title}
    if note:
        source["sheet_note"] = note
    if worksheet.max_row - used >= EMPTY_ROWS_STOP:  # said: a used range of empty rows
        source |= {"empty_rows_from": used + 1, "last_row": worksheet.max_row}
    return Grid(
        [[_nfc(cell) for cell in row] for row in cells],
        list(range(1, len(cells) + 1)),
        source,
        hidden,
        tuple(merged),
        _unsaved_formulas(path, worksheet.title, cells) if formulas else (),
    )


def _unsaved_formulas(
    path: Path, sheet: str, cells: list[list]
) -> tuple[tuple[int, int, str], ...]:
    """Cells that hold a formula with no saved value (a file a program wrote, never opened)."""
    empty = {(r, c) for r, row in enumerate(cells) for c, value in enumerate(row) if value is None}
    if not empty:
        return ()
    import openpyxl  # noqa: PLC0415 only needed for workbooks

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = []
        for r, row in enumerate(book[sheet].iter_rows(max_row=len(cells), values_only=True)):
            for c, value in enumerate(row):
                if (r, c) in empty and isinstance(value, str) and value.startswith("="):
                    found.append((r, c, value))
        return tuple(found)
    finally:
        book.close()


def _read_xls(
    path: Path, sheet: str | None, score: Callable[[list[list]], int], columns_of: str
) -> Grid:
    """Read an old Excel 97-2003 workbook (BIFF), still common in provincial offices."""
    book = xlrd.open_workbook(path, formatting_info=True, on_demand=True)
    try:
        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
        heads = [[s.row_values(r) for r in range(min(s.nrows, HEADER_SEARCH_ROWS))] for s in sheets]
        visible = [s.visibility == 0 for s in sheets]
        chosen, note = _chosen_sheet(book.sheet_names(), visible, heads, sheet, score, columns_of)
        worksheet = sheets[chosen]
        cells = [
            [_xls_value(worksheet.cell(r, c), book) for c in range(worksheet.ncols)]
            for r in range(worksheet.nrows)
        ]
        merged = []
        for first, stop, left, right_stop in worksheet.merged_cells:
            value = cells[first][left]
            for r in range(first, stop):
                for c in range(left, right_stop):
                    cells[r][c] = value
            if stop - first > 1:
                merged.append((first, stop - 1, left, right_stop - 1))
        hidden = frozenset(c for c, info in worksheet.colinfo_map.items() if info.hidden)
        source = {"file": path.name, "sheet": worksheet.name, "format": ".xls (Excel 97-2003)"}
        if note:
            source["sheet_note"] = note
        rows = list(range(1, len(cells) + 1))
        return Grid([[_nfc(v) for v in row] for row in cells], rows, source, hidden, tuple(merged))
    finally:
        book.release_resources()


def _xls_value(cell: xlrd.sheet.Cell, book: xlrd.Book) -> object:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return None
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        number_format = book.format_map.get(book.xf_list[cell.xf_index].format_key)
        return shown_number(cell.value, number_format and number_format.format_str)
    return cell.value


def _used_rows(path: Path, sheet: str) -> int:
    """Return the last row holding a value, streamed; a run of empty rows ends the search.

    A sheet whose used range runs to row 1,048,000 for one formatted empty cell would
    otherwise be read cell by cell into gigabytes.
    """
    import openpyxl  # noqa: PLC0415 only needed for workbooks

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        last, empty_run = 0, 0
        for number, row in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            if any(cell is not None and str(cell).strip() for cell in row):
                last, empty_run = number, 0
            else:
                empty_run += 1
                if empty_run >= EMPTY_ROWS_STOP:
                    break
        return last
    finally:
        book.close()


def _read_kml(path: Path, label: str) -> Grid:
    """Placemarks as rows: name, description, folder, their attributes, then Kinh độ, Vĩ độ.

    A placemark drawn as a polygon (the village's outline) stands at a point inside it;
    placemarks that are not villages (lines, tracks, boundaries) are left out and listed
    in ``source["left_out"]`` (:func:`village_placemarks`).
    """
    everything = read_kml(path, label)
    villages, left_out = village_placemarks(everything)
    placemarks = everything[villages]
    drawn = placemarks.geometry.notna() & ~placemarks.geometry.is_empty
    inside = placemarks.geometry[drawn].representative_point()
    lon = inside.x.reindex(placemarks.index)
    lat = inside.y.reindex(placemarks.index)
    table = placemarks.drop(columns="geometry").assign(**{"Kinh độ": lon, "Vĩ độ": lat})
    cells = [list(table.columns)] + [
        [_nfc(None if pd.isna(value) else value) for value in row]
        for row in table.itertuples(index=False)
    ]
    source = {"file": path.name, "format": "KML placemarks (row N is the file's N-th placemark)"}
    source |= {"placemarks": True, "left_out": left_out, "kml_notes": everything.attrs[NOTES]}
    rows = [0] + [int(i) + 1 for i in np.flatnonzero(villages)]  # the header is row 0
    return Grid(cells, rows, source)


def _read_csv(path: Path) -> Grid:
    decoded = decode_text(path.read_bytes())
    lines = decoded.text.splitlines()
    sample = "\n".join(lines[:HEADER_SEARCH_ROWS])
    separator = max((",", ";", "\t"), key=sample.count)
    cells = [[_nfc(cell) for cell in row] for row in csv.reader(lines, delimiter=separator)]
    width = max((len(row) for row in cells), default=0)
    cells = [row + [None] * (width - len(row)) for row in cells]
    source = {"file": path.name, "encoding": decoded.encoding, "encoding_sure": decoded.sure}
    if decoded.note:
        source["encoding_note"] = decoded.note
    return Grid(cells, list(range(1, len(cells) + 1)), source)


def _nfc(cell: object) -> object:
    if isinstance(cell, str):
        cell = unicodedata.normalize("NFC", cell).strip()
        return cell or None
    return cell
