"""The terrain layer: GeoTIFF round trip and its checks."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine

from whitespot.data import Terrain, ValidationError, read_terrain, write_terrain
from whitespot.data._crs import WGS84


def test_round_trip(province, tmp_path):
    path = write_terrain(province.terrain, tmp_path / "dem.tif")
    back = read_terrain(path)
    assert back.crs == WGS84
    assert back.transform == province.terrain.transform
    assert np.allclose(back.elevation_m, province.terrain.elevation_m, atol=1e-3)


def test_nodata_becomes_nan(tmp_path):
    elevation = np.full((3, 4), 100.0, dtype=np.float32)
    elevation[1, 2] = -32768
    path = tmp_path / "srtm.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=3,
        width=4,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=Affine(0.01, 0, 106, 0, -0.01, 17),
        nodata=-32768,
    ) as target:
        target.write(elevation, 1)
    terrain = read_terrain(path)
    assert np.isnan(terrain.elevation_m[1, 2]) and np.nansum(terrain.elevation_m) == 1100


def test_unscaled_values_are_refused(tmp_path):
    terrain = Terrain(np.full((3, 3), 12000.0), Affine(0.01, 0, 106, 0, -0.01, 17), WGS84)
    path = write_terrain(terrain, tmp_path / "cm.tif")
    with pytest.raises(ValidationError, match=r"terrain \(cm.tif\): column 'elevation_m'.*units"):
        read_terrain(path)


def test_bounds(province):
    assert province.terrain.bounds == pytest.approx((106.5, 16.4, 107.4, 17.1))
