"""The gap list of a department's own village list: every row of the file, in file order.

The rows with a usable location are judged by :func:`whitespot.coverage.gap_list`, the
others are listed as ``location_unknown`` with their power judged by the same rule
(:func:`whitespot.coverage.gaps.power_rule`), so a department's list and every other gap
list are assembled by one code.
"""

from __future__ import annotations

from os import PathLike

import geopandas as gpd
import numpy as np
import pandas as pd

from whitespot.coverage._unlisted import listed_only, unlisted_mask, with_estimates, with_unlisted
from whitespot.coverage.gaps import (
    GAP_LIST_COLUMNS,
    GapCriteria,
    GapList,
    gap_list,
    power_rule,
    summarize,
)
from whitespot.data import Population, validate_villages
from whitespot.data._vocabulary import LOCATION_UNKNOWN
from whitespot.data._words import words
from whitespot.department import VillageList, assign_admin_units
from whitespot.department._admin import code_sources
from whitespot.radio import SignalSetup


def department_gap_list(  # noqa: PLR0913 - the province's layers and rules
    village_list: VillageList,
    towers: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    communes: gpd.GeoDataFrame | None = None,
    households: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
    criteria: GapCriteria | None = None,
    measurements: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | str | PathLike | None = None,
    population: Population | str | PathLike | None = None,
) -> tuple[GapList, gpd.GeoDataFrame]:
    """Gap list of a department's village list: admin units, then signal and power gaps.

    Parameters
    ----------
    village_list : VillageList
        From :func:`whitespot.department.read_village_list`.
    towers : geopandas.GeoDataFrame
        Validated towers.
    setup : SignalSetup, optional
        How signal is predicted (:func:`whitespot.coverage.gap_list`).
    communes : geopandas.GeoDataFrame, optional
        Post-2025 commune boundaries with ``commune_code`` (decides split communes).
    households, grid, criteria, measurements, buildings, population
        As :func:`whitespot.coverage.gap_list`; the list's survey column ("Có sóng?") is
        weighed with the measurements.

    Returns
    -------
    (GapList, geopandas.GeoDataFrame)
        The gap list with every row of the file (then the settlements no list names, where
        footprints were given), and the villages with their admin units (and their
        household estimates, for the data-quality check).
        Rows without a usable location get ``gap_type = "location_unknown"``; rows whose
        households could not be read are counted with 0 households, flagged in
        ``households_unknown`` and say so in ``criteria``. A row that repeats an earlier
        one (``duplicate_of``, a folder pasted twice) keeps its status and is left out of
        the summaries and the headline, and says so in ``criteria``.
    """
    villages = assign_admin_units(village_list.villages, communes=communes)
    located = villages.geometry.notna().to_numpy()
    unknown_households = villages["households"].isna().to_numpy()
    layer = villages.copy()
    layer["households"] = layer["households"].fillna(0).astype(np.int64)
    if "surveyed" in layer:
        layer["surveyed"] = layer["surveyed"].dt.strftime("%Y-%m-%d")
    criteria = criteria or GapCriteria()
    if located.any():
        if households is not None:  # those of unlocated villages: listed location_unknown
            unlocated = layer.loc[~located, "village_id"]
            households = households[~households["village_id"].isin(unlocated).to_numpy()]
        computed = gap_list(
            validate_villages(layer[located], region=None), towers, setup,
            households=households, grid=grid, criteria=criteria, measurements=measurements,
            buildings=buildings, population=population, communes=communes,
        )  # fmt: skip
        mask = unlisted_mask(computed.villages)
        unlisted = computed.villages[mask]
        table = pd.DataFrame(computed.villages[~mask])
        settings, kept = computed.settings, computed.signal_setup
    else:  # no village located: every row is listed as location_unknown
        table = pd.DataFrame(columns=[*GAP_LIST_COLUMNS, "threshold_dbm", "threshold_measure"])
        unlisted = None
        settings = {**(setup or SignalSetup()).settings(), **criteria.settings()}
        kept = setup
    table = pd.concat([table, _unlocated(layer[~located], criteria)], ignore_index=True)
    table = table.set_index("village_id").loc[layer["village_id"]].reset_index()
    table["households_unknown"] = unknown_households
    table["duplicate_of"] = villages.get(
        "duplicate_of", pd.Series("", index=villages.index)
    ).to_numpy()
    table["criteria"] = words("en").criteria(table, criteria.settings())
    villages = with_estimates(villages, table)
    table, geometry = with_unlisted(table, layer, unlisted)
    out = gpd.GeoDataFrame(
        table.drop(columns="geometry", errors="ignore"), geometry=geometry, crs=layer.crs
    )
    settings = {**settings, **code_sources(), "village_list": village_list.source.get("file", "")}
    gaps = GapList(
        out,
        summarize(listed_only(out), ["province_code", "commune_code"]),
        summarize(listed_only(out), ["province_code"]),
        None,
        settings,
        kept,
    )
    return gaps, villages


def _unlocated(villages: gpd.GeoDataFrame, criteria: GapCriteria) -> pd.DataFrame:
    """Gap-list rows for villages without a usable location (power by `criteria`'s rule)."""
    out = pd.DataFrame(villages.drop(columns=villages.geometry.name))
    out["lon"], out["lat"] = np.nan, np.nan
    out["households_without_signal"] = 0
    out["households_weak_signal"] = 0
    out["signal_status"] = "unknown"
    share = pd.to_numeric(out.get("electrified"), errors="coerce")
    status, without = power_rule(
        share.to_numpy(dtype=float), np.full(len(out), np.nan),
        out["households"].to_numpy(dtype=float), criteria,
    )  # fmt: skip
    out["power_status"] = status
    out["households_without_power"] = pd.array(
        np.where(np.isnan(without), pd.NA, without).astype(object), dtype="Int64"
    )
    out["gap_type"] = LOCATION_UNKNOWN
    out["predicted_signal_status"] = "unknown"
    out["evidence"] = "no_evidence"
    out["evidence_finding"] = ""
    out["check_in_field"] = False
    out["measurements"] = 0
    return out
