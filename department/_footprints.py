"""A village list checked against footprints and population: households estimated per village.

Each village gets an area (its polygon, or for a point the part of its Voronoi cell within
a radius); the footprints and persons inside it give ``households_estimated`` and
``population_estimated``; :func:`households_disagree` lists the villages whose own count
(*Số hộ*) is far from the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from whitespot._errors import InputError
from whitespot.data import Population, metric_crs
from whitespot.department._zonal import Seeds, area_of_points, raster_sums

HOUSEHOLD_SIZE = 3.5
"""Default persons per household: the national average of the 2019 Population and Housing
Census of Viet Nam (General Statistics Office, preliminary results released 11 July 2019:
96,208,984 persons in nearly 26.9 million households, 3.5 persons each on average)."""

HOUSEHOLD_SIZE_SOURCE = (
    "Viet Nam 2019 Population and Housing Census (GSO, 11 July 2019): 3.5 persons per household"
)

AREA_RADIUS_M = 1000.0
"""Default radius (m) of a point village's area: its Voronoi cell within this distance."""

RESIDENTIAL_AREA_M2 = (20.0, 500.0)
"""Default footprint areas (m², inclusive) counted as one household each: smaller ones are
sheds and kitchens, larger ones schools, warehouses and markets. A footprint of unknown area
(a point) counts."""

HOUSEHOLD_TOLERANCE = 0.5
"""Default relative difference beyond which a village's count and the estimate disagree:
``|households - estimated| > tolerance x max(households, estimated)``."""

MIN_DIFFERENCE = 5
"""Default smallest difference in households ever flagged (small villages vary a lot)."""

ESTIMATE_COLUMNS = (
    "buildings_counted",
    "households_estimated",
    "population_estimated",
    "households_estimate_basis",
)
"""Columns :func:`estimate_households` adds, in order."""


@dataclass(frozen=True)
class EstimateSettings:
    """How households are estimated from footprints and population.

    Attributes
    ----------
    radius_m : float, default 1000
        A point village's area: its Voronoi cell within this distance (m).
    household_size : float, default 3.5
        Persons per household (:data:`HOUSEHOLD_SIZE`, 2019 census).
    residential_area_m2 : (float, float), default (20, 500)
        Footprint areas (m²) counted as a household each.
    crs : pyproj.CRS, optional
        Metric CRS of the areas; the UTM zone of the villages by default.
    """

    radius_m: float = AREA_RADIUS_M
    household_size: float = HOUSEHOLD_SIZE
    residential_area_m2: tuple[float, float] = RESIDENTIAL_AREA_M2
    crs: CRS | str | int | None = None


def village_areas(
    villages: gpd.GeoDataFrame, *, radius_m: float = AREA_RADIUS_M, crs: object = None
) -> gpd.GeoSeries:
    """Return the area of each village, disjoint from every other's, in a metric CRS.

    A polygon village's area is its polygon (less the polygons listed before it, where two
    overlap); a point village's area is the part of its Voronoi cell (among all villages'
    points) within `radius_m` of it, outside every polygon village. Villages at the same point
    share nothing: the first listed gets the cell, the others an empty area.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Validated villages (Point or Polygon geometry).
    radius_m : float, default 1000
    crs : pyproj.CRS, optional
        Metric CRS; the UTM zone of the villages by default.

    Returns
    -------
    geopandas.GeoSeries
        Indexed like `villages`, in the metric CRS.
    """
    return _areas_and_seeds(villages, radius_m, crs)[0]


def _areas_and_seeds(
    villages: gpd.GeoDataFrame, radius_m: float, crs: object
) -> tuple[gpd.GeoSeries, Seeds]:
    chosen = metric_crs(villages, crs)
    geometry = np.asarray(villages.geometry.to_crs(chosen).array)
    areas = np.empty(len(geometry), dtype=object)
    polygon = shapely.get_dimensions(geometry) == 2
    areas[polygon] = _disjoint(geometry[polygon])
    point = np.flatnonzero(~polygon & ~shapely.is_empty(geometry))
    seeds = Seeds(np.empty((0, 2)), np.empty(0, dtype=np.int64), radius_m)
    if len(point):
        cells, first = _voronoi_cells(geometry[point], radius_m)
        if polygon.any():
            cells = shapely.difference(cells, shapely.union_all(geometry[polygon]))
        areas[point] = cells
        seeds = Seeds(shapely.get_coordinates(geometry[point[first]]), point[first], radius_m)
    return gpd.GeoSeries(areas, index=villages.index, crs=chosen), seeds


def _disjoint(polygons: np.ndarray) -> np.ndarray:
    """Each polygon less the ones before it, where they overlap (a rare fault of a list)."""
    out = polygons.copy()
    tree = shapely.STRtree(polygons)
    later, earlier = tree.query(polygons, predicate="overlaps")
    keep = earlier < later
    for position in np.unique(later[keep]):  # a loop over overlapping villages, rarely any
        out[position] = shapely.difference(
            out[position], shapely.union_all(polygons[earlier[keep & (later == position)]])
        )
    return out


def _voronoi_cells(points: np.ndarray, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Each point's Voronoi cell within `radius_m`, and the positions of distinct points."""
    xy = shapely.get_coordinates(points)
    unique, first = np.unique(xy, axis=0, return_index=True)
    discs = shapely.buffer(shapely.points(unique), radius_m, quad_segs=16)
    if len(unique) == 1:
        cells = discs
    else:
        envelope = shapely.box(*shapely.total_bounds(discs)).buffer(radius_m)
        voronoi = shapely.voronoi_polygons(
            shapely.multipoints(unique), extend_to=envelope, ordered=True
        )
        cells = shapely.intersection(np.asarray(shapely.get_parts(voronoi)), discs)
    out = np.full(len(points), shapely.Polygon(), dtype=object)
    out[first] = cells
    return out, first


def estimate_households(
    villages: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    population: Population | None = None,
    settings: EstimateSettings | None = None,
    placed: Placed | None = None,
) -> pd.DataFrame:
    """Estimate each village's households and persons from footprints and a population raster.

    ``households_estimated`` counts the footprints of residential size in the village's area
    (:func:`village_areas`) where `buildings` are given, else is the persons there divided
    by the household size. ``population_estimated`` sums the population raster over the area
    (cells weighted by their share inside it: exact and conserving) where given, else is
    the households estimated times the household size.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Validated villages.
    buildings : geopandas.GeoDataFrame, optional
        Footprints as :func:`whitespot.data.read_buildings` returns them.
    population : whitespot.data.Population, optional
        A count raster (:func:`whitespot.data.read_population`).
    settings : EstimateSettings, optional
    placed : Placed, optional
        :func:`place_buildings` of the same villages, footprints and settings, when the
        caller has it already (as :func:`unlisted_settlements` can use it too).

    Returns
    -------
    pandas.DataFrame
        Indexed like `villages`, columns :data:`ESTIMATE_COLUMNS`: ``buildings_counted``
        (Int64, footprints of any size in the area), ``households_estimated`` (Int64),
        ``population_estimated`` (float, persons), ``households_estimate_basis``
        (``"buildings"``, ``"population"`` or ``""`` where neither file was given).
    """
    settings = settings or EstimateSettings()
    counts = None
    if buildings is not None:
        placed = placed or place_buildings(villages, buildings, settings)
        areas = placed.areas
        counts = count_buildings(placed, buildings, settings.residential_area_m2)
    else:
        areas = village_areas(villages, radius_m=settings.radius_m, crs=settings.crs)
    return estimates_from_counts(villages, counts, areas, population, settings)


def estimates_from_counts(
    villages: gpd.GeoDataFrame,
    counts: tuple[np.ndarray, np.ndarray] | None,
    areas: gpd.GeoSeries,
    population: Population | None,
    settings: EstimateSettings,
) -> pd.DataFrame:
    """Return :func:`estimate_households`' table from footprints counted per village area.

    `counts` are the footprints in each area (all, of residential size), however they were
    counted (at once, or added up over files); None where no footprints were given.
    """
    out = pd.DataFrame(index=villages.index)
    out["buildings_counted"] = pd.array([pd.NA] * len(villages), dtype="Int64")
    households = np.full(len(villages), np.nan)
    persons = np.full(len(villages), np.nan)
    basis = ""
    if counts is not None:
        counted, residential = counts
        out["buildings_counted"] = pd.array(counted, dtype="Int64")
        households = residential.astype(float)
        persons = households * settings.household_size
        basis = "buildings"
    if population is not None:
        persons = population_sums(areas, population)
        if counts is None:
            households = persons / settings.household_size
            basis = "population"
    out["households_estimated"] = pd.array(np.round(households), dtype="Int64")
    out["population_estimated"] = persons
    out["households_estimate_basis"] = basis
    return out


@dataclass(frozen=True)
class Placed:
    """Footprints placed in the villages' areas.

    Attributes
    ----------
    areas : geopandas.GeoSeries
        :func:`village_areas`, in the metric CRS.
    where : numpy.ndarray
        Position of each footprint's village (-1: outside every area).
    xy : numpy.ndarray
        (n, 2) footprint coordinates in the areas' CRS (m).
    """

    areas: gpd.GeoSeries
    where: np.ndarray
    xy: np.ndarray


def place_buildings(
    villages: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    settings: EstimateSettings | None = None,
) -> Placed:
    """Find the village whose area holds each footprint's point.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Validated villages (points or polygons).
    buildings : geopandas.GeoDataFrame
        Footprints from :func:`whitespot.data.read_buildings`.
    settings : EstimateSettings, optional
        Link distance (m) and household size; default :class:`EstimateSettings`.

    Returns
    -------
    Placed
        The villages' areas (m) and each footprint's village (-1 outside every area).
    """
    settings = settings or EstimateSettings()
    areas, seeds = _areas_and_seeds(villages, settings.radius_m, settings.crs)
    x, y = footprint_xy(buildings, areas.crs)
    where = area_of_points(np.asarray(areas.array), x, y, seeds)
    return Placed(areas, where, np.column_stack([x, y]))


def count_buildings(
    placed: Placed,
    buildings: gpd.GeoDataFrame,
    residential_area_m2: tuple[float, float] = RESIDENTIAL_AREA_M2,
) -> tuple[np.ndarray, np.ndarray]:
    """Footprints in each village's area: all of them, and those of residential size.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Counts per village (int64), in the order of the villages.
    """
    where = placed.where
    n = len(placed.areas)
    inside = where >= 0
    residential = inside & residential_mask(buildings, residential_area_m2)
    return (
        np.bincount(where[inside], minlength=n),
        np.bincount(where[residential], minlength=n),
    )


def residential_mask(
    buildings: gpd.GeoDataFrame, residential_area_m2: tuple[float, float] = RESIDENTIAL_AREA_M2
) -> np.ndarray:
    """Whether each footprint is of residential size (or of unknown area, a point)."""
    if "area_m2" not in buildings:
        return np.ones(len(buildings), dtype=bool)
    area_m2 = buildings["area_m2"].to_numpy(dtype=float)
    low, high = residential_area_m2
    return ((area_m2 >= low) & (area_m2 <= high)) | np.isnan(area_m2)


def footprint_xy(buildings: gpd.GeoDataFrame, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (m) of each footprint's point (a polygon's centroid) in the metric `crs`.

    Raises
    ------
    InputError
        If the footprints have no CRS.
    """
    if buildings.crs is None:
        raise InputError(
            "buildings: the footprints have no CRS; read them with read_buildings or set one "
            "(EPSG:4326 for Open Buildings and Microsoft's footprints)"
        )
    geometry = np.asarray(buildings.geometry.array)
    if not (shapely.get_type_id(geometry) == shapely.GeometryType.POINT).all():
        geometry = shapely.centroid(geometry)
    x, y = shapely.get_x(geometry), shapely.get_y(geometry)
    if CRS.from_user_input(buildings.crs) == CRS.from_user_input(crs):
        return x, y
    return Transformer.from_crs(buildings.crs, crs, always_xy=True).transform(x, y)


def population_sums(areas: gpd.GeoSeries, population: Population) -> np.ndarray:
    """Persons in each area: the raster's cells weighted by their share inside it.

    The areas are carried into the raster's CRS (the raster never moves), so a raster lying
    wholly inside one area gives it the raster's total.
    """
    in_raster = areas.to_crs(population.crs)
    return raster_sums(np.asarray(in_raster.array), population.count, population.transform)


def households_disagree(
    villages: gpd.GeoDataFrame,
    estimates: pd.DataFrame,
    *,
    tolerance: float = HOUSEHOLD_TOLERANCE,
    min_difference: int = MIN_DIFFERENCE,
) -> pd.DataFrame:
    """Return the villages whose own household count is far from the estimate.

    Flagged when ``|households - households_estimated| > tolerance x max(both)`` and the
    difference is at least `min_difference`.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Validated villages (``village_id``, ``households``).
    estimates : pandas.DataFrame
        From :func:`estimate_households`, indexed like `villages`.
    tolerance : float, default 0.5
    min_difference : int, default 5

    Returns
    -------
    pandas.DataFrame
        Columns ``village_id``, ``households``, ``households_estimated``, ``difference``
        (listed minus estimated), ``households_estimate_basis``; one row per village flagged.
    """
    listed = villages["households"].to_numpy(dtype=float)
    estimated = estimates["households_estimated"].to_numpy(dtype=float, na_value=np.nan)
    difference = listed - estimated
    with np.errstate(invalid="ignore"):
        flagged = (np.abs(difference) > tolerance * np.fmax(listed, estimated)) & (
            np.abs(difference) >= min_difference
        )
    rows = pd.DataFrame(
        {
            "village_id": villages["village_id"].to_numpy(),
            "households": villages["households"].to_numpy(),
            "households_estimated": estimates["households_estimated"].to_numpy(),
            "difference": difference,
            "households_estimate_basis": estimates["households_estimate_basis"].to_numpy(),
        },
        index=villages.index,
    )
    return rows[flagged]
