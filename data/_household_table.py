"""Households of a GeoParquet partition, validated as arrays when they need no repair.

``validate_layer("households", path)`` builds a shapely point per household and reads
every column through pandas, ready to repair, fill, warn or refuse. A partition in
whitespot's own form (as :func:`whitespot.coverage.write_partitions` writes it) needs none
of that: :func:`clean_households` checks the same rules on the file's arrays, without a
geometry, and returns them; where any rule would act it returns None, and the caller
validates the file with :func:`~whitespot.data.validate_layer`, which says what it did in
its own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from whitespot.data._point_parquet import PointTable, read_point_table
from whitespot.data._same_field import SET_ASIDE
from whitespot.data._schema import VIETNAM_BBOX
from whitespot.data._text_hash import text_hash
from whitespot.data.validate import Region, coordinate_masks

HOUSEHOLD_COLUMNS = ("household_id", "village_id", "electrified")
"""The columns of a clean partition, besides its points (electrified may be absent)."""


@dataclass(frozen=True)
class Households:
    """A partition's households as validated arrays."""

    points: PointTable
    """The file as read, with its coordinates (in the file's CRS)."""
    columns: dict[str, pa.Array]
    """``household_id``, ``village_id`` (text) and ``electrified`` (float64, null unknown),
    as :func:`~whitespot.data.validate_layer` returns them."""
    id_hash: np.ndarray
    """:func:`~whitespot.data._text_hash.text_hash` of each ``household_id``."""
    first: gpd.GeoDataFrame
    """The first household as :func:`~whitespot.data.read_layer` reads it (CRS, types)."""


def clean_households(  # noqa: PLR0911 - one return per rule that validation would act on
    path: str | PathLike, region: Region = VIETNAM_BBOX
) -> Households | None:
    """Return the households of a partition as arrays, or None where validation must act.

    None when the file is not GeoParquet of 2D points, has no rows or no CRS, has other
    columns that validation would not pass through as they are (:func:`_extra_columns`),
    lacks ``household_id`` or ``village_id``, has a
    missing, empty or duplicate household id, a missing village id, text with spaces at
    either end, ``electrified`` that is not a share 0..1 (or booleans with gaps), or a
    point that :func:`~whitespot.data.validate.coordinate_masks` flags (outside `region`,
    swapped, in metres, out of range, empty).
    """
    try:
        points = read_point_table(path)
    except (pa.ArrowException, OSError, ValueError):
        return None  # validate_layer names the file and what is wrong with it
    if points is None or not len(points.x):
        return None
    attributes = points.attributes
    names = set(attributes.column_names)
    if len(names) != attributes.num_columns or not {"household_id", "village_id"} <= names:
        return None
    extra = _extra_columns(
        attributes, [n for n in attributes.column_names if n not in HOUSEHOLD_COLUMNS]
    )
    if extra is None:
        return None
    household = _stripped_text(attributes.column("household_id"), empty=False)
    village = _stripped_text(attributes.column("village_id"), empty=True)
    if household is None or village is None:
        return None
    electrified = (
        _share(attributes.column("electrified"))
        if "electrified" in names
        else pa.nulls(len(points.x), pa.float64())
    )
    if electrified is None:
        return None
    id_hash = text_hash(household)
    if _duplicated(household, id_hash):
        return None
    first = points.first_row()
    if first.crs is None:
        return None
    x, y = points.x, points.y
    bounds = np.column_stack([x, y, x, y])
    if any(mask.any() for mask in coordinate_masks(x, y, bounds, first.crs, region)):
        return None
    columns = {"household_id": household, "village_id": village, "electrified": electrified}
    return Households(points, {**columns, **extra}, id_hash, first)


def _extra_columns(attributes: pa.Table, names: list[str]) -> dict[str, pa.Array] | None:
    """Columns validation passes through as they are, as it writes them; or None.

    Numbers, and booleans and text without gaps, under names that are no spelling of a
    household column: validation would rename those, and reads other types otherwise.
    """
    columns = {}
    for name in names:
        key = str(name).strip().lower().replace(" ", "_")
        if key in HOUSEHOLD_COLUMNS or str(name).startswith(SET_ASIDE):
            return None
        array = _one_chunk(attributes.column(name))
        kind = array.type
        if pa.types.is_floating(kind):  # pandas reads gaps as NaN and writes NaN as a gap
            array = pa.array(array.to_numpy(zero_copy_only=False), from_pandas=True)
        elif pa.types.is_integer(kind) or pa.types.is_boolean(kind):
            if array.null_count:  # pandas would read them as floats or objects
                return None
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            if array.null_count:
                return None
        else:
            return None
        columns[name] = array
    return columns


def _one_chunk(column: pa.ChunkedArray) -> pa.Array:
    """Return the column as one array."""
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _stripped_text(column: pa.ChunkedArray, *, empty: bool) -> pa.Array | None:
    """Return the column when it is text without nulls or spaces at either end, else None."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    if array.null_count:
        return None
    lengths = pc.binary_length(array).to_numpy()
    if not empty and (lengths == 0).any():
        return None
    text = array.cast(pa.large_binary())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[
        text.offset : text.offset + len(text) + 1
    ]
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8) if lengths.any() else None
    filled = np.flatnonzero(lengths > 0)
    if data is None or not len(filled):
        return array
    ends = np.concatenate([data[offsets[filled]], data[offsets[filled + 1] - 1]])
    # what str.strip could remove starts with an ASCII space or control, or a multi-byte
    # character (no-break space, ideographic space): those rows are checked as Python text
    unsure = (ends <= 0x20) | (ends >= 0x7F)
    if unsure.any():
        rows = np.unique(np.concatenate([filled, filled])[unsure])
        if any(t != t.strip() for t in array.take(pa.array(rows)).to_pylist()):
            return None
    return array


def _share(column: pa.ChunkedArray) -> pa.Array | None:
    """Read ``electrified`` as float64 0..1, null where unknown, as validation does; or None."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_boolean(array.type):
        return None if array.null_count else array.cast(pa.float64())
    if not (pa.types.is_floating(array.type) or pa.types.is_integer(array.type)):
        return None
    values = array.cast(pa.float64()).to_numpy(zero_copy_only=False)
    known = ~np.isnan(values)
    if ((values[known] < 0) | (values[known] > 1)).any():  # and infinities
        return None
    return pa.array(values, from_pandas=True)


def _duplicated(ids: pa.Array, id_hash: np.ndarray) -> bool:
    """Say whether two households share an id: equal hashes, then the texts compared."""
    ordered = np.sort(id_hash)
    equal = ordered[1:] == ordered[:-1]
    if not equal.any():
        return False
    shared = np.isin(id_hash, ordered[1:][equal])
    texts = ids.filter(pa.array(shared))
    return pc.count_distinct(texts).as_py() < len(texts)
