"""Reading a department's own village list: the spreadsheet as it is, with what is wrong in it.

A provincial department's list of hamlets (thôn, bản) is typed by hand over years: a title
above the header, header cells merged over two rows, a numbering row ``(1) (2) (3)``, empty
rows between district blocks, a total row at the bottom, ``120 hộ`` in the households
column, coordinates in several notations. :func:`read_village_list` reads it all, keeps
every village row, and lists every problem and every row it skipped by its row number in
the file, so that the data-quality sheet can show the clerk what to fix.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from os import PathLike

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from whitespot._errors import WhitespotWarning
from whitespot.data import Problem, ValidationError
from whitespot.data._cells import COUNT_PATTERN, THOUSANDS, count_value, survey_answers, yes_no
from whitespot.data._crs import WGS84
from whitespot.data._grid import Grid, column_letter, read_grid
from whitespot.data._io import existing_path
from whitespot.data._labels import counted
from whitespot.data._lookalikes import lookalike_columns, lookalike_message
from whitespot.data._problems import format_ids, problem_table
from whitespot.data._schema import (
    VIETNAM_BBOX,
    column_spec,
    implausible_message,
    plausibility_masks,
    unusual_message,
)
from whitespot.data._table import header_scores, merged_count_problems, row_fields
from whitespot.department._headers import header_map, normalize_text
from whitespot.department._zones import fitting_zone, row_zone, zone_disagreement
from whitespot.department.coordinates import (
    MAPS_LINK,
    VN2000_ZONES,
    metre_pairs,
    metres_to_lonlat,
    parse_coordinates,
    split_pairs,
)

REQUIRED_FIELDS = ("households", "lon", "lat")
COUNT_FIELDS = ("households", "population")
TEXT_FIELDS = ("name", "commune", "district", "province")
"""Fields of names, where a '?' inside a word is a letter lost to the file's code page."""
LOST_LETTER = re.compile(r"\w\?|\?\w")
"""Fields that count people: a merged cell over several villages cannot be copied."""
_DISTRICT_WORDS = ("huyen", "quan", "thi xa", "thanh pho")
_COMMUNE_WORDS = ("xa", "phuong", "thi tran")


@dataclass(frozen=True)
class VillageList:
    """A department's village list as read, with its problems.

    Attributes
    ----------
    villages : geopandas.GeoDataFrame
        One row per village row of the file, in file order, EPSG:4326: ``village_id``,
        ``name``, ``households`` (Int64, missing where unreadable), ``population``,
        ``electrified`` (share 0..1, missing = unknown), ``old_province``, ``old_district``,
        ``old_commune`` (names as typed), ``province_code``, ``commune_code`` (when the file
        has them), ``surveyed`` (date, when the file has it), ``note``, ``source_row`` (row
        number in the file), ``id_generated`` (the file had no id for the row) and
        ``coordinate_notation``, ``duplicate_of`` (the id of the earlier row this row
        repeats, name, units, households and location alike: a folder or rows pasted twice;
        ``""`` otherwise); geometry is empty where the coordinates are missing, unreadable
        or outside Viet Nam.
    issues : pandas.DataFrame
        Every problem and every skipped row (:data:`ISSUE_COLUMNS`), by row number.
    source : dict
        File name, sheet, encoding, header rows, the column of each field, file date.
    """

    villages: gpd.GeoDataFrame
    issues: pd.DataFrame
    source: dict[str, object] = field(default_factory=dict)


class _Issues:
    """Collects the problems of one file by row; turned into a table at the end."""

    def __init__(self, layer: str):
        self.layer = layer
        self.label = layer
        self.problems: list[Problem] = []

    def add(self, rows, column: str, check: str, severity: str, values, message, ids=None) -> None:
        rows = np.atleast_1d(np.asarray(rows))
        values = np.broadcast_to(np.asarray(values, dtype=object), rows.shape)
        ids = np.broadcast_to(np.asarray("" if ids is None else ids, dtype=object), rows.shape)
        messages = np.broadcast_to(np.asarray(message, dtype=object), rows.shape)
        for row, value, village, text in zip(rows, values, ids, messages, strict=True):
            shown = "" if value is None or (isinstance(value, float) and np.isnan(value)) else value
            self.problems.append(
                Problem(self.layer, column, check, text, (village,) if village else (),
                        int(row), severity, str(shown))
            )  # fmt: skip

    def frame(self) -> pd.DataFrame:
        table = problem_table(self.problems)
        return table.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def read_village_list(
    path: str | PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    region: tuple[float, float, float, float] = VIETNAM_BBOX,
    crs: CRS | str | None = None,
) -> VillageList:
    """Read a department's village list (XLSX or CSV) as it is.

    Parameters
    ----------
    path : path-like
        ``.xlsx`` or ``.csv``/``.txt`` (UTF-8, UTF-8 with BOM or Windows-1258; ``,`` ``;``
        or tab separated).
    columns : mapping of field -> header, optional
        Headers of the file for fields that :data:`whitespot.department._headers.HEADER_ALIASES`
        does not know (``{"households": "Tổng số hộ dân"}``).
    sheet : str, optional
        Sheet of a workbook; default the first.
    region : tuple of 4 floats, default Viet Nam
        Coordinates outside it are refused (the row is kept, without a location).
    crs : CRS-like, optional
        The projected CRS of coordinates given in metres (VN-2000 X/Y: a TM-3 zone such
        as ``EPSG:9212``, or UTM ``EPSG:3405``); such rows are converted to degrees and
        said. Without it a list in metres is refused, naming the zones.

    Returns
    -------
    VillageList
        The villages, the issues by row number, and where each field was read from.

    Raises
    ------
    ValidationError
        If the file cannot be read at all, has no header row, or lacks a field that is
        needed (households, longitude, latitude, and a village name or id); the message
        names the file and the reason.
    FileNotFoundError
        If `path` does not exist.
    """
    path = existing_path(path, "villages")
    label = f"villages ({path.name})"
    lookup = header_map(columns)
    sheet_grid = read_grid(path, sheet, label, score=lambda head: _header_score(head, lookup))
    grid, rows, source = sheet_grid.cells, sheet_grid.rows, sheet_grid.source
    try:
        header_rows, fields, repeated = _find_header(
            grid, lookup, label, sheet_grid.hidden, fixed=bool(source.get("placemarks"))
        )
    except ValidationError as error:  # a header lost to the file's encoding says so
        note = source.get("encoding_note")
        if not note:
            raise
        lost = f"{LOST_LETTERS}; " if any("?" in p.message for p in error.problems) else ""
        problems = [replace(p, message=f"{p.message} ({lost}{note})") for p in error.problems]
        raise ValidationError(problems) from error
    _check_user_headers(grid, header_rows, columns or {}, label)
    _check_merged_counts(sheet_grid, header_rows[-1], fields, label)
    _check_unsaved_formulas(sheet_grid, header_rows[-1], fields, label)
    issues = _Issues("villages")
    for name, message in repeated:
        issues.add(0, name, "repeated_column", "warning", name, message)
    for key, check in (("format_note", "file_format"), ("sheet_note", "sheet_chosen")):
        if key in source:
            issues.add(0, "file", check, "info", source.get("sheet", ""), source[key])
    _placemark_issues(source, issues)
    if source.get("empty_rows_from"):
        issues.add(
            0, "file", "empty_tail", "info", str(source["empty_rows_from"]),
            f"rows {source['empty_rows_from']:,} to {source['last_row']:,} hold nothing "
            "(formatted but empty cells): not read",
        )  # fmt: skip
    if "coordinates" in fields.values() and not {"lon", "lat"} & set(fields.values()):
        header = grid[header_rows[-1]][next(c for c, f in fields.items() if f == "coordinates")]
        issues.add(
            0, "lon/lat", "one_coordinate_column", "info", str(header),
            f"column '{header}' holds both coordinates: each cell read as latitude, longitude "
            "(the order Google Maps copies), the other way round where the numbers say so",
        )  # fmt: skip
    for header, name in _lookalikes(grid, header_rows, fields):
        issues.add(0, header, "unread_column", "warning", header, lookalike_message(header, name))
    if source.get("encoding_note"):
        severity = "info" if source["encoding_sure"] else "warning"
        issues.add(0, "file", "encoding", severity, source["encoding"], source["encoding_note"])
        _lost_letters(grid, rows, header_rows[-1], fields, issues, source["encoding"])
    tables = _repeated_headers(grid, rows, header_rows[-1] + 1, fields, lookup, label)
    table, kept_rows = _data_rows(grid, rows, header_rows[-1] + 1, fields, issues, tables)
    if not len(kept_rows):
        raise ValidationError(
            [
                Problem(
                    label,
                    "file",
                    "no_rows",
                    f"no village rows under the header (row {rows[header_rows[-1]]}): "
                    "nothing to list",
                )
            ]
        )
    issues.label = label
    villages = _villages(table, kept_rows, issues, region, crs)
    source.update(
        {
            "header_rows": ", ".join(str(rows[i]) for i in header_rows),
            "columns": "; ".join(f"{f}: {h}" for f, h in _field_headers(grid, header_rows, fields)),
            "file_date": datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat(),
            "data_rows": len(villages),
        }
    )
    return VillageList(villages, issues.frame(), source)


def _placemark_issues(source: dict, issues: _Issues) -> None:
    """Say what a KML's reading found: its documents, its encoding, placemarks left out."""
    for check, message in source.get("kml_notes", ()):
        severity = "info" if check == "kml_documents" else "warning"
        issues.add(0, "file", check, severity, source["file"], message)
    for number, name, what in source.get("left_out", ()):
        issues.add(
            number, "geometry", "not_a_village", "warning", name,
            f"placemark {number} ({name or 'no name'}) is {what}, not a village: left out",
        )  # fmt: skip


def _find_header(
    grid: list[list], lookup: dict[str, str], label: str, hidden: set[int], *, fixed: bool = False
) -> tuple[list[int], dict[int, str], list[tuple[str, str]]]:
    """Header row(s), the field of each column read, and what was said of repeated fields.

    A two-row header is merged. Where several columns name one field, the first visible
    one is read (hidden columns often keep old values) and the choice is said. A `fixed`
    header is the first row alone (KML: the attributes' names; a placemark is never a
    header, even in a folder named ``Thôn bản``).
    """
    scores = header_scores(grid, lookup)
    scores = scores[:1] if fixed else scores
    if not scores or max(scores) < 2:
        first = next((row for row in grid if any(c is not None for c in row)), [])
        raise ValidationError(
            [
                Problem(
                    label,
                    "header",
                    "missing_header",
                    "no header row found in the first 30 rows: expected columns such as "
                    "Thôn/Bản, Số hộ, Kinh độ, Vĩ độ (or village, households, lon, lat); "
                    f"first row read: {', '.join(str(c) for c in first if c is not None)[:200]}"
                    "; name other headers with --columns KEY=HEADER",
                )
            ]
        )
    top = int(np.argmax(scores))
    fields = row_fields(grid[top], lookup)
    header_rows = [top]
    if top + 1 < len(grid) and not fixed:
        below = row_fields(grid[top + 1], lookup)
        # a merged group title over sub-headers (Tọa độ over Kinh độ | Vĩ độ)
        if any(c not in fields or fields[c] != f for c, f in below.items()):
            fields = {**fields, **below}
            header_rows.append(top + 1)
    if top > 0:  # a column titled only in the upper row of a two-row header
        above = row_fields(grid[top - 1], lookup)
        extra = {c: f for c, f in above.items() if c not in fields and f not in fields.values()}
        if extra:
            fields = {**extra, **fields}
            header_rows.insert(0, top - 1)
    body = grid[header_rows[-1] + 1 :]
    fields, repeated = _one_column_per_field(fields, hidden, grid[header_rows[-1]], body)
    present = set(fields.values())
    if "coordinates" in present:  # one column holds both
        present |= {"lon", "lat"}
    missing = [f for f in REQUIRED_FIELDS if f not in present]
    if not present & {"name", "village_id"}:
        missing.append("name (or village_id)")
    if missing:
        headers = [str(c) for c in grid[header_rows[-1]] if c is not None]
        raise ValidationError(
            [
                Problem(
                    label,
                    ", ".join(missing),
                    "missing_column",
                    f"no column for {', '.join(missing)} (headers found: {', '.join(headers)}); "
                    "name it with --columns KEY=HEADER, e.g. --columns households='Tổng số hộ'",
                )
            ]
        )
    return header_rows, fields, repeated


def _check_user_headers(
    grid: list[list], header_rows: list[int], columns: Mapping[str, str], label: str
) -> None:
    """Refuse headers of the user's `columns` that the header rows do not hold."""
    present = {normalize_text(c) for r in header_rows for c in grid[r] if c is not None}
    unknown = [
        f"--columns {name}={header!r}"
        for name, header in columns.items()
        if normalize_text(header) not in present
    ]
    if unknown:
        headers = ", ".join(str(c) for c in grid[header_rows[-1]] if c is not None)
        raise ValidationError(
            [
                Problem(
                    label,
                    "columns",
                    "unknown_header",
                    f"{', '.join(unknown)}: no such column (headers found: {headers})",
                )
            ]
        )


def _lookalikes(
    grid: list[list], header_rows: list[int], fields: dict[int, str]
) -> list[tuple[str, str]]:
    """Columns not mapped to a field that look like one (:func:`lookalike_columns`)."""
    width = max((len(row) for row in grid), default=0)
    header = grid[header_rows[-1]]
    unread = [
        c for c in range(min(width, len(header))) if c not in fields and header[c] is not None
    ]
    body = grid[header_rows[-1] + 1 :]
    table = pd.DataFrame(
        {str(header[c]): [row[c] if c < len(row) else None for row in body] for c in unread}
    )
    return lookalike_columns(table, set(fields.values()))


def _header_score(head: list[list], lookup: dict[str, str]) -> int:
    """How many fields the best of these rows names (a sheet with the village columns wins)."""
    return max(header_scores(head, lookup), default=0)


LOST_LETTERS = (
    "'?' where a letter should be: the file was saved in a code page without Vietnamese "
    "letters (Windows-1252, Latin-1), which lost them; save it from Excel as CSV UTF-8"
)


def _lost_letters(
    grid: list[list], rows: list[int], header_row: int, fields: dict[int, str],
    issues: _Issues, encoding: str,
) -> None:  # fmt: skip
    """List the rows whose text cells hold a '?' inside a word: letters lost on saving."""
    text = [c for c, name in fields.items() if name in TEXT_FIELDS]
    lost = {}
    for r in range(header_row + 1, len(grid)):
        cells = [str(grid[r][c]) for c in text if c < len(grid[r]) and grid[r][c] is not None]
        hit = next((cell for cell in cells if LOST_LETTER.search(cell)), None)
        if hit is not None:
            lost[rows[r]] = hit
    if lost:
        issues.add(
            list(lost), "name", "lost_letters", "warning", list(lost.values()),
            f"{LOST_LETTERS} (read as {encoding})",
        )  # fmt: skip


def _check_merged_counts(grid: Grid, header_row: int, fields: dict[int, str], label: str) -> None:
    """Refuse a household or population count merged over several villages' rows.

    Filling it into each row would count the same households twice; a merged name (a
    commune over its hamlets) is filled, as Excel shows it.
    """
    counts = {c: name for c, name in fields.items() if name in COUNT_FIELDS}
    problems = merged_count_problems(grid, header_row, counts, label, "village")
    if problems:
        raise ValidationError(problems)


def _check_unsaved_formulas(
    grid: Grid, header_row: int, fields: dict[int, str], label: str
) -> None:
    """Refuse village cells that hold a formula whose value was never saved."""
    read = {c for c, name in fields.items() if name != "note"}  # a note may stay empty
    cells = [(r, c, f) for r, c, f in grid.unsaved_formulas if r > header_row and c in read]
    if not cells:
        return
    names = [f"{column_letter(c)}{grid.rows[r]}" for r, c, _ in cells]
    raise ValidationError(
        [
            Problem(
                label,
                ", ".join(dict.fromkeys(fields[c] for _, c, _ in cells)),
                "unsaved_formula",
                f"{len(cells)} cells hold formulas with no saved value ({format_ids(names)}; "
                f"e.g. {cells[0][2]}): the file was written by a program and never opened in "
                "a spreadsheet, so they would read as empty; open and save it in Excel or "
                "LibreOffice, or type the values",
            )
        ]
    )


def _one_column_per_field(
    fields: dict[int, str], hidden: set[int], header: list, body: list[list]
) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """Keep one column per field: the first visible one with values; say which was read.

    Hidden columns often keep old values, and an empty column (a template's, or one
    whitespot wrote) says nothing: a visible column with values wins over both.
    """

    def described(c: int) -> str:
        state = "hidden" if c in hidden else "visible"
        return f"'{header[c]}' (column {column_letter(c)}, {state})"

    def filled(c: int) -> bool:
        return any(
            c < len(row) and row[c] is not None and str(row[c]).strip() != "" for row in body
        )

    out, said = {}, []
    for name in dict.fromkeys(fields[c] for c in sorted(fields)):
        columns = [c for c in sorted(fields) if fields[c] == name]
        ranked = sorted(columns, key=lambda c: (c in hidden, not filled(c)))
        chosen = ranked[0]
        out[chosen] = name
        if len(columns) > 1:
            others = ", ".join(described(c) for c in columns if c != chosen)
            why = "the first (all hidden)" if chosen in hidden else "the first visible one"
            why += " with values" if filled(chosen) else " (none has values)"
            message = f"{len(columns)} columns for {name}: read {described(chosen)}, {why}"
            said.append((name, f"{message}; not {others}"))
    return dict(sorted(out.items())), said


def _field_headers(grid, header_rows, fields) -> list[tuple[str, str]]:
    return [
        (name, " / ".join(dict.fromkeys(str(grid[r][c]) for r in header_rows if grid[r][c])))
        for c, name in sorted(fields.items(), key=lambda item: item[0])
    ]


_NUMBER_CELL = re.compile(r"[-+\d.,\s]+")


def _repeated_headers(
    grid: list[list], rows: list[int], start: int, fields: dict[int, str], lookup: dict, label: str
) -> dict[int, tuple[str, int]]:
    """Rows that start another table on the sheet: its header, and the title above it.

    Two districts' tables pasted one under the other each have a title and a header; the
    second header names the same fields in the same columns. Returns, by grid position,
    ``("header", title position or -1)`` and ``("title", header position)``.

    Raises
    ------
    ValidationError
        If a repeated header names the fields in other columns (the second table's rows
        would be read under the first's columns).
    """
    found: dict[int, tuple[str, int]] = {}
    counts = [c for c, name in fields.items() if name in COUNT_FIELDS]
    for index in range(start, len(grid)):
        row = grid[index]
        if any(c < len(row) and _NUMBER_CELL.fullmatch(str(row[c])) for c in counts):
            continue  # a village row: its count is a number (most rows stop here)
        named = row_fields(row, lookup)
        agree = [c for c, name in named.items() if fields.get(c) == name]
        if len(set(named.values())) < 2 or len(agree) < 2:
            continue
        if len(agree) < len(named):
            moved = ", ".join(f"{name} in column {column_letter(c)}" for c, name in named.items())
            raise ValidationError(
                [
                    Problem(
                        label, "header", "repeated_header",
                        f"row {rows[index]} starts a second table whose header puts its fields "
                        f"in other columns ({moved}) than the first header: put each table "
                        "on its own sheet or file, or give them the same columns",
                        row=rows[index],
                    )
                ]
            )  # fmt: skip
        above = next((k for k in range(index - 1, start - 1, -1) if any(grid[k])), -1)
        texts = [c for c in grid[above] if c is not None] if above >= 0 else []
        title = above >= 0 and all(isinstance(c, str) for c in texts) and len(set(texts)) == 1
        found[index] = ("header", above if title else -1)
        if title:
            found[above] = ("title", index)
    return found


def _data_rows(
    grid: list[list],
    rows: list[int],
    start: int,
    fields: dict[int, str],
    issues: _Issues,
    tables: dict[int, tuple[str, int]],
) -> tuple[pd.DataFrame, np.ndarray]:
    """Village rows as a frame of raw cells; empty, numbering, total and heading rows skipped.

    The header and title of another table on the sheet (`tables`, from
    :func:`_repeated_headers`) are skipped and said: the rows under them are villages.

    A subtotal or total row is listed as skipped and its households are checked against the
    villages above it (since the last heading or subtotal for a subtotal; all of them for a
    grand total). A row that holds only a name in the name column is a village with missing
    data, not a heading.
    """
    records, kept = [], []
    context: dict[str, object] = {}
    households_column = next((c for c, f in fields.items() if f == "households"), None)
    name_columns = {c for c, f in fields.items() if f in ("name", "village_id")}
    block_sum = grand_sum = 0.0
    for index in range(start, len(grid)):
        cells = grid[index]
        row = rows[index]
        filled = [c for c in cells if c is not None]
        if not filled:
            issues.add(row, "", "empty_row", "info", "", "empty row skipped")
            continue
        if index in tables:
            _another_table(issues, grid, rows, index, tables[index])
            continue
        if _is_numbering(filled):
            issues.add(
                row,
                "",
                "numbering_row",
                "info",
                " ".join(map(str, filled)),
                "column-numbering row under the header skipped",
            )
            continue
        record = {name: cells[c] for c, name in fields.items()}
        total = _total_label(filled, record) or _sum_only(record, grand_sum, block_sum)
        if total is not None:
            stated = (
                count_value(cells[households_column]) if households_column is not None else None
            )
            expected = grand_sum if total == "grand" else block_sum
            _check_total(issues, row, filled, stated, expected, total)
            if total == "sub":
                block_sum = 0.0
            continue
        heading = _heading(filled, cells, name_columns)
        if heading:
            _heading_context(heading, context)
            if normalize_text(heading).startswith(_DISTRICT_WORDS):
                block_sum = 0.0
            issues.add(
                row,
                "",
                "heading_row",
                "info",
                heading,
                "block heading skipped; its district or commune fills the rows below",
            )
            continue
        for level, value in context.items():
            if record.get(level) is None:
                record[level] = value
        households = count_value(record.get("households"))
        block_sum += households or 0.0
        grand_sum += households or 0.0
        records.append(record)
        kept.append(row)
    table = pd.DataFrame.from_records(records, columns=sorted(set(fields.values())))
    return table, np.asarray(kept, dtype=np.int64)


def _another_table(
    issues: _Issues, grid: list[list], rows: list[int], index: int, found: tuple[str, int]
) -> None:
    """Say a skipped title or header of another table on the sheet."""
    kind, other = found
    text = " | ".join(str(c) for c in dict.fromkeys(grid[index]) if c is not None)[:120]
    if kind == "title":
        issues.add(rows[index], "", "table_title", "info", text,
                   f"title of another table on the sheet (its header is row {rows[other]}): "
                   "skipped")  # fmt: skip
        return
    titled = f", titled in row {rows[other]}" if other >= 0 else ""
    issues.add(rows[index], "", "repeated_header", "warning", text,
               f"the header again: another table starts here{titled}; its rows are read as "
               "villages under the same columns")  # fmt: skip


_TOTAL = re.compile(
    r"^(?P<head>tong cong|tong so|tong|cong|tc|total|grand total|subtotal|sub total)"
    r"(?: (?P<rest>.*))?$"
)
_SUBTOTAL_SCOPE = frozenset(
    ["huyen", "quan", "xa", "phuong", "thi", "district", "commune", "i", "ii", "iii", "iv", "v"]
)
_TOTAL_SCOPE = _SUBTOTAL_SCOPE | {"tinh", "toan", "cac", "province", "all", "chung"}


def _total_label(filled: list, record: dict) -> str | None:
    """Return ``"grand"`` or ``"sub"`` for a total row (its label in any column), else None.

    ``Cộng``, ``Cộng huyện X``, ``Tổng xã Y`` and ``Subtotal`` are subtotals; ``Tổng cộng``,
    ``Tổng``, ``TC``, ``Cộng toàn tỉnh`` and ``Total`` are totals. A place named like one
    (Cộng Hòa, Tổng Xá) is a village: the word after the label must be a unit word, and a row
    with coordinates is never a total (a label in a coordinate column is not one).
    """
    coordinates = [record.get(f) for f in ("lon", "lat") if record.get(f) is not None]
    if any(not isinstance(c, str) or _TOTAL.match(normalize_text(c)) is None for c in coordinates):
        return None  # the label itself may stand under a coordinate's header
    for cell in filled:
        if not isinstance(cell, str):
            continue
        match = _TOTAL.match(normalize_text(cell))
        if match is None:
            continue
        rest = (match.group("rest") or "").split(" ")[0]
        if rest and rest not in _TOTAL_SCOPE:
            continue
        sub = rest in _SUBTOTAL_SCOPE or match.group("head") in ("cong", "subtotal", "sub total")
        return "sub" if sub and rest not in ("tinh", "toan") else "grand"
    return None


def _sum_only(record: dict, grand_sum: float, block_sum: float) -> str | None:
    """Return ``"grand"`` or ``"sub"`` for an unlabelled total row, else None.

    Such a row has neither id, name nor coordinates, and its households are the sum of the
    villages above it (a bare ``=SUM()`` under the column).
    """
    if any(record.get(f) is not None for f in ("village_id", "name", "lon", "lat", "coordinates")):
        return None
    households = count_value(record.get("households"))
    if not households:
        return None
    if households == grand_sum:
        return "grand"
    return "sub" if households == block_sum else None


def _check_total(
    issues: _Issues, row: int, filled: list, stated: float | None, expected: float, kind: str
) -> None:
    label = " | ".join(map(str, filled))[:120]
    what = "subtotal" if kind == "sub" else "total"
    if stated is None:
        issues.add(row, "", f"{what}_row", "info", label,
                   f"{what} row skipped (whitespot computes its own totals)")  # fmt: skip
    elif abs(stated - expected) < 0.5:
        issues.add(row, "households", f"{what}_row", "info", label,
                   f"{what} row skipped; its {stated:,.0f} households match the villages "
                   "above it")  # fmt: skip
    else:
        issues.add(row, "households", f"{what}_mismatch", "warning", label,
                   f"{what} row says {stated:,.0f} households, the villages above it add "
                   f"up to {expected:,.0f}: a village may be missing, counted twice or "
                   "mistyped")  # fmt: skip


_HEADING = re.compile(r"^(?:[ivxlc]+|[a-z]|\d+)(?:[.)]| -)?\s")
_NUMBERING = re.compile(r"^(?:[ivxlc]+|[a-z]|\d+)[.)]?$")


def _heading(filled: list, cells: list, name_columns: set[int]) -> str | None:
    """Return the text of a block heading, or None for a village row.

    A heading holds one text, perhaps after a numbering cell (``I``, ``A.``), perhaps merged
    across the table: one that names a district or commune (``Huyện Hướng Hóa``, ``II. Xã A
    Ngo``), one that spans several columns, or one outside the name column. One text in the
    name column alone is a village with missing data.
    """
    if any(not isinstance(c, str) for c in filled):
        return None
    labels = [t for t in dict.fromkeys(filled) if not _NUMBERING.match(normalize_text(t))]
    if len(labels) != 1:
        return None
    text = labels[0]
    bare = _HEADING.sub("", normalize_text(text) + " ").strip()
    if bare.startswith(_DISTRICT_WORDS + _COMMUNE_WORDS):
        return text
    spans = sum(c == text for c in filled) > 1
    in_name = any(cells[c] == text for c in name_columns)
    return text if spans or not in_name else None


def _is_numbering(cells: list) -> bool:
    """Tell a row such as ``(1) (2) (3)`` or ``1 2 3 4`` under a header."""
    numbers = [re.fullmatch(r"\(?(\d+)\)?", str(c).strip()) for c in cells]
    if len(cells) < 3 or not all(numbers):
        return False
    values = [int(m.group(1)) for m in numbers]
    return values == list(range(values[0], values[0] + len(values)))


def _heading_context(text: str, context: dict[str, object]) -> None:
    words = re.sub(r"^[ivxlc0-9]+\s+", "", normalize_text(text))
    if words.startswith(_DISTRICT_WORDS):
        context["district"] = re.sub(r"^[IVXLC0-9]+[.)]\s*", "", text).strip()
        context.pop("commune", None)
    elif words.startswith(_COMMUNE_WORDS):
        context["commune"] = re.sub(r"^[IVXLC0-9]+[.)]\s*", "", text).strip()


def _villages(
    table: pd.DataFrame,
    rows: np.ndarray,
    issues: _Issues,
    region: tuple[float, float, float, float],
    crs: CRS | None,
) -> gpd.GeoDataFrame:
    ids, generated = _village_ids(table, rows, issues)
    out = pd.DataFrame({"village_id": ids})
    out["name"] = _text(table, "name")
    for level in ("province", "district", "commune"):
        values = _text(table, level)
        coded = np.zeros(len(table), dtype=bool)
        if f"{level}_code" in table:  # a row with its own code takes no name from above
            coded = _text(table, f"{level}_code").to_numpy() != ""
        values, blank = _fill_from_above(values, rows, ids, level, issues, keep=coded)
        blank &= ~coded
        if level != "district" and blank.any():
            issues.add(
                rows[blank],
                level,
                f"missing_{level}",
                "error",
                "",
                f"no {level}: the row cannot be placed in the administrative units",
                ids[blank],
            )
        out[f"old_{level}"] = values
    for column in ("province_code", "commune_code", "note"):
        if column in table:
            out[column] = _text(table, column)
    out["households"] = _counts(table["households"], rows, ids, "households", issues)
    if "population" in table:
        out["population"] = _counts(table["population"], rows, ids, "population", issues)
    out["electrified"] = (
        _electrified(table["electrified"], rows, ids, issues) if "electrified" in table else np.nan
    )
    if "survey_signal" in table:
        out["survey_signal"] = _survey(table["survey_signal"], rows, ids, issues)
    if "surveyed" in table:
        out["surveyed"] = _dates(table["surveyed"], rows, ids, issues)
    out["source_row"] = rows
    out["id_generated"] = generated
    places = out[["old_province", "old_district"]].to_numpy(dtype=str)
    unsplit = None
    if "lon" not in table and "lat" not in table:  # one column holds both: latitude first
        cells = table["coordinates"].map(_cell_text)
        lat, lon = split_pairs(cells)
        unsplit = ((lat == "") & (cells != "")).to_numpy()  # a number or text, not two
        link = cells.str.contains(MAPS_LINK).to_numpy() & ~unsplit
        if link.any():
            issues.add(
                rows[link], "coordinates", "maps_link", "info", cells[link],
                "a Google Maps link: read its latitude, longitude (after @ or q=)", ids[link],
            )  # fmt: skip
        lat = lat.where(~unsplit, cells)
        table = table.assign(lon=lon.replace("", None), lat=lat.replace("", None))
    geometry, notation = _locations(table, rows, ids, issues, region, crs, places, unsplit)
    out["coordinate_notation"] = notation
    out = gpd.GeoDataFrame(out, geometry=geometry, crs=WGS84)
    out["duplicate_of"] = _copies(out, issues)
    return out


def _copies(villages: gpd.GeoDataFrame, issues: _Issues) -> np.ndarray:
    """Return the id of the earlier row each row copies ("" for none); say each copy.

    A copy (a KML folder or a block of rows pasted twice) repeats a village's name, units,
    households and location; it stays in every list, and is counted once in the totals.
    """
    located = villages.geometry.notna().to_numpy()
    points = villages.geometry.where(located)
    key = pd.DataFrame(
        {
            "name": villages["name"].astype(str),  # a pasted copy is spelt alike
            "province": villages["old_province"].astype(str),
            "district": villages["old_district"].astype(str),
            "commune": villages["old_commune"].astype(str),
            "households": villages["households"].astype("string").fillna(""),
            "x": points.x.round(6).fillna(np.inf).to_numpy() if located.any() else np.inf,
            "y": points.y.round(6).fillna(np.inf).to_numpy() if located.any() else np.inf,
        }
    )
    groups = key.groupby(list(key.columns), sort=False)
    first = groups.cumcount().to_numpy() == 0
    original = villages["village_id"].groupby(groups.ngroup().to_numpy()).transform("first")
    copy = located & ~first
    if copy.any():
        first_row = villages["source_row"].groupby(groups.ngroup().to_numpy()).transform("first")
        issues.add(
            villages["source_row"].to_numpy()[copy],
            "name",
            "duplicate_row",
            "warning",
            villages["name"].to_numpy()[copy],
            [
                f"the same village as row {r} ({i}): name, households and location repeated "
                "(a folder or rows pasted twice?); listed, counted once in the totals"
                for r, i in zip(first_row[copy], original[copy], strict=True)
            ],
            villages["village_id"].to_numpy()[copy],
        )
    return np.where(copy, original.to_numpy(dtype=object), "")


def _text(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table:
        return pd.Series("", index=table.index, dtype="string")
    return table[column].map(_cell_text).astype("string").str.strip()


def _cell_text(value: object) -> str:
    """Return a cell as text: empty for blanks, ``12`` for a whole float 12.0."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fill_from_above(
    values: pd.Series,
    rows: np.ndarray,
    ids: np.ndarray,
    level: str,
    issues: _Issues,
    keep: np.ndarray,
) -> tuple[pd.Series, np.ndarray]:
    """Blank unit names take the name above (cells merged down a block), except `keep` rows."""
    blank = (values == "").to_numpy()
    if not (~blank).any():
        return values, blank
    filled = values.mask(blank).ffill().fillna("").mask(keep & blank, "")
    taken = blank & (filled != "").to_numpy()
    if taken.any():
        issues.add(
            rows[taken],
            level,
            "filled_from_above",
            "warning",
            "",
            [f"empty; {level} taken from the row above: {v}" for v in filled[taken]],
            ids[taken],
        )
    return filled, (filled == "").to_numpy()


def _village_ids(
    table: pd.DataFrame, rows: np.ndarray, issues: _Issues
) -> tuple[np.ndarray, np.ndarray]:
    """Ids from the file; ``R<row>`` where the file has none; duplicates get ``#2``, ``#3``."""
    given = _text(table, "village_id").to_numpy(dtype=object)
    generated = given == ""
    ids = np.where(generated, np.char.add("R", rows.astype(str)).astype(object), given)
    if "village_id" in table and generated.any():
        issues.add(
            rows[generated],
            "village_id",
            "missing_id",
            "warning",
            "",
            "no village id; the row number stands in (R<row>)",
            ids[generated],
        )
    seen = pd.Series(ids).groupby(ids).cumcount().to_numpy()
    repeated = seen > 0
    if repeated.any():
        new_ids = np.char.add(
            ids[repeated].astype(str), np.char.add("#", (seen[repeated] + 1).astype(str))
        )
        issues.add(
            rows[repeated],
            "village_id",
            "duplicate_id",
            "error",
            ids[repeated],
            "the id is used by an earlier row; this row is kept as <id>#n",
            new_ids,
        )
        ids = ids.copy()
        ids[repeated] = new_ids
    return ids, generated


def _counts(raw: pd.Series, rows, ids, column: str, issues: _Issues) -> pd.Series:
    """Whole counts from cells such as ``120``, ``120 hộ``, ``1.250``; missing where not."""
    text = raw.map(_cell_text).str.strip()
    numbers = pd.to_numeric(
        raw.where(raw.map(lambda v: isinstance(v, int | float))), errors="coerce"
    ).to_numpy(dtype=float)
    match = text.str.extract(COUNT_PATTERN)["number"]
    thousands = match.str.fullmatch(THOUSANDS).fillna(False)
    cleaned = match.where(~thousands, match.str.replace(r"[.,\s]", "", regex=True))
    from_text = pd.to_numeric(cleaned.str.replace(",", ".", regex=False), errors="coerce")
    from_text = from_text.to_numpy(dtype=float)
    value = np.where(np.isfinite(numbers), numbers, from_text)
    is_text = ~np.isfinite(numbers) & np.isfinite(from_text)
    words = is_text & text.str.contains(r"[^\d\s.,\-]").fillna(False).to_numpy()
    if words.any():
        issues.add(
            rows[words],
            column,
            "text_in_number",
            "warning",
            text[words],
            f"text in a number column, read as {column} = the number in it",
            ids[words],
        )
    missing = (text == "").to_numpy()
    unreadable = ~missing & ~np.isfinite(value)
    fractional = np.isfinite(value) & (value != np.round(value))
    negative = np.isfinite(value) & (value < 0)
    for mask, check, message in (
        (missing, f"missing_{column}", f"no {column}"),
        (unreadable, "not_a_number", f"{column} is not a number"),
        (fractional, "not_whole", f"{column} must be a whole number"),
        (negative, f"negative_{column}", f"{column} cannot be negative"),
    ):
        if mask.any():
            issues.add(rows[mask], column, check, "error", text[mask], message, ids[mask])
    spec = column_spec("villages", column)
    impossible, unusual = plausibility_masks(spec, np.where(negative, np.nan, value))
    for mask, check, severity, message in (
        (impossible, "implausible", "error", implausible_message),
        (unusual, "unusual", "warning", unusual_message),
    ):
        if mask.any():
            issues.add(rows[mask], column, check, severity, text[mask],
                       message(spec, value[mask]), ids[mask])  # fmt: skip
    bad = ~np.isfinite(value) | fractional | negative | impossible
    return pd.array(np.where(bad, pd.NA, np.nan_to_num(value)).astype(object), dtype="Int64")


def _electrified(raw: pd.Series, rows, ids, issues: _Issues) -> np.ndarray:
    """Share 0..1 from yes/no words (Vietnamese or English), shares or percentages."""
    text = raw.map(_cell_text).str.strip()
    percent = text.str.fullmatch(r"\d+(?:[.,]\d+)?\s*%").fillna(False).to_numpy()
    number = pd.to_numeric(
        text.str.rstrip("%").str.replace(",", ".", regex=False).str.strip(), errors="coerce"
    ).to_numpy(dtype=float)
    share = np.where(percent, number / 100.0, number)
    word = yes_no(raw)
    share = np.where(np.isfinite(word), word, share)
    whole_percent = ~percent & (share > 1) & (share <= 100)
    if whole_percent.any():
        issues.add(
            rows[whole_percent],
            "electrified",
            "percent_without_sign",
            "warning",
            text[whole_percent],
            "read as a percentage",
            ids[whole_percent],
        )
        share = np.where(whole_percent, share / 100.0, share)
    bad = (text != "").to_numpy() & (~np.isfinite(share) | (share < 0) | (share > 1))
    if bad.any():
        issues.add(
            rows[bad],
            "electrified",
            "not_a_share",
            "error",
            text[bad],
            "electrified must be yes/no (Có/Không), a share 0..1 or a percentage",
            ids[bad],
        )
    return np.where(bad, np.nan, share)


def _survey(raw: pd.Series, rows, ids, issues: _Issues) -> pd.Series:
    """Read the survey's "Có sóng?" answers as yes/weak/no; anything else is an error."""
    text = raw.map(_cell_text).astype("string").str.strip()
    answers, unreadable = survey_answers(text.mask(text == ""))
    if unreadable.any():
        issues.add(
            rows[unreadable],
            "survey_signal",
            "not_a_survey_answer",
            "error",
            raw[unreadable].astype(str),
            "the survey's signal must be Có/Yếu/Không (yes/weak/no, 1/0); left blank",
            ids[unreadable],
        )
    return pd.Series(answers, index=raw.index, dtype="string")


def _dates(raw: pd.Series, rows, ids, issues: _Issues) -> pd.Series:
    values = raw.map(lambda v: v if isinstance(v, datetime) else (None if v is None else str(v)))
    parsed = pd.to_datetime(values, errors="coerce", dayfirst=True, format="mixed")
    bad = parsed.isna().to_numpy() & raw.notna().to_numpy()
    if bad.any():
        issues.add(
            rows[bad],
            "surveyed",
            "not_a_date",
            "warning",
            raw[bad].astype(str),
            "not a date (use dd/mm/yyyy)",
            ids[bad],
        )
    return parsed.dt.normalize()


def _vn2000(
    table: pd.DataFrame,
    rows: np.ndarray,
    ids: np.ndarray,
    issues: _Issues,
    crs: CRS | None,
    places: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Rows in VN-2000 metres converted to degrees.

    The zone is `crs`, else the zone of each row's province (:func:`row_zone`, said as a
    warning per row); rows with neither are refused.
    """
    easting, northing, metres = metre_pairs(table["lon"], table["lat"])
    if not metres.any():
        return None
    raw = (table["lon"].map(_cell_text) + ", " + table["lat"].map(_cell_text)).to_numpy()
    given = crs is not None and CRS(crs).is_projected
    zones, reasons = _zones(places, metres)
    if given:
        lon, lat = metres_to_lonlat(easting, northing, crs)
        zone_of = np.full(len(rows), f"{CRS(crs).name},", dtype=object)
        _check_given_zone(CRS(crs).to_epsg() or 0, easting, northing, metres, zones, places, issues)
    else:
        unknown = metres & (zones == 0)
        if unknown.any():
            _refuse_metres(issues.label, rows, ids, raw, unknown, reasons)
        lon, lat = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
        zone_of = np.full(len(rows), "", dtype=object)
        groups = pd.MultiIndex.from_arrays([zones, places[:, 0]])
        for zone, province in groups[metres].unique():  # a file is in one grid per province
            mask = metres & (zones == zone) & (places[:, 0] == province)
            epsg, why = fitting_zone(easting[mask], northing[mask], int(zone), province)
            lon[mask], lat[mask] = metres_to_lonlat(easting[mask], northing[mask], f"EPSG:{epsg}")
            name = CRS(f"EPSG:{epsg}").name
            zone_of[mask] = [f"{name} (EPSG:{epsg}), {why or r}; --crs to choose another;"
                             for r in reasons[mask]]  # fmt: skip
    said = [
        f"read as {x:.6f}, {y:.6f} (metres in {zone} the larger number as the northing)"
        for x, y, zone in zip(lon[metres], lat[metres], zone_of[metres], strict=True)
    ]
    severity = "info" if given else "warning"
    issues.add(rows[metres], "lon/lat", "coordinate_notation", severity, raw[metres], said,
               ids[metres])  # fmt: skip
    return metres, lon, lat


def _check_given_zone(
    given: int,
    easting: np.ndarray,
    northing: np.ndarray,
    metres: np.ndarray,
    zones: np.ndarray,
    places: np.ndarray,
    issues: _Issues,
) -> None:
    """Warn where a TM-3 zone given with ``--crs`` is not the zone of the rows' province."""
    groups = pd.MultiIndex.from_arrays([zones, places[:, 0]])
    for zone, province in groups[metres & (zones != 0)].unique():
        mask = metres & (zones == zone) & (places[:, 0] == province)
        message = zone_disagreement(easting[mask], northing[mask], given, int(zone), province)
        if message:
            message = f"{counted(int(mask.sum()), 'row')}: {message}"
            issues.add(0, "lon/lat", "crs_not_province_zone", "warning", f"EPSG:{given}", message)
            warnings.warn(f"{issues.label}: {message}", ZoneWarning, stacklevel=5)


class ZoneWarning(WhitespotWarning):
    """Metres were read in a zone other than the one of the rows' province (``--crs``)."""


def _zones(places: np.ndarray, metres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG code (0 unknown) and how it was found, per row, from its province and district."""
    pairs = pd.MultiIndex.from_arrays([places[:, 0], places[:, 1]])
    codes, distinct = pd.factorize(pairs)
    found = [row_zone(province, district) for province, district in distinct]
    zones = np.array([z.epsg or 0 for z in found], dtype=np.int64)[codes]
    reasons = np.array([z.reason for z in found], dtype=object)[codes]
    return np.where(metres, zones, 0), reasons


def _refuse_metres(
    label: str,
    rows: np.ndarray,
    ids: np.ndarray,
    raw: np.ndarray,
    unknown: np.ndarray,
    reasons: np.ndarray,
) -> None:
    zones = ", ".join(f"EPSG:{code} {meridian}" for code, meridian in VN2000_ZONES.items())
    why = "; ".join(dict.fromkeys(reasons[unknown]))
    raise ValidationError(
        [
            Problem(
                label, "lon/lat", "coordinates_in_metres",
                f"{unknown.sum():,} rows hold coordinates in metres, not degrees "
                f"(e.g. row {rows[unknown][0]}: {raw[unknown][0]}): VN-2000 X (northing) "
                f"and Y (easting), and their zone is not known ({why}). Give it with --crs "
                "(Python: read_village_list(..., crs=...)): the VN-2000 TM-3 zone of the "
                f"province's central meridian ({zones}), or EPSG:3405 / 3406 for UTM",
                tuple(ids[unknown]),
            )
        ]
    )  # fmt: skip


def _locations(
    table: pd.DataFrame,
    rows: np.ndarray,
    ids: np.ndarray,
    issues: _Issues,
    region: tuple[float, float, float, float],
    crs: CRS | None,
    places: np.ndarray,
    unsplit: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's point and the notation it was read in; the issues of those not placed.

    `unsplit` marks rows whose one coordinate column held something other than two
    coordinates: unreadable, not missing.
    """
    lon, lon_notation = parse_coordinates(table["lon"], "lon")
    lat, lat_notation = parse_coordinates(table["lat"], "lat")
    metres = _vn2000(table, rows, ids, issues, crs, places)
    if metres is not None:
        within, lon_m, lat_m = metres
        lon, lat = np.where(within, lon_m, lon), np.where(within, lat_m, lat)
        lon_notation = np.where(within, "vn2000", lon_notation)
        lat_notation = np.where(within, "vn2000", lat_notation)
    lat_as_lon, lat_as_lon_notation = parse_coordinates(table["lat"], "lon")
    lon_as_lat, lon_as_lat_notation = parse_coordinates(table["lon"], "lat")
    raw = table["lon"].map(_cell_text) + ", " + table["lat"].map(_cell_text)
    min_lon, min_lat, max_lon, max_lat = region

    def inside(x, y):
        return (x >= min_lon) & (x <= max_lon) & (y >= min_lat) & (y <= max_lat)

    swapped = ~inside(lon, lat) & inside(lat_as_lon, lon_as_lat)
    if swapped.any():
        issues.add(
            rows[swapped],
            "lon/lat",
            "swapped_lonlat",
            "warning",
            raw[swapped],
            "longitude and latitude were swapped; read the other way round",
            ids[swapped],
        )
        lon, lat = np.where(swapped, lat_as_lon, lon), np.where(swapped, lon_as_lat, lat)
        lon_notation = np.where(swapped, lat_as_lon_notation, lon_notation)
        lat_notation = np.where(swapped, lon_as_lat_notation, lat_notation)
    notation = np.where(
        lon_notation == lat_notation, lon_notation, lon_notation + "/" + lat_notation
    ).astype(object)
    converted = np.isin(lon_notation, ("dms", "dm", "decimal_comma")) | np.isin(
        lat_notation, ("dms", "dm", "decimal_comma")
    )
    if converted.any():
        issues.add(
            rows[converted],
            "lon/lat",
            "coordinate_notation",
            "info",
            raw[converted],
            [
                f"read as {x:.6f}, {y:.6f} ({n})"
                for x, y, n in zip(lon[converted], lat[converted], notation[converted], strict=True)
            ],
            ids[converted],
        )
    unsplit = np.zeros(len(table), dtype=bool) if unsplit is None else unsplit
    missing = ((lon_notation == "missing") | (lat_notation == "missing")) & ~unsplit
    unreadable = ~missing & (
        (lon_notation == "unreadable") | (lat_notation == "unreadable") | unsplit
    )
    outside = ~missing & ~unreadable & ~inside(lon, lat)
    for mask, check, message in (
        (missing, "missing_coordinates", "no coordinates: signal cannot be predicted here"),
        (
            unreadable,
            "unreadable_coordinates",
            "coordinates not understood; use decimal degrees or 18°30'12\"N",
        ),
        (outside, "outside_region", "coordinates outside Viet Nam"),
    ):
        if mask.any():
            issues.add(rows[mask], "lon/lat", check, "error", raw[mask], message, ids[mask])
    located = ~(missing | unreadable | outside)
    geometry = gpd.points_from_xy(lon, lat, crs=WGS84)
    geometry[~located] = None
    return geometry, notation
