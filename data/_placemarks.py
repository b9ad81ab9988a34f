"""Which placemarks of a KML village list are villages: decided by their geometry.

A province's Google Earth file holds more than villages: the roads to them (lines), the
GPS tracks of a survey (``gx:Track``), the commune's boundary (a polygon named ``Ranh giới
xã ...``). A village is a point or an outline (a polygon, or a MultiGeometry holding one);
lines, tracks and polygons named as boundaries are left out, each said with its placemark
number and name. A placemark without geometry stays (a village whose coordinates are
missing, listed as such).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from whitespot.data._cells import normalize_text
from whitespot.data._kml import TRACKS

BOUNDARY_WORDS = ("ranh gioi", "dia gioi", "duong dia gioi", "boundary", "border")
"""Names (unaccented, lower case) that begin a boundary polygon's or its folder's name."""

_LINES = {
    "LineString": "a line (a road, river or power line)",
    "MultiLineString": "lines (roads, rivers or power lines)",
    "Track": "a GPS track (gx:Track)",
    "GeometryCollection": "lines only (a MultiGeometry without a point or polygon)",
}


def village_placemarks(placemarks: gpd.GeoDataFrame) -> tuple[np.ndarray, list[tuple]]:
    """Tell the placemarks that are villages from those that are not.

    Parameters
    ----------
    placemarks : geopandas.GeoDataFrame
        From :func:`whitespot.data.read_kml` (with ``attrs["kml_tracks"]``).

    Returns
    -------
    villages : numpy.ndarray of bool
        Placemarks read as villages: points, polygons not named as a boundary, and those
        without geometry.
    left_out : list of (int, str, str)
        Each other placemark's number in the file (1-based), name and what it is.
    """
    tracks = set(placemarks.attrs.get(TRACKS, ()))
    types = placemarks.geometry.geom_type.fillna("").to_numpy(dtype=object)
    parts = placemarks.geometry.map(_part_types).to_numpy(dtype=object)
    names = placemarks["name"].map(normalize_text).astype(str)
    folders = placemarks["folder"].map(normalize_text).astype(str)
    named_boundary = (
        names.str.startswith(BOUNDARY_WORDS) | folders.str.startswith(BOUNDARY_WORDS)
    ).to_numpy(dtype=bool)
    outline = np.array([bool({"Polygon", "MultiPolygon"} & p) for p in parts], dtype=bool)
    point = np.array([bool({"Point", "MultiPoint"} & p) for p in parts], dtype=bool)
    line_only = (types != "") & ~outline & ~point
    boundary = outline & ~point & named_boundary
    villages = ~line_only & ~boundary
    left_out = []
    for i in np.flatnonzero(~villages):
        what = (
            "a boundary polygon (named as one)"
            if boundary[i]
            else _LINES.get("Track" if i in tracks else types[i], _LINES["GeometryCollection"])
        )
        left_out.append((int(i) + 1, str(placemarks["name"].iloc[i]), what))
    return villages, left_out


def _part_types(shape) -> set[str]:
    """Geometry types of a shape and of the parts of a collection."""
    if shape is None or shape.is_empty:
        return set()
    if shape.geom_type == "GeometryCollection":
        return {part.geom_type for part in shape.geoms}
    return {shape.geom_type}
