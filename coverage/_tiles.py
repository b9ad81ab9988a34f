"""Households in tiles: the per-tile work of a gap list, and running it here or on Dask.

A household's signal depends only on the household and the towers, and a village's counts
are sums over its households, so a gap list can be computed from pieces: each tile of
households gets its signal and status (:func:`household_signal`), each village its counts
(:func:`village_tally`), and tallies of several tiles add up exactly;
:func:`whitespot._parallel.run_tiles` runs them here or on Dask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from whitespot.data._crs import projected_xy
from whitespot.data._problems import format_ids
from whitespot.radio import LinkBudget, SignalEngine, signal_status

if TYPE_CHECKING:
    pass

HOUSEHOLDS_PER_TILE = 250_000
"""Households per tile when a gap list splits an in-memory layer for Dask."""

TALLY_COLUMNS = ("household_points", "covered", "weak", "dark", "electrified_known", "fallback")
"""Per-village sums over households: points, covered, weak signal, not electrified,
electrification known, path off the DEM."""


def household_signal(
    households: gpd.GeoDataFrame, engine: SignalEngine, budget: LinkBudget
) -> gpd.GeoDataFrame:
    """Return one tile of households with its signal columns and ``signal_status``.

    Parameters
    ----------
    households : geopandas.GeoDataFrame
        Validated households.
    engine : SignalEngine
        Towers and setup, prepared once for all tiles.
    budget : LinkBudget
        The link budget, for the weak band.

    Returns
    -------
    geopandas.GeoDataFrame
        The households (index reset) followed by :data:`whitespot.radio._engine.SIGNAL_COLUMNS`
        and ``signal_status`` (outdoor), and ``indoor_signal_status`` where the setup
        judges households indoors.
    """
    point_xy = projected_xy(households, engine.crs)
    signal = engine.predict(households, progress=False, point_xy=point_xy).reset_index(drop=True)
    signal["signal_status"] = signal_status(signal["best_margin_db"], budget.weak_band_db)
    if engine.indoors is not None:  # the setup judges households indoors too
        signal["indoor_signal_status"] = engine.indoor_status(
            point_xy, signal["best_margin_db"].to_numpy(dtype=float), budget.weak_band_db
        )
    return gpd.GeoDataFrame(
        pd.concat([households.reset_index(drop=True), signal], axis=1),
        geometry=households.geometry.name,
        crs=households.crs,
    )


ORPHANS_FIX = (
    "they would be left out of every count; correct their village_id, or give the villages "
    "file that lists those villages"
)
"""What to do about households whose village is not in the villages file."""


def unknown_villages(village_ids: pd.Series, households: pd.DataFrame) -> np.ndarray:
    """Return a mask of the households whose ``village_id`` is not among `village_ids`.

    :func:`village_tally` counts them in its last row, outside every village: a gap list
    refuses them rather than drop them from every count.
    """
    return ~households["village_id"].isin(village_ids).to_numpy()


def orphans_text(village_ids: pd.Series, limit: int = 5) -> str:
    """Say how many households name villages absent from the villages file, and which."""
    named = sorted(
        dict.fromkeys(str(v) if pd.notna(v) and str(v) else "(empty)" for v in village_ids)
    )
    one = len(village_ids) == 1
    return (
        f"{len(village_ids):,} household{'' if one else 's'} name{'s' if one else ''} "
        f"{len(named):,} village{'s' if len(named) != 1 else ''} absent from the villages "
        f"file ({format_ids(named, limit)})"
    )


def village_tally(village_ids: pd.Series, households: pd.DataFrame) -> pd.DataFrame:
    """Sum households with their status per village (:data:`TALLY_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        One row per village of `village_ids`, in order, plus a last row for households
        whose village is not among them; integer counts that add up across tiles
        (``indoor_covered`` and ``indoor_weak`` too when households were judged indoors).
    """
    member = pd.Categorical(households["village_id"], categories=village_ids).codes.astype(np.int64)
    member[member < 0] = len(village_ids)
    status = households["signal_status"].to_numpy()
    fallback = households.get("terrain_fallback", pd.Series(False, index=households.index))
    indoor = None
    if "indoor_signal_status" in households:
        indoor = households["indoor_signal_status"].to_numpy()
        indoor = (indoor == "covered", indoor == "weak")
    return count_by_village(
        member,
        len(village_ids),
        (status == "covered", status == "weak"),
        households["electrified"].to_numpy(float, na_value=np.nan),
        fallback.to_numpy(dtype=bool),
        indoor,
    )


def count_by_village(
    member: np.ndarray,
    villages: int,
    status: tuple[np.ndarray, np.ndarray],
    electrified: np.ndarray,
    fallback: np.ndarray,
    indoor: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Count households by village from arrays, as :func:`village_tally` does.

    Parameters
    ----------
    member : numpy.ndarray of int64
        Each household's village (position among the villages), `villages` where unknown.
    villages : int
        Number of villages.
    status : tuple of 2 numpy.ndarray of bool
        Households covered, and with weak signal (outdoors).
    electrified : numpy.ndarray
        Share 0..1 of each household, NaN where unknown.
    fallback : numpy.ndarray of bool
        A path computed without the DEM.
    indoor : tuple of 2 numpy.ndarray of bool, optional
        Covered and weak indoors, where households were judged indoors.
    """
    columns = {
        "household_points": np.ones(len(member), dtype=bool),
        "covered": status[0],
        "weak": status[1],
        "dark": electrified < 0.5,
        "electrified_known": ~np.isnan(electrified),
        "fallback": fallback,
    }
    if indoor is not None:
        columns["indoor_covered"], columns["indoor_weak"] = indoor
    return pd.DataFrame(
        {name: np.bincount(member[flag], minlength=villages + 1) for name, flag in columns.items()}
    )
