"""Building footprints as users download them: Open Buildings, Microsoft, GeoParquet, GeoPackage.

:func:`read_buildings` reads a file in chunks and keeps one point per footprint (its centroid)
with its area and the model's confidence, so that a province's 10^6 footprints fit in memory
as a few tens of megabytes.
"""

from __future__ import annotations

import gzip
import io
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import shapely
from pyproj import CRS

from whitespot._errors import WhitespotWarning
from whitespot.data._crs import WGS84, utm_crs
from whitespot.data._io import existing_path, unreadable_as_validation_error
from whitespot.data._problems import Problem, ValidationError

MIN_CONFIDENCE = 0.7
"""Default lowest model confidence (0..1) of a footprint kept. Open Buildings publishes
detections from 0.5 up; the lower scores hold most of the known false positives (trucks,
rocks, shadows). Microsoft's -1 ("not scored") is kept and counted."""

MIN_AREA_M2 = 0.0
"""Default smallest footprint kept, in m² (0: keep all)."""

CHUNK_ROWS = 200_000
"""Footprints read per chunk: bounds the memory of a read whatever the file's size."""

BUILDING_COLUMNS = ("area_m2", "confidence", "height_m")
"""Columns of the layer :func:`read_buildings` returns, besides the centroid geometry."""

GEOJSON_LINES_PER_ROW = 10
"""A GeoJSON line holds its polygon as text, about ten times an Open Buildings row's bytes:
GeoJSON lines are read `chunk_rows` / 10 at a time, for the same memory."""

GEOJSON_LINE_SUFFIXES = (".geojsonl", ".geojsonseq", ".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
FOOTPRINT_SUFFIXES = (
    ".csv",
    *GEOJSON_LINE_SUFFIXES,
    *PARQUET_SUFFIXES,
    ".gpkg",
    ".geojson",
    ".fgb",
    ".shp",
)
"""Names of the files of a folder :func:`read_buildings` reads (each optionally ``.gz``)."""


class FootprintsLeftOutWarning(WhitespotWarning):
    """Footprints were left out by the confidence or area threshold (the message counts them)."""


@dataclass
class LeftOut:
    """Footprints read from files, and those the thresholds left out (counts add up)."""

    read: int = 0
    low_confidence: int = 0
    small: int = 0
    unscored: int = 0

    def __add__(self, other: LeftOut) -> LeftOut:
        return LeftOut(
            self.read + other.read,
            self.low_confidence + other.low_confidence,
            self.small + other.small,
            self.unscored + other.unscored,
        )


@dataclass
class _Kept:
    """Footprints kept so far, as arrays, and the counts of those left out."""

    x: list[np.ndarray] = field(default_factory=list)
    y: list[np.ndarray] = field(default_factory=list)
    area_m2: list[np.ndarray] = field(default_factory=list)
    confidence: list[np.ndarray] = field(default_factory=list)
    height_m: list[np.ndarray] = field(default_factory=list)
    left_out: LeftOut = field(default_factory=LeftOut)
    crs: CRS | None = None

    def add(
        self,
        x: np.ndarray,
        y: np.ndarray,
        area_m2: np.ndarray,
        confidence: np.ndarray,
        height_m: np.ndarray,
        thresholds: tuple[float, float],
    ) -> None:
        min_confidence, min_area_m2 = thresholds
        unscored = ~np.isfinite(confidence)
        low = ~unscored & (confidence < min_confidence)
        small = ~low & (area_m2 < min_area_m2)
        keep = ~(low | small)
        self.left_out += LeftOut(
            len(x), int(low.sum()), int(small.sum()), int((unscored & keep).sum())
        )
        self.x.append(x[keep])
        self.y.append(y[keep])
        self.area_m2.append(area_m2[keep].astype(np.float32))
        self.confidence.append(confidence[keep].astype(np.float32))
        self.height_m.append(height_m[keep].astype(np.float32))

    def frame(self) -> gpd.GeoDataFrame:
        def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(parts) if parts else np.empty(0, dtype)

        points = shapely.points(joined(self.x, np.float64), joined(self.y, np.float64))
        columns = {
            "area_m2": joined(self.area_m2, np.float32),
            "confidence": joined(self.confidence, np.float32),
            "height_m": joined(self.height_m, np.float32),
        }
        return gpd.GeoDataFrame(columns, geometry=points, crs=self.crs or WGS84)


def read_buildings(
    path: str | PathLike,
    *,
    min_confidence: float = MIN_CONFIDENCE,
    min_area_m2: float = MIN_AREA_M2,
    chunk_rows: int = CHUNK_ROWS,
) -> gpd.GeoDataFrame:
    """Read building footprints as points (centroids) with their area and confidence.

    Formats, by the file's name and first line:

    - Google Open Buildings CSV (``.csv`` or ``.csv.gz``): columns ``latitude``,
      ``longitude``, ``area_in_meters``, ``confidence`` (the centroid is read from
      ``latitude``/``longitude``; a file with only WKT ``geometry`` is read from that);
    - Microsoft Global ML Building Footprints: GeoJSON features one per line (``.geojsonl``,
      ``.jsonl``, ``.ndjson``, optionally gzipped, and the ``.csv.gz`` files of GeoJSON rows
      Microsoft ships), ``properties.confidence`` and ``properties.height`` where present,
      -1 meaning not scored;
    - GeoParquet (``.parquet``) and anything GDAL reads (GeoPackage, GeoJSON, FlatGeobuf,
      shapefile) of polygons or points, with ``confidence``/``area_in_meters``/``height``
      columns where present.

    Files are read `chunk_rows` at a time; only the kept points are held (about 30 bytes
    a footprint). A country's footprints are read per file, on Dask where given, by
    :func:`whitespot.coverage.gap_list` and
    :func:`whitespot.coverage.partitioned.partitioned_gap_list` given the folder.

    Parameters
    ----------
    path : path-like
        The file as downloaded, or a folder of such files (:func:`building_files`: the tiles
        of Open Buildings or Microsoft, read one after another into one layer).
    min_confidence : float, default :data:`MIN_CONFIDENCE` (0.7)
        Footprints whose model confidence (0..1) is below it are left out; footprints
        without a score are kept.
    min_area_m2 : float, default 0
        Footprints smaller than this (m²) are left out.
    chunk_rows : int, default 200,000
        Footprints read at a time.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per footprint kept: Point geometry at its centroid (the file's CRS, EPSG:4326
        for the downloads named above), ``area_m2`` (float32, m², NaN where unknown for
        points), ``confidence`` (float32, NaN where not scored), ``height_m`` (float32, m, NaN
        where not given).

    Warns
    -----
    FootprintsLeftOutWarning
        Counting the footprints left out by each threshold, and those kept unscored.

    Raises
    ------
    ValidationError
        If the file cannot be read or lacks the columns of every known format.
    FileNotFoundError
        If `path` does not exist.
    """
    path = existing_path(path, "buildings")
    thresholds = (float(min_confidence), float(min_area_m2))
    frames, left_out = [], LeftOut()
    for file in building_files(path):
        frame, counts = read_footprint_file(file, thresholds, chunk_rows)
        if frames and frame.crs != frames[0].crs:
            frame = frame.to_crs(frames[0].crs)
        frames.append(frame)
        left_out += counts
    warn_left_out(left_out, f"buildings ({path.name})", thresholds)
    if len(frames) == 1:
        return frames[0]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def building_files(path: str | PathLike) -> list[Path]:
    """Return the footprint file `path`, or the footprint files of the folder `path`.

    A folder's files are those named like a format :func:`read_buildings` reads (Open
    Buildings ships a country as many ``.csv.gz`` tiles, Microsoft as many ``.geojsonl``),
    in any sub-folders, in sorted path order.

    Raises
    ------
    ValidationError
        When the folder holds no such file.
    FileNotFoundError
        If `path` does not exist.
    """
    path = existing_path(path, "buildings")
    if not path.is_dir():
        return [path]
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.name.lower().removesuffix(".gz").endswith(FOOTPRINT_SUFFIXES)
    )
    if not files:
        raise ValidationError(
            [
                Problem(
                    f"buildings ({path})",
                    "file",
                    "no_partitions",
                    "the folder holds no footprint file (" + ", ".join(FOOTPRINT_SUFFIXES) + ")",
                )
            ]
        )
    return files


def read_footprint_file(
    path: Path, thresholds: tuple[float, float], chunk_rows: int = CHUNK_ROWS
) -> tuple[gpd.GeoDataFrame, LeftOut]:
    """Read one footprint file as :func:`read_buildings` does, without warning.

    Returns the footprints kept and the counts of those left out by `thresholds`
    (min_confidence, min_area_m2), for the caller to add up over files and say once
    (:func:`warn_left_out`).
    """
    kept = _Kept()
    label = f"buildings ({path.name})"
    with unreadable_as_validation_error(path, label):
        for chunk in _chunks(path, label, chunk_rows):
            kept.crs = chunk.crs
            kept.add(*chunk.fields(), thresholds)
    return kept.frame(), kept.left_out


def warn_left_out(left_out: LeftOut, label: str, thresholds: tuple[float, float]) -> None:
    """Say how many footprints each threshold left out, and how many were kept unscored."""
    said = []
    if left_out.low_confidence:
        said.append(
            f"{left_out.low_confidence:,} below confidence {thresholds[0]:g} (min_confidence)"
        )
    if left_out.small:
        said.append(f"{left_out.small:,} smaller than {thresholds[1]:g} m² (min_area_m2)")
    if said:
        total = left_out.low_confidence + left_out.small
        warnings.warn(
            f"{label}: {total:,} of {left_out.read:,} footprints left out: {'; '.join(said)}",
            FootprintsLeftOutWarning,
            stacklevel=3,
        )
    if left_out.unscored:
        warnings.warn(
            f"{label}: {left_out.unscored:,} footprints have no confidence score and were kept",
            FootprintsLeftOutWarning,
            stacklevel=3,
        )


@dataclass
class _Chunk:
    """Footprints of one chunk: polygons (or points), or centroids already computed."""

    crs: CRS
    geometry: np.ndarray | None = None
    xy: tuple[np.ndarray, np.ndarray] | None = None
    area_m2: np.ndarray | None = None
    confidence: np.ndarray | None = None
    height_m: np.ndarray | None = None

    def fields(self) -> tuple[np.ndarray, ...]:
        if self.xy is not None:
            x, y = (np.asarray(v, dtype=float) for v in self.xy)
        else:
            centroids = shapely.centroid(self.geometry)
            x, y = shapely.get_x(centroids), shapely.get_y(centroids)
        n = len(x)
        area = self.area_m2 if self.area_m2 is not None else self._area()
        return (
            x,
            y,
            _floats(area, n),
            _floats(self.confidence, n),
            _floats(self.height_m, n),
        )

    def _area(self) -> np.ndarray | None:
        if self.geometry is None:
            return None
        geometry = gpd.GeoSeries(self.geometry, crs=self.crs)
        if self.crs.is_geographic and len(geometry):
            minx, miny, maxx, maxy = geometry.total_bounds
            geometry = geometry.to_crs(utm_crs((minx + maxx) / 2, (miny + maxy) / 2))
        area = geometry.area.to_numpy(copy=True)
        points = shapely.get_dimensions(self.geometry) == 0
        area[points] = np.nan
        return area


def _floats(values: object, n: int) -> np.ndarray:
    """Values as float64 (NaN for missing and for negative "not given" markers)."""
    if values is None:
        return np.full(n, np.nan)
    out = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, copy=True)
    out[out < 0] = np.nan  # Microsoft's -1: not scored, no height
    return out


def _chunks(path: Path, label: str, chunk_rows: int) -> Iterator[_Chunk]:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(PARQUET_SUFFIXES):
        yield from _parquet_chunks(path, label, chunk_rows)
    elif name.endswith(GEOJSON_LINE_SUFFIXES) or (name.endswith(".csv") and _is_geojson(path)):
        yield from _geojson_line_chunks(path, max(1, chunk_rows // GEOJSON_LINES_PER_ROW))
    elif name.endswith(".csv"):
        yield from _open_buildings_chunks(path, label, chunk_rows)
    else:
        yield from _ogr_chunks(path, chunk_rows)


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def _is_geojson(path: Path) -> bool:
    with _open_text(path) as text:
        for line in text:
            if line.strip():
                return line.lstrip().startswith("{")
    return False


def _geojson_line_chunks(path: Path, chunk_rows: int) -> Iterator[_Chunk]:
    with _open_text(path) as text:
        while True:
            # islice stops at the end of the file (readline would return "" chunk_rows times)
            lines = list(islice(text, chunk_rows))
            if not lines:
                return
            features = [line for line in lines if line.strip()]
            if not features:
                continue
            # GEOS reads the geometry of each Feature; json reads only its properties.
            geometry = shapely.from_geojson(features)
            properties = [json.loads(line).get("properties") or {} for line in features]
            yield _Chunk(
                WGS84,  # RFC 7946: GeoJSON is always WGS 84
                geometry=geometry,
                confidence=[p.get("confidence") for p in properties],
                height_m=[p.get("height") for p in properties],
            )


OPEN_BUILDINGS_COLUMNS = ("latitude", "longitude", "area_in_meters", "confidence", "geometry")


def _open_buildings_chunks(path: Path, label: str, chunk_rows: int) -> Iterator[_Chunk]:
    header = pd.read_csv(path, nrows=0).columns
    has_xy = {"latitude", "longitude"} <= set(header)
    if not has_xy and "geometry" not in header:
        raise ValidationError(
            [
                Problem(
                    label,
                    "latitude",
                    "missing_column",
                    "an Open Buildings CSV needs 'latitude' and 'longitude' (or a WKT "
                    f"'geometry'); found {', '.join(map(str, header))}",
                )
            ]
        )
    wanted = ["latitude", "longitude"] if has_xy else ["geometry"]
    wanted += [c for c in ("area_in_meters", "confidence") if c in header]
    for table in pd.read_csv(path, usecols=wanted, chunksize=chunk_rows):
        chunk = _Chunk(
            WGS84,
            area_m2=table.get("area_in_meters"),
            confidence=table.get("confidence"),
        )
        if has_xy:
            chunk.xy = (table["longitude"].to_numpy(), table["latitude"].to_numpy())
        else:
            chunk.geometry = shapely.from_wkt(table["geometry"].to_numpy())
        yield chunk


def _parquet_chunks(path: Path, label: str, chunk_rows: int) -> Iterator[_Chunk]:
    parquet = pq.ParquetFile(path)
    metadata = parquet.schema_arrow.metadata or {}
    if b"geo" not in metadata:
        raise ValidationError(
            [
                Problem(
                    label, "geometry", "missing_column", "not a GeoParquet file (no 'geo' metadata)"
                )
            ]
        )
    geo = json.loads(metadata[b"geo"])
    column = geo["primary_column"]
    crs_json = geo["columns"][column].get("crs", "OGC:CRS84")
    crs = WGS84 if crs_json in (None, "OGC:CRS84") else CRS.from_user_input(crs_json)
    names = set(parquet.schema_arrow.names)
    extra = [c for c in ("area_in_meters", "confidence", "height") if c in names]
    for batch in parquet.iter_batches(batch_size=chunk_rows, columns=[column, *extra]):
        table = batch.to_pandas()
        yield _frame_chunk(table, shapely.from_wkb(table[column].to_numpy()), crs)


def _frame_chunk(table: pd.DataFrame, geometry: np.ndarray, crs: CRS) -> _Chunk:
    return _Chunk(
        crs,
        geometry=geometry,
        area_m2=table.get("area_in_meters"),
        confidence=table.get("confidence"),
        height_m=table.get("height"),
    )


def _ogr_chunks(path: Path, chunk_rows: int) -> Iterator[_Chunk]:
    info = pyogrio.read_info(path)
    crs = CRS.from_user_input(info["crs"]) if info.get("crs") else WGS84
    fields = [c for c in ("area_in_meters", "confidence", "height") if c in set(info["fields"])]
    with pyogrio.open_arrow(path, columns=fields, batch_size=chunk_rows, use_pyarrow=True) as (
        meta,
        reader,
    ):
        column = meta["geometry_name"] or "wkb_geometry"
        for batch in reader:
            table = batch.to_pandas()
            yield _frame_chunk(table, shapely.from_wkb(table[column].to_numpy()), crs)
