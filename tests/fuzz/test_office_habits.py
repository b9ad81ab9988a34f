"""Office habits, fuzzed: every layer as offices, phones and Excel write it (issue 41).

A clean file of each layer is made from the embedded sample (villages as a department's
list, households, towers, measurements, candidates, and a gap list written by
``whitespot gaps`` and read back by ``whitespot plan --gaps``). Habits are composable
transformations of that file (title rows above the header, merged text cells, ``;`` with
decimal commas, units in the cells, renamed and reordered columns from the layer's alias
tables, BOM / UTF-16 / CRLF, blank rows, a totals row, a hidden stale column, a hidden
stale sheet, .xls/.xlsx/.kml). Each generated file goes through the real command
(:func:`whitespot.cli.main`, in-process, with its exit code) and must give what a user may
accept:

* exit 0 and the clean file's result: the same ids, statuses, counts and places; or
* exit 1 with a message that names the file, a column and the rows.

Never exit 4 (a crash), never a different result (warned or not), never another exit code.

A habit that fails this today for a layer is a defect, kept out of that layer's strategy and
named in :data:`KNOWN_GAPS`; a habit refused well (exit 1) is named in :data:`REFUSED`;
:func:`test_each_habit_alone` checks each habit alone against both tables, so an entry must
go once the reader is fixed. Habits each read alone must be read together. The CI run and
the long run are the profiles of ``tests/fuzz/conftest.py``.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import os
import random
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlwt
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from whitespot.cli import main
from whitespot.data import COLUMN_ALIASES, make_province, write_layer
from whitespot.data._cells import normalize_text
from whitespot.data._labels import VIETNAMESE_HEADERS
from whitespot.department import HEADER_ALIASES

FUZZ = settings(parent=settings.get_profile("whitespot-fuzz"))
EXIT_OK, EXIT_INVALID = 0, 1
SITES = "2"
"""Sites chosen by the plan runs (few: the result is compared, not the solver)."""

HABITS = (
    "title_rows",
    "merged_text",
    "decimal_comma",
    "units_in_cells",
    "renamed_columns",
    "reordered_columns",
    "bom",
    "utf16",
    "crlf",
    "blank_rows",
    "totals_row",
    "sum_row",
    "hidden_column",
    "hidden_sheet",
    "xlsx",
    "xls",
    "kml",
)
"""Every habit; the last three are the file's format (the clean file is a UTF-8 CSV)."""
FORMATS = {"xlsx": ".xlsx", "xls": ".xls", "kml": ".kml"}
HABIT_FORMATS = {
    "title_rows": (".csv", ".xlsx", ".xls"),
    "merged_text": (".xlsx",),
    "decimal_comma": (".csv",),
    "units_in_cells": (".csv", ".xlsx", ".xls"),
    "renamed_columns": (".csv", ".xlsx", ".xls", ".kml"),
    "reordered_columns": (".csv", ".xlsx", ".xls"),
    "bom": (".csv",),
    "utf16": (".csv",),
    "crlf": (".csv",),
    "blank_rows": (".csv", ".xlsx", ".xls"),
    "totals_row": (".csv", ".xlsx", ".xls"),
    "sum_row": (".csv", ".xlsx", ".xls"),
    "hidden_column": (".xlsx",),
    "hidden_sheet": (".xlsx", ".xls"),
}
"""The formats in which each habit exists (a merged cell needs a workbook, a BOM a text file)."""

KNOWN_GAPS: dict[tuple[str, str], str] = {}
"""(layer, habit) pairs that fail today, with what happens; kept out of the strategies.

Each is a defect for the engineer of that layer; :func:`test_each_habit_alone` fails once
it is fixed, so that the entry is removed and the habit joins the strategy."""


_REFUSED_ROWS = "exit 1 naming the file, the column and the rows"
REFUSED: dict[tuple[str, str], str] = {
    ("households", "totals_row"): "the totals row: " + _REFUSED_ROWS,
    ("towers", "totals_row"): "the totals row: " + _REFUSED_ROWS,
    ("measurements", "totals_row"): "the totals row: " + _REFUSED_ROWS,
    ("candidates", "totals_row"): "the totals row: " + _REFUSED_ROWS,
    ("candidates", "sum_row"): "a bare sum under capex: " + _REFUSED_ROWS,
    ("gap_list", "totals_row"): "the totals row: " + _REFUSED_ROWS,
}
"""(layer, habit) pairs refused today with a message that names the file, column and rows.

Acceptable (the user is told what to fix), yet not read as an office writes it: the
design of issue 41 reads most of them. A combination of habits without any of these must be
read; :func:`test_each_habit_alone` fails once one is read, so that it moves out of here."""


# --- the file, as a table and its habits ----------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One layer's table and the habits it will be written with.

    ``frame`` has the layer's canonical column names, in the order written; ``headers``
    maps each to the header written in the file.
    """

    frame: pd.DataFrame
    headers: dict[str, str]
    suffix: str = ".csv"
    title: tuple[str, ...] = ()
    blank_after: tuple[int, ...] = ()
    totals: str | None = None
    totals_label: str | None = "Tổng cộng"
    merged: str | None = None
    hidden_sheet: bool = False
    units: dict[str, str] = field(default_factory=dict)
    decimal_comma: bool = False
    encoding: str = "utf-8"
    newline: str = "\n"

    def row_cells(self) -> list[list[object]]:
        """The rows of the sheet as written: title, header, body, blank rows, totals."""
        columns = list(self.frame.columns)
        width = len(columns)
        rows: list[list[object]] = [[line] + [None] * (width - 1) for line in self.title]
        rows.append([self.headers[c] for c in columns])
        body = [
            [self._cell(c, v) for c, v in zip(columns, row, strict=True)]
            for row in self.frame.itertuples(index=False)
        ]
        for position in sorted(self.blank_after, reverse=True):
            body.insert(position + 1, [None] * width)
        rows += body
        if self.totals is not None:
            total = [None] * width
            label = next((i for i, c in enumerate(columns) if c != self.totals), 0)
            total[label] = self.totals_label
            if self.totals in columns:
                total[columns.index(self.totals)] = self._cell(
                    self.totals, int(pd.to_numeric(self.frame[self.totals]).sum())
                )
            rows.append(total)
        return rows

    def _cell(self, column: str, value: object) -> object:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, np.generic):
            value = value.item()
        unit = self.units.get(column)
        if self.suffix in (".xlsx", ".xls") and unit is None:
            return value
        if isinstance(value, float):
            value = _number_text(value)
            value = value.replace(".", ",") if self.decimal_comma else value
        return f"{value} {unit}" if unit is not None else str(value)


def _number_text(value: float) -> str:
    """A number as a person types it: ``36``, not ``36.0``; all its digits otherwise."""
    return str(int(value)) if value.is_integer() else repr(value)


def write_sheet(sheet: Sheet, path: Path) -> Path:
    """Write `sheet` in its format to `path` (suffix replaced by the sheet's)."""
    path = path.with_suffix(sheet.suffix)
    writers: dict[str, Callable[[Sheet, Path], None]] = {
        ".csv": _write_csv,
        ".xlsx": _write_xlsx,
        ".xls": _write_xls,
        ".kml": _write_kml,
    }
    writers[sheet.suffix](sheet, path)
    return path


def _write_csv(sheet: Sheet, path: Path) -> None:
    separator = ";" if sheet.decimal_comma else "\t" if sheet.encoding == "utf-16" else ","
    text = io.StringIO()
    writer = csv.writer(text, delimiter=separator, lineterminator=sheet.newline)
    writer.writerows([["" if v is None else v for v in row] for row in sheet.row_cells()])
    path.write_bytes(text.getvalue().encode(sheet.encoding))


def _write_xlsx(sheet: Sheet, path: Path) -> None:
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Danh sách"
    if sheet.hidden_sheet:  # an old copy, first in the book and hidden, as offices keep it
        old = book.create_sheet("Cũ", 0)
        old.sheet_state = "hidden"
        stale = replace(sheet, frame=_stale(sheet.frame), hidden_sheet=False, title=())
        for row in stale.row_cells():
            old.append(row)
        book.active = 1
    rows = sheet.row_cells()
    for row in rows:
        data.append(row)
    width = sheet.frame.shape[1]
    for line in range(len(sheet.title)):
        data.merge_cells(start_row=line + 1, end_row=line + 1, start_column=1, end_column=width)
    if sheet.merged is not None:
        _merge_runs(data, rows, len(sheet.title) + 1, list(sheet.frame.columns).index(sheet.merged))
    for at, column in enumerate(sheet.frame.columns, start=1):
        if column.startswith(STALE):
            data.column_dimensions[get_column_letter(at)].hidden = True
    book.save(path)


def _merge_runs(data, rows: list[list[object]], header_row: int, column: int) -> None:
    """Merge each run of equal text down `column` below the header (1-based sheet rows)."""
    start = header_row + 1
    values = [row[column] for row in rows[header_row:]]
    run_start = 0
    for i in range(1, len(values) + 1):
        if i < len(values) and values[i] is not None and values[i] == values[run_start]:
            continue
        if i - run_start > 1 and values[run_start] is not None:
            data.merge_cells(
                start_row=start + run_start,
                end_row=start + i - 1,
                start_column=column + 1,
                end_column=column + 1,
            )
        run_start = i


def _stale(frame: pd.DataFrame, *, rows: int | None = None) -> pd.DataFrame:
    """An older version of the table: its first half (or `rows`), numbers and places changed."""
    old = frame.iloc[: rows or max(1, len(frame) // 2)].copy()
    for column in old.columns:
        numbers = pd.to_numeric(old[column], errors="coerce")
        if numbers.notna().all():
            shift = 0.05 if column in ("lon", "lat") else 0.0  # about 5 km
            old[column] = (numbers + shift if shift else (numbers * 0.5).round()).to_numpy()
    return old


def _write_xls(sheet: Sheet, path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    if sheet.hidden_sheet:
        old = book.add_sheet("Cu")
        old.visibility = 1
        _fill_xls(old, replace(sheet, frame=_stale(sheet.frame), hidden_sheet=False, title=()))
        book.active_sheet = 1
    _fill_xls(book.add_sheet("Danh sach"), sheet)
    book.save(str(path))


def _fill_xls(data, sheet: Sheet) -> None:
    for r, row in enumerate(sheet.row_cells()):
        for c, value in enumerate(row):
            if value is not None:
                data.write(r, c, value)


def _write_kml(sheet: Sheet, path: Path) -> None:
    """Placemarks as Google Earth writes them: a name, ExtendedData, a point."""
    columns = [c for c in sheet.frame.columns if c not in ("lon", "lat")]
    label = "name" if "name" in columns else columns[0]  # Google Earth shows it on the map
    placemarks = []
    for row in sheet.frame.to_dict("records"):
        data = "".join(
            f'<Data name="{escape(sheet.headers[c])}"><value>{escape(str(row[c]))}</value></Data>'
            for c in columns
            if row[c] is not None and not (isinstance(row[c], float) and np.isnan(row[c]))
        )
        placemarks.append(
            f"<Placemark><name>{escape(str(row[label]))}</name>"
            f"<ExtendedData>{data}</ExtendedData>"
            f"<Point><coordinates>{row['lon']!r},{row['lat']!r},0</coordinates></Point></Placemark>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><Folder><name>Danh sách</name>{''.join(placemarks)}</Folder></Document></kml>",
        encoding="utf-8",
    )


# --- the layers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """A layer as the fuzzer writes it and the command that reads it.

    Attributes
    ----------
    name : str
    formats : tuple of str
        Suffixes the layer is read from besides ``.csv``.
    aliases : dict of column -> other headers
        From the layer's alias tables.
    merge : str, optional
        A text column offices merge down (its runs of equal values).
    total : str, optional
        The count a totals row sums ("" for a totals row with its label only).
    units : dict of column -> unit
        Units written into the cells (``36 m``).
    stale : str, optional
        A column of which a hidden old copy (its values changed) stands before it under the
        same header, as offices keep an old column and add the new one beside it.
    cased : bool
        Whether headers may be retyped in capitals or title case (the readers match
        headers in any case), or are written exactly as the alias table has them.
    """

    name: str
    formats: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    merge: str | None = None
    total: str | None = ""
    units: dict[str, str] = field(default_factory=dict)
    stale: str | None = None
    cased: bool = True

    def habits(self) -> tuple[str, ...]:
        """The habits this layer can be written with (the fuzzer's alphabet for it)."""
        needs = {
            "merged_text": self.merge,
            "units_in_cells": self.units,
            "renamed_columns": self.aliases,
            "hidden_column": self.stale,
            "totals_row": self.total is not None,
            "sum_row": self.total,
        }
        return tuple(
            h
            for h in HABITS
            if needs.get(h, True)
            and (
                FORMATS[h] in self.formats
                if h in FORMATS
                else {".csv", *self.formats} & set(HABIT_FORMATS[h])
            )
        )


LON_LAT = {"lon": ("kinh độ", "longitude", "lng", "x"), "lat": ("vĩ độ", "latitude", "y")}
"""Coordinate headers every table reader knows (``whitespot.data._io.LON_NAMES``)."""

LAYERS = {
    "villages": Layer(
        "villages",
        (".xlsx", ".xls", ".kml"),
        aliases={f: HEADER_ALIASES[f] for f in HEADER_ALIASES},
        merge="commune",
        total="households",
        units={"households": "hộ"},
        stale="households",
    ),
    "households": Layer(
        "households",
        (".xlsx", ".xls"),
        aliases=LON_LAT,
        merge="village_id",
        stale="lon",
    ),
    "towers": Layer(
        "towers",
        (".xlsx", ".xls", ".kml"),
        aliases={**COLUMN_ALIASES["towers"], **LON_LAT},
        merge="operator",
        units={"height_m": "m", "frequency_mhz": "MHz", "eirp_dbm": "dBm"},
        stale="height_m",
    ),
    "measurements": Layer(
        "measurements",
        (".xlsx", ".xls"),
        aliases={**COLUMN_ALIASES["measurements"], **LON_LAT},
        merge="operator",
        units={"signal_dbm": "dBm"},
        stale="signal_dbm",
    ),
    "candidates": Layer(
        "candidates",
        (".xlsx", ".xls"),
        aliases=LON_LAT,
        total="capex",
        units={"height_m": "m"},
        stale="lon",
    ),
    "gap_list": Layer(
        "gap_list",
        (),
        aliases={en: (vi,) for en, vi in VIETNAMESE_HEADERS.items()},
        cased=False,  # as 'whitespot report --lang vi' writes them
    ),
}
"""The layers fuzzed. Villages are a department's own list (its headers, a commune column);
the others are in whitespot's form, the gap list as ``whitespot gaps`` writes it."""

GAP_COLUMNS = (
    "village_id",
    "lon",
    "lat",
    "households",
    "households_without_signal",
    "signal_status",
    "power_status",
    "gap_type",
    "electrified",
    "best_tower_id",
    "best_operator",
    "best_technology",
    "household_points",
    "evidence",
    "measurements",
    "measured_operator",
    "measured_technology",
    "measured_signal_dbm",
)
"""Columns of a gap list compared with the clean file's: ids, places, statuses, counts."""
SITE_COLUMNS = ("rank", "site_id", "lon", "lat", "households_new", "capex", "total_cost")
"""Columns of a plan compared with the clean file's."""


@dataclass(frozen=True)
class World:
    """The sample's clean tables and the files every run shares."""

    folder: Path
    tables: dict[str, Sheet]
    villages: Path
    towers: Path
    gaps: Path


def _department_list(province) -> pd.DataFrame:
    """The sample's villages as a department keeps them: its headers, a commune column."""
    villages = province.villages
    communes = dict(zip(province.communes["commune_code"], province.communes["name"], strict=True))
    return pd.DataFrame(
        {
            "village_id": villages["village_id"],
            "name": villages["name"],
            "commune": villages["commune_code"].map(communes),
            "households": villages["households"],
            "population": villages["population"],
            "electrified": villages["electrified"],
            "lon": villages.geometry.x.round(6),
            "lat": villages.geometry.y.round(6),
            "province_code": villages["province_code"],
            "commune_code": villages["commune_code"],
        }
    )


DEPARTMENT_HEADERS = {
    "village_id": "Mã thôn",
    "name": "Tên thôn",
    "commune": "Xã",
    "households": "Số hộ",
    "population": "Số dân",
    "electrified": "Tỷ lệ hộ có điện",
    "lon": "Kinh độ",
    "lat": "Vĩ độ",
    "province_code": "Mã tỉnh",
    "commune_code": "Mã xã",
}


def _with_lonlat(layer, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: layer[c].to_numpy() for c in columns})
    frame["lon"] = layer.geometry.x.round(6).to_numpy()
    frame["lat"] = layer.geometry.y.round(6).to_numpy()
    return frame


def _measurements(province) -> pd.DataFrame:
    """Three drive-test samples beside each village, served by towers of the sample."""
    rng = np.random.default_rng(41)
    villages, towers = province.villages, province.towers
    n = 3 * len(villages)
    pick = rng.integers(0, len(towers), n)
    return pd.DataFrame(
        {
            "measurement_id": [f"M{i:03d}" for i in range(n)],
            "signal_dbm": np.round(rng.uniform(-125, -70, n), 1),
            "technology": towers["technology"].to_numpy()[pick],
            "operator": towers["operator"].to_numpy()[pick],
            "tower_id": towers["tower_id"].to_numpy()[pick],
            "time": [f"2026-11-{1 + i % 28:02d} 09:{i % 60:02d}" for i in range(n)],
            "lon": np.round(
                np.repeat(villages.geometry.x.to_numpy(), 3) + rng.normal(0, 0.001, n), 6
            ),
            "lat": np.round(
                np.repeat(villages.geometry.y.to_numpy(), 3) + rng.normal(0, 0.001, n), 6
            ),
        }
    )


def _candidates(province) -> pd.DataFrame:
    """A candidate site 300 m east of each village, costs as a plan's currency (million VND)."""
    villages = province.villages
    return pd.DataFrame(
        {
            "site_id": [f"C-{v}" for v in villages["village_id"]],
            "height_m": [30.5 + 6 * (i % 3) for i in range(len(villages))],
            "capex": [1500.0 + 250.5 * (i % 4) for i in range(len(villages))],
            "lon": (villages.geometry.x + 0.003).round(6).to_numpy(),
            "lat": villages.geometry.y.round(6).to_numpy(),
        }
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    """Clean tables of every layer, from a small sample province, and the shared files."""
    province = make_province(villages=10, towers=8, seed=3)
    folder = tmp_path_factory.mktemp("office")
    villages = write_layer(province.villages, folder / "villages.csv")
    towers = write_layer(province.towers, folder / "towers.csv")
    gaps = folder / "gaps.csv"
    code, _, err = _run(
        ["gaps", "--villages", str(villages), "--towers", str(towers), "--out", str(gaps)]
    )
    assert code == EXIT_OK, err

    def plain(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> Sheet:
        return Sheet(frame, headers or {c: c for c in frame.columns})

    tables = {
        "villages": plain(_department_list(province), DEPARTMENT_HEADERS),
        "households": plain(
            _with_lonlat(province.households, ["household_id", "village_id", "electrified"])
        ),
        "towers": plain(
            _with_lonlat(
                province.towers,
                [
                    "tower_id",
                    "operator",
                    "technology",
                    "frequency_mhz",
                    "eirp_dbm",
                    "height_m",
                    "power_source",
                ],
            )
        ),
        "measurements": plain(_measurements(province)),
        "candidates": plain(_candidates(province)),
        "gap_list": plain(
            pd.read_csv(gaps, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        ),
    }
    gc.collect()
    gc.freeze()  # the command's own gc.collect() then walks only what each run makes
    yield World(folder, tables, villages, towers, gaps)
    gc.unfreeze()


# --- running the command ----------------------------------------------------------------------


def _run(argv: list[str]) -> tuple[int, str, str]:
    """Run ``whitespot`` in-process; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _argv(layer: str, path: Path, world: World, out: Path) -> list[str]:
    """The command a user runs with a file of `layer`, and the output compared."""
    shared = ["--villages", str(world.villages), "--towers", str(world.towers)]
    commands = {
        "villages": ["gaps", "--villages", str(path), "--towers", str(world.towers)],
        "households": ["gaps", *shared, "--households", str(path)],
        "towers": ["gaps", "--villages", str(world.villages), "--towers", str(path)],
        "measurements": ["gaps", *shared, "--measurements", str(path)],
        "candidates": [
            "plan",
            "--gaps",
            str(world.gaps),
            "--candidates",
            str(path),
            "--sites",
            SITES,
        ],
        "gap_list": ["plan", "--gaps", str(path), "--sites", SITES],
    }
    return [*commands[layer], "--out", str(out)]


@dataclass(frozen=True)
class Result:
    """What the user sees: the exit code, the result table and headline, the messages."""

    code: int
    table: pd.DataFrame | None
    headline: str
    err: str


def run_layer(layer: str, sheet: Sheet, world: World) -> tuple[Result, Path]:
    """Write `sheet`, run the layer's command on it, and read its output."""
    folder = Path(tempfile.mkdtemp(dir=world.folder))
    path = write_sheet(sheet, folder / f"{layer}.csv")
    if layer == "gap_list":  # Excel re-saves the file opened; its settings stay beside it
        side = world.gaps.with_name(f"{world.gaps.stem}_settings.csv")
        (folder / f"{path.stem}_settings.csv").write_bytes(side.read_bytes())
    out = folder / "result.csv"
    code, stdout, err = _run(_argv(layer, path, world, out))
    table = None
    if code == EXIT_OK:
        keep = (
            GAP_COLUMNS
            if layer in ("villages", "households", "towers", "measurements")
            else SITE_COLUMNS
        )
        full = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table = full[[c for c in keep if c in full.columns]]
        table = table.sort_values(
            table.columns[0]
            if layer in ("villages", "households", "towers", "measurements")
            else "rank"
        ).reset_index(drop=True)
    lines = stdout.splitlines()
    headline = next((lines[i - 1] for i, line in enumerate(lines) if line.startswith("wrote")), "")
    return Result(code, table, headline, err), path


_CLEAN: dict[str, Result] = {}


def clean_result(layer: str, world: World) -> Result:
    """The clean file's result (run once per layer)."""
    if layer not in _CLEAN:
        result, _ = run_layer(layer, world.tables[layer], world)
        assert result.code == EXIT_OK, f"{layer}: the clean file is refused: {result.err}"
        _CLEAN[layer] = result
    return _CLEAN[layer]


READ, REFUSED_, FAILED = "read", "refused", "failed"
"""What a run gave: the clean file's result; exit 1 naming the file, a column and the rows;
anything else (a crash, another exit code, a different result, a message without them)."""


def judge(layer: str, result: Result, path: Path, world: World) -> tuple[str, str]:
    """Return :data:`READ`, :data:`REFUSED_` or :data:`FAILED`, and what was wrong if failed."""
    clean = clean_result(layer, world)
    if result.code == EXIT_OK:
        if result.table.equals(clean.table) and result.headline == clean.headline:
            return READ, ""
        warned = "warning:" in result.err
        diff = _difference(clean, result)
        return FAILED, f"{'different result, warned' if warned else 'silently different'}: {diff}"
    if result.code == EXIT_INVALID:
        message = result.err
        names_column = re.search(r"column|cột|'[^']+'", message, re.IGNORECASE) is not None
        names_rows = re.search(r"\brows?\b|\bids?\b|dòng", message, re.IGNORECASE) is not None
        if path.name in message and names_column and names_rows:
            return REFUSED_, ""
        return FAILED, f"exit 1 without the file, a column and the rows: {message.strip()[:400]}"
    return FAILED, f"exit {result.code}: {result.err.strip()[:400]}"


def _difference(clean: Result, result: Result) -> str:
    if result.headline != clean.headline:
        return f"headline {result.headline!r} instead of {clean.headline!r}"
    a, b = clean.table, result.table
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return f"{len(b)} rows {list(b.columns)} instead of {len(a)} rows {list(a.columns)}"
    changed = (a != b).any(axis=0)
    column = changed[changed].index[0]
    row = int(np.flatnonzero((a[column] != b[column]).to_numpy())[0])
    return f"{column} of {a.iloc[row, 0]}: {b.at[row, column]!r} instead of {a.at[row, column]!r}"


# --- the habits -------------------------------------------------------------------------------

TITLES = (
    "UBND TỈNH QUẢNG TRỊ",
    "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "DANH SÁCH (Kèm theo Công văn số 123/SKHCN ngày 01/12/2026)",
)


def _renamed(sheet: Sheet, layer: Layer, rnd: random.Random) -> Sheet:
    headers = dict(sheet.headers)
    for column in sheet.frame.columns:
        others = [
            a
            for a in layer.aliases.get(column, ())
            if normalize_text(a) != normalize_text(headers[column])
        ]
        if not others or rnd.random() < 0.3:
            continue
        header = rnd.choice(others)
        if layer.cased:
            header = rnd.choice([str, str.upper, str.title])(header)
        taken = {normalize_text(h) for c, h in headers.items() if c != column}
        if normalize_text(header) not in taken:
            headers[column] = header
    return replace(sheet, headers=headers)


def _reordered(sheet: Sheet, layer: Layer, rnd: random.Random) -> Sheet:
    columns = list(sheet.frame.columns)
    rnd.shuffle(columns)
    return replace(sheet, frame=sheet.frame[columns])


def _merged(sheet: Sheet, layer: Layer, rnd: random.Random) -> Sheet:
    frame = sheet.frame.sort_values(layer.merge, kind="stable").reset_index(drop=True)
    return replace(sheet, frame=frame, merged=layer.merge)


def _blank_rows(sheet: Sheet, layer: Layer, rnd: random.Random) -> Sheet:
    positions = rnd.sample(range(len(sheet.frame)), k=min(2, len(sheet.frame)))
    return replace(sheet, blank_after=tuple(sorted(positions)))


STALE = "stale "
"""Prefix of the frame's name of a hidden old copy of a column (its header is the column's)."""


def _hidden_copy(sheet: Sheet, layer: Layer, rnd: random.Random) -> Sheet:
    """An old copy of a column, hidden just before it under the same header."""
    frame = sheet.frame.copy()
    at = list(frame.columns).index(layer.stale)
    frame.insert(at, STALE + layer.stale, _stale(frame, rows=len(frame))[layer.stale].to_numpy())
    return replace(
        sheet,
        frame=frame,
        headers={**sheet.headers, STALE + layer.stale: sheet.headers[layer.stale]},
    )


def _units(sheet: Sheet, layer: Layer, rnd: random.Random) -> Sheet:
    columns = [c for c in layer.units if rnd.random() < 0.7] or list(layer.units)[:1]
    return replace(sheet, units={c: layer.units[c] for c in columns})


APPLY: dict[str, Callable[[Sheet, Layer, random.Random], Sheet]] = {
    "title_rows": lambda s, layer, rnd: replace(s, title=TITLES[rnd.randrange(2) :]),
    "merged_text": _merged,
    "decimal_comma": lambda s, layer, rnd: replace(s, decimal_comma=True),
    "units_in_cells": _units,
    "renamed_columns": _renamed,
    "reordered_columns": _reordered,
    "bom": lambda s, layer, rnd: replace(s, encoding="utf-8-sig"),
    "utf16": lambda s, layer, rnd: replace(s, encoding="utf-16"),
    "crlf": lambda s, layer, rnd: replace(s, newline="\r\n"),
    "blank_rows": _blank_rows,
    "totals_row": lambda s, layer, rnd: replace(
        s, totals=layer.total, totals_label=rnd.choice(["Tổng cộng", "TỔNG CỘNG", "Cộng"])
    ),
    "sum_row": lambda s, layer, rnd: replace(s, totals=layer.total, totals_label=None),
    "hidden_column": _hidden_copy,
    "hidden_sheet": lambda s, layer, rnd: replace(s, hidden_sheet=True),
}
"""How each habit changes the file (the formats are set apart, by the suffix)."""


def office_file(
    sheet: Sheet, layer: Layer, suffix: str, habits: tuple[str, ...], rnd: random.Random
) -> Sheet:
    """The clean `sheet` written with `habits`, in that order, in the format `suffix`."""
    sheet = replace(sheet, suffix=suffix)
    for habit in sorted(habits, key=HABITS.index):
        if habit not in FORMATS:
            sheet = APPLY[habit](sheet, layer, rnd)
    return sheet


def usable(layer: Layer, suffix: str, *, known: bool = False) -> list[str]:
    """The habits of `layer` that exist in `suffix` (and are not known gaps, unless `known`)."""
    return [
        h
        for h in layer.habits()
        if h not in FORMATS
        and suffix in HABIT_FORMATS[h]
        and (known or (layer.name, h) not in KNOWN_GAPS)
    ]


def suffixes(layer: Layer) -> list[str]:
    """The formats of `layer` that are not known gaps."""
    formats = {v: k for k, v in FORMATS.items()}
    return [".csv"] + [s for s in layer.formats if (layer.name, formats[s]) not in KNOWN_GAPS]


@st.composite
def office_habits(draw, layer: Layer) -> tuple[str, tuple[str, ...], random.Random]:
    """A format, a set of habits that exist in it, and the random choices within them."""
    suffix = draw(st.sampled_from(suffixes(layer)))
    habits = draw(st.lists(st.sampled_from(usable(layer, suffix)), unique=True, min_size=1))
    return suffix, tuple(sorted(habits, key=HABITS.index)), draw(st.randoms(use_true_random=False))


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", list(LAYERS))
def test_clean_file_is_read(layer, world):
    result = clean_result(layer, world)
    assert len(result.table) > 0
    if layer in ("villages", "households", "towers", "measurements"):
        assert result.table["signal_status"].nunique() > 1, "the sample should mix statuses"


def refusing(layer: Layer) -> set[str]:
    """The habits of `layer` refused today (exit 1, naming the file, the column and rows)."""
    return {habit for name, habit in REFUSED if name == layer.name}


@pytest.mark.parametrize("layer", list(LAYERS))
@FUZZ
@given(data=st.data())
def test_office_habits(layer, world, data):
    """Any combination is read or refused well; one of habits each read alone is read."""
    case = LAYERS[layer]
    suffix, habits, rnd = data.draw(office_habits(case))
    sheet = office_file(world.tables[layer], case, suffix, habits, rnd)
    result, path = run_layer(layer, sheet, world)
    outcome, problem = judge(layer, result, path, world)
    assert outcome != FAILED, f"{layer} {suffix} with {', '.join(habits)}: {problem}"
    if not refusing(case) & set(habits):
        assert outcome == READ, f"{layer} {suffix} with {', '.join(habits)}: refused: {result.err}"


@pytest.mark.parametrize(
    ("layer", "suffix"), [(name, s) for name, case in LAYERS.items() for s in suffixes(case)]
)
def test_all_habits_at_once(layer, suffix, world):
    """Every habit the layer reads alone, all in one file of each format, is read."""
    case = LAYERS[layer]
    habits = tuple(h for h in usable(case, suffix) if h not in refusing(case))
    sheet = office_file(world.tables[layer], case, suffix, habits, random.Random(41))
    result, path = run_layer(layer, sheet, world)
    outcome, problem = judge(layer, result, path, world)
    assert outcome == READ, f"{layer} {suffix} with {', '.join(habits)}: {problem or result.err}"


def alone(layer: Layer, habit: str) -> tuple[str, tuple[str, ...]]:
    """The file of `habit` alone: a format as it is, any other habit in a CSV if it can be."""
    if habit in FORMATS:
        return FORMATS[habit], ()
    formats = HABIT_FORMATS[habit]
    return (".csv" if ".csv" in formats else formats[0]), (habit,)


EVERY_HABIT = [(name, habit) for name, case in LAYERS.items() for habit in case.habits()]
LONG_RUN = "WHITESPOT_FUZZ_EXAMPLES" in os.environ
"""The long run (``tests/fuzz/conftest.py``) reads every habit alone; CI only those of the
tables (the others are read together by :func:`test_all_habits_at_once`)."""
ALONE = [p for p in EVERY_HABIT if LONG_RUN or p in KNOWN_GAPS or p in REFUSED]


@pytest.mark.parametrize(("layer", "habit"), ALONE)
def test_each_habit_alone(layer, habit, world):
    """Each habit alone is read, refused (:data:`REFUSED`) or fails (:data:`KNOWN_GAPS`), as
    the tables say: a habit that moves (a gap fixed, a refusal now read) updates them."""
    case = LAYERS[layer]
    suffix, habits = alone(case, habit)
    sheet = office_file(world.tables[layer], case, suffix, habits, random.Random(41))
    result, path = run_layer(layer, sheet, world)
    outcome, problem = judge(layer, result, path, world)
    expected = (
        FAILED if (layer, habit) in KNOWN_GAPS else REFUSED_ if (layer, habit) in REFUSED else READ
    )
    assert outcome == expected, (
        f"{layer} with {habit}: {outcome} ({problem or result.err.strip()[:300]}), "
        f"expected {expected}: update KNOWN_GAPS / REFUSED"
    )


def test_tables_name_layers_and_habits():
    for layer, habit in [*KNOWN_GAPS, *REFUSED]:
        assert habit in LAYERS[layer].habits(), (layer, habit)
    assert not set(KNOWN_GAPS) & set(REFUSED)


@pytest.mark.parametrize("first", ["lat", "lon"])
def test_totals_label_under_a_coordinate_header(first, world):
    """Found by the fuzzer: ``Tổng cộng`` under ``Vĩ độ`` beside ``1319 hộ`` was a village."""
    clean = world.tables["villages"]
    columns = [first, *(c for c in clean.frame.columns if c != first)]
    sheet = replace(
        clean, frame=clean.frame[columns], totals="households", units={"households": "hộ"}
    )
    result, path = run_layer("villages", sheet, world)
    assert judge("villages", result, path, world) == (READ, "")
