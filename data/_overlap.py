"""Do the towers and the villages describe the same place? A check before any prediction.

A towers file of another province, a file in the wrong CRS or an empty one gives "every
village is a white spot", a result that looks like a finding. :func:`towers_overlap` measures
how many villages have a tower within a macro cell's reach and says so when too few do.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from whitespot.data._crs import metric_crs, projected_xy

REACH_KM = 35.0
"""Farthest a macro cell serves a handset, km: beyond it a village cannot be covered."""
MIN_SHARE_NEAR = 0.5
"""Share of villages that should have a tower within :data:`REACH_KM`; fewer is suspicious."""


@dataclass(frozen=True)
class TowerOverlap:
    """How the towers lie relative to the villages.

    Attributes
    ----------
    towers : int
        Number of towers.
    villages : int
        Number of villages with a location.
    share_near : float
        Share of those villages with a tower within :data:`REACH_KM` (0..1).
    median_km : float
        Median distance from a village to its nearest tower, km (NaN without towers).
    """

    towers: int
    villages: int
    share_near: float
    median_km: float

    @property
    def suspicious(self) -> bool:
        """Whether the towers do not cover the villages' area."""
        return self.villages > 0 and self.share_near < MIN_SHARE_NEAR

    def message(self) -> str:
        """One sentence for the command line and the data-quality sheet (empty when fine)."""
        if not self.suspicious:
            return ""
        if self.towers == 0:
            return (
                "no towers given: every village is counted as without signal; is the "
                "towers file the right one?"
            )
        return (
            f"the towers do not cover the villages' area: only {100 * self.share_near:.0f}% "
            f"of {self.villages:,} villages have a tower within {REACH_KM:g} km (median "
            f"distance to the nearest tower {self.median_km:,.0f} km); the gap list would call "
            "them white spots: is the towers file of this province, in the right CRS?"
        )


def towers_overlap(villages: gpd.GeoDataFrame, towers: gpd.GeoDataFrame) -> TowerOverlap:
    """Measure how many villages have a tower within a macro cell's reach.

    Parameters
    ----------
    villages, towers : geopandas.GeoDataFrame
        Validated layers; villages without a location are left out.

    Returns
    -------
    TowerOverlap
    """
    located = villages[villages.geometry.notna() & ~villages.geometry.is_empty]
    if not len(located):
        return TowerOverlap(len(towers), 0, 1.0, np.nan)
    if not len(towers):
        return TowerOverlap(0, len(located), 0.0, np.nan)
    crs = metric_crs(located)
    distance_m, _ = cKDTree(projected_xy(towers, crs)).query(projected_xy(located, crs))
    distance_km = distance_m / 1000.0
    return TowerOverlap(
        len(towers),
        len(located),
        float((distance_km <= REACH_KM).mean()),
        float(np.median(distance_km)),
    )
