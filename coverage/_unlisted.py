"""A gap list with footprints and population: estimate columns, unlisted settlements apart."""

from __future__ import annotations

from dataclasses import replace
from os import PathLike
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from whitespot.data import Population, read_population
from whitespot.data._buildings import MIN_AREA_M2, MIN_CONFIDENCE
from whitespot.department import EstimateSettings, estimate_households
from whitespot.department._footprints import (
    ESTIMATE_COLUMNS,
    HOUSEHOLD_SIZE_SOURCE,
    estimates_from_counts,
)
from whitespot.department._tally import tally_footprints
from whitespot.department._unlisted import LINK_DISTANCE_M, MIN_BUILDINGS, settlement_rows

if TYPE_CHECKING:
    from distributed import Client

    from whitespot.coverage.gaps import GapList

FOOTPRINT_COLUMNS = (*ESTIMATE_COLUMNS, "unlisted")
"""Columns a gap list made with footprints or population adds to every row."""


def with_footprints(  # noqa: PLR0913 - the layers, their reading and where it runs
    villages: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | str | PathLike | None,
    population: Population | str | PathLike | None,
    *,
    communes: gpd.GeoDataFrame | None = None,
    settings: EstimateSettings | None = None,
    crs: object = None,
    min_confidence: float = MIN_CONFIDENCE,
    client: Client | None = None,
    progress: bool | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Return the villages with their estimates, and the unlisted settlements as rows after them.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Validated villages.
    buildings : geopandas.GeoDataFrame or path-like, optional
        Footprints as :func:`whitespot.data.read_buildings` returns them, or their file or
        folder of files: then each file is read and tallied on its own (on Dask with
        `client`), and the files' counts and settlements merged; the result is the same.
    population : optional
        :func:`whitespot.data.read_population` or its file.
    communes : geopandas.GeoDataFrame, optional
        Commune polygons (``commune_code``) naming the settlements' communes.
    settings : EstimateSettings, optional
    crs : pyproj.CRS, optional
        Metric CRS of the village areas when no `settings` are given (the signal setup's,
        for data wider than a UTM zone).
    min_confidence : float, default 0.7
        Of footprints read from files (:func:`whitespot.data.read_buildings`).
    client : distributed.Client, optional
        Tally the footprint files as Dask tasks (the workers must see the files).
    progress : bool, optional
        Show a progress bar over the files.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        Villages (input order) with :data:`FOOTPRINT_COLUMNS`, ``unlisted`` False, then the
        settlements of :func:`whitespot.department.unlisted_settlements` (``unlisted`` True,
        ``province_code`` of the nearest listed village), in the villages' CRS and index
        0..n-1; and the settings that say how the estimates were made. Without `buildings`
    and `population`, the villages as given and no settings.
    """
    if buildings is None and population is None:
        return villages, {}
    settings = settings or EstimateSettings(crs=crs)
    if population is not None and not isinstance(population, Population):
        population = read_population(population)
    listed = villages.reset_index(drop=True)
    said = {
        "household_size": f"{settings.household_size:g} persons ({HOUSEHOLD_SIZE_SOURCE})",
        "village_area": f"polygon, or Voronoi cell within {settings.radius_m:g} m of the point",
        "residential_footprint_m2": "{:g}-{:g}".format(*settings.residential_area_m2),
    }
    if buildings is None:
        estimates = estimate_households(listed, population=population, settings=settings)
        return _listed_rows(listed, estimates), said
    merged, areas, _ = tally_footprints(
        listed,
        buildings,
        settings,
        thresholds=(float(min_confidence), MIN_AREA_M2),
        link_distance_m=LINK_DISTANCE_M,
        min_buildings=MIN_BUILDINGS,
        client=client,
        progress=progress,
    )
    counts = (merged.counted, merged.residential)
    listed = _listed_rows(
        listed, estimates_from_counts(listed, counts, areas, population, settings)
    )
    found = settlement_rows(
        merged,
        listed,
        areas,
        communes=communes,
        population=population,
        settings=settings,
        link_distance_m=LINK_DISTANCE_M,
    )
    if "province_code" in listed and len(found):
        found["province_code"] = _nearest(listed, found, "province_code", areas.crs)
    said["unlisted_rule"] = (
        f"footprints within {LINK_DISTANCE_M:g} m linked, at least {MIN_BUILDINGS}, "
        "outside every village area"
    )
    rows = pd.concat([listed, found.to_crs(listed.crs)], ignore_index=True)
    return gpd.GeoDataFrame(rows, geometry=listed.geometry.name, crs=listed.crs), said


def _listed_rows(listed: gpd.GeoDataFrame, estimates: pd.DataFrame) -> gpd.GeoDataFrame:
    listed = pd.concat([listed, estimates], axis=1)
    listed["unlisted"] = False
    return listed


def _nearest(
    listed: gpd.GeoDataFrame, found: gpd.GeoDataFrame, column: str, crs: object
) -> np.ndarray:
    """Return the `column` of the listed village nearest each found settlement."""
    xy = shapely.get_coordinates(listed.to_crs(crs).geometry.representative_point())
    _, nearest = cKDTree(xy).query(shapely.get_coordinates(found.to_crs(crs).geometry))
    return listed[column].to_numpy()[nearest]


def unlisted_mask(gaps: pd.DataFrame) -> np.ndarray:
    """Whether each row is an unlisted settlement (also as read back from CSV or Excel)."""
    if "unlisted" not in gaps:
        return np.zeros(len(gaps), dtype=bool)
    return gaps["unlisted"].astype(str).str.strip().str.lower().isin(["true", "1"]).to_numpy()


def listed_only(gaps: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the rows counted in the totals: listed villages, each once.

    Unlisted settlements (found in footprints) and rows that copy an earlier one
    (``duplicate_of``: a department's folder pasted twice) are left out; a gap list made
    without footprints from a list without copies keeps every row.
    """
    gaps = gaps[~unlisted_mask(gaps)] if "unlisted" in gaps else gaps
    if "duplicate_of" in gaps:
        copies = gaps["duplicate_of"].fillna("").astype(str).str.strip()
        gaps = gaps[(copies == "").to_numpy()]
    return gaps


def without_unlisted(gaps: GapList) -> tuple[GapList, int]:
    """Return the gap list without its unlisted settlements, and how many were left out.

    Planning takes the listed villages only unless asked (``whitespot plan
    --plan-unlisted``): a settlement no list names is an estimate until a department
    confirms it.
    """
    unlisted = unlisted_mask(gaps.villages)
    if not unlisted.any():
        return gaps, 0
    return replace(gaps, villages=gaps.villages[~unlisted]), int(unlisted.sum())


def unlisted_counts(gaps: pd.DataFrame) -> tuple[int, int]:
    """Return the unlisted settlements and their households without signal."""
    unlisted = gaps[unlisted_mask(gaps)]
    no_signal = unlisted["signal_status"].isin(["weak", "none"])
    return len(unlisted), int(unlisted.loc[no_signal, "households_without_signal"].sum())


def with_estimates(villages: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return `villages` with the estimate columns of their rows in `table` (by village_id)."""
    columns = [c for c in ESTIMATE_COLUMNS if c in table]
    if not columns:
        return villages
    by_id = table.set_index("village_id")[columns]
    return villages.assign(
        **{c: by_id[c].reindex(villages["village_id"]).to_numpy() for c in columns}
    )


def with_unlisted(
    table: pd.DataFrame, layer: gpd.GeoDataFrame, unlisted: gpd.GeoDataFrame | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Append the unlisted settlements' rows after a department's rows, with the geometry.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The rows, and their geometry in `layer`'s CRS (the settlements' points carried).
    """
    geometry = layer.geometry.to_numpy()
    if unlisted is None or unlisted.empty:
        return table, geometry
    points = unlisted.geometry.to_crs(layer.crs).to_numpy()
    rows = pd.concat([table, pd.DataFrame(unlisted)], ignore_index=True)
    rows.loc[len(table) :, "households_unknown"] = False
    return rows, np.concatenate([geometry, points])
