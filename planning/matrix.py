"""The coverage matrix: which candidate site covers which demand, as a sparse matrix.

Demand points covered by exactly the same set of candidates are merged into one demand
group whose weight is the sum of theirs: the optimum is unchanged and the exact solver has
far fewer rows. Points that no candidate covers are kept aside and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from whitespot._errors import InputError
from whitespot.coverage import GapList
from whitespot.data import TECHNOLOGY_DEFAULTS
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE
from whitespot.radio import SignalSetup
from whitespot.radio._engine import covering_pairs

_HASH_SEED = 20250701


@dataclass(frozen=True)
class CoverageMatrix:
    """Candidates x demand groups.

    Attributes
    ----------
    cover : scipy.sparse.csr_matrix of bool, shape (n_sites, n_groups)
        ``cover[j, g]``: site j covers every point of demand group g.
    weight : numpy.ndarray, shape (n_groups,)
        Demand of each group (households).
    site_ids : numpy.ndarray of str, shape (n_sites,)
    cost : numpy.ndarray, shape (n_sites,)
        Cost of building each site (capex + power + backhaul), or 1 for unit costs.
    group_of_point : numpy.ndarray of int, shape (n_points,)
        Group of each demand point, -1 for points no candidate covers.
    point_weight : numpy.ndarray, shape (n_points,)
        Demand of each point.
    """

    cover: csr_matrix
    weight: np.ndarray
    site_ids: np.ndarray
    cost: np.ndarray
    group_of_point: np.ndarray
    point_weight: np.ndarray

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return self.cover.shape[0]

    @property
    def n_groups(self) -> int:
        """Number of merged demand groups."""
        return self.cover.shape[1]

    @property
    def unreachable(self) -> float:
        """Demand that no candidate covers."""
        return float(self.point_weight[self.group_of_point < 0].sum())

    @property
    def coverable(self) -> float:
        """Demand that some candidate covers."""
        return float(self.weight.sum())

    @classmethod
    def from_pairs(
        cls,
        site: np.ndarray,
        point: np.ndarray,
        point_weight: np.ndarray,
        site_ids: np.ndarray,
        cost: np.ndarray | None = None,
    ) -> CoverageMatrix:
        """Build the matrix from (site, point) covering pairs, merging identical points.

        Parameters
        ----------
        site, point : numpy.ndarray of int
            Positions of each covering pair.
        point_weight : numpy.ndarray
            Demand per point (households); its length is the number of points.
        site_ids : numpy.ndarray of str
            Id of each site; its length is the number of sites.
        cost : numpy.ndarray, optional
            Cost per site; default 1 (count of sites).
        """
        n_sites, n_points = len(site_ids), len(point_weight)
        by_point = csr_matrix(  # boolean: 1 byte per pair (10^7 pairs and more at 200,000)
            (np.ones(len(site), dtype=bool), (point, site)), shape=(n_points, n_sites)
        )
        by_point.sum_duplicates()
        by_point.sort_indices()
        # two independent 64-bit hashes of each point's set of sites (wrapping sums)
        rng = np.random.default_rng(_HASH_SEED)
        keys = rng.integers(1, 2**63, size=(2, n_sites), dtype=np.uint64)
        counts = np.diff(by_point.indptr)
        hashes = [np.zeros(n_points, dtype=np.uint64) for _ in range(2)]
        has_sites = counts > 0
        starts = by_point.indptr[:-1][has_sites]
        for h, key in zip(hashes, keys, strict=True):
            with np.errstate(over="ignore"):
                h[has_sites] = np.add.reduceat(key[by_point.indices], starts)
        table = np.column_stack([hashes[0], hashes[1], counts.astype(np.uint64)])
        _, first, group = np.unique(
            table[has_sites], axis=0, return_index=True, return_inverse=True
        )
        group_of_point = np.full(n_points, -1)
        group_of_point[has_sites] = group.ravel()
        representative = np.flatnonzero(has_sites)[first]
        cover = by_point[representative].T.tocsr().astype(bool)
        weight = np.bincount(
            group_of_point[has_sites], weights=point_weight[has_sites], minlength=len(first)
        )
        return cls(
            cover,
            weight,
            np.asarray(site_ids),
            _costs(cost, n_sites),
            group_of_point,
            np.asarray(point_weight, dtype=float),
        )

    @classmethod
    def from_cover(
        cls, cover: csr_matrix, weight: np.ndarray, cost: np.ndarray | None = None
    ) -> CoverageMatrix:
        """Wrap a ready (sites x demand) matrix, e.g. an OR-Library instance; no merging."""
        cover = csr_matrix(cover, dtype=bool)
        n_sites, n_groups = cover.shape
        coverable = np.asarray(cover.sum(axis=0)).ravel() > 0
        group = np.full(n_groups, -1)
        group[coverable] = np.arange(coverable.sum())
        ids = np.array([f"S{j + 1}" for j in range(n_sites)])
        return cls(
            cover[:, coverable].tocsr(),
            np.asarray(weight, float)[coverable],
            ids,
            _costs(cost, n_sites),
            group,
            np.asarray(weight, dtype=float),
        )

    def with_costs(self, cost: np.ndarray) -> CoverageMatrix:
        """Return the same matrix with other site costs."""
        return CoverageMatrix(
            self.cover,
            self.weight,
            self.site_ids,
            _costs(cost, self.n_sites),
            self.group_of_point,
            self.point_weight,
        )

    def covered_weight(self, sites: np.ndarray) -> float:
        """Demand covered by a set of sites (positions)."""
        if len(sites) == 0:
            return 0.0
        hit = np.asarray(self.cover[np.asarray(sites)].sum(axis=0)).ravel() > 0
        return float(self.weight[hit].sum())


def _costs(cost: np.ndarray | None, n_sites: int) -> np.ndarray:
    if cost is None:
        return np.ones(n_sites)
    cost = np.asarray(cost, dtype=float)
    if cost.shape != (n_sites,) or not np.all(np.isfinite(cost)) or np.any(cost < 0):
        raise InputError(f"cost must hold {n_sites} finite values >= 0")
    return cost


def demand_points(gaps: GapList) -> gpd.GeoDataFrame:
    """Demand for new sites: the households a gap list finds without signal.

    With households in the gap list, every household not covered is a point of weight 1;
    otherwise every village with households without signal is a point weighted by them.
    Villages beyond the model's range (``beyond_model_range``: not judged) are no demand,
    nor rows that copy an earlier one (``duplicate_of``: a folder pasted twice).

    Parameters
    ----------
    gaps : GapList
        From :func:`whitespot.coverage.gap_list`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``village_id`` and ``households`` (the weight), point geometry.
    """
    beyond = gaps.villages["signal_status"] == BEYOND_MODEL_RANGE
    if gaps.households is not None:
        households = gaps.households[
            (gaps.households["signal_status"] != "covered")
            & ~gaps.households["village_id"].isin(gaps.villages.loc[beyond, "village_id"])
        ]
        return gpd.GeoDataFrame(
            {"village_id": households["village_id"].to_numpy(), "households": 1.0},
            geometry=households.geometry.to_numpy(),
            crs=households.crs,
        )
    copies = gaps.villages.get("duplicate_of", pd.Series("", index=gaps.villages.index))
    copy = copies.fillna("").astype(str).str.strip() != ""  # counted at the row it copies
    villages = gaps.villages[~beyond & ~copy & (gaps.villages["households_without_signal"] > 0)]
    return gpd.GeoDataFrame(
        {
            "village_id": villages["village_id"].to_numpy(),
            "households": villages["households_without_signal"].to_numpy(dtype=float),
        },
        geometry=villages.geometry.representative_point().to_numpy(),
        crs=villages.crs,
    )


def coverage_matrix(
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    technology: str = "4G",
    cost: np.ndarray | None = None,
    progress: bool | None = None,
) -> CoverageMatrix:
    """Which candidate sites would cover which demand points, as a sparse matrix.

    Each candidate is evaluated as a new tower of `technology` (frequency and EIRP from its
    columns ``frequency_mhz``/``eirp_dbm`` if present, else the technology defaults; mast
    height ``height_m``) with the coverage engine (:func:`whitespot.radio.covering_pairs`):
    KD-tree pruned, never a dense candidates x demand matrix. A candidate whose ``option``
    is ``"satellite"`` (a satellite community terminal,
    :func:`whitespot.planning.options.option_candidates`) covers the demand points of its
    ``village_id`` and no other.

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        ``site_id``, ``height_m``, point geometry.
    demand : geopandas.GeoDataFrame
        Points with a ``households`` weight (:func:`demand_points`).
    technology : str, default "4G"
        Technology the new sites would carry.
    setup : SignalSetup, optional
        How signal is predicted (:func:`whitespot.radio.predict_signal`); its technology
        filter, which selects existing towers, does not apply to the new sites.
    progress : bool, optional
        Show a progress bar.
    cost : numpy.ndarray, optional
        Cost per candidate; default 1 each.

    Returns
    -------
    CoverageMatrix
    """
    terminal = (
        (candidates["option"] == "satellite").to_numpy()
        if "option" in candidates
        else np.zeros(len(candidates), dtype=bool)
    )
    sites = new_site_towers(candidates, technology)
    setup = (setup or SignalSetup()).replace(technology=None)
    pairs = covering_pairs(demand, sites[~terminal], setup, progress=progress)
    position = pd.Index(sites["tower_id"]).get_indexer(pairs["tower_id"])
    point = pairs["point"].to_numpy()
    if terminal.any():  # a satellite terminal serves every point of its own village
        site, village_point = _terminal_pairs(candidates, terminal, demand)
        position = np.concatenate([position, site])
        point = np.concatenate([point, village_point])
    return CoverageMatrix.from_pairs(
        position,
        point,
        demand["households"].to_numpy(dtype=float),
        sites["tower_id"].to_numpy(),
        cost,
    )


def _terminal_pairs(
    candidates: gpd.GeoDataFrame, terminal: np.ndarray, demand: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """(site, point) pairs of satellite terminals: each covers its village's points."""
    rows = np.flatnonzero(terminal)
    villages = pd.Index(candidates["village_id"].astype(str).to_numpy()[rows])
    which = villages.get_indexer(demand["village_id"].astype(str).to_numpy())
    points = np.flatnonzero(which >= 0)
    return rows[which[points]], points


def new_site_towers(candidates: gpd.GeoDataFrame, technology: str = "4G") -> gpd.GeoDataFrame:
    """Return candidate sites as towers of `technology`, the form the signal engine takes.

    Frequency and EIRP come from the candidates' ``frequency_mhz``/``eirp_dbm`` columns if
    present, else the technology defaults; the mast height from ``height_m``.
    """
    defaults = TECHNOLOGY_DEFAULTS[technology]
    return gpd.GeoDataFrame(
        {
            "tower_id": candidates["site_id"].astype(str).to_numpy(),
            "operator": "new site",
            "technology": technology,
            "frequency_mhz": _column(candidates, "frequency_mhz", defaults.frequency_mhz),
            "eirp_dbm": _column(candidates, "eirp_dbm", defaults.eirp_dbm),
            "height_m": _column(candidates, "height_m", defaults.height_m),
        },
        geometry=candidates.geometry.to_numpy(),
        crs=candidates.crs,
    )


def _column(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), default)
    return frame[name].astype(float).fillna(default).to_numpy()
