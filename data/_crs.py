"""Coordinate reference systems: the metric CRS for distances and lon/lat for people."""

from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from whitespot._errors import InputError

WGS84 = CRS.from_epsg(4326)
"""Geographic WGS 84, the CRS of every ``lon``/``lat`` column."""

MAX_UTM_SPAN_DEG = 30.0
"""Widest longitude span (degrees) projected on one UTM zone: beyond it the transverse
Mercator projection is no longer a fair metric (Viet Nam spans 15 degrees with its islands)."""

NORTHING_M = (900_000.0, 2_700_000.0)
EASTING_M = (100_000.0, 900_000.0)
"""VN-2000 metres in Viet Nam: northings from 8°N to 24°N, eastings around the 500 km
false easting of a TM-3 or UTM zone."""


def vn2000_metres(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each (x, y) is a VN-2000 metre pair (easting, northing, in either order)."""
    with np.errstate(invalid="ignore"):
        east_north = (x >= EASTING_M[0]) & (x <= EASTING_M[1]) & (y >= NORTHING_M[0])
        north_east = (y >= EASTING_M[0]) & (y <= EASTING_M[1]) & (x >= NORTHING_M[0])
        return (east_north & (y <= NORTHING_M[1])) | (north_east & (x <= NORTHING_M[1]))


LONLAT_DECIMALS = 7
"""Decimals kept in ``lon``/``lat`` columns (1e-7 degree is about 1 cm)."""


def utm_crs(lon: float, lat: float) -> CRS:
    """Return the WGS 84 / UTM zone CRS that contains a point.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in degrees.

    Returns
    -------
    pyproj.CRS
        EPSG:326zz north of the equator, EPSG:327zz south of it.

    Examples
    --------
    >>> utm_crs(106.7, 16.8).to_epsg()
    32648
    """
    zone = int(np.clip(np.floor((lon + 180.0) / 6.0) + 1, 1, 60))
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def metric_crs(gdf: gpd.GeoDataFrame, crs: CRS | str | int | None = None) -> CRS:
    """Choose the metric CRS in which distances of a layer are computed.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Layer with a CRS.
    crs : pyproj.CRS, str or int, optional
        A CRS the caller imposes; it must be projected with metre units.

    Returns
    -------
    pyproj.CRS
        `crs` if given, else the UTM zone of the centre of the layer's bounds.

    Raises
    ------
    ValueError
        If `crs` is geographic or not in metres, or if no `crs` is given and the layer spans
        more than :data:`MAX_UTM_SPAN_DEG` of longitude, too wide for one UTM zone.
    """
    if crs is not None:
        return checked_metric_crs(crs)
    source = CRS.from_user_input(gdf.crs)
    if source != WGS84:
        # the layer's box in degrees settles the zone without reprojecting every vertex
        chosen = _utm_of_box(shapely.get_coordinates(np.asarray(gdf.geometry.array)), source)
        if chosen is not None:
            return chosen
        gdf = gdf.to_crs(WGS84)
    return _utm_of_bounds(*gdf.total_bounds)


def _utm_of_bounds(minx: float, miny: float, maxx: float, maxy: float) -> CRS:
    """Return the UTM zone of the centre of bounds in degrees; refuse a span too wide."""
    if maxx - minx > MAX_UTM_SPAN_DEG:
        raise InputError(
            f"the layer spans {maxx - minx:.1f} degrees of longitude, too wide for one UTM "
            f"zone (at most {MAX_UTM_SPAN_DEG:g}); pass crs= a metric CRS suited to the area, "
            "or split the data by province"
        )
    return utm_crs((minx + maxx) / 2.0, (miny + maxy) / 2.0)


BOX_DENSIFY_POINTS = 21
"""Points added on each side of a layer's box before it is transformed to degrees."""
BOX_SLACK_DEG = 0.01
"""Widening of a transformed box, degrees: its curved sides bulge between the added points."""


def _utm_of_box(coordinates: np.ndarray, source: CRS) -> CRS | None:
    """Return the UTM zone :func:`metric_crs` chooses, from the layer's box where it can.

    The vertices' bounds in degrees (what reprojecting every vertex gives) lie between the
    bounds of the vertices at the extremes of the box in `source` (inside) and the
    densified box transformed (outside). Where every centre between the two falls in one
    zone and hemisphere and no span is too wide, that is the zone; else None, and the
    caller transforms every vertex (a layer near a zone border or the equator).
    """
    if not len(coordinates):
        return None
    low, high = coordinates.min(axis=0), coordinates.max(axis=0)
    transformer = Transformer.from_crs(source, WGS84, always_xy=True)
    west, south, east, north = transformer.transform_bounds(
        *low, *high, densify_pts=BOX_DENSIFY_POINTS
    )
    extremes = coordinates[[*coordinates.argmin(axis=0), *coordinates.argmax(axis=0)]]
    lon, lat = transformer.transform(extremes[:, 0], extremes[:, 1])
    if not np.isfinite([west, south, east, north, *lon, *lat]).all() or west > east:
        return None  # off the projection's domain, or across the antimeridian
    west, south = west - BOX_SLACK_DEG, south - BOX_SLACK_DEG
    east, north = east + BOX_SLACK_DEG, north + BOX_SLACK_DEG
    if east - west > MAX_UTM_SPAN_DEG:
        return None  # the span itself must be measured, to be refused or not
    lowest = utm_crs((west + lon.max()) / 2.0, (south + lat.max()) / 2.0)
    highest = utm_crs((lon.min() + east) / 2.0, (lat.min() + north) / 2.0)
    return lowest if lowest == highest else None


def checked_metric_crs(crs: CRS | str | int) -> CRS:
    """Return `crs` as a pyproj CRS after checking that it is projected in metres.

    Raises
    ------
    ValueError
        If it is geographic or its unit is not the metre.
    """
    chosen = CRS.from_user_input(crs)
    unit = chosen.axis_info[0].unit_name if chosen.axis_info else ""
    if not chosen.is_projected or unit not in ("metre", "meter"):
        raise InputError(f"crs={chosen.to_string()!r} is not a projected CRS in metres")
    return chosen


def to_metric(
    gdf: gpd.GeoDataFrame, crs: CRS | str | int | None = None
) -> tuple[gpd.GeoDataFrame, CRS]:
    """Project a layer into the metric CRS chosen by :func:`metric_crs`.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer with a CRS.
    crs : pyproj.CRS, str or int, optional
        The metric CRS to use; default :func:`metric_crs` of `gdf`.

    Returns
    -------
    (geopandas.GeoDataFrame, pyproj.CRS)
        The projected copy and the CRS used, so other layers can follow it.
    """
    chosen = metric_crs(gdf, crs)
    return gdf.to_crs(chosen), chosen


def projected_xy(gdf: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    """Coordinates in `crs` of each row's representative point, shape (n, 2)."""
    geometry = np.asarray(gdf.geometry.array)
    points = shapely.get_type_id(geometry) == shapely.GeometryType.POINT
    if not points.all():  # a point on each polygon or line, found in the layer's CRS
        geometry = np.asarray(gdf.to_crs(crs).geometry.representative_point().array)
        return shapely.get_coordinates(geometry)
    return xy_in_crs(shapely.get_coordinates(geometry), gdf.crs, crs)


def xy_in_crs(xy: np.ndarray, source: CRS, crs: CRS) -> np.ndarray:
    """Points given as coordinates in `source`, in `crs`, shape (n, 2)."""
    source, crs = CRS.from_user_input(source), CRS.from_user_input(crs)
    if source == crs:
        return xy  # in the metric CRS already
    x, y = _transformer(source, crs).transform(*xy.T)
    return np.column_stack([x, y])


def _transformer(source: CRS, crs: CRS) -> Transformer:
    """Return the transformer from `source` to `crs` (x first), made once per thread.

    Making one costs more than transforming a partition's points; pyproj's transformers
    are not to be shared between threads (a Dask worker runs several).
    """
    made = _TRANSFORMERS.__dict__.setdefault("made", {})
    if (source, crs) not in made:
        if len(made) >= TRANSFORMERS_KEPT:
            made.clear()
        made[source, crs] = Transformer.from_crs(source, crs, always_xy=True)
    return made[source, crs]


TRANSFORMERS_KEPT = 16
"""Transformers :func:`_transformer` keeps per thread."""

_TRANSFORMERS = threading.local()


def lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return longitude and latitude in degrees of each row's representative point.

    Points give themselves; polygons and lines a point guaranteed to lie on them.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer with a CRS.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Longitude and latitude, degrees (EPSG:4326), one per row.
    """
    points = gdf.geometry.representative_point()
    transformer = Transformer.from_crs(gdf.crs, WGS84, always_xy=True)
    lon, lat = transformer.transform(points.x.to_numpy(), points.y.to_numpy())
    return np.round(lon, LONLAT_DECIMALS), np.round(lat, LONLAT_DECIMALS)


def add_lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with ``lon`` and ``lat`` columns (EPSG:4326, degrees) before geometry.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer with a CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``lon`` and ``lat`` (degrees, EPSG:4326) of each row's representative point.
    """
    out = gdf.copy()
    out["lon"], out["lat"] = lonlat(gdf)
    columns = [c for c in out.columns if c != out.geometry.name] + [out.geometry.name]
    return out[columns]
