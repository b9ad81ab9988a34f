"""The submission workbook: sheets a clerk can read, filter and print.

Numbers stay numbers (counts as whole numbers, coordinates to 6 decimals, shares as
percentages), the header row is frozen and bold, every sheet has filters and column widths
that fit their text, and no text cell can run as a formula. The file is byte-for-byte the
same for the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from whitespot.data._io import atomic_path, inert_text_cells, pin_xlsx_timestamps

COORDINATE_COLUMNS = ("lon", "lat", "Kinh độ", "Vĩ độ")
SHARE_COLUMNS = ("electrified", "covered_share", "Tỷ lệ hộ có điện", "Tỷ lệ hộ có sóng")
MAX_WIDTH = 60
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: str | PathLike) -> Path:
    """Write tables as a formatted XLSX workbook, atomically and deterministically.

    Parameters
    ----------
    sheets : mapping of sheet name -> DataFrame
        In order; names are cut to Excel's 31 characters. Geometry columns are dropped.
    path : path-like
        The ``.xlsx`` file.

    Returns
    -------
    pathlib.Path
        `path`.
    """
    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        _write_sheet(book.create_sheet(name[:31]), table)
    with atomic_path(path) as temporary:
        book.save(temporary)
        pin_xlsx_timestamps(temporary)
    return path


def _write_sheet(sheet, table: pd.DataFrame) -> None:
    table = pd.DataFrame(table).drop(columns=["geometry"], errors="ignore").reset_index(drop=True)
    sheet.append([str(c) for c in table.columns])
    for row in _cells(table):
        sheet.append(row)
    inert_text_cells(sheet)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        number_format = _number_format(column, table[column])
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        text = table[column].astype("string").fillna("").str.len()
        longest = max(len(str(column)), int(text.max()) if len(text) else 0)
        sheet.column_dimensions[letter].width = min(longest + 2, MAX_WIDTH)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if len(table.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"


def _cells(table: pd.DataFrame) -> list[list[object]]:
    """Rows of plain Python values: numbers as int or float, missing as empty cells."""
    columns = []
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_bool_dtype(values):
            columns.append([None if pd.isna(v) else bool(v) for v in values])
        elif pd.api.types.is_integer_dtype(values):
            columns.append([None if pd.isna(v) else int(v) for v in values])
        elif pd.api.types.is_float_dtype(values):
            numbers = values.to_numpy(dtype=float, na_value=np.nan)
            columns.append([None if np.isnan(v) else float(v) for v in numbers])
        else:
            columns.append([None if _missing(v) else _plain(v) for v in values])
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value if isinstance(value, str | int | float | bool) else str(value)


def _number_format(column: str, values: pd.Series) -> str | None:
    if column in COORDINATE_COLUMNS:
        return "0.000000"
    if column in SHARE_COLUMNS:
        return "0%"
    if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return "#,##0"
    if pd.api.types.is_float_dtype(values):
        return "#,##0.0##"
    return None
