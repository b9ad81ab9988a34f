"""Candidate sites for new towers: near the gaps, on high ground, on a grid, or from a file."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from scipy import ndimage
from scipy.spatial import cKDTree

from whitespot._errors import InputError
from whitespot.coverage import GapList
from whitespot.data import Terrain, metric_crs, validate_candidates
from whitespot.radio._terrain import reproject_terrain

DEFAULT_HEIGHT_M = 30.0
"""Mast height of generated candidates, m."""


def _uncovered(gaps: GapList) -> gpd.GeoDataFrame:
    villages = gaps.villages
    return villages[villages["households_without_signal"] > 0]


def _frame(site_id: np.ndarray, xy: np.ndarray, source: str, crs: CRS, height_m: float):
    return gpd.GeoDataFrame(
        {"site_id": site_id, "height_m": height_m, "source": source},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


def candidates_from_gaps(
    gaps: GapList,
    *,
    ring_m: float = 1500.0,
    ring_points: int = 6,
    height_m: float = DEFAULT_HEIGHT_M,
    crs: CRS | None = None,
) -> gpd.GeoDataFrame:
    """Candidate sites at every village with households without signal, and around it.

    Each such village gives its own point (``<village_id>-0``) and `ring_points` points on
    a circle of `ring_m` around it (``<village_id>-1`` ...), bearings from north.

    Parameters
    ----------
    gaps : GapList
        From :func:`whitespot.coverage.gap_list`.
    ring_m : float, default 1500
        Radius of the ring of points around each village, m.
    ring_points : int, default 6
        Points on the ring.
    height_m : float, default 30
        Antenna height of every candidate, m above ground.
    crs : pyproj.CRS, optional
        Metric CRS of the ring; default that of the villages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id``, ``height_m``, ``source`` (``"village"``/``"ring"``), ``village_id``,
        in the gap list's CRS.
    """
    villages = _uncovered(gaps)
    crs = metric_crs(gaps.villages, crs)
    centre = villages.to_crs(crs).geometry.representative_point()
    cx, cy = centre.x.to_numpy(), centre.y.to_numpy()
    bearing = np.radians(np.arange(ring_points) * 360.0 / max(ring_points, 1))
    ids = villages["village_id"].astype(str).to_numpy()
    parts = [
        _frame(
            np.char.add(ids.astype(str), "-0"), np.column_stack([cx, cy]), "village", crs, height_m
        ).assign(village_id=ids)
    ]
    for k, angle in enumerate(bearing, start=1):
        xy = np.column_stack([cx + ring_m * np.sin(angle), cy + ring_m * np.cos(angle)])
        parts.append(
            _frame(np.char.add(ids.astype(str), f"-{k}"), xy, "ring", crs, height_m).assign(
                village_id=ids
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    order = np.lexsort((frame["site_id"].to_numpy(),))
    return frame.iloc[order].reset_index(drop=True).to_crs(gaps.villages.crs)


def candidates_from_terrain(
    terrain: Terrain,
    gaps: GapList,
    *,
    radius_km: float = 5.0,
    spacing_m: float = 1000.0,
    height_m: float = DEFAULT_HEIGHT_M,
    crs: CRS | None = None,
) -> gpd.GeoDataFrame:
    """Candidate sites on DEM high points near villages with households without signal.

    High points are local maxima of the DEM over a window of `spacing_m` (so two are at least
    about `spacing_m` apart) within `radius_km` of such a village.

    Parameters
    ----------
    terrain : whitespot.data.Terrain
        The DEM, heights in m.
    gaps : GapList
        From :func:`whitespot.coverage.gap_list`.
    radius_km : float, default 5
        Search radius around each village without signal, km.
    spacing_m : float, default 1000
        Window of the local maxima, m (two high points are about this far apart).
    height_m : float, default 30
        Antenna height of every candidate, m above ground.
    crs : pyproj.CRS, optional
        Metric CRS; default that of the villages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id`` (``H<row>-<col>``), ``height_m``, ``source`` (``"high_point"``) and
        ``ground_m``, in the gap list's CRS.
    """
    crs = metric_crs(gaps.villages, crs)
    dem = reproject_terrain(terrain, crs)
    cell = abs(dem.transform.a)
    size = max(3, round(spacing_m / cell) | 1)
    elevation = np.nan_to_num(dem.elevation_m, nan=-np.inf)
    peaks = (elevation == ndimage.maximum_filter(elevation, size=size)) & np.isfinite(elevation)
    rows, cols = np.nonzero(peaks & (elevation > 0))
    x, y = dem.transform @ (cols + 0.5, rows + 0.5)
    villages = _uncovered(gaps).to_crs(crs).geometry.representative_point()
    if not len(villages) or not len(rows):
        return (
            _frame(np.array([], dtype=str), np.empty((0, 2)), "high_point", crs, height_m)
            .assign(ground_m=[])
            .to_crs(gaps.villages.crs)
        )
    tree = cKDTree(np.column_stack([villages.x, villages.y]))
    near = tree.query(np.column_stack([x, y]), distance_upper_bound=radius_km * 1000.0)[0]
    keep = np.isfinite(near)
    ids = np.char.add(
        np.char.add("H", rows[keep].astype(str)), np.char.add("-", cols[keep].astype(str))
    )
    frame = _frame(ids, np.column_stack([x[keep], y[keep]]), "high_point", crs, height_m)
    frame["ground_m"] = elevation[rows[keep], cols[keep]]
    return frame.to_crs(gaps.villages.crs)


def candidates_on_grid(
    area: gpd.GeoDataFrame,
    *,
    spacing_m: float = 2000.0,
    height_m: float = DEFAULT_HEIGHT_M,
    crs: CRS | None = None,
) -> gpd.GeoDataFrame:
    """Candidate sites on a regular grid over the bounds of `area` (``G<row>-<col>``).

    Parameters
    ----------
    area : geopandas.GeoDataFrame
        Any layer; its bounds are covered.
    spacing_m : float, default 2000
        Distance between grid points, m.
    height_m : float, default 30
        Antenna height of every candidate, m above ground.
    crs : pyproj.CRS, optional
        Metric CRS of the grid; default :func:`whitespot.data.metric_crs` of `area`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id`` (``G<row>-<col>``) and ``height_m``, in the CRS of `area`.
    """
    if spacing_m <= 0:
        raise InputError(f"spacing_m={spacing_m} must be > 0")
    crs = metric_crs(area, crs)
    minx, miny, maxx, maxy = area.to_crs(crs).total_bounds
    xs = np.arange(minx, maxx + spacing_m / 2, spacing_m)
    ys = np.arange(miny, maxy + spacing_m / 2, spacing_m)
    col, row = np.meshgrid(np.arange(len(xs)), np.arange(len(ys)))
    ids = np.char.add(
        np.char.add("G", row.ravel().astype(str)), np.char.add("-", col.ravel().astype(str))
    )
    xy = np.column_stack([xs[col.ravel()], ys[row.ravel()]])
    return _frame(ids, xy, "grid", crs, height_m).to_crs(area.crs)


def read_candidates(source: object) -> gpd.GeoDataFrame:
    """Read and validate candidate sites from a file or a GeoDataFrame (``source="file"``).

    Parameters
    ----------
    source : path-like or geopandas.GeoDataFrame
        A candidates file (any format :func:`whitespot.data.read_layer` reads) or layer.

    Returns
    -------
    geopandas.GeoDataFrame
        Validated candidates: ``site_id``, ``height_m``, optional ``capex`` (read as offices
        write it).
    """
    candidates = validate_candidates(source)
    if "source" not in candidates:
        candidates["source"] = "file"
    return candidates
