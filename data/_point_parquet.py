"""GeoParquet layers of points as coordinate arrays: read and written without geometries.

A country's household partitions hold millions of points, and decoding their WKB into
shapely geometries and encoding it back cost more than the signal itself (issue 45). A 2D
point's WKB is 21 bytes (byte order, type 1, x, y): its coordinates are read straight from
the column's buffer, and written back byte for byte as shapely writes them. GeoParquet's
native GeoArrow point encoding (``"point"``: a struct of x and y, or interleaved x/y) is
read as well. Anything else (other geometry types, Z, big-endian WKB, missing geometry) is
left to :func:`whitespot.data.read_layer`.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from whitespot.data._io import atomic_path

WKB_POINT_BYTES = 21
"""Bytes of a 2D point in WKB: byte order (1), geometry type (4), x and y (8 each)."""

WKB_POINT_HEAD = np.array([1, 1, 0, 0, 0], dtype=np.uint8)
"""The first 5 bytes of a little-endian 2D point (ISO and extended WKB agree)."""

PARQUET_COMPRESSION = "snappy"
"""What ``GeoDataFrame.to_parquet`` compresses with (:func:`whitespot.data.write_layer`)."""


@dataclass(frozen=True)
class PointTable:
    """A GeoParquet file of points: its attribute columns and coordinates as arrays."""

    table: pa.Table
    """The file's columns as stored, the geometry column included."""
    x: np.ndarray
    """x (longitude where the CRS is geographic) of each row, float64."""
    y: np.ndarray
    """y (latitude) of each row, float64."""
    geometry: str
    """Name of the geometry column."""

    @property
    def attributes(self) -> pa.Table:
        """The columns other than the geometry."""
        return self.table.drop_columns([self.geometry])

    @property
    def layout(self) -> bytes:
        """What the file's frame takes its CRS and types from: its schema but the bbox."""
        geo = geo_metadata(self.table.schema)
        crs = json.dumps(geo["columns"][self.geometry].get("crs", "absent"), sort_keys=True)
        metadata = {k: v for k, v in (self.table.schema.metadata or {}).items() if k != b"geo"}
        schema = self.table.schema.with_metadata(metadata)
        return schema.serialize().to_pybytes() + crs.encode("utf-8")

    def first_row(self) -> gpd.GeoDataFrame:
        """Read a row as :func:`whitespot.data.read_layer` reads it: its CRS and types.

        The first row of the first file of this :attr:`layout` read in this process (a
        country's partitions share one; reading it costs more than a partition's points).
        """
        layout = self.layout
        if layout not in _FIRST_ROWS:
            buffer = io.BytesIO()
            pq.write_table(self.table.slice(0, 1), buffer)
            if len(_FIRST_ROWS) >= LAYOUTS_KEPT:
                _FIRST_ROWS.clear()
            _FIRST_ROWS[layout] = gpd.read_parquet(io.BytesIO(buffer.getvalue()))
        return _FIRST_ROWS[layout]


LAYOUTS_KEPT = 16
"""File layouts whose first row :meth:`PointTable.first_row` keeps."""

_FIRST_ROWS: dict[bytes, gpd.GeoDataFrame] = {}


def read_point_table(path: str | PathLike) -> PointTable | None:
    """Read a GeoParquet file of 2D points with their coordinates as arrays.

    Returns
    -------
    PointTable or None
        None when the file is not GeoParquet, has several geometry columns, or its
        geometry is not a 2D point in every row (WKB of another type, Z or M, big-endian,
        empty or missing): such a file is read by :func:`whitespot.data.read_layer`.
    """
    table = pq.read_table(path)
    geo = geo_metadata(table.schema)
    if geo is None or len(geo.get("columns", {})) != 1:
        return None
    name = geo.get("primary_column")
    if name not in table.column_names:
        return None
    encoding = str(geo["columns"][name].get("encoding", "")).lower()
    xy = point_xy(table.column(name), encoding)
    if xy is None or np.isnan(xy[0]).any() or np.isnan(xy[1]).any():  # empty points
        return None
    return PointTable(table, xy[0], xy[1], name)


def geo_metadata(schema: pa.Schema) -> dict | None:
    """Return the GeoParquet ``geo`` metadata of a schema, or None."""
    raw = (schema.metadata or {}).get(b"geo")
    return None if raw is None else json.loads(raw)


def point_xy(  # noqa: PLR0911 - one return per encoding
    column: pa.ChunkedArray, encoding: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return x and y of a geometry column of 2D points (WKB or GeoArrow ``point``), or None."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if array.null_count:
        return None
    binary = pa.types.is_binary(array.type) or pa.types.is_large_binary(array.type)
    if encoding == "wkb" and binary:
        return _wkb_point_xy(array)
    if encoding == "point" and pa.types.is_struct(array.type) and array.type.num_fields == 2:
        x, y = (array.field(i) for i in range(2))
        if x.null_count or y.null_count or not pa.types.is_floating(x.type):
            return None
        return x.to_numpy().astype(float), y.to_numpy().astype(float)
    if encoding == "point" and pa.types.is_fixed_size_list(array.type):
        if array.type.list_size != 2 or array.values.null_count:
            return None
        flat = array.flatten().to_numpy().astype(float)
        return flat[0::2].copy(), flat[1::2].copy()
    return None


def _wkb_point_xy(array: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the coordinates of WKB that is a little-endian 2D point in every row, or None."""
    wide = pa.types.is_large_binary(array.type)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    if len(array) == 0 or not (np.diff(offsets) == WKB_POINT_BYTES).all():
        return None
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    rows = data.reshape(len(array), WKB_POINT_BYTES)
    if not (rows[:, :5] == WKB_POINT_HEAD).all():
        return None
    coordinates = np.ascontiguousarray(rows[:, 5:]).view("<f8")
    return coordinates[:, 0].astype(float), coordinates[:, 1].astype(float)


def point_wkb(x: np.ndarray, y: np.ndarray) -> pa.Array:
    """Return the little-endian 2D point WKB of each (x, y), as ``shapely.to_wkb`` writes it."""
    rows = np.empty((len(x), WKB_POINT_BYTES), dtype=np.uint8)
    rows[:, :5] = WKB_POINT_HEAD
    rows[:, 5:] = np.column_stack([x, y]).astype("<f8").view(np.uint8)
    offsets = np.arange(len(x) + 1, dtype=np.int32) * WKB_POINT_BYTES
    return pa.Array.from_buffers(
        pa.binary(), len(x), [None, pa.py_buffer(offsets), pa.py_buffer(rows.ravel())]
    )


def geoparquet_schema(sample: gpd.GeoDataFrame) -> pa.Schema:
    """Return the schema (fields, metadata) ``to_parquet`` writes for a frame like `sample`.

    Its ``geo`` metadata holds `sample`'s bounding box: :func:`with_bbox` sets the table's.
    """
    buffer = io.BytesIO()
    sample.to_parquet(buffer, index=False)
    return pq.read_schema(io.BytesIO(buffer.getvalue()))


def with_bbox(schema: pa.Schema, x: np.ndarray, y: np.ndarray) -> pa.Schema:
    """Return `schema` with the points' bounding box in its ``geo`` metadata, as geopandas."""
    geo = geo_metadata(schema)
    column = geo["columns"][geo["primary_column"]]
    bbox = [float(x.min()), float(y.min()), float(x.max()), float(y.max())]
    if np.isfinite(bbox).all():
        column["bbox"] = bbox
    else:
        column.pop("bbox", None)
    return schema.with_metadata({**schema.metadata, b"geo": json.dumps(geo).encode("utf-8")})


def write_table(table: pa.Table, path: str | PathLike) -> Path:
    """Write a table as Parquet, atomically, as :func:`whitespot.data.write_layer` does."""
    with atomic_path(path) as temporary:
        pq.write_table(table, temporary, compression=PARQUET_COMPRESSION)
    return Path(path)
