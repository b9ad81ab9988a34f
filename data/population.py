"""Population rasters: counts of people per cell (WorldPop, Meta HRSL, GHS-POP)."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

import numpy as np
from affine import Affine
from pyproj import CRS

from whitespot.data._io import existing_path
from whitespot.data._problems import Problem, ValidationError
from whitespot.data._raster import read_band


@dataclass(frozen=True)
class Population:
    """A count raster: people per cell, never resampled (a count moved between grids is lost).

    Attributes
    ----------
    count : numpy.ndarray
        2-D float64 array (rows north to south) of persons per cell; 0 where the source had
        no data.
    transform : affine.Affine
        Maps (column, row) to (x, y) of the cell's upper-left corner, in `crs` units.
    crs : pyproj.CRS
        CRS of the grid (EPSG:4326 for WorldPop and HRSL).
    source : str, default ""
        The file it was read from; empty for a raster made in memory.
    """

    count: np.ndarray
    transform: Affine
    crs: CRS
    source: str = ""

    @property
    def total(self) -> float:
        """Persons on the whole raster."""
        return float(self.count.sum())


def read_population(path: str | PathLike, *, band: int = 1) -> Population:
    """Read a population raster (a GeoTIFF of persons per cell), nodata as 0 persons.

    Parameters
    ----------
    path : path-like
        The raster file as downloaded (WorldPop "ppp" counts, HRSL, GHS-POP counts; not
        densities per km²).
    band : int, default 1

    Returns
    -------
    Population

    Raises
    ------
    ValidationError
        If the file is not a raster GDAL reads, has no CRS, or holds negative or infinite
        counts outside its nodata cells.
    FileNotFoundError
        If `path` does not exist.
    """
    path = existing_path(path, "population")
    label = f"population ({path.name})"
    count, transform, crs = read_band(path, band, label, fill=0.0, kind="count")
    count[np.isnan(count)] = 0.0
    problems = []
    if crs is None:
        problems.append(Problem(label, "crs", "missing_crs", "the raster has no CRS"))
    bad = ~np.isfinite(count) | (count < 0)
    if bad.any():
        problems.append(
            Problem(
                label,
                "count",
                "out_of_range",
                f"{int(bad.sum())} cells hold negative or infinite counts; is the nodata "
                "value set in the file?",
            )
        )
    if problems:
        raise ValidationError(problems)
    return Population(count, transform, crs, str(path.resolve()))
