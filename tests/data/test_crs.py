"""CRS: the metric CRS chosen, and lon/lat round trips (hypothesis)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from whitespot.data import add_lonlat, metric_crs, to_metric, utm_crs
from whitespot.data._crs import MAX_UTM_SPAN_DEG, WGS84


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (105.85, 21.03, 32648),  # Ha Noi: zone 48N (102-108 E)
        (106.70, 10.78, 32648),  # Ho Chi Minh City
        (108.22, 16.05, 32649),  # Da Nang: zone 49N (108-114 E)
        (106.83, -6.2, 32748),  # Jakarta: southern hemisphere
        (-0.1, 51.5, 32630),  # London
        (180.0, 0.0, 32660),  # the antimeridian stays in zone 60
    ],
)
def test_utm_zone_of_known_places(lon, lat, epsg):
    assert utm_crs(lon, lat).to_epsg() == epsg


def test_metric_crs_defaults_to_utm_and_accepts_metric(villages):
    assert metric_crs(villages).to_epsg() == 32648
    assert metric_crs(villages, "EPSG:3405").to_epsg() == 3405  # VN-2000 / UTM 48N


def test_metric_crs_refuses_degrees(villages):
    with pytest.raises(ValueError, match="not a projected CRS in metres"):
        metric_crs(villages, 4326)


def test_add_lonlat_puts_columns_before_geometry(villages):
    out = add_lonlat(villages.to_crs(32648))
    assert list(out.columns[-3:]) == ["lon", "lat", "geometry"]
    assert np.allclose(out["lon"], villages.geometry.x, atol=1e-7)


lons = st.floats(min_value=-179.0, max_value=179.0, allow_nan=False)
lats = st.floats(min_value=-79.0, max_value=83.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(lons, st.lists(st.tuples(st.floats(0.0, MAX_UTM_SPAN_DEG), lats), min_size=1, max_size=5))
def test_round_trip_through_metric_crs_keeps_coordinates(west, offsets_and_lats):
    offset, lat = np.array(offsets_and_lats).T
    lon = np.clip(west + offset, -180, 180)
    layer = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    metric, crs = to_metric(layer)
    assert crs.is_projected
    back = add_lonlat(metric.to_crs(WGS84))
    assert np.allclose(back["lon"], lon, atol=1e-6)
    assert np.allclose(back["lat"], lat, atol=1e-6)


def test_too_wide_for_utm_is_refused():
    layer = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0, 162.0], [0.0, 0.0]), crs=WGS84)
    with pytest.raises(ValueError, match=r"spans 162\.0 degrees of longitude.*pass crs="):
        to_metric(layer)
    assert to_metric(layer, crs=3857)[1].to_epsg() == 3857


@settings(max_examples=40, deadline=None)
@given(lons, lats)
def test_lonlat_columns_equal_input_degrees_from_any_projection(lon, lat):
    layer = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs=WGS84)
    projected = layer.to_crs(utm_crs(lon, lat))
    out = add_lonlat(projected)
    assert abs(out["lon"][0] - lon) < 1e-6 and abs(out["lat"][0] - lat) < 1e-6


def _zone_of_every_vertex(layer: gpd.GeoDataFrame) -> int:
    """The rule before the box: every vertex in degrees, the UTM zone of their bounds' centre."""
    west, south, east, north = layer.to_crs(WGS84).total_bounds
    return utm_crs((west + east) / 2.0, (south + north) / 2.0).to_epsg()


def _scattered(lon: float, lat: float, spread_deg: float, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = lon + rng.uniform(-spread_deg, spread_deg, 2_000)
    y = lat + rng.uniform(-spread_deg, spread_deg, 2_000)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=WGS84)


@pytest.mark.parametrize("layer_crs", [4326, 32648, 32649, "EPSG:9212", 3405])
@pytest.mark.parametrize(
    ("lon", "lat", "spread_deg"),
    [
        (106.8, 16.7, 0.4),  # a province inside zone 48
        (107.99, 16.0, 0.3),  # across the 108 E border, centre just west of it
        (108.01, 16.0, 0.3),  # and just east of it
        (108.0, 16.0, 0.3),  # on it: only every vertex can tell
        (106.5, 0.02, 0.05),  # across the equator: the hemisphere is the centre's
        (106.5, 0.0, 0.05),
        (105.0, 15.0, 4.0),  # a wide region
    ],
)
def test_metric_crs_zone_is_that_of_every_vertex(layer_crs, lon, lat, spread_deg):
    layer = _scattered(lon, lat, spread_deg).to_crs(layer_crs)
    assert metric_crs(layer).to_epsg() == _zone_of_every_vertex(layer)


@pytest.mark.parametrize("layer_crs", [32648, "EPSG:9212"])
def test_metric_crs_reads_a_metric_layers_zone_without_reprojecting_it(layer_crs, monkeypatch):
    layer = _scattered(106.8, 16.7, 0.4).to_crs(layer_crs)

    def refuse(*args, **kwargs):
        raise AssertionError("the whole layer was reprojected")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_crs", refuse)
    assert metric_crs(layer).to_epsg() == 32648


def test_metric_crs_of_polygons_uses_their_vertices():
    lon, lat = 107.95, 21.0  # a polygon whose vertices straddle the 108 E border
    ring = [(lon - 0.1, lat), (lon + 0.2, lat), (lon + 0.2, lat + 0.1), (lon - 0.1, lat + 0.1)]
    layer = gpd.GeoDataFrame(geometry=[shapely.Polygon(ring)], crs=WGS84).to_crs(32648)
    assert metric_crs(layer).to_epsg() == _zone_of_every_vertex(layer) == 32649


def test_metric_crs_of_a_too_wide_metric_layer_is_refused():
    layer = _scattered(100.0, 10.0, 0.1)
    layer = pd.concat([layer, _scattered(140.0, 10.0, 0.1)]).to_crs(3857)
    with pytest.raises(ValueError, match=r"spans 40\.\d degrees of longitude"):
        metric_crs(layer)
