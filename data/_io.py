"""Reading and writing layers: GeoPackage, GeoJSON, Shapefile, GeoParquet, CSV and XLSX.

Writers are atomic: they write a temporary file next to the target and rename it, so a
crash never leaves half a file. Text is kept inert against spreadsheet formula injection:
XLSX text is written as string cells (never formulas, the text unchanged); CSV text cells
that a spreadsheet would evaluate get a leading apostrophe (OWASP). Outputs are
deterministic: the same frame gives the same bytes (GeoPackage and XLSX timestamps are
pinned).
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyogrio.errors
import xlrd

from whitespot._errors import InputError
from whitespot.data._cells import normalize_text, shown_number
from whitespot.data._crs import WGS84, add_lonlat
from whitespot.data._encoding import decode_text
from whitespot.data._kml import KML_SUFFIXES, read_kml
from whitespot.data._problems import (
    DefaultAppliedWarning,
    GuessedEncodingWarning,
    Problem,
    ValidationError,
)
from whitespot.data._schema import LAYER_COLUMNS
from whitespot.data._swap import (
    STAGING_PREFIX,
    record_written,
    signals_deferred,
    staged_files,
    user_named,
)

try:
    import resource
except ImportError:  # Windows: no file-size limit to hit
    resource = None

VECTOR_DRIVERS = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
}
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
SUPPORTED_SUFFIXES = (*VECTOR_DRIVERS, *PARQUET_SUFFIXES, *TABLE_SUFFIXES)
"""Suffixes read and written."""
READ_SUFFIXES = (*SUPPORTED_SUFFIXES, *KML_SUFFIXES)
"""Suffixes read: those written, and KML/KMZ from Google Earth (:func:`read_kml`)."""

LON_NAMES = ("lon", "lng", "long", "longitude", "x", "kinh độ")
"""Column names read as longitude (or easting), in any case, with or without diacritics."""
LAT_NAMES = ("lat", "latitude", "y", "vĩ độ")
"""Column names read as latitude (or northing), in any case, with or without diacritics."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet evaluate a cell (OWASP CSV injection)."""

FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"
"""Timestamp written into GeoPackage metadata so that equal data give equal bytes."""
FSIZE_MARGIN_BYTES = 65_536
"""A file this close to the file-size limit, or a disk with less space left, ran out of
room (SQLite writes pages of up to 64 KiB)."""

_TEXT_COLUMN_SUFFIXES = ("_id", "_code", "id", "code", "name")
ZIP_MAGIC = b"PK\x03\x04"
"""First bytes of an .xlsx workbook (a zip archive)."""
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""First bytes of an old .xls workbook (an OLE2 compound file)."""
LEADING_ZERO = r"^\s*(?:0\d|\+\d)"
"""A number whose writing is its value (a phone ``0912345678``, a code ``00007``): text."""
_LOCAL_NUMBER_COLUMNS = frozenset(
    spec.name for specs in LAYER_COLUMNS.values() for spec in specs if spec.kind == "money"
)
TITLE_SEARCH_LINES = 30
"""Lines of a CSV searched for its header below a title."""
NUMBER_PROBE_ROWS = 1_000
"""Rows of a column tried as numbers before all of it is: text among them ends the try."""

UNREADABLE_ERRORS = (
    pd.errors.EmptyDataError,
    pd.errors.ParserError,
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    zipfile.BadZipFile,
    gzip.BadGzipFile,
    EOFError,
    UnicodeDecodeError,
    KeyError,
    OSError,
    ValueError,
    xlrd.XLRDError,
)
"""What readers raise on a corrupt, truncated or foreign file."""


def read_layer(
    path: str | PathLike,
    layer: str | None = None,
    *,
    crs: object = WGS84,
    headers: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer or a table with coordinates into a GeoDataFrame.

    Parameters
    ----------
    path : path-like
        ``.gpkg``, ``.geojson``/``.json``, ``.shp``, ``.parquet``/``.geoparquet``, ``.csv``/
        ``.txt``, ``.xlsx``/``.xls``, or ``.kml``/``.kmz`` (every placemark of every folder,
        :func:`~whitespot.data._kml.read_kml`).
    layer : str, optional
        Layer (GeoPackage) or sheet (XLSX) to read. When the file has no layer of that
        name but only one layer, that one is read.
    crs : CRS-like, default EPSG:4326
        CRS of the coordinate columns of a CSV or XLSX table.
    headers : mapping of header -> column name, optional
        Renames the headers of a CSV or XLSX table before its coordinates are looked for
        (e.g. :data:`whitespot.data._labels.VIETNAMESE_HEADERS` reversed).

    Returns
    -------
    geopandas.GeoDataFrame
        Tables get Point geometry from their lon/lat columns (names in :data:`LON_NAMES`,
        :data:`LAT_NAMES`) or from a ``geometry``/``wkt`` column of WKT; rows whose
        coordinates are missing or not numbers get an empty geometry, which validation
        reports. Columns whose name ends in ``id``, ``code`` or ``name`` stay text; other
        columns that hold only numbers become numbers. A CSV or workbook of one of the
        layers of :data:`~whitespot.data._schema.LAYER_COLUMNS` is read as offices write it
        (:mod:`whitespot.data._table`): title rows above the header, merged text cells, the
        sheet with the layer's columns, one coordinate column, each reading said.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValidationError
        If the format is unknown or a table has no coordinate columns.
    """
    path = existing_path(path, layer or "layer")
    with unreadable_as_validation_error(path, f"{layer or 'layer'} ({path.name})"):
        return _read_layer(path, layer, crs, headers)


@contextlib.contextmanager
def unreadable_as_validation_error(path: Path, label: str) -> Iterator[None]:
    """Refuse an empty file; turn a reader's failure on a corrupt one into a ValidationError.

    The message names the file (`label`) and what the reader said; a file that is not there
    still raises :class:`FileNotFoundError`. What the reader warned on the way to failing
    (GDAL's notes on a corrupt GeoPackage) is dropped: the one error says it all. A file
    read well keeps its warnings.
    """
    if path.is_file() and path.stat().st_size == 0:
        raise ValidationError([Problem(label, "file", "empty_file", "the file is empty (0 bytes)")])
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            yield
        except (ValidationError, InputError, FileNotFoundError, PermissionError, IsADirectoryError):
            raise
        except UNREADABLE_ERRORS as error:
            failure = error
        else:
            failure = None
    if failure is None:
        for warning in said:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
        return
    _raise_unreadable(label, failure)


def _raise_unreadable(label: str, error: BaseException) -> None:
    reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    message = (
        f"cannot be read as this file type ({type(error).__name__}: {reason}); "
        "is it complete, and does its name end in the right suffix?"
    )
    raise ValidationError([Problem(label, "file", "unreadable_file", message)]) from error


def _read_layer(
    path: Path, layer: str | None, crs: object, headers: Mapping[str, str] | None
) -> gpd.GeoDataFrame:
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES and layer in LAYER_COLUMNS:
        from whitespot.data._table import read_table  # noqa: PLC0415 it reads with this module

        return _table_to_points(read_table(path, layer, headers=headers), path, layer, crs)
    if suffix in (".csv", ".txt"):
        return _table_to_points(_read_csv(path, headers), path, layer, crs)
    if suffix in (".xlsx", ".xls"):
        return _table_to_points(_read_xlsx(path, layer, headers), path, layer, crs)
    if suffix in PARQUET_SUFFIXES:
        return gpd.read_parquet(path)
    if suffix in KML_SUFFIXES:
        return read_kml(path, f"{layer or 'layer'} ({path.name})")
    if suffix in VECTOR_DRIVERS:
        gdf = gpd.read_file(path, layer=_vector_layer(path, layer), engine="pyogrio")
        return _restore_shapefile_names(gdf) if suffix == ".shp" else gdf
    raise ValidationError(
        [
            Problem(
                f"{layer or 'layer'} ({path.name})",
                "file",
                "unknown_format",
                f"unknown file type {suffix!r}; use one of {', '.join(READ_SUFFIXES)}",
            )
        ]
    )


def _vector_layer(path: Path, layer: str | None) -> str | None:
    if layer is None:
        return None
    names = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    if layer in names:
        return layer
    if len(names) == 1:
        return names[0]
    raise ValidationError(
        [
            Problem(
                f"{layer} ({path.name})",
                "layer",
                "missing_layer",
                f"the file has no layer {layer!r} (layers: {', '.join(names)})",
            )
        ]
    )


def _restore_shapefile_names(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Undo the Shapefile's 10-character truncation of whitespot's column names."""
    known = {spec.name for specs in LAYER_COLUMNS.values() for spec in specs}
    known |= {"lon", "lat"}
    renames = {name[:10]: name for name in known if len(name) > 10}
    return gdf.rename(columns={c: renames[c] for c in gdf.columns if c in renames})


def _read_csv(
    path: Path,
    headers: Mapping[str, str] | None = None,
    *,
    header_line: Callable[[list[str]], int] | None = None,
) -> pd.DataFrame:
    """Read a CSV as text, its encoding detected (:func:`decode_text`); , ; or tab.

    `header_line`, given the file's first lines, returns how many lines stand above the
    header (a title): they are not read.
    """
    decoded = decode_text(path.read_bytes())
    if not decoded.sure:
        warnings.warn(f"{path.name}: {decoded.note}", GuessedEncodingWarning, stacklevel=3)
    # Windows-1258 and macOS files store tone marks apart: compose them (NFC) once
    text = unicodedata.normalize("NFC", decoded.text)
    above = (
        header_line(text.split("\n", TITLE_SEARCH_LINES)[:TITLE_SEARCH_LINES]) if header_line else 0
    )
    if above:
        text = text.split("\n", above)[-1]
    header = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=header.count)
    table = _parse_csv(text, separator)
    table.columns = [str(c).strip() for c in table.columns]
    table = restore_neutralized(table)
    if separator == ";":  # Excel's CSV where the comma is the decimal mark
        table = _decimal_commas(table, path.name)
    return _infer_numbers(table.rename(columns=dict(headers or {})))


_COMMA_DECIMAL = r"\s*[+-]?\d+(?:,\d+)?\s*"
"""A number written with a decimal comma (``106,60``, ``-95``): Excel's ``;`` CSV."""


def _decimal_commas(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Read decimal commas as points in the columns of numbers only; said once per file.

    A column is converted only when every cell in it is a number with at most one comma
    and some cell has one: names, ids with letters and thousands written ``1.250`` stay.
    """
    out = table.copy()
    converted = []
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
            continue
        text = values.dropna().astype(str)
        comma = text.str.contains(",", regex=False)
        if comma.any() and text.str.fullmatch(_COMMA_DECIMAL).all():
            out[column] = values.str.replace(",", ".", regex=False)
            converted.append(f"{column} ('{text[comma].iloc[0].strip()}')")
    if converted:
        warnings.warn(
            f"{name}: separated by ';' with decimal commas, as Excel writes CSV where the comma "
            f"is the decimal mark: read as numbers in {', '.join(converted)}",
            DefaultAppliedWarning,
            stacklevel=4,
        )
    return out


def _parse_csv(text: str, separator: str) -> pd.DataFrame:
    """Parse CSV text into text columns, blank cells missing.

    Arrow's parser (several times faster on a million rows of a drive test) reads a file
    whose cells never start with a space after the separator and whose header names are
    distinct; anything else, or anything it refuses, goes to pandas' own parser, which
    skips such spaces and names every error the way the rest of whitespot reports them.
    """
    options = {"sep": separator, "dtype": str, "keep_default_na": False, "na_values": [""]}
    names = text.split("\n", 1)[0].rstrip("\r").split(separator)
    plain = f"{separator} " not in text and f"{separator}\t" not in text
    if plain and len(set(names)) == len(names):
        with contextlib.suppress(Exception):
            return pd.read_csv(io.BytesIO(text.encode("utf-8")), engine="pyarrow", **options)
    return pd.read_csv(io.StringIO(text), skipinitialspace=True, **options)


def _nfc(table: pd.DataFrame) -> pd.DataFrame:
    """Compose Vietnamese letters (NFC): Windows-1258 and macOS files store tone marks apart."""
    out = table.copy()
    out.columns = [unicodedata.normalize("NFC", str(c)).strip() for c in out.columns]
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values) and values.dtype != object:
            out[column] = values.str.normalize("NFC")
        elif values.dtype == object:  # cells of a spreadsheet: text, numbers, dates mixed
            out[column] = values.map(
                lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
            )
    return out


def _read_xlsx(
    path: Path, sheet: str | None, headers: Mapping[str, str] | None = None
) -> pd.DataFrame:
    # by content: an .xls renamed .xlsx, or the reverse
    engine = "xlrd" if workbook_kind(path) == ".xls" else "openpyxl"
    with pd.ExcelFile(path, engine=engine) as book:
        names = [str(n) for n in book.sheet_names]
        chosen = sheet if sheet in names else names[0]
        table = pd.read_excel(book, sheet_name=chosen, dtype=object)
    table = table.astype(object).where(table.notna(), None)
    if engine == "openpyxl":
        table = _as_shown(table, path, chosen)
    return _infer_numbers(_nfc(table).rename(columns=dict(headers or {})))


def _as_shown(table: pd.DataFrame, path: Path, sheet: str) -> pd.DataFrame:
    """Whole numbers under a zero-padding format as Excel shows them (7 as ``00007``).

    pandas reads the values without their formats; the formats are read again, streamed,
    and applied where the sheet's rows line up with the table's (the header, then one row
    each, as pandas reads them); otherwise the table is returned as it is.
    """
    if not _has_zero_padding(path):
        return table  # the usual case: no second pass
    import openpyxl  # noqa: PLC0415 only needed for workbooks

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [
            [(cell.value, getattr(cell, "number_format", None)) for cell in row]
            for row in book[sheet].iter_rows()
        ]
    finally:
        book.close()
    while rows and all(value is None for value, _ in rows[-1]):
        rows.pop()
    shown = {
        (r, c): text
        for r, row in enumerate(rows[1:])
        for c, (value, number_format) in enumerate(row[: table.shape[1]])
        if (text := shown_number(value, number_format)) is not value
    }
    if not shown or len(rows) - 1 != len(table) or len(rows[0]) < table.shape[1]:
        return table
    out = table.copy()
    for (r, c), text in shown.items():
        out.iat[r, c] = text
    return out


def _has_zero_padding(path: Path) -> bool:
    """Whether the workbook's styles (``xl/styles.xml``) define a zero-padding number format."""
    try:
        with zipfile.ZipFile(path) as archive:
            styles = archive.read("xl/styles.xml").decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile):
        return False
    return re.search(r'formatCode="0{2,}"', styles) is not None


def workbook_kind(path: Path) -> str | None:
    """Return ``".xlsx"`` or ``".xls"`` by the file's first bytes; None for other files."""
    with path.open("rb") as handle:
        start = handle.read(8)
    if start.startswith(ZIP_MAGIC):
        return ".xlsx"
    if start.startswith(OLE_MAGIC):
        return ".xls"
    return None


def _infer_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Turn columns that hold only numbers into float columns.

    Ids, codes and names stay text, and so do columns with a number written with a leading
    zero or a plus (a phone ``0912345678``, a code ``00007``: the zeros are the value) and
    costs (:func:`whitespot.data._cells.local_numbers` reads ``2.150`` in validation).
    """
    out = table.copy()
    for column in out.columns:
        name = str(column).strip().lower()
        if name.endswith(_TEXT_COLUMN_SUFFIXES) or name in _LOCAL_NUMBER_COLUMNS:
            continue
        values = out[column]
        if _leading_zeros(values):
            continue
        numbers = _arrow_numbers(values)
        if numbers is not None:
            out[column] = numbers
            continue
        present = values.notna() & (values.astype("string").str.strip() != "")
        first = values[present].head(NUMBER_PROBE_ROWS)
        if pd.to_numeric(first, errors="coerce").isna().any():
            continue  # text in the first rows: not a number column (and a quick answer)
        numbers = pd.to_numeric(values.where(present), errors="coerce")
        if present.any() and numbers[present].notna().all():
            out[column] = numbers.astype(float)
    return out


def _leading_zeros(values: pd.Series) -> bool:
    """Whether a cell of a text column is a number written as ``0912...``, ``007`` or ``+84...``."""
    if pd.api.types.is_string_dtype(values) and values.dtype != object:
        text = pa.array(values.astype("string").array)
    elif values.dtype == object:
        text = pa.array(values.where(values.map(lambda v: isinstance(v, str))), type=pa.string())
    else:
        return False
    return bool(pc.any(pc.match_substring_regex(text, LEADING_ZERO)).as_py())


def _arrow_numbers(values: pd.Series) -> pd.Series | None:
    """Return a text column as floats when every non-blank cell is a plain number, else None.

    Arrow's cast parses a million cells in milliseconds; a cell it cannot read (a
    Vietnamese ``1,5``, text) sends the column back to the careful path.
    """
    if not pd.api.types.is_string_dtype(values) or values.dtype == object:
        return None
    text = pc.utf8_trim_whitespace(pa.array(values.astype("string").array))
    present = pc.if_else(pc.equal(text, ""), None, text)
    if present.null_count == len(present):
        return None  # nothing present: not known to be numbers
    try:
        numbers = pc.cast(present, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pc.any(pc.is_nan(numbers)).as_py():
        return None  # a cell reading "nan" is text to report, not a missing number
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=values.index, name=values.name)


def _find_column(table: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    """Return the first column named one of `names`, whatever its case and diacritics."""
    headers = {}
    for column in table.columns:  # "Kinh độ (°)" is "kinh do"; the first of a name wins
        headers.setdefault(normalize_text(column), column)
    return next((headers[n] for n in map(normalize_text, names) if n in headers), None)


def _table_to_points(
    table: pd.DataFrame, path: Path, layer: str | None, crs: object
) -> gpd.GeoDataFrame:
    wkt = _find_column(table, ("geometry", "wkt"))
    if wkt is not None:
        geometry = gpd.GeoSeries.from_wkt(table[wkt].astype("string").fillna(""), crs=crs)
        return gpd.GeoDataFrame(table.drop(columns=wkt), geometry=geometry, crs=crs)
    lon, lat = _find_column(table, LON_NAMES), _find_column(table, LAT_NAMES)
    if lon is None or lat is None:
        raise ValidationError(
            [
                Problem(
                    f"{layer or 'layer'} ({path.name})",
                    "lon/lat",
                    "missing_coordinates",
                    f"no coordinate columns; name them lon and lat (or longitude/latitude, "
                    f"x/y); columns present: {', '.join(map(str, table.columns))}",
                )
            ]
        )
    x = pd.to_numeric(table[lon], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    y = pd.to_numeric(table[lat], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    geometry = gpd.points_from_xy(x, y, crs=crs)
    geometry[~(np.isfinite(x) & np.isfinite(y))] = None
    return gpd.GeoDataFrame(table.drop(columns=[lon, lat]), geometry=geometry, crs=crs)


@contextlib.contextmanager
def atomic_path(path: str | PathLike) -> Iterator[Path]:
    """Yield a temporary path next to `path`; rename it onto `path` if the block succeeds.

    The temporary file keeps the target's suffix, so format drivers recognise it; its name
    (``.whitespot-`` and 8 characters) never adds bytes to the user's. A symbolic link at
    `path` keeps its link: the file it points to is replaced. The file gets the mode
    ``open`` gives under the user's umask. On any exception it is removed, `path` is left
    as it was, and a file error (a full disk, a file-size limit) names `path`. An existing
    file's mode is kept, as ``open`` keeps it.
    """
    shown = Path(path)
    target = Path(os.path.realpath(shown))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=STAGING_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    temporary.unlink()  # the writer creates it, with the umask's mode (mkstemp's is 0600)
    try:
        try:
            yield temporary
        except OSError as error:  # the temporary file (or no file) named as the user's
            named = user_named(error, temporary, shown)
            if named is error:
                raise
            raise named from error
        except Exception as error:
            storage = storage_error(temporary, shown)
            if storage is None:
                raise
            raise storage from error
        if target.is_file():  # as `open` on an existing file: its mode stays
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        with signals_deferred():
            try:
                os.replace(temporary, target)
            except OSError as error:  # named by the user's path, never the temporary one
                raise type(error)(error.errno, error.strerror, str(shown)) from error
            record_written(shown)
    finally:
        with signals_deferred():
            temporary.unlink(missing_ok=True)


def storage_error(partial: Path, shown: Path) -> OSError | None:
    """Return the file error behind a writer's own error, when the storage ran out.

    Writers in compiled libraries (GDAL's SQLite for GeoPackage) report a full disk or a
    file-size limit (``ulimit -f``) in their own words; `partial` (the file they were
    writing) then stands at the size limit, or the file system has no space left.
    """
    size = partial.stat().st_size if partial.exists() else 0
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE) if resource else (-1, -1)
    if limit != getattr(resource, "RLIM_INFINITY", -1) and size + FSIZE_MARGIN_BYTES >= limit:
        return OSError(errno.EFBIG, f"file size limit of {limit:,} bytes reached", str(shown))
    space = os.statvfs(partial.parent)
    if space.f_bavail * space.f_frsize < FSIZE_MARGIN_BYTES:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(shown))
    return None


def neutralize_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas.

    Text cells starting with one of :data:`FORMULA_PREFIXES` get a leading apostrophe, as
    OWASP recommends; numbers (including negative ones) are left alone.
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if isinstance(values.dtype, gpd.array.GeometryDtype):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy()
        if risky.any():
            out[column] = values.astype(object)
            out.loc[risky, column] = "'" + text[risky]
    return out


def inert_text_cells(worksheet: object) -> None:
    """Store every text cell of an openpyxl worksheet as a string, never as a formula.

    openpyxl turns text that starts with ``=`` into a formula; here it stays the text it
    is, so ids and names round-trip exactly and nothing runs when the workbook is opened.
    """
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def restore_neutralized(table: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralize_formulas` on a table read back from a CSV whitespot wrote.

    A text cell ``'=x`` (an apostrophe before one of :data:`FORMULA_PREFIXES`) becomes
    ``=x`` again, so ids, names and thresholds round-trip exactly through CSV.
    """
    out = table.copy()
    pattern = "^'[" + re.escape("".join(FORMULA_PREFIXES)) + "]"
    for column in out.columns:
        values = out[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        text = values.astype("string")
        guarded = text.str.contains(pattern, regex=True).fillna(False).to_numpy()
        if guarded.any():
            out[column] = values.astype(object)
            out.loc[guarded, column] = text[guarded].str.slice(1)
    return out


def _flat_table(gdf: gpd.GeoDataFrame | pd.DataFrame, *, guard: bool = True) -> pd.DataFrame:
    """Make a frame ready for a spreadsheet: lon/lat, WKT for non-point geometry.

    With `guard`, text a spreadsheet would evaluate gets an apostrophe (CSV); XLSX keeps
    the text and marks the cells as strings (:func:`inert_text_cells`).
    """
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf:
        points_only = bool(gdf.geom_type.isin(["Point"]).all())
        with_lonlat = add_lonlat(gdf) if not {"lon", "lat"} <= set(gdf.columns) else gdf
        table = pd.DataFrame(with_lonlat.drop(columns=gdf.geometry.name))
        if not points_only:
            table["geometry"] = gdf.geometry.to_wkt(rounding_precision=-1).to_numpy()
    else:
        table = pd.DataFrame(gdf)
    return neutralize_formulas(table) if guard else table


def write_layer(gdf: gpd.GeoDataFrame, path: str | PathLike, *, layer: str | None = None) -> Path:
    """Write a layer to a file, atomically, in the format given by the suffix.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer. Vector formats keep its CRS; CSV and XLSX get ``lon``/``lat`` columns in
        EPSG:4326 (and WKT for non-point geometry).
    path : path-like
        Target file; one of :data:`SUPPORTED_SUFFIXES`. Parent folders are created.
    layer : str, optional
        Layer (GeoPackage, GeoJSON name) or sheet name; default the file's stem.

    Returns
    -------
    pathlib.Path
        `path`.
    """
    path = Path(path)
    return write_layers({layer or path.stem: gdf}, path)


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame], path: str | PathLike
) -> Path:
    """Write several named layers into one GeoPackage or one XLSX workbook, atomically.

    Other formats hold one layer, so `layers` must then have exactly one entry. An
    existing file at `path` is replaced as a whole.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gpkg", ".xlsx") and len(layers) != 1:
        raise InputError(f"{path.name}: a {suffix} file holds one layer, got {len(layers)}")
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(f"{path.name}: unknown file type; use one of {SUPPORTED_SUFFIXES}")
    if suffix == ".shp":
        _write_shapefile(next(iter(layers.values())), path)
        return path
    with atomic_path(path) as temporary:
        if suffix == ".xlsx":
            _write_xlsx(
                {name: _flat_table(frame, guard=False) for name, frame in layers.items()},
                temporary,
            )
        elif suffix in (".csv", ".txt"):
            table = _flat_table(next(iter(layers.values())))
            table.to_csv(temporary, index=False, encoding="utf-8-sig", lineterminator="\n")
        elif suffix in PARQUET_SUFFIXES:
            next(iter(layers.values())).to_parquet(temporary, index=False)
        else:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
            for name, frame in layers.items():
                frame.to_file(
                    temporary,
                    layer=name,
                    driver=VECTOR_DRIVERS[suffix],
                    engine="pyogrio",
                    append=temporary.exists(),
                )
    return path


def _write_shapefile(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write the Shapefile's sidecar files in a temporary folder, then move them in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=path.parent, prefix=STAGING_PREFIX) as folder,
        warnings.catch_warnings(),
    ):
        # names are cut to 10 characters; read_layer restores whitespot's own
        warnings.filterwarnings("ignore", message=".*(truncated|laundered).*")
        gdf.to_file(
            Path(folder) / path.name, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8"
        )
        for part in sorted(Path(folder).iterdir()):
            os.replace(part, path.with_suffix(part.suffix))


def _write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path) -> None:
    """Write sheets with openpyxl, then pin the zip and document timestamps."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
            inert_text_cells(writer.sheets[name[:31]])
    pin_xlsx_timestamps(path)


def pin_xlsx_timestamps(path: Path) -> None:
    """Pin the zip entries' dates and the document dates that openpyxl stamps on save."""
    pinned = path.with_name(path.name + ".pinned")
    stamp = FIXED_TIMESTAMP.encode()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(pinned, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp,
                                 content)  # fmt: skip
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    shutil.move(pinned, path)


def write_staged(
    path: str | PathLike,
    formats: Sequence[str],
    kind: str,
    write: Callable[[Path], list[Path]],
) -> list[Path]:
    """Write an output of several files whole or not at all, after checking its suffix.

    Parameters
    ----------
    path : path-like
        The main file; its suffix picks the format.
    formats : sequence of str
        Suffixes this output is written as.
    kind : str
        What is written, for the error (``"gap lists"``).
    write : callable
        ``write(staged_path)`` writes the files at and beside `staged_path`, a path of the
        same name in a staging folder (:func:`staged_files`), and returns them.

    Returns
    -------
    list of pathlib.Path
        The files written, at their final place.

    Raises
    ------
    ValueError
        If the suffix is not one of `formats`.
    """
    path = Path(path)
    if path.suffix.lower() not in formats:
        raise InputError(f"{path.name}: {kind} are written as {', '.join(formats)}")
    if path.is_symlink():  # the link is kept: the set is written beside the file it names
        path = Path(os.path.realpath(path))
    with staged_files(path.parent, key=path.name) as staging:
        written = write(staging / path.name)
    return [path.parent / part.name for part in written]


def existing_path(path: str | PathLike, label: str) -> Path:
    """Return `path` as a Path, or raise FileNotFoundError naming `label` when it is missing.

    The one check of every reader (layers, a department's list, a DEM, a gap list read back).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{label}: file not found: {path}")
    return path
