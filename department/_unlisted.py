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
from scipy.spatial import cKDTree

from whitespot.data import Population
from whitespot.department._footprints import (
    EstimateSettings,
    Placed,
    place_buildings,
    population_sums,
    residential_mask,
)
from whitespot.department._tally import MergedTally, centres, merge_tallies, tally_placed
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
    household = residential_mask(buildings, settings.residential_area_m2)
    tally = tally_placed(placed.where, placed.xy, household, len(villages), link_distance_m)
    merged = merge_tallies([tally], link_distance_m, min_buildings)
    return settlement_rows(
        merged,
        villages,
        placed.areas,
        communes=communes,
        population=population,
        settings=settings,
        link_distance_m=link_distance_m,
    )


def settlement_rows(
    merged: MergedTally,
    villages: gpd.GeoDataFrame,
    areas: gpd.GeoSeries,
    *,
    communes: gpd.GeoDataFrame | None,
    population: Population | None,
    settings: EstimateSettings,
    link_distance_m: float,
) -> gpd.GeoDataFrame:
    """Return the rows of :func:`unlisted_settlements` from footprints tallied and merged.

    Every quantity is a sum (whole millimetres for the centre) or a normalized hull over
    the settlement's footprints, so the rows do not depend on the order of the footprints
    or on how they were split into parts.
    """
    label = merged.settlement
    size, centre = centres(label, merged.xy)
    n = len(size)
    kept = label >= 0
    households = np.bincount(label[kept], merged.household[kept], n).astype(np.int64)
    persons = households * settings.household_size
    if population is not None and n:
        order = np.argsort(label[kept], kind="stable")
        hull = shapely.normalize(
            shapely.convex_hull(
                shapely.multipoints(merged.xy[kept][order], indices=label[kept][order])
            )
        )
        outline = shapely.buffer(hull, link_distance_m / 2, quad_segs=16)
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
    table = table.assign(geometry=points.to_numpy()).sort_values(
        ["commune_code", "x", "y"], kind="stable"
    )
    number = table.groupby("commune_code", sort=False).cumcount() + 1
    table["village_id"] = (
        UNLISTED_PREFIX + "-" + table["commune_code"].astype(str) + "-" + number.astype(str)
    )
    table["name"] = ""
    table = table.reset_index(drop=True)
    return gpd.GeoDataFrame(
        table[list(UNLISTED_COLUMNS)], geometry=table["geometry"].to_numpy(), crs=villages.crs
    )


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
