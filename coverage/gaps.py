"""Signal and power gaps: classify households and villages, and build the gap list.

Every input village appears exactly once in the gap list, in input order, with the status
that puts it there and the criteria behind it in words. The words are rendered from the
fields by the English module of sentences (:mod:`whitespot.data._words_en`): this module
computes the fields only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from whitespot._errors import InputError
from whitespot._parallel import run_tiles
from whitespot.coverage._tiles import (
    HOUSEHOLDS_PER_TILE,
    ORPHANS_FIX,
    household_signal,
    orphans_text,
    unknown_villages,
    village_tally,
)
from whitespot.coverage._unlisted import listed_only, unlisted_counts, with_footprints
from whitespot.data import (
    TECHNOLOGY_DEFAULTS,
    Problem,
    Terrain,
    TowersFarWarning,
    ValidationError,
    add_lonlat,
    metric_crs,
)
from whitespot.data._crs import projected_xy
from whitespot.data._labels import Language, counted
from whitespot.data._overlap import REACH_KM, TowerOverlap, towers_overlap
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE, LOCATION_UNKNOWN
from whitespot.data._words import words
from whitespot.evidence import EVIDENCE_CLASSES
from whitespot.evidence._villages import EVIDENCE_COLUMNS, measured_at_villages, weigh_evidence
from whitespot.radio import LinkBudget, SignalEngine, SignalSetup, signal_status

if TYPE_CHECKING:
    from os import PathLike

    from distributed import Client

    from whitespot.data import Population

GAP_LIST_COLUMNS = (
    "village_id",
    "name",
    "province_code",
    "commune_code",
    "lon",
    "lat",
    "households",
    "households_without_signal",
    "households_weak_signal",
    "best_signal_dbm",
    "best_tower_id",
    "best_operator",
    "best_technology",
    "nearest_tower_km",
    "signal_status",
    "predicted_signal_status",
    "electrified",
    "households_without_power",
    "grid_distance_km",
    "power_status",
    "gap_type",
    *EVIDENCE_COLUMNS,
    "criteria",
)
"""Columns of the gap list, in order (geometry follows in the GeoDataFrame)."""

SUMMARY_COLUMNS = (
    "villages",
    "households",
    "villages_without_signal",
    "households_without_signal",
    "villages_without_power",
    "households_without_power",
    "villages_without_both",
    "households_without_both",
    "villages_beyond_model_range",
    "households_beyond_model_range",
    "villages_location_unknown",
    *(f"villages_{kind}" for kind in EVIDENCE_CLASSES),
    "villages_to_check",
)


@dataclass(frozen=True)
class GapCriteria:
    """Rules that turn predicted signal and the power data into gaps.

    Attributes
    ----------
    covered_share : float, default 0.8
        A village counts as covered when at least this share of its households is covered.
    min_electrified_share : float, default 0.5
        A village whose electrified share is below this has no power.
    max_grid_distance_km : float, default 5.0
        A village farther than this from the grid has no power when its electrification is
        unknown, and is flagged as far from the grid otherwise.
    evidence_radius_m : float, default 500
        Measurements within this distance of a village are its evidence, m.
    min_measurements : int, default 3
        A technology's median level is evidence from this many samples on.
    """

    covered_share: float = 0.8
    min_electrified_share: float = 0.5
    max_grid_distance_km: float = 5.0
    evidence_radius_m: float = 500.0
    min_measurements: int = 3

    def __post_init__(self) -> None:
        for name in ("covered_share", "min_electrified_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InputError(f"{name}={getattr(self, name)} must be within 0..1")
        if self.max_grid_distance_km < 0:
            raise InputError(f"max_grid_distance_km={self.max_grid_distance_km} must be >= 0")
        if self.evidence_radius_m <= 0 or self.min_measurements < 1:
            raise InputError(
                f"evidence_radius_m={self.evidence_radius_m} must be > 0 and "
                f"min_measurements={self.min_measurements} >= 1"
            )

    def settings(self) -> dict[str, object]:
        """Return the rules as plain values, for the settings sheet."""
        return {
            "covered_share": self.covered_share,
            "min_electrified_share": self.min_electrified_share,
            "max_grid_distance_km": self.max_grid_distance_km,
            "evidence_radius_m": self.evidence_radius_m,
            "min_measurements": self.min_measurements,
            "households_without_both": "households of villages without both, the smaller of "
            "the two counts (a lower bound)",
        }


@dataclass(frozen=True)
class GapList:
    """The result of :func:`gap_list`.

    Attributes
    ----------
    villages : geopandas.GeoDataFrame
        One row per input village with :data:`GAP_LIST_COLUMNS`, in the input CRS.
    communes, provinces : pandas.DataFrame
        Totals per commune and per province (:data:`SUMMARY_COLUMNS`).
    households : geopandas.GeoDataFrame or None
        Each household with its predicted signal and status, when households were given.
    settings : dict
        Model, link budget, criteria and thresholds used, for the record.
    signal_setup : SignalSetup or None
        The setup the list was made with, as a value (its metric CRS, its DEM even when
        made in memory); None for a list read from a file, whose settings say it.
    """

    villages: gpd.GeoDataFrame
    communes: pd.DataFrame
    provinces: pd.DataFrame
    households: gpd.GeoDataFrame | None
    settings: dict[str, object] = field(default_factory=dict)
    signal_setup: SignalSetup | None = field(default=None, compare=False)

    @property
    def setup(self) -> SignalSetup:
        """The signal setup the gap list was made with.

        The value it kept (:attr:`signal_setup`); for a list read from a file, the one its
        settings record (:meth:`SignalSetup.from_settings`: a file's settings cannot hold
        the DEM, so the terrain model reads it again from the file they name, or falls back
        on RMa LOS with a warning when it is gone).
        """
        if self.signal_setup is not None:
            return self.signal_setup
        return SignalSetup.from_settings(self.settings)

    def totals(self) -> dict[str, int]:
        """Totals over all provinces of :data:`SUMMARY_COLUMNS`."""
        total = self.provinces[list(SUMMARY_COLUMNS)].sum()
        return {column: int(total[column]) for column in SUMMARY_COLUMNS}

    def unlisted_counts(self) -> tuple[int, int]:
        """Return the unlisted settlements and their households without signal.

        Settlements no list names are found in building footprints; (0, 0) without them.
        """
        return unlisted_counts(self.villages)

    def headline(self, language: Language = "en") -> str:
        """One sentence with the totals a department reports.

        Parameters
        ----------
        language : {"en", "vi"}, default "en"
            The language of the sentence.

        Returns
        -------
        str
        """
        return words(language).gaps_headline(self.totals(), self.settings, self.unlisted_counts())


def grid_distance_km(points: gpd.GeoDataFrame, grid: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    """Distance in km from each point (representative point) to the nearest grid line."""
    lines = grid.to_crs(crs).geometry.to_numpy()
    xy = points.to_crs(crs).geometry.representative_point().to_numpy()
    index, distance = shapely.STRtree(lines).query_nearest(
        xy, return_distance=True, all_matches=False
    )
    out = np.full(len(xy), np.nan)
    out[index[0]] = distance
    return out / 1000.0


def gap_list(  # noqa: PLR0913 - the province's layers and rules
    villages: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    households: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
    criteria: GapCriteria | None = None,
    measurements: gpd.GeoDataFrame | None = None,
    client: Client | None = None,
    progress: bool | None = None,
    buildings: gpd.GeoDataFrame | str | PathLike | None = None,
    population: Population | str | PathLike | None = None,
    communes: gpd.GeoDataFrame | None = None,
) -> GapList:
    """Find the villages without signal or without power and list them.

    Parameters
    ----------
    villages, towers : geopandas.GeoDataFrame
        Validated layers (:mod:`whitespot.data`).
    setup : SignalSetup, optional
        How signal is predicted (model, DEM, link budget, environment, extrapolation,
        technology filter, metric CRS); default ``SignalSetup()``. Stored in the settings
        with the metric CRS it resolved to (:attr:`GapList.setup`).
    households : geopandas.GeoDataFrame, optional
        Validated households with ``village_id``; signal is then predicted per household
        and a village's share of covered households decides its status. Without them the
        signal at the village point stands for all its households. Every household must
        name a village of `villages`: households of villages absent from it are refused
        (they would be left out of every count), naming them and their village ids.
    grid : geopandas.GeoDataFrame, optional
        Power lines, for the grid distance.
    criteria : GapCriteria, optional
        Village rules (covered share, electrified share, grid distance, evidence radius).
    measurements : geopandas.GeoDataFrame, optional
        Validated measured levels (:func:`whitespot.data.validate_measurements`): each
        village's evidence beside the survey column of `villages` (``survey_signal``).
        A village the survey or the measurements find without signal stays on the list
        even when predicted covered; every contradiction is flagged ``check_in_field``.
    client : distributed.Client, optional
        Predict the households as Dask tasks on this cluster, in tiles of
        :data:`~whitespot.coverage._tiles.HOUSEHOLDS_PER_TILE`, and tally footprint files
        one task per file; the result is the same as without it
        (``pip install 'whitespot[dask]'``).
    progress : bool, optional
        Show a progress bar.
    buildings, population : optional
        Footprints (:func:`whitespot.data.read_buildings`, or its file or folder of files,
        then read and tallied one file at a time: a country's footprints need not fit in
        memory) and a count raster
        (:func:`whitespot.data.read_population` or its file): every row gets the estimate
        columns (:func:`whitespot.department.estimate_households`), and the settlements no
        list names (:func:`whitespot.department.unlisted_settlements`) follow the villages
        as rows with ``unlisted`` True, judged alike and counted apart.
    communes : geopandas.GeoDataFrame, optional
        Commune polygons (``commune_code``) that name the unlisted settlements' communes.

    Returns
    -------
    GapList
        Villages (every input village once, input order), summaries, households, settings.

    Raises
    ------
    ValidationError
        When households name villages absent from `villages`.
    """
    if households is not None:
        _refuse_orphans(villages, households)
    villages, estimated = with_footprints(
        villages,
        buildings,
        population,
        communes=communes,
        crs=setup.crs if setup else None,
        client=client,
        progress=progress,
    )
    setup, engine, overlap = prepare_gap_list(villages, towers, setup)
    household_layer = tally = None
    if households is not None:
        tiles = [
            households.iloc[start : start + HOUSEHOLDS_PER_TILE]
            for start in range(0, len(households), HOUSEHOLDS_PER_TILE)
        ] or [households]
        parts = run_tiles(
            household_signal,
            tiles,
            engine,
            setup.budget,
            client=client,
            progress=progress,
            desc="households",
        )
        household_layer = gpd.GeoDataFrame(
            pd.concat(parts, ignore_index=True), geometry=households.geometry.name
        )
        tally = village_tally(villages["village_id"].reset_index(drop=True), household_layer)
    gaps = assemble_gap_list(
        villages,
        engine,
        setup,
        overlap,
        tally,
        grid,
        criteria,
        measurements=measurements,
        progress=progress,
    )
    return replace(gaps, households=household_layer, settings={**gaps.settings, **estimated})


def _refuse_orphans(villages: gpd.GeoDataFrame, households: gpd.GeoDataFrame) -> None:
    """Refuse households whose village is not in the villages layer, naming them."""
    orphan = unknown_villages(villages["village_id"], households)
    if not orphan.any():
        return
    rows = households.get("household_id", households.index)
    raise ValidationError(
        [
            Problem(
                "households",
                "village_id",
                "unknown_village",
                f"{orphans_text(households['village_id'][orphan])}: {ORPHANS_FIX}",
                tuple(np.asarray(rows)[orphan]),
            )
        ]
    )


def prepare_gap_list(
    villages: gpd.GeoDataFrame, towers: gpd.GeoDataFrame, setup: SignalSetup | None
) -> tuple[SignalSetup, SignalEngine, TowerOverlap]:
    """Resolve the setup in the villages' metric CRS, prepare the towers, check the overlap.

    Warns :class:`~whitespot.data.TowersFarWarning` when few villages have a tower near.
    """
    setup = setup or SignalSetup()
    setup = setup.in_crs(metric_crs(villages, setup.crs))
    overlap = towers_overlap(villages, setup.heard(towers))
    if overlap.suspicious:
        warnings.warn(overlap.message(), TowersFarWarning, stacklevel=3)
    return setup, SignalEngine.prepare(towers, setup, past_range=True), overlap


def assemble_gap_list(  # noqa: PLR0913 - the prepared engine and the province's layers
    villages: gpd.GeoDataFrame,
    engine: SignalEngine,
    setup: SignalSetup,
    overlap: TowerOverlap,
    tally: pd.DataFrame | None,
    grid: gpd.GeoDataFrame | None,
    criteria: GapCriteria | None,
    *,
    measurements: gpd.GeoDataFrame | None = None,
    progress: bool | None = None,
) -> GapList:
    """Classify the villages from their households' tally (or their own point) and list them.

    Parameters
    ----------
    tally : pandas.DataFrame, optional
        :func:`~whitespot.coverage._tiles.village_tally` of all households, summed over
        tiles; None evaluates signal at the village points only.
    measurements : geopandas.GeoDataFrame, optional
        Measured levels, the villages' evidence beside their survey column.

    Returns
    -------
    GapList
        Without the households layer (the caller adds it when it holds one).
    """
    budget, crs = setup.budget, setup.crs
    criteria = criteria or GapCriteria()
    table = pd.DataFrame(villages.drop(columns=villages.geometry.name)).reset_index(drop=True)
    village_signal = engine.predict(villages, progress=progress).reset_index(drop=True)
    per_village = electrified = None
    if tally is not None:  # its last row holds the households of no listed village
        per_village = tally.iloc[: len(table)].reset_index(drop=True)
        village_signal = _village_shares(village_signal, per_village)
        if tally["electrified_known"].sum() > 0:  # households carry electrification
            electrified = per_village
    _classify_signal(table, village_signal, criteria, budget, tally is not None)
    village_xy = projected_xy(villages, crs)
    if engine.indoors is not None:
        _classify_indoors(table, engine, village_xy, village_signal, per_village, criteria)
    _mark_beyond_range(table, engine, village_xy, budget.weak_band_db)
    measured, per_network = measured_at_villages(
        villages,
        measurements,
        setup,
        radius_m=criteria.evidence_radius_m,
        min_samples=criteria.min_measurements,
    )
    sampled = np.unique(per_network["village"].to_numpy(dtype=np.int64))
    predicted = engine.network_margins(village_xy[sampled])
    predicted["point"] = sampled[predicted["point"].to_numpy(dtype=np.int64)]
    continued = None
    if engine.continued is not None:  # the networks that could serve villages beyond range
        beyond = sampled[table["signal_status"].to_numpy()[sampled] == BEYOND_MODEL_RANGE]
        continued = engine.continued.network_margins(village_xy[beyond])
        continued["point"] = beyond[continued["point"].to_numpy(dtype=np.int64)]
    weigh_evidence(table, measured, per_network, predicted, budget.weak_band_db, continued)
    if setup.uses_terrain:
        table["terrain_fallback"] = _terrain_fallback(village_signal, per_village)
    if engine.indoors is not None:
        _bound_indoors(table)
    if setup.location_stated:
        table["area_coverage_probability"] = np.round(
            engine.area_coverage(table["best_tower_id"]), 4
        )
    _classify_power(table, villages, grid, crs, criteria, household_power=electrified)
    table["gap_type"] = _gap_type(_judged_status(table), table["power_status"])
    _criteria_fields(table, budget)
    table["criteria"] = words("en").criteria(table, criteria.settings())

    located = add_lonlat(villages.reset_index(drop=True))
    table["lon"], table["lat"] = located["lon"].to_numpy(), located["lat"].to_numpy()
    for column in ("name", "province_code", "commune_code"):
        if column not in table:
            table[column] = ""
    extra = [c for c in table.columns if c not in GAP_LIST_COLUMNS]
    out = gpd.GeoDataFrame(
        table[list(GAP_LIST_COLUMNS) + extra],
        geometry=villages.geometry.to_numpy(),
        crs=villages.crs,
    )
    settings = {
        **setup.settings(),
        "signal_evaluated_at": "households" if tally is not None else "village points",
        **criteria.settings(),
        "evidence": _evidence_setting(table, measurements, criteria),
    }
    if setup.uses_terrain:
        settings["terrain_fallback"] = _fallback_setting(setup.terrain, table["terrain_fallback"])
    settings["model_range"] = _range_setting(engine, out)
    settings["towers_check"] = overlap.message() or (
        f"ok: {100 * overlap.share_near:.0f}% of villages have a tower within {REACH_KM:g} km"
    )
    return GapList(
        out,
        summarize(listed_only(out), ["province_code", "commune_code"]),
        summarize(listed_only(out), ["province_code"]),
        None,
        settings,
        setup,
    )


def _judged_status(table: pd.DataFrame) -> pd.Series:
    """Return the status a gap list judges villages by: indoors where it has one, else outdoors."""
    return (
        table["indoor_signal_status"] if "indoor_signal_status" in table else table["signal_status"]
    )


def _classify_indoors(
    table: pd.DataFrame,
    engine: SignalEngine,
    village_xy: np.ndarray,
    village_signal: pd.DataFrame,
    tally: pd.DataFrame | None,
    criteria: GapCriteria,
) -> None:
    """Add ``indoor_signal_status`` and ``households_without_indoor_signal``.

    As the outdoor status (:func:`_classify_signal`), from the households' indoor
    statuses, or the village point's where it has no household points.
    """
    weak_band_db = engine.engine.budget.weak_band_db
    at_point = engine.indoor_status(village_xy, village_signal["best_margin_db"], weak_band_db)
    covered_share = (at_point == "covered").astype(float)
    weak_share = (at_point == "weak").astype(float)
    if tally is not None:
        counts = tally["household_points"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            covered_share = np.where(counts > 0, tally["indoor_covered"] / counts, covered_share)
            weak_share = np.where(counts > 0, tally["indoor_weak"] / counts, weak_share)
    households = table["households"].to_numpy(dtype=float)
    table["households_without_indoor_signal"] = np.rint(households * (1.0 - covered_share)).astype(
        np.int64
    )
    table["indoor_covered_share"] = np.round(covered_share, 4)
    table["indoor_signal_status"] = np.where(
        covered_share >= criteria.covered_share,
        "covered",
        np.where(covered_share + weak_share > 0, "weak", "none"),
    )


def _bound_indoors(table: pd.DataFrame) -> None:
    """Keep the indoor status no better than the final outdoor one.

    A village the field finds without signal outdoors has none indoors either; one beyond
    the model's range is not judged indoors either.
    """
    outdoor = table["signal_status"].to_numpy().astype(str)
    indoor = table["indoor_signal_status"].to_numpy().astype(str)
    worse = _status_rank(outdoor) < _status_rank(indoor)
    indoor = np.where(worse | (outdoor == BEYOND_MODEL_RANGE), outdoor, indoor)
    table["indoor_signal_status"] = indoor
    table["households_without_indoor_signal"] = np.maximum(
        table["households_without_indoor_signal"], table["households_without_signal"]
    )


def _mark_beyond_range(
    table: pd.DataFrame, engine: SignalEngine, village_xy: np.ndarray, weak_band_db: float
) -> None:
    """Give the villages that only the model's distance limit leaves without signal their status.

    A village not covered within the model's validity distance is ``beyond_model_range``
    when the model continued past that distance (:meth:`SignalEngine.margin_past_range`)
    gives it a better status: the limit, not a prediction, would put it on the list.
    """
    status = table["signal_status"].to_numpy().astype(object)
    open_rows = np.flatnonzero(status != "covered")
    past = signal_status(engine.margin_past_range(village_xy[open_rows]), weak_band_db)
    better = _status_rank(past) > _status_rank(status[open_rows])
    status[open_rows[better]] = BEYOND_MODEL_RANGE
    table["signal_status"] = status.astype(str)


def _status_rank(status: np.ndarray) -> np.ndarray:
    """Order of signal statuses: none 0, weak 1, covered 2."""
    return np.select([status == "covered", status == "weak"], [2, 1], 0)


def _range_setting(engine: SignalEngine, gaps: pd.DataFrame) -> str:
    """Say how far the model is used and how many villages lie beyond it."""
    if engine.continued is None:
        return f"towers heard up to {engine.max_distance_km:g} km"
    beyond = int((gaps["predicted_signal_status"] == BEYOND_MODEL_RANGE).sum())
    return (
        f"{engine.engine.model.name} is valid to {engine.max_distance_km:g} km: "
        f"{counted(beyond, 'village')} covered only by the model continued past it are "
        f"{BEYOND_MODEL_RANGE}, counted apart (the field, --extrapolate or a model valid "
        "farther decides them)"
    )


def _evidence_setting(
    table: pd.DataFrame, measurements: gpd.GeoDataFrame | None, criteria: GapCriteria
) -> str:
    """Say what evidence the gap list weighed: survey answers and measurements."""
    surveyed = int(table["survey_signal"].notna().sum())
    sampled = int((table["measurements"] > 0).sum())
    given = 0 if measurements is None else len(measurements)
    silent = 0
    if measurements is not None and "no_service" in measurements:
        silent = int(measurements["no_service"].sum())
    where = f" ({silent:,} where the phone found no network)" if silent else ""
    return (
        f"survey answers for {counted(surveyed, 'village')}; {given:,} measurements{where}, "
        f"{sampled:,} villages with samples within {criteria.evidence_radius_m:g} m (median "
        f"per technology of at least {criteria.min_measurements}); a village the field "
        "finds without signal stays on the list, every contradiction is flagged check_in_field"
    )


def _village_shares(at_village: pd.DataFrame, tally: pd.DataFrame) -> pd.DataFrame:
    """Add each village's shares of covered and weak households to its point's signal."""
    counts = tally["household_points"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        at_village["covered_share"] = np.where(counts > 0, tally["covered"] / counts, np.nan)
        at_village["weak_share"] = np.where(counts > 0, tally["weak"] / counts, np.nan)
    at_village["household_points"] = counts.astype(np.int64)
    return at_village


def _classify_signal(
    table: pd.DataFrame,
    signal: pd.DataFrame,
    criteria: GapCriteria,
    budget: LinkBudget,
    per_household: bool,
) -> None:
    households = table["households"].to_numpy(dtype=float)
    at_point = signal_status(signal["best_margin_db"], budget.weak_band_db)
    point_covered = (at_point == "covered").astype(float)
    point_weak = (at_point == "weak").astype(float)
    if per_household:
        # villages without household points fall back on the signal at the village point
        no_points = signal["household_points"].to_numpy() == 0
        covered_share = np.where(no_points, point_covered, signal["covered_share"].to_numpy())
        weak_share = np.where(no_points, point_weak, signal["weak_share"].to_numpy())
        table["household_points"] = signal["household_points"].to_numpy()
    else:
        covered_share, weak_share = point_covered, point_weak
    without = np.rint(households * (1.0 - covered_share)).astype(np.int64)
    weak = np.minimum(np.rint(households * weak_share).astype(np.int64), without)
    table["households_without_signal"] = without
    table["households_weak_signal"] = weak
    table["covered_share"] = np.round(covered_share, 4)
    status = np.where(
        covered_share >= criteria.covered_share,
        "covered",
        np.where(covered_share + weak_share > 0, "weak", "none"),
    )
    table["signal_status"] = status
    for column in (
        "best_signal_dbm",
        "best_tower_id",
        "best_operator",
        "best_technology",
        "nearest_tower_km",
        "best_margin_db",
    ):
        table[column] = signal[column].array


def _terrain_fallback(village_signal: pd.DataFrame, tally: pd.DataFrame | None) -> np.ndarray:
    """Villages with a path (to the village point or a household) off the DEM."""
    flagged = village_signal["terrain_fallback"].to_numpy(dtype=bool).copy()
    if tally is not None:
        flagged |= tally["fallback"].to_numpy() > 0
    return flagged


def _fallback_setting(terrain: Terrain, flagged: pd.Series) -> str:
    if terrain.fallback is None:
        return "none: every path lies on the DEM (paths off it are refused)"
    return (
        f"{terrain.fallback} model without diffraction where the DEM has no ground: "
        f"{counted(int(flagged.sum()), 'village')} (column terrain_fallback)"
    )


def power_rule(
    electrified: np.ndarray,
    grid_distance_km: np.ndarray,
    households: np.ndarray,
    criteria: GapCriteria,
) -> tuple[np.ndarray, np.ndarray]:
    """Judge power per village: the one rule of every gap list.

    Parameters
    ----------
    electrified : numpy.ndarray
        Share of households with grid power, 0..1; NaN where unknown.
    grid_distance_km : numpy.ndarray
        Distance to the nearest power line, km; NaN where no grid was given.
    households : numpy.ndarray
        Households per village.
    criteria : GapCriteria
        ``min_electrified_share`` and ``max_grid_distance_km``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The power status (``ok``, ``none``, ``unknown``) and the households without power
        (NaN where neither the share nor the distance says it).
    """
    known = ~np.isnan(electrified)
    far = grid_distance_km > criteria.max_grid_distance_km
    no_power = (known & (electrified < criteria.min_electrified_share)) | (~known & far)
    status = np.where(
        no_power, "none", np.where(known | ~np.isnan(grid_distance_km), "ok", "unknown")
    )
    without = np.where(
        known,
        np.rint(households * (1.0 - np.nan_to_num(electrified))),
        np.where(far, households, np.nan),
    )
    return status, without


def _classify_power(
    table: pd.DataFrame,
    villages: gpd.GeoDataFrame,
    grid: gpd.GeoDataFrame | None,
    crs: CRS,
    criteria: GapCriteria,
    household_power: pd.DataFrame | None,
) -> None:
    """Add power status and households without power.

    `household_power` is the per-village tally when households carry electrification:
    then the share of a village's household points not electrified, times its households,
    replaces its share's estimate (so the count never passes ``households``, as for signal).
    """
    share = (
        table["electrified"].to_numpy(dtype=float, na_value=np.nan)
        if "electrified" in table
        else np.full(len(table), np.nan)
    )
    distance = (
        grid_distance_km(villages, grid, crs)
        if grid is not None and len(grid)
        else np.full(len(table), np.nan)
    )
    table["electrified"] = share
    table["grid_distance_km"] = np.round(distance, 3)
    status, without = power_rule(
        share, distance, table["households"].to_numpy(dtype=float), criteria
    )
    table["power_status"] = status
    known = ~np.isnan(share)
    households_count = table["households"].to_numpy(dtype=float)
    if household_power is not None:  # the share of its points, as for signal: <= households
        points = household_power["household_points"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            dark_share = household_power["dark"].to_numpy(dtype=float) / points
        without = np.where((points > 0) & known, np.rint(households_count * dark_share), without)
    table["households_without_power"] = pd.array(
        np.where(np.isnan(without), pd.NA, without), dtype="Int64"
    )


def _gap_type(signal: pd.Series, power: pd.Series) -> np.ndarray:
    signal = signal.to_numpy()
    no_signal = np.isin(signal, ["weak", "none"])
    no_power = power.to_numpy() == "none"
    return np.select(
        [no_signal & no_power, no_signal, no_power, signal == BEYOND_MODEL_RANGE],
        ["no_signal_no_power", "no_signal", "no_power", BEYOND_MODEL_RANGE],
        "ok",
    )


def _criteria_fields(table: pd.DataFrame, budget: LinkBudget) -> None:
    """Add the threshold of each village's best server (dBm) and its measure, as fields."""
    technology = pd.Series(table["best_technology"], dtype="string").fillna("")
    table["threshold_dbm"] = technology.map(
        lambda t: budget.threshold_dbm(t) if t else np.nan
    ).astype(float)
    table["threshold_measure"] = technology.map(
        lambda t: TECHNOLOGY_DEFAULTS[t].measure if t else ""
    ).astype("string")


def summarize(gaps: gpd.GeoDataFrame | pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Totals of a gap list per group (province, commune ...): :data:`SUMMARY_COLUMNS`.

    Parameters
    ----------
    gaps : geopandas.GeoDataFrame or pandas.DataFrame
        Villages of a gap list (:data:`GAP_LIST_COLUMNS`).
    by : list of str
        Columns to group by (``["province_code", "commune_code"]`` ...); ``[]`` for one row.

    Returns
    -------
    pandas.DataFrame
        One row per group: :data:`SUMMARY_COLUMNS` (villages and households per status).
    """
    frame = pd.DataFrame(gaps)
    evidence = frame.get("evidence", pd.Series("no_evidence", index=frame.index)).fillna(
        "no_evidence"
    )
    to_check = frame.get("check_in_field", pd.Series(False, index=frame.index))
    status = _judged_status(frame)
    without_signal = frame.get(
        "households_without_indoor_signal", frame["households_without_signal"]
    )
    no_signal = status.isin(["weak", "none"])
    beyond = (status == BEYOND_MODEL_RANGE).to_numpy()
    no_power = frame["power_status"] == "none"
    both = no_signal & no_power
    households = frame["households"].astype(np.int64)
    parts = pd.DataFrame(
        {
            **{column: frame[column].fillna("") for column in by},
            "villages": 1,
            "households": households,
            "villages_without_signal": no_signal.astype(int),
            "households_without_signal": np.where(beyond, 0, without_signal.astype(np.int64)),
            "villages_without_power": no_power.astype(int),
            "households_without_power": frame["households_without_power"]
            .fillna(0)
            .astype(np.int64),
            "villages_without_both": both.astype(int),
            "households_without_both": np.where(
                both,
                np.minimum(without_signal, frame["households_without_power"].fillna(0)),
                0,
            ),
            "villages_beyond_model_range": beyond.astype(int),
            "villages_location_unknown": (frame["gap_type"] == LOCATION_UNKNOWN).astype(int),
            "households_beyond_model_range": np.where(beyond, households, 0),
            **{f"villages_{kind}": (evidence == kind).astype(int) for kind in EVIDENCE_CLASSES},
            "villages_to_check": to_check.fillna(False).astype(bool).astype(int),
        }
    )
    return parts.groupby(by, sort=True, as_index=False)[list(SUMMARY_COLUMNS)].sum()
