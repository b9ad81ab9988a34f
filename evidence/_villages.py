"""Evidence per village: what field surveys and measurements say beside the prediction.

A department's survey answers "Có sóng?" for a village (yes, weak, no); measurements
within a radius give a measured level per technology. Either may contradict the model.
whitespot never lets the model overrule the field toward fewer gaps: a village the survey
or the measurements call without signal stays on the gap list even when the model calls it
covered, and a predicted gap where they show signal stays too; both are flagged for a
check in the field.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from whitespot.data._crs import projected_xy
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE
from whitespot.evidence._measured import operator_keys
from whitespot.radio import LinkBudget, SignalSetup, signal_status

EVIDENCE_CLASSES = (
    "no_evidence",
    "agrees",
    "survey_contradicts_prediction",
    "measurements_contradict_prediction",
    "measurements_partly_contradict",
    "measured_other_network",
    "field_only",
)
"""no_evidence: neither a survey answer nor enough measurements; agrees: what is known
agrees with the prediction (covered or not); survey_contradicts_prediction: the survey
says otherwise (it wins over measurements); measurements_contradict_prediction: every
network the model says covers the village was measured, and none reaches its threshold
(predicted covered), or some network is measured above its threshold (predicted gap);
measurements_partly_contradict: the networks measured are below their thresholds, but
another network the model says covers the village was not measured (the prediction
stands, flagged for a check); measured_other_network: enough samples near the village,
but only of operators or technologies the prediction does not rest on, or, beyond the
model's range, not of every network the model continued past its range says could serve
it (the village stays ``beyond_model_range``); field_only: the village lies beyond the
model's range (``beyond_model_range``), so the survey answer, else a network measured
above its threshold, else every network that could serve it measured below its
threshold, decides its status."""

EVIDENCE_COLUMNS = (
    "evidence",
    "evidence_finding",
    "check_in_field",
    "survey_signal",
    "measured_signal_dbm",
    "measured_operator",
    "measured_technology",
    "measurements",
)
"""Columns :func:`weigh_evidence` adds to the gap list."""

NETWORK_KEYS = ("village", "operator", "technology")
"""A network at a village: an operator's technology (operators folded: case and spaces)."""


def measured_at_villages(
    villages: gpd.GeoDataFrame,
    measurements: gpd.GeoDataFrame,
    setup: SignalSetup,
    *,
    radius_m: float,
    min_samples: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median measured level near each village, per network (operator x technology).

    A phone measures one operator's network in one technology: its samples say nothing of
    another operator's signal, so every network is judged on its own samples.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages (polygons by their representative point).
    measurements : geopandas.GeoDataFrame
        Validated measurements; only the setup's technology counts when it has one.
    setup : SignalSetup
        Resolved setup (``crs`` set): thresholds and margins of the link budget.
    radius_m : float
        Measurements within this distance of the village point count, m.
    min_samples : int
        A network's median counts as evidence from this many samples on.

    Returns
    -------
    per_village : pandas.DataFrame
        One row per village (positional): ``measurements`` (samples within the radius, all
        networks), and for the network with the largest margin among those with
        `min_samples`: ``measured_signal_dbm`` (its median level), ``measured_operator``,
        and ``measured_technology``.
    per_network : pandas.DataFrame
        One row per (village, network) with `min_samples`: :data:`NETWORK_KEYS`,
        ``samples``, ``median_dbm`` and ``measured_margin_db`` (dB over the threshold and
        the budget's margins).
    """
    size = len(villages)
    out = pd.DataFrame(
        {
            "measurements": np.zeros(size, dtype=np.int64),
            "measured_signal_dbm": np.full(size, np.nan),
            "measured_operator": pd.array([pd.NA] * size, dtype="string"),
            "measured_technology": pd.array([pd.NA] * size, dtype="string"),
        }
    )
    per_network = pd.DataFrame(
        {
            "village": np.zeros(0, dtype=np.int64),
            "operator": [],
            "technology": [],
            "samples": np.zeros(0, dtype=np.int64),
            "median_dbm": [],
            "measured_margin_db": [],
        }
    )
    if measurements is None or not len(measurements) or not size:
        return out, per_network
    if setup.technology is not None:
        measurements = measurements[measurements["technology"] == setup.technology]
    village_xy = projected_xy(villages, setup.crs)
    sample_xy = projected_xy(measurements, setup.crs)
    near = cKDTree(village_xy).sparse_distance_matrix(
        cKDTree(sample_xy), radius_m, output_type="ndarray"
    )
    operator, keys, spellings = operator_keys(measurements["operator"])
    keys = np.array(keys, dtype=object)
    pairs = pd.DataFrame(
        {
            "village": near["i"],
            "operator": keys[operator[near["j"]]] if len(keys) else [],
            "technology": measurements["technology"].to_numpy().astype(str)[near["j"]],
            "level_dbm": measurements["signal_dbm"].to_numpy(dtype=float)[near["j"]],
        }
    )
    out["measurements"] = np.bincount(pairs["village"], minlength=size)
    grouped = pairs.groupby(list(NETWORK_KEYS), sort=True)["level_dbm"].agg(["median", "size"])
    grouped = grouped[grouped["size"] >= min_samples].reset_index()
    if grouped.empty:
        return out, per_network
    per_network = pd.DataFrame(
        {
            "village": grouped["village"].to_numpy(dtype=np.int64),
            "operator": grouped["operator"].to_numpy(),
            "technology": grouped["technology"].to_numpy(),
            "samples": grouped["size"].to_numpy(dtype=np.int64),
            "median_dbm": grouped["median"].to_numpy(),
            "measured_margin_db": grouped["median"].to_numpy()
            - _thresholds(grouped["technology"], setup.budget),
        }
    )
    spelling = dict(zip(keys, spellings, strict=True))
    best = per_network.sort_values(
        ["village", "measured_margin_db", "operator", "technology"],
        ascending=[True, False, True, True],
    ).drop_duplicates("village")
    rows = best["village"].to_numpy()
    out.loc[rows, "measured_signal_dbm"] = np.round(best["median_dbm"].to_numpy(), 1)
    out.loc[rows, "measured_operator"] = best["operator"].map(spelling).to_numpy()
    out.loc[rows, "measured_technology"] = best["technology"].to_numpy()
    return out, per_network


def _thresholds(technology: pd.Series, budget: LinkBudget) -> np.ndarray:
    """Threshold plus the budget's margins per row: what a median level must reach, dBm."""
    return technology.map(budget.threshold_dbm).to_numpy(dtype=float) + budget.margin_db


def weigh_evidence(
    table: pd.DataFrame,
    measured: pd.DataFrame,
    per_network: pd.DataFrame,
    predicted: pd.DataFrame,
    weak_band_db: float,
    continued: pd.DataFrame | None = None,
) -> None:
    """Add the evidence columns to gap-list rows and keep contradicted villages on the list.

    `table` holds the predicted ``signal_status``, ``households``,
    ``households_without_signal``, ``households_weak_signal``, ``covered_share`` and
    ``survey_signal``. The prediction moves to ``predicted_signal_status``; where a survey
    or the measurements find no signal at a village predicted covered, ``signal_status``
    takes their status, all its households count as without signal (weak: as weak) and
    ``covered_share`` becomes 0. Every contradiction sets ``check_in_field``;
    ``evidence_finding`` says which way: ``no_signal_found`` where the model predicts
    coverage, ``signal_found`` where it predicts a gap ("" otherwise).

    Each network (operator x technology) is judged on its own samples. A village predicted
    covered is found without signal only when every network the model says covers its
    point was measured and none reaches its threshold there; one network measured above
    its threshold (any operator, any technology) confirms signal. A survey answer is the
    field's word: measurements never overrule it, either way. A village beyond the model's
    range has no prediction to contradict: the survey answer gives its status, else one
    network measured above its threshold (covered), else, judged per network as inside
    the range, every network that could serve it (the model continued past its range
    comes within the weak band) measured and none reaching its threshold (weak or none,
    by the best of them) (``field_only``); with some of those networks not measured it
    stays ``beyond_model_range``, its measurements listed (``measured_other_network``).

    Parameters
    ----------
    measured, per_network : pandas.DataFrame
        :func:`measured_at_villages` of the same villages.
    predicted : pandas.DataFrame
        :meth:`~whitespot.radio.SignalEngine.network_margins` at the village points
        (``point`` is the village's position).
    weak_band_db : float
        Width of the weak band below the threshold, dB.
    continued : pandas.DataFrame, optional
        The same for the villages beyond the model's range, with the model continued past
        it (``SignalEngine.continued``); without it no network is known to serve them, so
        measurements below threshold leave them ``beyond_model_range``.
    """
    size = len(table)
    status = table["signal_status"].to_numpy().astype(str)
    survey = _text(table.get("survey_signal"), size)
    predicted_covered = status == "covered"
    judged_by_model = status != BEYOND_MODEL_RANGE

    said = survey != ""
    survey_status = np.select([survey == "yes", survey == "weak"], ["covered", "weak"], "none")
    survey_differs = said & judged_by_model & ((survey_status == "covered") != predicted_covered)

    judged = _networks_judged(per_network, predicted, size)
    signal_measured = judged["best_measured_db"] >= 0
    all_covering_below = (judged["covering"] > 0) & (
        judged["covering_measured"] == judged["covering"]
    )
    measured_any = judged["networks_measured"] > 0
    # predicted covered, no survey answer, and no network measured above its threshold
    unconfirmed = ~said & predicted_covered & ~signal_measured
    no_signal_found = unconfirmed & all_covering_below
    partly = unconfirmed & (judged["covering_measured"] > 0) & ~all_covering_below
    other_network = unconfirmed & measured_any & (judged["covering_measured"] == 0)
    signal_found = ~said & ~predicted_covered & judged_by_model & signal_measured
    measured_differs = no_signal_found | signal_found
    # beyond the range: judged per network against those the continued model could serve by
    could_serve = _could_serve(continued, weak_band_db)
    past = _networks_judged(per_network, could_serve, size)
    dark_past = (past["covering"] > 0) & (past["covering_measured"] == past["covering"])
    field_only = ~judged_by_model & (said | signal_measured | dark_past)
    beyond_other = ~judged_by_model & ~field_only & measured_any
    evidence = np.select(
        [
            field_only,
            survey_differs,
            measured_differs,
            partly,
            other_network | beyond_other,
            said | measured_any,
        ],
        [
            "field_only",
            "survey_contradicts_prediction",
            "measurements_contradict_prediction",
            "measurements_partly_contradict",
            "measured_other_network",
            "agrees",
        ],
        "no_evidence",
    )
    contradicted = survey_differs | measured_differs
    finding = np.where(
        contradicted, np.where(predicted_covered, "no_signal_found", "signal_found"), ""
    )
    # the field's status where it finds no signal at a village the model calls covered
    field_status = np.where(
        survey_differs, survey_status, signal_status(judged["covering_best_db"], weak_band_db)
    )
    demoted = finding == "no_signal_found"
    # beyond the model's range: the survey, else a network above its threshold, else the
    # best of the networks that could serve it (all measured)
    measured_past = np.where(signal_measured, judged["best_measured_db"], past["covering_best_db"])
    field_status = np.where(
        field_only,
        np.where(said, survey_status, signal_status(measured_past, weak_band_db)),
        field_status,
    )
    decided = demoted | field_only
    households = table["households"].to_numpy(dtype=np.int64)
    field_covered = field_status == "covered"
    table["predicted_signal_status"] = status
    table["signal_status"] = np.where(decided, field_status, status)
    table["households_without_signal"] = np.where(
        decided,
        np.where(field_covered, 0, households),
        table["households_without_signal"].to_numpy(),
    )
    table["households_weak_signal"] = np.where(
        decided,
        np.where(field_status == "weak", households, 0),
        table["households_weak_signal"].to_numpy(),
    )
    if "covered_share" in table:
        table["covered_share"] = np.where(
            decided, field_covered.astype(float), table["covered_share"].to_numpy()
        )
    table["survey_signal"] = pd.array(np.where(said, survey, None), dtype="string")
    for column in (
        "measured_signal_dbm",
        "measured_operator",
        "measured_technology",
        "measurements",
    ):
        table[column] = measured[column].to_numpy()
    table["evidence"] = evidence
    table["evidence_finding"] = finding
    table["check_in_field"] = contradicted | partly


def _could_serve(continued: pd.DataFrame | None, weak_band_db: float) -> pd.DataFrame:
    """Networks the continued model brings within the weak band, as covering (margin 0)."""
    if continued is None:
        return pd.DataFrame(
            {"point": np.zeros(0, dtype=np.int64), "operator": [], "technology": []}
        ).assign(margin_db=0.0)
    near = continued[continued["margin_db"] >= -weak_band_db]
    return near.assign(margin_db=0.0)


def _networks_judged(
    per_network: pd.DataFrame, predicted: pd.DataFrame, size: int
) -> dict[str, np.ndarray]:
    """Per village: networks predicted to cover it, how many of them are measured, margins.

    Returns
    -------
    dict of numpy.ndarray
        ``covering`` (networks with a predicted margin >= 0), ``covering_measured`` (of
        them, measured with enough samples), ``covering_best_db`` (best measured margin
        among those, dB; -inf where none), ``best_measured_db`` (best measured margin of
        any network, dB; -inf where none) and ``networks_measured``.
    """
    keys = list(NETWORK_KEYS)
    covering = predicted[predicted["margin_db"] >= 0].rename(columns={"point": "village"})
    joined = covering[keys].merge(per_network, on=keys, how="inner")

    def per_village(values: np.ndarray, villages: np.ndarray, fill: float) -> np.ndarray:
        out = np.full(size, fill)
        if len(villages):
            np.maximum.at(out, villages, values)
        return out

    return {
        "covering": np.bincount(covering["village"].to_numpy(dtype=np.int64), minlength=size),
        "covering_measured": np.bincount(
            joined["village"].to_numpy(dtype=np.int64), minlength=size
        ),
        "covering_best_db": per_village(
            joined["measured_margin_db"].to_numpy(dtype=float),
            joined["village"].to_numpy(dtype=np.int64),
            -np.inf,
        ),
        "best_measured_db": per_village(
            per_network["measured_margin_db"].to_numpy(dtype=float),
            per_network["village"].to_numpy(dtype=np.int64),
            -np.inf,
        ),
        "networks_measured": np.bincount(
            per_network["village"].to_numpy(dtype=np.int64), minlength=size
        ),
    }


def _text(values: pd.Series | None, size: int) -> np.ndarray:
    """Values as text, "" where missing."""
    if values is None:
        return np.full(size, "", dtype=object)
    return pd.Series(values).astype("string").fillna("").to_numpy(dtype=object)
