"""Footprints tallied one part at a time (a file, a tile), and the parts merged exactly.

Each part's footprints are placed in the listed villages' areas and counted per village
(counts add up over parts); the footprints outside every area are kept with their
settlement within the part (single linkage within the link distance). Merging joins the
part settlements that lie within the link distance of each other across parts, so a
settlement split by a part's edge is one settlement, and the settlements are those of all
footprints at once, whatever the parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from whitespot._parallel import run_tiles
from whitespot.data._buildings import LeftOut, building_files, read_footprint_file, warn_left_out
from whitespot.department._footprints import (
    EstimateSettings,
    _areas_and_seeds,
    footprint_xy,
    residential_mask,
)
from whitespot.department._zonal import Seeds, area_of_points

if TYPE_CHECKING:
    from distributed import Client


@dataclass(frozen=True)
class FootprintTally:
    """Footprints of one part: counted per village area, and those outside every area.

    Attributes
    ----------
    villages : int
        Villages of the list.
    village : numpy.ndarray
        Positions (int64, ascending) of the villages with a footprint of the part in their
        area: a part (a tile of the country) touches few of the country's villages.
    counted, residential : numpy.ndarray
        Footprints (all; of residential size) in the area of each of those villages, int64.
    xy : numpy.ndarray
        (m, 2) coordinates (m, the areas' metric CRS) of the footprints outside every area.
    household : numpy.ndarray
        (m,) whether each of them is of residential size.
    settlement : numpy.ndarray
        (m,) int64 settlement within the part (0..k-1), single linkage.
    """

    villages: int
    village: np.ndarray
    counted: np.ndarray
    residential: np.ndarray
    xy: np.ndarray
    household: np.ndarray
    settlement: np.ndarray

    def dense(self, name: str) -> np.ndarray:
        """Return the counts `name` (``counted``/``residential``) of every village, int64."""
        out = np.zeros(self.villages, dtype=np.int64)
        out[self.village] = getattr(self, name)
        return out


def tally_placed(
    where: np.ndarray,
    xy: np.ndarray,
    household: np.ndarray,
    villages: int,
    link_distance_m: float,
) -> FootprintTally:
    """Tally footprints already placed (`where`: village position, -1 outside every area)."""
    inside = where >= 0
    outside = ~inside
    out_xy = xy[outside]
    village, counted = np.unique(where[inside], return_counts=True)
    residential = np.bincount(
        np.searchsorted(village, where[inside & household]), minlength=len(village)
    )
    return FootprintTally(
        villages,
        village,
        counted.astype(np.int64),
        residential.astype(np.int64),
        out_xy,
        household[outside],
        linked(out_xy, link_distance_m),
    )


def tally_file(
    path: Path,
    areas: np.ndarray,
    seeds: Seeds,
    crs: CRS,
    residential_area_m2: tuple[float, float],
    thresholds: tuple[float, float],
    link_distance_m: float,
) -> tuple[FootprintTally, LeftOut]:
    """Read one footprint file and tally it (a Dask task: module-level, arguments pickled).

    Parameters
    ----------
    areas : numpy.ndarray of shapely geometries
        The villages' areas in the metric `crs`, and `seeds` those of the point villages.
    thresholds : (float, float)
        min_confidence, min_area_m2 of :func:`whitespot.data.read_buildings`.
    """
    buildings, left_out = read_footprint_file(path, thresholds)
    x, y = footprint_xy(buildings, crs)
    where = area_of_points(areas, x, y, seeds)
    household = residential_mask(buildings, residential_area_m2)
    tally = tally_placed(where, np.column_stack([x, y]), household, len(areas), link_distance_m)
    return tally, left_out


def linked(xy: np.ndarray, link_distance_m: float) -> np.ndarray:
    """Single-linkage settlement of each point (0..k-1): chains of links <= the distance."""
    if not len(xy):
        return np.empty(0, dtype=np.int64)
    pairs = cKDTree(xy).query_pairs(link_distance_m, output_type="ndarray")
    return _components(pairs, len(xy))


def _components(pairs: np.ndarray, n: int) -> np.ndarray:
    graph = coo_matrix((np.ones(len(pairs), bool), (pairs[:, 0], pairs[:, 1])), (n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)


@dataclass(frozen=True)
class MergedTally:
    """The parts' tallies added up; the footprints outside every area with their settlement.

    Attributes
    ----------
    counted, residential : numpy.ndarray
        As :class:`FootprintTally`, over all parts.
    xy, household : numpy.ndarray
        The footprints outside every area, of all parts (in part order).
    settlement : numpy.ndarray
        (m,) settlement of each, numbered 0..k-1 west to east (then south to north) by the
        centre; -1 for a footprint of a cluster smaller than the minimum.
    """

    counted: np.ndarray
    residential: np.ndarray
    xy: np.ndarray
    household: np.ndarray
    settlement: np.ndarray


def merge_tallies(
    tallies: Sequence[FootprintTally], link_distance_m: float, min_buildings: int
) -> MergedTally:
    """Add up the parts' counts and join their settlements across the parts' edges.

    Two parts' settlements are one where a footprint of each lies within the link
    distance of the other; only footprints within that distance of the other part's
    bounds are compared. The result does not depend on how the footprints were split.
    """
    sizes = np.array([len(t.settlement) for t in tallies])
    nodes = np.array([int(t.settlement.max()) + 1 if len(t.settlement) else 0 for t in tallies])
    first = np.concatenate([[0], np.cumsum(nodes)[:-1]]).astype(np.int64)
    node = np.concatenate([t.settlement + o for t, o in zip(tallies, first, strict=True)])
    edges = _edges_across(tallies, first, link_distance_m)
    joined = _components(edges, int(nodes.sum()))[node] if len(node) else node
    xy = np.concatenate([t.xy for t in tallies]) if sizes.sum() else np.empty((0, 2))
    return MergedTally(
        sum(t.dense("counted") for t in tallies),
        sum(t.dense("residential") for t in tallies),
        xy,
        np.concatenate([t.household for t in tallies]),
        _numbered(joined, xy, min_buildings),
    )


def _edges_across(
    tallies: Sequence[FootprintTally], first: np.ndarray, link_distance_m: float
) -> np.ndarray:
    """Pairs of part settlements (node numbers) linked across two parts."""
    d = link_distance_m
    near = np.array(
        [
            shapely.box(*(t.xy.min(0) - d), *(t.xy.max(0) + d)) if len(t.xy) else shapely.Polygon()
            for t in tallies
        ],
        dtype=object,
    )
    left, right = shapely.STRtree(near).query(near, predicate="intersects")
    edges = [np.empty((0, 2), dtype=np.int64)]
    for a, b in zip(left[left < right], right[left < right], strict=True):  # pairs of parts
        at_a = _within(tallies[a].xy, near[b])
        at_b = _within(tallies[b].xy, near[a])
        if not (at_a.any() and at_b.any()):
            continue
        close = cKDTree(tallies[a].xy[at_a]).sparse_distance_matrix(
            cKDTree(tallies[b].xy[at_b]), link_distance_m, output_type="ndarray"
        )
        from_a = tallies[a].settlement[at_a][close["i"]] + first[a]
        from_b = tallies[b].settlement[at_b][close["j"]] + first[b]
        edges.append(np.column_stack([from_a, from_b]))
    return np.concatenate(edges)


def _within(xy: np.ndarray, box: shapely.Polygon) -> np.ndarray:
    minx, miny, maxx, maxy = box.bounds
    return (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)


def centres(settlement: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Footprints of each settlement and its centre (mean point, m), exact in any order.

    The coordinates are summed as whole millimetres (int64), so the sum does not depend on
    the order of the footprints, and neither does the centre.
    """
    kept = settlement >= 0
    label, mm = settlement[kept], np.round(xy[kept] * 1000).astype(np.int64)
    n = int(label.max()) + 1 if len(label) else 0
    order = np.argsort(label, kind="stable")
    size = np.bincount(label, minlength=n)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    total = np.add.reduceat(mm[order], starts, axis=0) if n else np.empty((0, 2), np.int64)
    return size, total / size[:, None] / 1000.0


def _numbered(joined: np.ndarray, xy: np.ndarray, min_buildings: int) -> np.ndarray:
    """Renumber the settlements of at least `min_buildings` by their centre; -1 the others."""
    if not len(joined):
        return joined.astype(np.int64)
    _, compact = np.unique(joined, return_inverse=True)
    size, centre = centres(compact, xy)
    big = np.flatnonzero(size >= min_buildings)
    order = big[np.lexsort((centre[big, 1], centre[big, 0]))]
    renumber = np.full(len(size), -1, dtype=np.int64)
    renumber[order] = np.arange(len(order))
    return renumber[compact]


def tally_footprints(
    villages: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | str | PathLike,
    settings: EstimateSettings,
    *,
    thresholds: tuple[float, float],
    link_distance_m: float,
    min_buildings: int,
    client: Client | None = None,
    progress: bool | None = None,
) -> tuple[MergedTally, gpd.GeoSeries, int]:
    """Tally footprints in the villages' areas: a layer at once, or files one by one.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Validated villages, index 0..n-1.
    buildings : geopandas.GeoDataFrame or path-like
        Footprints as :func:`whitespot.data.read_buildings` returns them, or a footprint
        file or folder of files (:func:`whitespot.data._buildings.building_files`), each
        read and tallied as its own part: on the Dask `client` when given (the workers must
        see the files), else here one after another. Memory holds one file's footprints
        and the footprints outside every village area.
    thresholds : (float, float)
        min_confidence and min_area_m2 for reading files (what they leave out is said once
        for all files, :class:`whitespot.data.FootprintsLeftOutWarning`).

    Returns
    -------
    (MergedTally, geopandas.GeoSeries, int)
        The merged tally, the villages' areas (metric CRS) and the number of parts.
    """
    areas, seeds = _areas_and_seeds(villages, settings.radius_m, settings.crs)
    if isinstance(buildings, gpd.GeoDataFrame):
        x, y = footprint_xy(buildings, areas.crs)
        where = area_of_points(np.asarray(areas.array), x, y, seeds)
        household = residential_mask(buildings, settings.residential_area_m2)
        xy = np.column_stack([x, y])
        tallies = [tally_placed(where, xy, household, len(villages), link_distance_m)]
    else:
        files = building_files(buildings)
        results = run_tiles(
            tally_file,
            files,
            np.asarray(areas.array),
            seeds,
            areas.crs,
            settings.residential_area_m2,
            thresholds,
            link_distance_m,
            client=client,
            progress=progress,
            desc="footprint files",
        )
        tallies = [tally for tally, _ in results]
        left_out = sum((counts for _, counts in results), start=LeftOut())
        warn_left_out(left_out, f"buildings ({Path(buildings).name})", thresholds)
    return merge_tallies(tallies, link_distance_m, min_buildings), areas, len(tallies)
