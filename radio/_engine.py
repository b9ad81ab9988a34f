"""Signal prediction: received power from every tower at every point, and the best server.

Towers are searched per technology. For each point the engine evaluates the k nearest
towers of a technology (a KD-tree query), then proves that no farther tower of it could
change the answer: beyond the k-th tower's distance d_k no tower of the technology can give
more than the *envelope* M(d_k), the largest margin over threshold that any of them reaches
at that distance (path loss grows with distance; sector gains are <= 0 dB and terrain only
adds loss). Points whose envelope still allows a better server, or another server above
threshold, are searched again with four times as many towers. Pairs are evaluated as dense
(points x k) arrays, in chunks of points, so memory stays bounded.

Without terrain (Hata family, free space, RMa LOS and NLOS) the same search runs
compiled (:mod:`whitespot.radio._kernel`): towers in grid cells, visited in rings around
each point until the envelope proves the answer, with the same arithmetic per pair.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from scipy.spatial import cKDTree
from scipy.special import ndtri
from tqdm.auto import tqdm

from whitespot._errors import InputError
from whitespot._numba import KERNEL_LOCK
from whitespot.data import Terrain, metric_crs
from whitespot.data._crs import projected_xy
from whitespot.data._problems import format_ids
from whitespot.radio._antenna import bearing_deg, sector_gain_db
from whitespot.radio._calibration import Calibration, fold_operator
from whitespot.radio._errors import ModelRangeError, TerrainCoverageError
from whitespot.radio._kernel import FAMILIES, LOG_LINEAR, TowerGrid, best_servers
from whitespot.radio._receiver import tower_receiver_db
from whitespot.radio._terrain import MEDIAN_K_FACTOR, reproject_terrain, sample_terrain
from whitespot.radio._terrain_kernel import bullington_paths
from whitespot.radio.budget import LinkBudget
from whitespot.radio.clutter import STATISTICAL_LEAST_KM, p2108_statistical_loss_db
from whitespot.radio.itm import ItmParameters, itm_dem_paths
from whitespot.radio.location import area_coverage_probability
from whitespot.radio.models import PathLossModel
from whitespot.radio.propagation import (
    RMA_BUILDING_HEIGHT_M,
    RMA_STREET_WIDTH_M,
    free_space_loss_db,
    rma_breakpoint_m,
)
from whitespot.radio.setup import SignalSetup

MAX_SERVERS = 8
"""Towers above threshold are counted up to this many per point (the search starts with the
nearest this many of each technology): enough to tell a point with one server from one with
a choice of operators, without evaluating every tower in reach of a dense province."""
POINT_CHUNK = 100_000
"""Points per chunk."""
TOWER_CHUNK = 256
"""Towers (or candidate sites) per chunk of :func:`covering_pairs`."""
ENVELOPE_STEPS = 512
"""Distances at which the envelope of all towers' margins is tabulated."""

ENVELOPE_CHUNK = 4096
"""Towers whose margins :func:`_envelope` takes at a time."""
MAX_REACH_KM = 200.0
"""No tower is heard farther than this, km, even when a model is extrapolated."""

SIGNAL_COLUMNS = (
    "best_signal_dbm",
    "best_margin_db",
    "best_tower_id",
    "best_operator",
    "best_technology",
    "towers_above_threshold",
    "nearest_tower_km",
    "terrain_fallback",
)


@dataclass(frozen=True)
class _Towers:
    """Tower attributes as arrays in the metric CRS, ordered by tower id."""

    ids: np.ndarray
    operator: np.ndarray
    technology: np.ndarray
    xy: np.ndarray
    height_m: np.ndarray
    frequency_mhz: np.ndarray
    eirp_dbm: np.ndarray
    azimuth_deg: np.ndarray
    beamwidth_deg: np.ndarray
    threshold_dbm: np.ndarray
    reach_m: np.ndarray
    loss_at_1km_db: np.ndarray
    loss_per_decade_db: np.ndarray
    offset_db: np.ndarray
    slope_db_per_decade: np.ndarray
    correction_min_km: np.ndarray
    correction_max_km: np.ndarray
    margin_grid_db: np.ndarray
    grid_m: np.ndarray
    location_sigma_db: np.ndarray | None = None
    receiver_db: np.ndarray | None = None


@dataclass(frozen=True)
class _TowerGroup:
    """The towers of one technology: their KD-tree and the envelope of their margins."""

    members: np.ndarray
    tree: cKDTree
    envelope_m: np.ndarray
    envelope_db: np.ndarray

    @classmethod
    def of(cls, towers: _Towers, members: np.ndarray) -> _TowerGroup:
        return cls(members, cKDTree(towers.xy[members]), towers.grid_m, _envelope(towers, members))

    def bound_db(self, distance_m: np.ndarray) -> np.ndarray:
        """Largest margin over threshold any member can give at `distance_m` or farther.

        Between grid distances the value of the nearer one bounds (loss grows with d).
        """
        step = np.searchsorted(self.envelope_m, distance_m, side="right") - 1
        return np.where(step >= 0, self.envelope_db[np.clip(step, 0, None)], np.inf)


def _envelope(towers: _Towers, members: np.ndarray) -> np.ndarray:
    """Return the largest margin any member reaches at each grid distance or beyond, dB.

    Taken over :data:`ENVELOPE_CHUNK` towers at a time: a country's margins on the grid
    are 10^5 x 512 values, and whole-matrix temporaries cost more than the maximum.
    """
    envelope = np.full(len(towers.grid_m), -np.inf)
    for start in range(0, len(members), ENVELOPE_CHUNK):
        chunk = members[start : start + ENVELOPE_CHUNK]
        within = towers.grid_m[None, :] <= towers.reach_m[chunk, None]
        margin = np.where(within, towers.margin_grid_db[chunk], -np.inf)
        np.maximum(envelope, margin.max(axis=0, initial=-np.inf), out=envelope)
    return np.maximum.accumulate(envelope[::-1])[::-1]


STATUS_NAMES = np.array(["none", "weak", "covered"])
"""Signal statuses by code (:func:`_status_code`)."""


def _status_code(margin_db: np.ndarray, weak_band_db: float) -> np.ndarray:
    """Code of :func:`signal_status`: 0 none (and NaN), 1 weak, 2 covered."""
    with np.errstate(invalid="ignore"):
        return (margin_db >= 0).astype(np.int8) + (margin_db >= -weak_band_db)


def signal_status(margin_db: np.ndarray, weak_band_db: float) -> np.ndarray:
    """Classify signal margins over threshold (dB) as covered, weak or none (NaN = none).

    Parameters
    ----------
    margin_db : numpy.ndarray
        Predicted level minus the threshold, dB (NaN where no tower reaches).
    weak_band_db : float
        Width of the band below the threshold called weak, dB.

    Returns
    -------
    numpy.ndarray of str
        ``"covered"`` (margin >= 0), ``"weak"`` (within the band) or ``"none"``.
    """
    margin_db = np.asarray(margin_db, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.select([margin_db >= 0, margin_db >= -weak_band_db], ["covered", "weak"], "none")


def predict_signal(
    points: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    max_servers: int = MAX_SERVERS,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Predict the best received signal at every point from the towers that reach it.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Receivers (households or villages); polygons use their representative point.
    towers : geopandas.GeoDataFrame
        Validated towers (:func:`whitespot.data.validate_towers`).
    setup : SignalSetup, optional
        Model, DEM, link budget, environment, extrapolation, technology filter and metric
        CRS (:class:`whitespot.radio.SignalSetup`); default ``SignalSetup()`` (RMa NLOS).
    max_servers : int, default 8
        Towers above threshold are counted up to this number per point.
    progress : bool, optional
        Show a progress bar; default only on a terminal or notebook with several chunks.

    Returns
    -------
    pandas.DataFrame
        One row per point, in input order (index as `points`), with
        ``best_signal_dbm`` (NaN where no tower comes within ``budget.weak_band_db`` of
        its threshold), ``best_margin_db`` (signal minus its technology's threshold),
        ``best_tower_id``, ``best_operator``, ``best_technology``,
        ``towers_above_threshold`` (up to `max_servers`), ``nearest_tower_km`` and
        ``terrain_fallback`` (a path to the point was computed without diffraction because
        the DEM does not cover it; only with ``terrain.fallback == "flat"``). The best
        server is the tower with the largest margin over its threshold; ties go to the
        smaller tower id, so the result does not depend on row order.
        ``attrs["pairs_evaluated"]`` holds the number of (tower, point) pairs computed.

    Raises
    ------
    ModelRangeError
        If towers lie outside the model's frequency or height range, naming them.
    TerrainCoverageError
        If the DEM does not cover a path and ``terrain.fallback`` is None, naming the points
        and towers.
    """
    setup = setup or SignalSetup()
    crs = metric_crs(points, setup.crs)
    engine = SignalEngine.prepare(towers, setup.replace(crs=crs), max_servers=max_servers)
    return engine.predict(points, progress=progress)


@dataclass(frozen=True)
class _Engine:
    """What the per-pair computation needs of a setup, resolved in the metric CRS."""

    model: PathLossModel
    budget: LinkBudget
    environment: str | None
    ground: Terrain | None
    itm: ItmParameters | None = None
    clutter_percent: float | None = None

    @property
    def compiled(self) -> bool:
        """Whether :mod:`whitespot.radio._kernel` computes this setup (no terrain)."""
        return (self.model.log_linear or self.model.name in FAMILIES) and self.ground is None

    def clutter_loss_db(self, frequency_mhz: np.ndarray, distance_km: np.ndarray) -> np.ndarray:
        """P.2108-1 section 3.2 loss of each path, dB (0 without it); held from 0.25 km in."""
        if self.clutter_percent is None:
            return np.zeros(np.broadcast_shapes(np.shape(frequency_mhz), np.shape(distance_km)))
        return p2108_statistical_loss_db(
            frequency_mhz, np.maximum(distance_km, STATISTICAL_LEAST_KM), self.clutter_percent
        )

    def kernel_model(self) -> tuple:
        """Return the model as :func:`whitespot.radio._kernel.best_servers` takes it."""
        family = LOG_LINEAR if self.model.log_linear else FAMILIES[self.model.name]
        return (
            family,
            self.model.min_distance_km,
            self.budget.mobile_height_m,
            RMA_BUILDING_HEIGHT_M,
            RMA_STREET_WIDTH_M,
            np.nan if self.clutter_percent is None else ndtri(1.0 - self.clutter_percent / 100.0),
        )


@dataclass(frozen=True)
class SignalEngine:
    """Towers and setup prepared once in a metric CRS, to predict for any set of points.

    A prediction for a point depends only on the point and the towers, so points can be
    predicted in any split (tiles, provinces, Dask tasks) with the answer of one call.
    The engine pickles, so Dask can send it to its workers once.

    Attributes
    ----------
    crs : pyproj.CRS
        The metric CRS of every distance.
    max_servers : int
        Towers above threshold are counted up to this number per point.
    continued : SignalEngine or None
        The same towers with the model continued past its validity distance (to
        :data:`MAX_REACH_KM`), for :meth:`margin_past_range`; None unless prepared with
        ``past_range=True``, or when the setup extrapolates already or the model holds
        that far.
    indoors : SignalEngine or None
        The same towers heard by an indoor receiver (the setup's building entry loss
        added), for :meth:`indoor_status`; None unless the setup judges households
        indoors.
    location_probability : float
        The setup's location probability, for :meth:`area_coverage`.
    """

    engine: _Engine
    towers: _Towers
    crs: CRS
    max_servers: int = MAX_SERVERS
    search: _CompiledSearch | _NumpySearch | None = None
    continued: SignalEngine | None = None
    indoors: SignalEngine | None = None
    location_probability: float = 0.5

    @classmethod
    def prepare(
        cls,
        towers: gpd.GeoDataFrame,
        setup: SignalSetup,
        *,
        max_servers: int = MAX_SERVERS,
        past_range: bool = False,
        subsets: bool = False,
    ) -> SignalEngine:
        """Prepare `towers` under `setup`, which must name its metric CRS (`setup.crs`).

        With `past_range` the towers are also prepared with the model continued past its
        validity distance (:attr:`continued`, for :meth:`margin_past_range`); only a gap
        list needs it, so other callers do not pay for a second preparation. With
        `subsets` the engine keeps each tower's margins over distance, which
        :meth:`subset` needs (a country's are hundreds of MB, so they are dropped unless
        asked for).

        Parameters
        ----------
        towers : geopandas.GeoDataFrame
            Validated towers.
        setup : SignalSetup
            The model, link budget and metric CRS.
        max_servers : int, default :data:`MAX_SERVERS`
            Towers above threshold counted per point, up to this number.
        past_range : bool, default False
            Also prepare the model continued past its validity distance.
        subsets : bool, default False
            Keep what :meth:`subset` needs.

        Returns
        -------
        SignalEngine
            The towers prepared in ``setup.crs`` (m).

        Raises
        ------
        ModelRangeError
            If towers lie outside the model's frequency or height range, naming them.
        """
        if max_servers < 1:
            raise InputError(f"max_servers={max_servers} must be >= 1")
        if setup.crs is None:
            raise InputError("SignalEngine.prepare needs setup.crs (SignalSetup.in_crs)")
        return cls._prepare(
            towers, setup, max_servers=max_servers, past_range=past_range, subsets=subsets
        )

    @classmethod
    def _prepare(
        cls,
        towers: gpd.GeoDataFrame,
        setup: SignalSetup,
        *,
        max_servers: int,
        past_range: bool,
        indoors: bool = False,
        subsets: bool = False,
    ) -> SignalEngine:
        engine, data = resolve_towers(towers, setup, indoors=indoors)
        prepared = cls.of_prepared(
            engine, data, setup.crs, max_servers=max_servers, keep_margins=subsets
        )
        prepared = replace(prepared, location_probability=setup.location_probability)
        if setup.judged_indoors and not indoors:
            inside = cls._prepare(towers, setup, max_servers=1, past_range=False, indoors=True)
            prepared = replace(prepared, indoors=inside)
        if not past_range or setup.extrapolate or engine.model.max_distance_km >= MAX_REACH_KM:
            return prepared
        continued = cls._prepare(
            towers,
            setup.outdoors().replace(extrapolate=True, indoor=None),
            max_servers=1,
            past_range=False,
        )
        return replace(prepared, continued=continued)

    @property
    def model(self) -> PathLossModel:
        """The path-loss model, with its validity distances (km)."""
        return self.engine.model

    @property
    def max_distance_km(self) -> float:
        """How far a tower is heard, km: the model's validity distance unless extrapolated."""
        return float(self.towers.grid_m[-1]) / 1000.0  # the envelope grid ends there

    def margin_past_range(self, point_xy: np.ndarray) -> np.ndarray:
        """Best margin at each point with the model continued past its validity distance.

        A point that no tower covers within the model's distance limit (RMa NLOS: 5 km)
        may be covered just beyond it: the continued model says whether the limit, not
        the prediction, leaves the point without signal.

        Parameters
        ----------
        point_xy : numpy.ndarray
            Points in :attr:`crs`, m, shape (n, 2).

        Returns
        -------
        numpy.ndarray
            Best margin over threshold, dB; NaN where no tower comes within the weak band,
            and everywhere when nothing lies beyond the range (:attr:`continued` is None).
        """
        if self.continued is None or not len(point_xy):
            return np.full(len(point_xy), np.nan)
        result, _ = self.continued.search_xy(point_xy, progress=False)
        return result["best_margin_db"]

    def indoor_status(
        self, point_xy: np.ndarray, outdoor_margin_db: np.ndarray, weak_band_db: float
    ) -> np.ndarray | None:
        """Signal status of an indoor receiver at each point (:func:`signal_status`).

        The indoor best margin lies within the outdoor best margin less the largest and the
        smallest building entry loss of the towers: where both bounds give one status it is
        the status; the points left (margins near a status boundary) are searched again
        with the indoor towers, so the answer is that of an indoor search everywhere.

        Parameters
        ----------
        point_xy : numpy.ndarray
            Points in :attr:`crs`, m, shape (n, 2).
        outdoor_margin_db : numpy.ndarray
            Their outdoor best margins (:meth:`search_xy`), dB; NaN where none is heard.
        weak_band_db : float
            The budget's weak band, dB.

        Returns
        -------
        numpy.ndarray of str or None
            ``covered``, ``weak`` or ``none``; None when the engine judges no indoors.
        """
        if self.indoors is None:
            return None
        outdoor = np.asarray(outdoor_margin_db, dtype=float)
        extra = self.indoors.towers.receiver_db - self.towers.receiver_db
        least, most = (float(extra.min()), float(extra.max())) if len(extra) else (0.0, 0.0)
        low = _status_code(outdoor - most, weak_band_db)
        unsure = low != _status_code(outdoor - least, weak_band_db)
        if least < 0.0:  # a loss below 0 dB could lift a point heard by no tower outdoors
            unsure |= np.isnan(outdoor)
        if unsure.any():
            result, _ = self.indoors.search_xy(point_xy[unsure], progress=False)
            low[unsure] = _status_code(result["best_margin_db"], weak_band_db)
        return STATUS_NAMES[low]

    def area_coverage(self, tower_ids: pd.Series) -> np.ndarray:
        """Area coverage probability of each point's serving tower (Jakes-Reudink).

        :func:`whitespot.radio.area_coverage_probability` of the setup's location
        probability, the serving tower's location variability and its model's path-loss
        exponent (loss per decade of distance / 10); NaN where no tower serves.
        """
        ids = pd.Series(tower_ids, dtype="string").fillna("").to_numpy()
        position = pd.Series(np.arange(len(self.towers.ids)), index=self.towers.ids)
        tower = position.reindex(ids).to_numpy(dtype=float)
        served = ~np.isnan(tower)
        out = np.full(len(ids), np.nan)
        if served.any():
            tower = tower[served].astype(np.int64)
            exponent = np.maximum(self.towers.loss_per_decade_db[tower] / 10.0, 1e-9)
            out[served] = area_coverage_probability(
                self.location_probability, self.towers.location_sigma_db[tower], exponent
            )
        return out

    @classmethod
    def of_prepared(
        cls,
        engine: _Engine,
        data: _Towers,
        crs: CRS,
        *,
        max_servers: int = MAX_SERVERS,
        keep_margins: bool = False,
    ) -> SignalEngine:
        """Build the search over towers prepared already (:func:`resolve_towers`), in `crs`."""
        search = _CompiledSearch.of(data, engine) if engine.compiled else _NumpySearch.of(data)
        if not keep_margins:
            # the margin grid served the reaches and envelopes; a country's is hundreds of
            # MB that Dask would send to every worker
            data = replace(data, margin_grid_db=np.empty((0, 0)))
        return cls(engine, data, crs, max_servers, search)

    def subset(self, members: np.ndarray) -> SignalEngine:
        """Return the engine over the towers at positions `members` only.

        Same model, link budget, receiver and CRS; the search (reaches, envelope) is that
        of the members alone, so a point's best server is the best among them (a phone of
        one operator is served by that operator's towers only).

        Parameters
        ----------
        members : numpy.ndarray of int
            Positions in :attr:`towers` (sorted by tower id), shape (k,).

        Returns
        -------
        SignalEngine
            Without :attr:`continued` and :attr:`indoors`.

        Raises
        ------
        whitespot.InputError
            If the engine was prepared without ``subsets=True`` (its margins were dropped).
        """
        towers = self.towers
        if len(towers.ids) and not towers.margin_grid_db.size:
            raise InputError("SignalEngine.subset needs an engine prepared with subsets=True")
        members = np.asarray(members, dtype=np.int64)
        kept = replace(
            towers,
            **{
                name: value[members]
                for name in towers.__dataclass_fields__
                if name != "grid_m" and isinstance(value := getattr(towers, name), np.ndarray)
            },
        )
        part = self.of_prepared(self.engine, kept, self.crs, max_servers=self.max_servers)
        return replace(part, location_probability=self.location_probability)

    def pair_levels(
        self, receiver_xy: np.ndarray, tower: np.ndarray, distance_m: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the level each receiver gets from its given tower, and where the DEM ended.

        Parameters
        ----------
        receiver_xy : numpy.ndarray
            Receivers in :attr:`crs`, m, shape (n, 2).
        tower : numpy.ndarray of int
            Position of each receiver's tower in :attr:`towers`, shape (n,).
        distance_m : numpy.ndarray
            Receiver-tower distance, m, shape (n,).

        Returns
        -------
        signal_dbm : numpy.ndarray
            Received level, dBm (EIRP - path loss - fade margin + sector gain).
        off_dem : numpy.ndarray of bool
            Pairs whose path left the DEM (the flat model stood in).
        """
        return pair_signal(receiver_xy, tower, distance_m, self.towers, self.engine)

    def predict(
        self,
        points: gpd.GeoDataFrame,
        *,
        progress: bool | None = None,
        point_xy: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Predict the best server of every point; see :func:`predict_signal`.

        `point_xy` are the points in :attr:`crs` (m) when the caller has them already.
        """
        engine, tower_data = self.engine, self.towers
        point_xy = projected_xy(points, self.crs) if point_xy is None else point_xy
        ground = engine.ground
        if ground is not None:
            _check_ends_on_dem(ground, point_xy, tower_data, points)
        result, pairs = self.search_xy(point_xy, progress=progress)
        if ground is not None and ground.fallback is None and result["terrain_fallback"].any():
            raise _terrain_error(points, result["terrain_fallback"], "cross no-data cells")
        frame = pd.DataFrame(result, index=points.index)
        frame["best_tower_id"] = _take(tower_data.ids, frame["best_tower"])
        frame["best_operator"] = _take(tower_data.operator, frame["best_tower"])
        frame["best_technology"] = _take(tower_data.technology, frame["best_tower"])
        frame = frame[list(SIGNAL_COLUMNS)]
        frame.attrs["pairs_evaluated"] = pairs
        return frame

    def search_xy(
        self, point_xy: np.ndarray, *, progress: bool | None = None
    ) -> tuple[dict[str, np.ndarray], int]:
        """Search the best server at points given in :attr:`crs` (m), as arrays.

        Returns
        -------
        result : dict of numpy.ndarray
            ``best_tower`` (position in the prepared towers, -1 where none is heard),
            ``best_signal_dbm``, ``best_margin_db``, ``towers_above_threshold``,
            ``nearest_tower_km``, ``terrain_fallback``. Paths off the DEM are flagged,
            not refused (:meth:`predict` refuses them).
        pairs : int
            (tower, point) pairs evaluated.
        """
        result = _empty_result(len(point_xy))
        pairs = 0
        if len(self.towers.ids):
            pairs = self.search.run(
                point_xy, self.towers, self.engine, result, self.max_servers, progress
            )
        return result, pairs

    def network_margins(self, point_xy: np.ndarray) -> pd.DataFrame:
        """Best margin of each operator's network (operator x technology) at each point.

        Where :meth:`search_xy` keeps the best server over all networks, evidence from a
        phone speaks for one operator and one technology only: this keeps every network
        heard at each point, for judging each against its own measurements.

        Parameters
        ----------
        point_xy : numpy.ndarray
            Points in :attr:`crs`, m, shape (n, 2).

        Returns
        -------
        pandas.DataFrame
            One row per (point, network) with a tower in reach: ``point`` (position),
            ``operator`` (folded: stripped, casefolded), ``technology`` and ``margin_db``
            (best level of the network's towers minus its threshold and the budget's
            margins, dB; paths off the DEM take the flat model).
        """
        towers = self.towers
        reach = float(towers.reach_m.max(initial=0.0))
        if not len(point_xy) or reach <= 0:
            return pd.DataFrame(
                {"point": [], "operator": [], "technology": [], "margin_db": []}
            ).astype({"point": np.int64, "margin_db": float})
        pairs = cKDTree(point_xy).sparse_distance_matrix(
            cKDTree(towers.xy), reach, output_type="ndarray"
        )
        point, tower, distance_m = pairs["i"], pairs["j"], pairs["v"]
        near = distance_m <= towers.reach_m[tower]
        point, tower, distance_m = point[near], tower[near], distance_m[near]
        signal, _ = pair_signal(point_xy[point], tower, distance_m, towers, self.engine)
        folded = np.array([fold_operator(o) for o in towers.operator], dtype=object)
        frame = pd.DataFrame(
            {
                "point": point,
                "operator": folded[tower],
                "technology": towers.technology[tower].astype(str),
                "margin_db": signal - towers.threshold_dbm[tower],
            }
        )
        return (
            frame.groupby(["point", "operator", "technology"], sort=True)["margin_db"]
            .max()
            .reset_index()
        )


def resolve_towers(
    towers: gpd.GeoDataFrame, setup: SignalSetup, *, indoors: bool = False
) -> tuple[_Engine, _Towers]:
    """Return the setup's engine and the towers it hears, in ``setup.crs`` (set already).

    The two steps under :meth:`SignalEngine.prepare`, for callers that search among some
    towers only (:func:`whitespot.evidence.measured_pairs` pairs each measurement with a
    tower of its own operator): the engine (model, budget, terrain) and the prepared towers
    (metric positions, reaches in m, margins over the envelope grid in dB), which
    :meth:`SignalEngine.of_prepared` and :func:`pair_signal` take.

    The receiver's side of the setup (location margin, P.2108 terminal correction and,
    `indoors`, the building entry loss) is a constant per tower, taken from its EIRP.
    """
    ground = reproject_terrain(setup.terrain, setup.crs) if setup.uses_terrain else None
    itm = setup.itm if setup.model == "itm" else None
    budget = setup.outdoors().budget
    engine = _Engine(
        setup.path_model, budget, setup.environment, ground, itm, setup.clutter_percent
    )
    towers = setup.heard(towers).sort_values("tower_id", kind="stable")
    receiver_db, sigma_db = tower_receiver_db(
        setup,
        towers["tower_id"].astype(str).to_numpy(),
        towers["operator"].astype(str).to_numpy(),
        towers["technology"].astype(str).to_numpy(),
        towers["frequency_mhz"].to_numpy(float),
        indoors=indoors,
    )
    data = _prepare_towers(
        towers, setup.crs, engine, setup.extrapolate, setup.calibration, receiver_db=receiver_db
    )
    return engine, replace(data, location_sigma_db=sigma_db)


def tower_reach_m(towers: gpd.GeoDataFrame, setup: SignalSetup) -> np.ndarray:
    """Return how far each tower's signal matters under `setup`, m, in row order.

    Beyond it the tower's margin is below the weak band at every distance of the model's
    grid (the reach of :func:`predict_signal`'s search). One value per tower the setup
    hears (:meth:`SignalSetup.heard`); ``setup.crs`` must be set.
    """
    heard = setup.heard(towers).reset_index(drop=True)
    by_id = heard.sort_values("tower_id", kind="stable").index.to_numpy()  # as prepared
    reach = np.empty(len(heard))
    reach[by_id] = resolve_towers(heard, setup)[1].reach_m
    return reach


@dataclass(frozen=True)
class _NumpySearch:
    """The towers as the numpy search takes them: per technology, a KD-tree and envelope."""

    groups: tuple[_TowerGroup, ...]

    @classmethod
    def of(cls, towers: _Towers) -> _NumpySearch:
        return cls(
            tuple(
                _TowerGroup.of(towers, np.flatnonzero(towers.technology == kind))
                for kind in np.unique(towers.technology)
            )
        )

    def run(
        self,
        point_xy: np.ndarray,
        towers: _Towers,
        engine: _Engine,
        result: dict[str, np.ndarray],
        max_servers: int,
        progress: bool | None,
    ) -> int:
        """Fill `result` with the nearest-k search per technology; return the pairs evaluated."""
        nearest_m, _ = cKDTree(towers.xy).query(point_xy, workers=-1)
        result["nearest_tower_km"] = nearest_m / 1000.0
        pairs = 0
        starts = range(0, len(point_xy), POINT_CHUNK)
        for start in tqdm(starts, desc="signal", unit="chunk", disable=_quiet(progress, starts)):
            chunk = slice(start, min(start + POINT_CHUNK, len(point_xy)))
            best = _Best.empty(chunk.stop - chunk.start)
            for group in self.groups:
                pairs += _search_group(point_xy[chunk], group, towers, best, engine, max_servers)
            best.store(result, chunk, max_servers)
        return pairs


def _quiet(progress: bool | None, starts: range) -> bool | None:
    if progress is None:
        return None if len(starts) > 1 else True
    return not progress


def _take(values: np.ndarray, index: pd.Series) -> pd.arrays.StringArray:
    """values[index] as text, missing where index is -1 (positional: no index alignment)."""
    return pd.array(values, dtype="string").take(index.to_numpy(), allow_fill=True)


def _empty_result(size: int) -> dict[str, np.ndarray]:
    return {
        "best_signal_dbm": np.full(size, np.nan),
        "best_margin_db": np.full(size, np.nan),
        "best_tower": np.full(size, -1),
        "towers_above_threshold": np.zeros(size, dtype=np.int64),
        "nearest_tower_km": np.full(size, np.nan),
        "terrain_fallback": np.zeros(size, dtype=bool),
    }


def _point_labels(points: gpd.GeoDataFrame) -> np.ndarray:
    """Ids to name points by in messages: their id column, else the index."""
    for column in ("village_id", "household_id", "site_id"):
        if column in points:
            return points[column].astype(str).to_numpy()
    return points.index.astype(str).to_numpy()


def _terrain_error(points: gpd.GeoDataFrame, uncovered: np.ndarray, how: str) -> Exception:
    ids = _point_labels(points)[uncovered]
    return TerrainCoverageError(
        f"terrain: the DEM does not cover the paths to {uncovered.sum():,} of {len(points):,} "
        f"places (ids: {format_ids(list(ids))}): their profiles {how}. Ground is not "
        "invented: give a DEM that covers the villages, households and towers, or allow "
        "the flat model on those paths (--dem-fallback flat; Terrain(..., fallback='flat'))"
    )


def _check_ends_on_dem(
    ground: Terrain, point_xy: np.ndarray, towers: _Towers, points: gpd.GeoDataFrame
) -> None:
    """Refuse at once when points or towers stand outside the DEM (unless it may fall back)."""
    if ground.fallback is not None:
        return
    off_points = np.isnan(sample_terrain(ground, point_xy[:, 0], point_xy[:, 1]))
    off_towers = np.isnan(sample_terrain(ground, towers.xy[:, 0], towers.xy[:, 1]))
    if off_towers.any():
        raise TerrainCoverageError(
            f"terrain: {off_towers.sum():,} of {len(off_towers):,} towers stand outside the "
            f"DEM or on no-data cells (ids: {format_ids(list(towers.ids[off_towers]))}); "
            "give a DEM that covers them, or allow the flat model on their paths "
            "(--dem-fallback flat; Terrain(..., fallback='flat'))"
        )
    if off_points.any():
        raise _terrain_error(points, off_points, "start outside the DEM or on no-data cells")


def _check_tower_ranges(towers: gpd.GeoDataFrame, model: PathLossModel) -> None:
    values = {
        "frequency_mhz": towers["frequency_mhz"].to_numpy(float),
        "base_height_m": towers["height_m"].to_numpy(float),
    }
    for valid in model.ranges:
        if valid.parameter not in values:
            continue
        outside = (values[valid.parameter] < valid.low) | (values[valid.parameter] > valid.high)
        if outside.any():
            ids = towers["tower_id"].to_numpy()[outside]
            found = np.unique(values[valid.parameter][outside])
            raise ModelRangeError(
                f"model {model.name!r} is valid for {valid.parameter} "
                f"{valid.low:g}..{valid.high:g}; {outside.sum()} towers (ids: "
                f"{format_ids(list(ids))}) have {', '.join(f'{v:g}' for v in found[:5])}; "
                "choose another model (rma covers 500-30000 MHz) or extrapolate"
            )


def correction_db(
    distance_km: np.ndarray,
    offset_db: np.ndarray,
    slope_db_per_decade: np.ndarray,
    least_km: np.ndarray,
    greatest_km: np.ndarray,
) -> np.ndarray:
    """Return a calibration's extra loss at `distance_km`, held outside its fitted range.

    ``offset + slope log10(d / 1 km)`` with d clipped to [`least_km`, `greatest_km`]: a
    slope fitted over 0.3-2.4 km says nothing of 20 km, so it is never extrapolated.

    Returns
    -------
    numpy.ndarray
        Extra loss, dB (broadcast over the arguments).
    """
    held = np.clip(distance_km, np.maximum(least_km, 1e-9), greatest_km)
    return offset_db + slope_db_per_decade * np.log10(held)


def _prepare_towers(
    towers: gpd.GeoDataFrame,
    crs: CRS,
    engine: _Engine,
    extrapolate: bool,
    calibration: Calibration | None = None,
    *,
    receiver_db: np.ndarray | None = None,
) -> _Towers:
    """Tower arrays in `crs`: thresholds, reaches, loss coefficients, margins on the grid.

    A calibration adds :func:`correction_db` to each tower's loss, per pair
    (:func:`pair_signal`, the kernel); reaches and the envelope come from the corrected
    margins.
    """
    model, budget, environment = engine.model, engine.budget, engine.environment
    towers = towers.sort_values("tower_id", kind="stable")
    operator = towers["operator"].astype(str).to_numpy()
    if not extrapolate:
        _check_tower_ranges(towers, model)
    technology = towers["technology"].astype(str).to_numpy()
    kinds, which = np.unique(technology, return_inverse=True)
    threshold = np.array([budget.threshold_dbm(t) for t in kinds])[which]
    frequency = towers["frequency_mhz"].to_numpy(float)
    height = towers["height_m"].to_numpy(float)
    receiver_db = np.zeros(len(towers)) if receiver_db is None else receiver_db
    # what the receiver takes from every tower's level (tower_receiver_db), as less EIRP
    eirp = towers["eirp_dbm"].to_numpy(float) - receiver_db
    max_km = min(np.inf if extrapolate else model.max_distance_km, MAX_REACH_KM)

    # each tower's margin over threshold on a distance grid, for its reach and the envelope
    grid_km = np.geomspace(model.min_distance_km, max_km, ENVELOPE_STEPS)
    # towers share a few (frequency, height) designs: evaluate the model once per design
    designs, design = np.unique(np.column_stack([frequency, height]), axis=0, return_inverse=True)
    loss = model.loss_db(
        designs[:, :1], grid_km[None, :], designs[:, 1:], budget.mobile_height_m, environment
    )[design.ravel()]
    loss = loss + engine.clutter_loss_db(frequency[:, None], grid_km[None, :])
    offset = slope = least_km = np.zeros(len(towers))
    greatest_km = np.full(len(towers), np.inf)
    if calibration is not None:
        offset, slope, _ = calibration.corrections(operator, technology)
        least_km, greatest_km = calibration.fitted_ranges_km(operator, technology)
        loss = loss + correction_db(
            grid_km[None, :],
            offset[:, None],
            slope[:, None],
            np.asarray(least_km)[:, None],
            np.asarray(greatest_km)[:, None],
        )
    margin = (eirp - threshold - budget.margin_db)[:, None] - loss
    floor = -budget.weak_band_db
    heard = margin >= floor
    last = ENVELOPE_STEPS - 1 - np.argmax(heard[:, ::-1], axis=1)
    reaches = heard.any(axis=1)
    # a tower reaches up to the next grid distance: no point it could serve is left out
    reach_km = np.where(reaches, grid_km[np.minimum(last + 1, ENVELOPE_STEPS - 1)], 0.0)

    at_1km = model.loss_db(frequency, 1.0, height, budget.mobile_height_m, environment)
    per_decade = (
        model.loss_db(frequency, 10.0, height, budget.mobile_height_m, environment) - at_1km
    )
    azimuth = towers.get("azimuth_deg", pd.Series(np.nan, index=towers.index))
    beamwidth = towers.get("beamwidth_deg", pd.Series(np.nan, index=towers.index))
    return _Towers(
        ids=towers["tower_id"].astype(str).to_numpy(),
        operator=operator,
        technology=technology,
        xy=projected_xy(towers, crs),
        height_m=height,
        frequency_mhz=frequency,
        eirp_dbm=eirp,
        azimuth_deg=azimuth.to_numpy(float),
        beamwidth_deg=beamwidth.fillna(65.0).to_numpy(float),
        threshold_dbm=threshold,
        reach_m=reach_km * 1000.0,
        loss_at_1km_db=np.asarray(at_1km, dtype=float),
        loss_per_decade_db=np.asarray(per_decade, dtype=float),
        offset_db=offset,
        slope_db_per_decade=slope,
        correction_min_km=np.asarray(least_km, dtype=float),
        correction_max_km=np.asarray(greatest_km, dtype=float),
        # below the model's least distance the loss is held at its value there
        margin_grid_db=margin,
        grid_m=np.concatenate([[0.0], grid_km[1:] * 1000.0]),
        receiver_db=receiver_db,
    )


@dataclass(frozen=True)
class _CompiledSearch:
    """The towers as the compiled kernel takes them: arrays, grid cells and envelope."""

    tower_arrays: tuple
    grid: TowerGrid
    envelope: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, towers: _Towers, engine: _Engine) -> _CompiledSearch:
        mobile_m = engine.budget.mobile_height_m
        arrays = (
            *(np.ascontiguousarray(axis) for axis in towers.xy.T),
            towers.reach_m,
            towers.loss_at_1km_db,
            towers.loss_per_decade_db,
            towers.eirp_dbm,
            towers.threshold_dbm,
            towers.azimuth_deg,
            towers.beamwidth_deg,
            towers.frequency_mhz / 1000.0,
            towers.height_m,
            rma_breakpoint_m(towers.frequency_mhz, towers.height_m, mobile_m).astype(float),
            towers.offset_db,
            towers.slope_db_per_decade,
            towers.correction_min_km,
            towers.correction_max_km,
        )
        envelope = (towers.grid_m, _envelope(towers, np.arange(len(towers.ids))))
        return cls(arrays, TowerGrid.of(towers.xy, towers.reach_m), envelope)

    def run(
        self,
        point_xy: np.ndarray,
        towers: _Towers,
        engine: _Engine,
        result: dict[str, np.ndarray],
        max_servers: int,
        progress: bool | None,
    ) -> int:
        """Fill `result` with the compiled kernel; return the pairs evaluated."""
        pairs = 0
        tree = None
        starts = range(0, len(point_xy), POINT_CHUNK)
        for start in tqdm(starts, desc="signal", unit="chunk", disable=_quiet(progress, starts)):
            chunk = slice(start, min(start + POINT_CHUNK, len(point_xy)))
            with KERNEL_LOCK:
                margin, signal, tower, above, nearest_m, evaluated = best_servers(
                    np.ascontiguousarray(point_xy[chunk, 0]),
                    np.ascontiguousarray(point_xy[chunk, 1]),
                    self.tower_arrays,
                    self.grid.arrays(),
                    self.envelope,
                    engine.kernel_model(),
                    engine.budget.margin_db,
                    -engine.budget.weak_band_db,
                    max_servers,
                )
            far = np.isinf(nearest_m)  # no tower within the rings searched: ask the KD-tree
            if far.any():
                if tree is None:
                    tree = cKDTree(towers.xy)
                nearest_m[far], _ = tree.query(point_xy[chunk][far], workers=-1)
            heard = tower >= 0
            result["best_signal_dbm"][chunk] = signal
            result["best_margin_db"][chunk] = np.where(heard, margin, np.nan)
            result["best_tower"][chunk] = tower
            result["towers_above_threshold"][chunk] = np.minimum(above, max_servers)
            result["nearest_tower_km"][chunk] = nearest_m / 1000.0
            pairs += int(evaluated.sum())
        return pairs


@dataclass
class _Best:
    """Running best server of each point of a chunk, merged over technologies."""

    margin_db: np.ndarray
    signal_dbm: np.ndarray
    tower: np.ndarray
    above: np.ndarray
    fallback: np.ndarray

    @classmethod
    def empty(cls, size: int) -> _Best:
        return cls(
            np.full(size, -np.inf),
            np.full(size, np.nan),
            np.full(size, -1),
            np.zeros(size, dtype=np.int64),
            np.zeros(size, dtype=bool),
        )

    def merge(
        self,
        rows: np.ndarray,
        margin: np.ndarray,
        signal: np.ndarray,
        tower: np.ndarray,
        above: np.ndarray,
    ) -> None:
        """Take the candidates that beat the current best (ties to the smaller tower id)."""
        current, current_tower = self.margin_db[rows], self.tower[rows]
        better = (margin > current) | (
            (margin == current) & (tower >= 0) & ((current_tower < 0) | (tower < current_tower))
        )
        target = rows[better]
        self.margin_db[target] = margin[better]
        self.signal_dbm[target] = signal[better]
        self.tower[target] = tower[better]
        self.above[rows] += above

    def store(self, result: dict[str, np.ndarray], chunk: slice, max_servers: int) -> None:
        heard = self.tower >= 0
        result["best_signal_dbm"][chunk] = np.where(heard, self.signal_dbm, np.nan)
        result["best_margin_db"][chunk] = np.where(heard, self.margin_db, np.nan)
        result["best_tower"][chunk] = self.tower
        result["towers_above_threshold"][chunk] = np.minimum(self.above, max_servers)
        result["terrain_fallback"][chunk] = self.fallback


def _search_group(
    point_xy: np.ndarray,
    group: _TowerGroup,
    towers: _Towers,
    best: _Best,
    engine: _Engine,
    max_servers: int,
) -> int:
    """Merge the best server of one technology into `best`; return the pairs evaluated."""
    size = len(group.members)
    k = min(max_servers, size)
    pending = np.arange(len(point_xy))
    floor = -engine.budget.weak_band_db
    pairs = 0
    while len(pending):
        distance_m, nearest = group.tree.query(point_xy[pending], k=k, workers=-1)
        distance_m = distance_m.reshape(len(pending), k)
        tower = group.members[nearest.reshape(len(pending), k)]
        valid = distance_m <= towers.reach_m[tower]
        margin = np.full(tower.shape, -np.inf)
        signal = np.full(tower.shape, np.nan)
        rows = np.broadcast_to(pending[:, None], tower.shape)
        signal[valid], flat = pair_signal(
            point_xy[rows[valid]], tower[valid], distance_m[valid], towers, engine
        )
        pairs += int(valid.sum())
        best.fallback[rows[valid][flat]] = True
        margin[valid] = signal[valid] - towers.threshold_dbm[tower[valid]]
        margin[margin < floor] = -np.inf

        # best of the group: largest margin, ties to the smaller tower id
        top = margin.max(axis=1)
        tied = (margin == top[:, None]) & np.isfinite(margin)
        pick = np.where(tied, tower, np.iinfo(tower.dtype).max).argmin(axis=1)
        chosen = np.arange(len(pending)), pick
        heard = np.isfinite(top)
        above = (margin >= 0).sum(axis=1)

        # a farther member could beat the best, or add a server while the count is short
        bound = group.bound_db(distance_m[:, -1])
        short = best.above[pending] + above < max_servers
        unsure = (bound >= np.maximum(top, floor)) | ((bound >= 0) & short)
        settled = ~unsure if k < size else np.ones(len(pending), dtype=bool)
        best.merge(
            pending[settled],
            np.where(heard, top, -np.inf)[settled],
            signal[chosen][settled],
            np.where(heard, tower[chosen], -1)[settled],
            above[settled],
        )
        if k == size:
            break
        pending = pending[unsure]
        k = min(4 * k, size)
    return pairs


def pair_signal(
    receiver_xy: np.ndarray,
    tower: np.ndarray,
    distance_m: np.ndarray,
    towers: _Towers,
    engine: _Engine,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the received level of each (receiver, tower) pair, and where the DEM was missing.

    Parameters
    ----------
    receiver_xy : numpy.ndarray
        Receivers in the setup's metric CRS, m, shape (n, 2).
    tower : numpy.ndarray
        Position of each pair's tower in `towers`, shape (n,).
    distance_m : numpy.ndarray
        Receiver-tower distance of each pair, m.
    towers, engine
        As :func:`resolve_towers` returns them.

    Returns
    -------
    signal_dbm : numpy.ndarray
        Received level, dBm (EIRP - path loss - fade margin + sector gain).
    off_dem : numpy.ndarray of bool
        Pairs whose path left the DEM (the flat model stood in).
    """
    model, budget, ground = engine.model, engine.budget, engine.ground
    distance_km = np.maximum(distance_m / 1000.0, model.min_distance_km)
    flat = np.zeros(len(tower), dtype=bool)
    if engine.itm is not None:  # ITM over the profile: the DEM is part of the loss
        loss, flat = itm_dem_paths(*_dem_paths(receiver_xy, tower, towers, engine), engine.itm)
        # off the DEM, with the flat fallback allowed: free space, flagged
        loss[flat] = free_space_loss_db(towers.frequency_mhz[tower[flat]], distance_km[flat])
    elif model.log_linear:
        loss = towers.loss_at_1km_db[tower] + towers.loss_per_decade_db[tower] * np.log10(
            distance_km
        )
    else:
        loss = model.loss_db(
            towers.frequency_mhz[tower],
            distance_km,
            towers.height_m[tower],
            budget.mobile_height_m,
            engine.environment,
        )
    loss += engine.clutter_loss_db(towers.frequency_mhz[tower], distance_km)
    loss += correction_db(
        distance_km,
        towers.offset_db[tower],
        towers.slope_db_per_decade[tower],
        towers.correction_min_km[tower],
        towers.correction_max_km[tower],
    )
    if ground is not None and engine.itm is None:
        diffraction, flat = _diffraction_db(receiver_xy, tower, distance_m, towers, engine)
        loss = loss + diffraction
    signal = towers.eirp_dbm[tower] - loss - budget.margin_db
    sector = ~np.isnan(towers.azimuth_deg[tower])  # omnidirectional towers gain 0 dB
    if sector.any():
        delta = receiver_xy[sector] - towers.xy[tower[sector]]
        signal[sector] += sector_gain_db(
            towers.azimuth_deg[tower[sector]],
            towers.beamwidth_deg[tower[sector]],
            bearing_deg(delta[:, 0], delta[:, 1]),
        )
    return signal, flat


def _dem_paths(
    receiver_xy: np.ndarray, tower: np.ndarray, towers: _Towers, engine: _Engine
) -> tuple:
    """Return the DEM, the ends, heights and frequency of each path, as the kernels take them."""
    return (
        engine.ground,
        towers.xy[tower],
        receiver_xy,
        towers.height_m[tower],
        engine.budget.mobile_height_m,
        towers.frequency_mhz[tower],
    )


def _diffraction_db(
    receiver_xy: np.ndarray,
    tower: np.ndarray,
    distance_m: np.ndarray,
    towers: _Towers,
    engine: _Engine,
) -> tuple[np.ndarray, np.ndarray]:
    """Bullington diffraction loss over DEM profiles (the compiled kernel).

    A profile that leaves the DEM or crosses no-data cells gets 0 dB (the flat model) and is
    flagged in the second array; the caller refuses or reports it.
    """
    del distance_m  # the kernel measures each path from its ends
    paths = _dem_paths(receiver_xy, tower, towers, engine)
    loss, _, flat = bullington_paths(*paths, k_factor=MEDIAN_K_FACTOR)
    return loss, flat


def covering_pairs(
    points: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Every (point, tower) pair in which the tower's signal clears its threshold.

    This is what a coverage matrix for site selection needs: not only the best server but
    every tower (or candidate site) that would cover each point. Same models, budget and
    pruning as :func:`predict_signal`.

    Parameters
    ----------
    points, towers : geopandas.GeoDataFrame
        Receivers and (validated) towers or candidate sites.
    setup : SignalSetup, optional
        As :func:`predict_signal`.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        ``point`` (position in `points`), ``tower_id`` and ``margin_db`` (>= 0), sorted by
        tower id then point.
    """
    setup = setup or SignalSetup()
    crs = metric_crs(points, setup.crs)
    engine, tower_data = resolve_towers(towers, setup.replace(crs=crs))
    point_xy = projected_xy(points, crs)
    ground = engine.ground
    if ground is not None:
        _check_ends_on_dem(ground, point_xy, tower_data, points)
    point_tree = cKDTree(point_xy)
    found = []
    starts = range(0, len(tower_data.ids), TOWER_CHUNK)
    for start in tqdm(starts, desc="coverage", unit="chunk", disable=_quiet(progress, starts)):
        members = np.arange(start, min(start + TOWER_CHUNK, len(tower_data.ids)))
        radius = float(tower_data.reach_m[members].max(initial=0.0))
        if radius <= 0:
            continue
        pairs = cKDTree(tower_data.xy[members]).sparse_distance_matrix(
            point_tree, radius, output_type="ndarray"
        )
        tower, point, distance_m = members[pairs["i"]], pairs["j"], pairs["v"]
        near = distance_m <= tower_data.reach_m[tower]
        tower, point, distance_m = tower[near], point[near], distance_m[near]
        signal, flat = pair_signal(point_xy[point], tower, distance_m, tower_data, engine)
        if flat.any() and ground.fallback is None:
            uncovered = np.zeros(len(points), dtype=bool)
            uncovered[point[flat]] = True
            raise _terrain_error(points, uncovered, "leave the DEM or cross no-data cells")
        margin = signal - tower_data.threshold_dbm[tower]
        covered = margin >= 0
        found.append((point[covered], tower[covered], margin[covered]))
    if not found:
        found.append((np.array([], dtype=int), np.array([], dtype=int), np.array([])))
    point, tower, margin = (np.concatenate(parts) for parts in zip(*found, strict=True))
    order = np.lexsort((point, tower))
    return pd.DataFrame(
        {
            "point": point[order],
            "tower_id": tower_data.ids[tower[order]],
            "margin_db": margin[order],
        }
    )
