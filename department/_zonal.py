"""Zonal counts over disjoint areas: points to the area holding them, a count raster's sums.

Both work on whole arrays: points are placed by a KD-tree of the seeds of Voronoi areas and
only those near an area's edge are tested exactly; a raster's cells are weighted by the share of
each cell's box inside each area (polygon intersection), never resampled, so a sum over
areas that cover the raster is the raster's total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from affine import Affine
from scipy.spatial import cKDTree

from whitespot._errors import InputError


def area_of_points(
    areas: np.ndarray, x: np.ndarray, y: np.ndarray, seeds: Seeds | None = None
) -> np.ndarray:
    """Position in `areas` of the area holding each point, -1 for a point outside all.

    Parameters
    ----------
    areas : numpy.ndarray of shapely geometries
        Disjoint (Multi)Polygons in a metric CRS (None or empty for an area-less row).
    x, y : numpy.ndarray
        Point coordinates in the same CRS (m).
    seeds : Seeds, optional
        Where the areas of point villages are Voronoi cells within a radius: such a point
        belongs to its nearest seed's area when within the radius, which a KD-tree answers
        for all points at once; only points within :data:`EDGE_TOLERANCE_M` of an edge (two
        seeds nearly as near, or nearly at the radius) and points in the bounds of the
        other areas are tested exactly.

    Returns
    -------
    numpy.ndarray of int64
        A point on the shared edge of two areas goes to the first of them.
    """
    if seeds is None or not len(seeds.xy):
        return _exact(areas, x, y)
    where = np.full(len(x), -1, dtype=np.int64)
    k = min(2, len(seeds.xy))
    distance, nearest = cKDTree(seeds.xy).query(np.column_stack([x, y]), k=k)
    distance, nearest = distance.reshape(len(x), k), nearest.reshape(len(x), k)
    # the discs are polygons of 64 sides: within r (1 - cos(pi / 64)) of the true circle
    tolerance = EDGE_TOLERANCE_M + seeds.radius_m * (1 - np.cos(np.pi / 64))
    within = distance[:, 0] <= seeds.radius_m
    where[within] = seeds.position[nearest[within, 0]]
    doubt = np.abs(distance[:, 0] - seeds.radius_m) <= tolerance
    if k == 2:
        doubt |= distance[:, 1] - distance[:, 0] <= tolerance
    others = np.setdiff1d(np.flatnonzero(~shapely.is_missing(areas)), seeds.position)
    if len(others):
        boxes = shapely.box(*shapely.bounds(areas[others]).T)
        doubt[shapely.STRtree(boxes).query(shapely.points(x, y), predicate="intersects")[0]] = True
    doubt = np.flatnonzero(doubt)
    where[doubt] = _exact(areas, x[doubt], y[doubt])
    return where


EDGE_TOLERANCE_M = 1.0
"""Points nearer than this (m) to an area's edge by the KD-tree's reckoning are tested
exactly against the polygons."""


@dataclass(frozen=True)
class Seeds:
    """The points whose Voronoi cells within a radius are areas.

    Attributes
    ----------
    xy : numpy.ndarray
        (n, 2) distinct seed coordinates (m).
    position : numpy.ndarray
        Position in the areas of each seed's area.
    radius_m : float
    """

    xy: np.ndarray
    position: np.ndarray
    radius_m: float


def _exact(areas: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    where = np.full(len(x), -1, dtype=np.int64)
    point, area = first_match(shapely.STRtree(areas), shapely.points(x, y))
    where[point] = area
    return where


def first_match(tree: shapely.STRtree, geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(input, tree) positions of the first tree geometry each input geometry intersects."""
    point, area = tree.query(geometry, predicate="intersects")
    order = np.lexsort((area, point))
    point, area = point[order], area[order]
    first = np.r_[True, point[1:] != point[:-1]] if len(point) else np.zeros(0, bool)
    return point[first], area[first]


def raster_sums(areas: np.ndarray, count: np.ndarray, transform: Affine) -> np.ndarray:
    """Sum of a count raster inside each area, each cell weighted by its share in the area.

    Parameters
    ----------
    areas : numpy.ndarray of shapely geometries
        Disjoint (Multi)Polygons in the raster's CRS.
    count : numpy.ndarray
        2-D counts per cell (rows north to south), no-data as 0.
    transform : affine.Affine
        The raster's transform (north-up: no rotation).

    Returns
    -------
    numpy.ndarray of float64
        Per area, sum over cells of count x (area of cell box inside the area / cell box
        area): a cell wholly inside counts whole, so areas covering the raster conserve its
        total.

    Raises
    ------
    InputError
        If the raster is rotated or sheared.
    """
    if transform.b != 0 or transform.d != 0:
        raise InputError("population: a rotated or sheared raster cannot be summed per village")
    sums = np.zeros(len(areas))
    index = np.flatnonzero(~(shapely.is_missing(areas) | shapely.is_empty(areas)))
    if not len(index):
        return sums
    shapely.prepare(areas)
    windows = _windows(areas[index], count.shape, transform)
    cells = windows[1] - windows[0]
    cells = cells[:, 0] * cells[:, 1]
    # areas in groups of at most CELLS_PER_PASS cell boxes (one area may exceed it alone)
    group = np.cumsum(cells) // CELLS_PER_PASS
    for members in np.split(np.arange(len(index)), np.flatnonzero(np.diff(group)) + 1):
        start, stop = windows[0][members], windows[1][members]
        sums += _weighted_sums(areas, index[members], start, stop, count, transform)
    return sums


CELLS_PER_PASS = 1_000_000
"""Cell boxes made at once by :func:`raster_sums`: bounds its memory (about 300 MB)."""


def _weighted_sums(
    areas: np.ndarray,
    index: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    count: np.ndarray,
    transform: Affine,
) -> np.ndarray:
    """Sum the cells in each area's window (rows, columns from `start` to `stop`)."""
    village, row, col = _cells_of_windows(index, start, stop)
    value = count[row, col]
    held = value != 0
    village, row, col, value = village[held], row[held], col[held], value[held]
    x0, y0 = transform @ (col, row)
    x1, y1 = transform @ (col + 1, row + 1)
    boxes = shapely.box(
        np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)
    )
    share = shapely.covers(areas[village], boxes).astype(float)
    edge = (share == 0) & shapely.intersects(areas[village], boxes)
    share[edge] = shapely.area(shapely.intersection(areas[village[edge]], boxes[edge])) / (
        shapely.area(boxes[edge])
    )
    return np.bincount(village, weights=value * share, minlength=len(areas))


def _windows(
    areas: np.ndarray, shape: tuple[int, int], transform: Affine
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the first cell and one past the last of each area's bounding box."""
    bounds = shapely.bounds(areas)
    inverse = ~transform
    c_a, r_a = inverse @ (bounds[:, 0], bounds[:, 1])
    c_b, r_b = inverse @ (bounds[:, 2], bounds[:, 3])
    start = np.column_stack([np.floor(np.minimum(r_a, r_b)), np.floor(np.minimum(c_a, c_b))])
    stop = np.column_stack([np.ceil(np.maximum(r_a, r_b)), np.ceil(np.maximum(c_a, c_b))])
    limit = np.array(shape)
    start = np.clip(start, 0, limit).astype(np.int64)
    return start, np.maximum(np.clip(stop, 0, limit).astype(np.int64), start)


def _cells_of_windows(
    index: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(area position, row, column) of every cell in each area's window."""
    r0, c0 = start[:, 0], start[:, 1]
    widths = stop[:, 1] - c0
    n = widths * (stop[:, 0] - r0)
    village = np.repeat(index, n)
    k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    w = np.maximum(np.repeat(widths, n), 1)
    return village, np.repeat(r0, n) + k // w, np.repeat(c0, n) + k % w
