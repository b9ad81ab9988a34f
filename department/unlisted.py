"""Settlements no list names: clusters of footprints outside every listed village's area.

The rule: two footprints (centroids) within :data:`LINK_DISTANCE_M` of each other belong to
one settlement, and so, link by link, do all footprints joined by such a chain (single
linkage); a settlement of at least :data:`MIN_BUILDINGS` footprints whose every footprint
lies outside every listed village's area (:func:`village_areas`) is unlisted.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from whitespot.data import Population
from whitespot.department._footprints import (
    EstimateSettings,
    Placed,
    place_buildings,
    population_sums,
    residential_mask,
)
from whitespot.department._zonal import first_match

LINK_DISTANCE_M = 100.0
"""Default largest distance (m) between two footprints of one settlement."""

MIN_BUILDINGS = 5
"""Default fewest footprints that make a settlement (fewer are farms and huts)."""

UNLISTED_PREFIX = "unlisted"
"""Ids of unlisted settlements: ``unlisted-<commune code>-<n>``, n from 1 per commune."""

UNLISTED_COLUMNS = (
    "village_id",
    "name",
    "commune_code",
    "commune_from",
    "households",
    "buildings_counted",
    "households_estimated",
    "population_estimated",
    "households_estimate_basis",
    "unlisted",
)
"""Columns of :func:`unlisted_settlements`, before the geometry."""


def unlisted_settlements(
    villages: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    communes: gpd.GeoDataFrame | None = None,
    population: Population | None = None,
    link_distance_m: float = LINK_DISTANCE_M,
    min_buildings: int = MIN_BUILDINGS,
    settings: EstimateSettings | None = None,
    placed: Placed | None = None,
) -> gpd.GeoDataFrame:
    """Find the settlements of footprints that lie outside every listed village's area.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The validated village list.
    buildings : geopandas.GeoDataFrame
        Footprints as :func:`whitespot.data.read_buildings` returns them (low-confidence
        ones already left out there).
    communes : geopandas.GeoDataFrame, optional
        Commune polygons with a ``commune_code`` column: each settlement's commune is the one
        holding its centre. Without it (or outside every commune) the commune of the nearest
        listed village is taken, and ``commune_from`` says so.
    population : whitespot.data.Population, optional
        Persons are then summed over the settlement's outline (the hull of its footprints
        widened by half the link distance, outside listed areas).
    link_distance_m : float, default 100
    min_buildings : int, default 5
    settings : EstimateSettings, optional
        Area radius, household size and residential sizes, as for listed villages.
    placed : Placed, optional
        :func:`place_buildings` of the same villages, footprints and settings, if at hand.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per settlement, columns :data:`UNLISTED_COLUMNS`: ids
        ``unlisted-<commune code>-<n>`` numbered west to east (then south to north) within
        each commune, so the same files give the same ids; ``households`` is the estimate;
        ``unlisted`` True; a Point at the mean of its footprints' centroids, in the villages'
        CRS.
    """
    settings = settings or EstimateSettings()
    placed = placed or place_buildings(villages, buildings, settings)
    areas = placed.areas
    outside = placed.where < 0
    xy = placed.xy[outside]
    residential = residential_mask(buildings, settings.residential_area_m2)[outside]
    label = _settlement_labels(xy, link_distance_m, min_buildings)
    kept = label >= 0
    xy, residential, label = xy[kept], residential[kept], label[kept]
    n = int(label.max()) + 1 if len(label) else 0
    size = np.bincount(label, minlength=n)
    centre = np.column_stack(
        [np.bincount(label, xy[:, 0], n) / size, np.bincount(label, xy[:, 1], n) / size]
    )
    households = np.bincount(label, residential, n).astype(np.int64)
    persons = households * settings.household_size
    if population is not None and n:
        outline = shapely.buffer(
            shapely.convex_hull(shapely.multipoints(xy, indices=label)),
            link_distance_m / 2,
            quad_segs=16,
        )
        outline = shapely.difference(outline, shapely.union_all(np.asarray(areas.array)))
        persons = population_sums(gpd.GeoSeries(outline, crs=areas.crs), population)
    points = gpd.GeoSeries(shapely.points(centre), crs=areas.crs).to_crs(villages.crs)
    code, source = _communes(points, villages, communes, areas.crs)
    table = pd.DataFrame(
        {
            "commune_code": code,
            "commune_from": source,
            "households": households,
            "buildings_counted": pd.array(size, dtype="Int64"),
            "households_estimated": pd.array(households, dtype="Int64"),
            "population_estimated": persons,
            "households_estimate_basis": "buildings",
            "unlisted": True,
            "x": np.round(centre[:, 0]),
            "y": np.round(centre[:, 1]),
        }
    )
    table = table.assign(geometry=points.to_numpy()).sort_values(["commune_code", "x", "y"])
    number = table.groupby("commune_code", sort=False).cumcount() + 1
    table["village_id"] = (
        UNLISTED_PREFIX + "-" + table["commune_code"].astype(str) + "-" + number.astype(str)
    )
    table["name"] = ""
    table = table.reset_index(drop=True)
    return gpd.GeoDataFrame(
        table[list(UNLISTED_COLUMNS)], geometry=table["geometry"].to_numpy(), crs=villages.crs
    )


def _settlement_labels(xy: np.ndarray, link_distance_m: float, min_buildings: int) -> np.ndarray:
    """Settlement of each footprint, numbered from 0; -1 for one in too small a cluster."""
    if not len(xy):
        return np.empty(0, dtype=np.int64)
    pairs = cKDTree(xy).query_pairs(link_distance_m, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs), bool), (pairs[:, 0], pairs[:, 1])), (len(xy),) * 2)
    _, component = connected_components(graph, directed=False)
    size = np.bincount(component)
    big = size >= min_buildings
    renumber = np.full(len(size), -1, dtype=np.int64)
    renumber[big] = np.arange(big.sum())
    return renumber[component]


def _communes(
    points: gpd.GeoSeries,
    villages: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    crs: CRS,
) -> tuple[np.ndarray, np.ndarray]:
    """Commune code of each point and where it came from (``communes``/``nearest village``)."""
    code = np.full(len(points), "", dtype=object)
    source = np.full(len(points), "", dtype=object)
    if not len(points):
        return code, source
    if communes is not None:
        in_communes = points.to_crs(communes.crs)
        tree = shapely.STRtree(np.asarray(communes.geometry.array))
        point, commune = first_match(tree, np.asarray(in_communes.array))
        code[point] = communes["commune_code"].astype(str).to_numpy()[commune]
        source[point] = "communes"
    missing = source == ""
    if missing.any() and "commune_code" in villages and len(villages):
        listed = shapely.get_coordinates(villages.to_crs(crs).geometry.representative_point())
        _, nearest = cKDTree(listed).query(shapely.get_coordinates(points.to_crs(crs))[missing])
        code[missing] = villages["commune_code"].astype(str).to_numpy()[nearest]
        source[missing] = "nearest village"
    return code, source
