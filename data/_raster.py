"""Reading one band of a raster file, its no-data filled, as every raster reader of data does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import rasterio.errors
from affine import Affine
from pyproj import CRS

from whitespot.data._problems import Problem, ValidationError


def read_band(
    path: Path, band: int, label: str, *, fill: float, kind: str
) -> tuple[np.ndarray, Affine, CRS | None]:
    """Return one band as float64 with no-data cells set to `fill`, its transform and CRS.

    Raises
    ------
    ValidationError
        Naming `label` and `kind` (what the file should have been) if GDAL cannot read it.
    """
    try:
        with rasterio.open(path) as source:
            values = source.read(band, masked=True).astype(float).filled(fill)
            crs = CRS.from_user_input(source.crs) if source.crs else None
            transform = source.transform
    except (rasterio.errors.RasterioError, IndexError) as error:
        raise ValidationError(
            [Problem(label, "file", "unreadable_file", f"not a {kind} raster (GeoTIFF): {error}")]
        ) from error
    return values, transform, crs
