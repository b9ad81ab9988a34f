"""The terrain layer: a digital elevation model (DEM) with its transform and CRS."""

from __future__ import annotations

from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path

import numpy as np
import rasterio
import rasterio.errors
import rasterio.warp
from affine import Affine
from pyproj import CRS

from whitespot._errors import InputError
from whitespot.data._io import atomic_path, existing_path
from whitespot.data._problems import Problem, ValidationError
from whitespot.data._raster import read_band

ELEVATION_RANGE_M = (-500.0, 9000.0)
"""Plausible ground elevations in m; values outside are refused as corrupt or unscaled."""

FALLBACKS = ("flat",)
"""What may stand in where a DEM has no ground: ``"flat"``, the model without diffraction."""


@dataclass(frozen=True)
class Terrain:
    """A DEM: ground elevation on a regular grid.

    Attributes
    ----------
    elevation_m : numpy.ndarray
        2-D float64 array (rows north to south) of ground elevation above sea level in m;
        NaN where the source had no data.
    transform : affine.Affine
        Maps (column, row) to (x, y) of the cell's upper-left corner, in `crs` units.
    crs : pyproj.CRS
        CRS of the grid.
    fallback : {None, "flat"}, default None
        Where a profile leaves the DEM or crosses a no-data cell: None refuses
        (:class:`whitespot.radio.TerrainCoverageError` names the places); ``"flat"`` computes
        that pair without diffraction and flags the place (``terrain_fallback``). Ground is never
        invented.
    source : str, default ""
        The file it was read from, so that a gap list's settings can name it and a plan can
        read it again; empty for a DEM made in memory.
    """

    elevation_m: np.ndarray
    transform: Affine
    crs: CRS
    fallback: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.fallback is not None and self.fallback not in FALLBACKS:
            raise InputError(
                f"terrain fallback {self.fallback!r} is not one of None, {', '.join(FALLBACKS)}"
            )

    @property
    def shape(self) -> tuple[int, int]:
        """Number of rows and columns."""
        return self.elevation_m.shape

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) in `crs` units."""
        rows, cols = self.shape
        xs, ys = zip(self.transform @ (0, 0), self.transform @ (cols, rows), strict=True)
        return min(xs), min(ys), max(xs), max(ys)


def reproject_grid(
    values: np.ndarray,
    transform: Affine,
    source_crs: CRS,
    target_crs: CRS,
    *,
    resolution: float | None = None,
    resampling: str = "bilinear",
) -> tuple[np.ndarray, Affine]:
    """Reproject a float grid (NaN as no data) into another CRS.

    Parameters
    ----------
    values : numpy.ndarray
        2-D grid, rows north to south.
    transform : affine.Affine
        Its transform in `source_crs`.
    source_crs, target_crs : pyproj.CRS
    resolution : float, optional
        Cell size in `target_crs` units; default as fine as the source.
    resampling : str, default "bilinear"
        A :class:`rasterio.warp.Resampling` name (``"nearest"`` keeps values as they are).

    Returns
    -------
    (numpy.ndarray, affine.Affine)
        The grid in `target_crs` and its transform.
    """
    rows, cols = values.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (cols, rows)
    target_transform, width, height = rasterio.warp.calculate_default_transform(
        source_crs.to_wkt(),
        target_crs.to_wkt(),
        cols,
        rows,
        min(left, right),
        min(top, bottom),
        max(left, right),
        max(top, bottom),
        resolution=resolution,
    )
    target = np.full((height, width), np.nan)
    rasterio.warp.reproject(
        values,
        target,
        src_transform=transform,
        src_crs=source_crs.to_wkt(),
        src_nodata=np.nan,
        dst_transform=target_transform,
        dst_crs=target_crs.to_wkt(),
        dst_nodata=np.nan,
        resampling=rasterio.warp.Resampling[resampling],
    )
    return target, target_transform


def validate_terrain(terrain: Terrain, *, label: str = "terrain") -> Terrain:
    """Check a DEM: a CRS, a 2-D grid, some data, and plausible elevations.

    Raises
    ------
    ValidationError
        Naming what is wrong; the column is ``"elevation_m"`` or ``"crs"``.
    """
    problems = []
    elevation = np.asarray(terrain.elevation_m, dtype=float)
    if terrain.crs is None:
        problems.append(Problem(label, "crs", "missing_crs", "the DEM has no CRS"))
    if elevation.ndim != 2 or min(elevation.shape, default=0) < 2:
        problems.append(
            Problem(
                label,
                "elevation_m",
                "bad_shape",
                f"the DEM must be a 2-D grid of at least 2x2 cells, got shape {elevation.shape}",
            )
        )
    elif not np.isfinite(elevation).any():
        problems.append(Problem(label, "elevation_m", "no_data", "the DEM holds no data"))
    else:
        low, high = ELEVATION_RANGE_M
        with np.errstate(invalid="ignore"):
            bad = (elevation < low) | (elevation > high)
        if bad.any():
            problems.append(
                Problem(
                    label,
                    "elevation_m",
                    "out_of_range",
                    f"{int(bad.sum())} cells outside {low:g}..{high:g} m "
                    f"(min {np.nanmin(elevation):g}, max {np.nanmax(elevation):g}); "
                    "is the nodata value set, and are the units metres?",
                )
            )
    if problems:
        raise ValidationError(problems)
    return replace(terrain, elevation_m=elevation, crs=CRS.from_user_input(terrain.crs))


def read_terrain(path: str | PathLike, *, band: int = 1, fallback: str | None = None) -> Terrain:
    """Read a DEM from a GeoTIFF (or any raster GDAL reads), nodata as NaN, and validate it.

    Parameters
    ----------
    path : path-like
        The raster file.
    band : int, default 1
    fallback : {None, "flat"}, default None
        See :class:`Terrain`.

    Returns
    -------
    Terrain
        Heights in metres above sea level, NaN where the file has no data.

    Raises
    ------
    ValidationError
        If the file is not a raster GDAL reads, or holds no plausible elevations.
    FileNotFoundError
        If `path` does not exist.
    """
    path = existing_path(path, "terrain")
    label = f"terrain ({path.name})"
    elevation, transform, crs = read_band(path, band, label, fill=np.nan, kind="DEM")
    terrain = Terrain(elevation, transform, crs, fallback, str(path.resolve()))
    return validate_terrain(terrain, label=label)


def write_terrain(terrain: Terrain, path: str | PathLike) -> Path:
    """Write a DEM as a deflate-compressed, tiled float32 GeoTIFF (NaN as nodata), atomically.

    Parameters
    ----------
    terrain : Terrain
        Heights in metres.
    path : path-like
        The GeoTIFF to write (replaced whole or not at all).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    profile = {
        "driver": "GTiff",
        "height": terrain.shape[0],
        "width": terrain.shape[1],
        "count": 1,
        "dtype": "float32",
        "crs": terrain.crs.to_wkt(),
        "transform": terrain.transform,
        "nodata": np.nan,
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    with atomic_path(path) as temporary, rasterio.open(temporary, "w", **profile) as target:
        target.write(terrain.elevation_m.astype(np.float32), 1)
    return Path(path)
