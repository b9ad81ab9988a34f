"""Dead zones: the signal raster and the populated areas below threshold."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio

from whitespot.coverage import dead_zones, signal_raster, write_signal_raster
from whitespot.data import validate_towers
from whitespot.data._crs import WGS84
from whitespot.radio import SignalSetup, predict_signal


@pytest.fixture(scope="module")
def raster(province):
    return signal_raster(
        validate_towers(province.towers), province.villages, resolution_m=1000.0, progress=False
    )


def test_raster_cells_equal_point_predictions(raster, province):
    rows, cols = raster.signal_dbm.shape
    row, col = rows // 2, cols // 3
    x, y = raster.transform @ (col + 0.5, row + 0.5)
    point = gpd.GeoDataFrame(geometry=gpd.points_from_xy([x], [y]), crs=raster.crs)
    expected = predict_signal(point, validate_towers(province.towers), progress=False)
    value = raster.signal_dbm[row, col]
    assert (np.isnan(value) and expected["best_signal_dbm"].isna().iloc[0]) or value == (
        pytest.approx(expected["best_signal_dbm"].iloc[0])
    )


def test_raster_covers_the_area(raster, province):
    minx, miny, maxx, maxy = province.villages.to_crs(raster.crs).total_bounds
    rows, cols = raster.signal_dbm.shape
    left, top = raster.transform @ (0, 0)
    right, bottom = raster.transform @ (cols, rows)
    assert left < minx and right > maxx and bottom < miny and top > maxy


def test_zones_hold_the_uncovered_households(raster, province):
    zones = dead_zones(raster, province.households)
    assert zones.crs == WGS84 and (zones["households"] >= 1).all()
    assert zones["zone_id"].tolist() == list(range(1, len(zones) + 1))
    inside = gpd.sjoin(province.households, zones, predicate="within")
    assert len(inside) == zones["households"].sum()
    # every household in a zone has no covering server at its cell
    assert zones["households"].is_monotonic_decreasing


def test_village_weights(raster, province):
    by_village = dead_zones(raster, province.villages, weight_column="households")
    assert by_village["households"].sum() > 0


def test_no_zone_when_all_covered(province):
    towers = validate_towers(province.towers)
    full = signal_raster(
        towers,
        province.villages.iloc[:1],
        resolution_m=100.0,
        progress=False,
        setup=SignalSetup(model="free_space", extrapolate=True),
    )
    assert len(dead_zones(full, province.households.iloc[:1])) == 0


def test_raster_geotiff(raster, tmp_path):
    path = write_signal_raster(raster, tmp_path / "signal.tif")
    with rasterio.open(path) as source:
        assert source.count == 2 and source.descriptions == ("best_signal_dbm", "best_margin_db")
        assert np.allclose(source.read(1), raster.signal_dbm, equal_nan=True, atol=1e-3)


def test_bad_resolution(province):
    with pytest.raises(ValueError, match="resolution_m=0"):
        signal_raster(province.towers, province.villages, resolution_m=0)
