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

from whitespot.coverage.budget import LinkBudget
from whitespot.coverage.setup import SignalSetup
from whitespot.data import TECHNOLOGIES, projected_xy

EVIDENCE_CLASSES = (
    "no_evidence",
    "agrees",
    "survey_contradicts_prediction",
    "measurements_contradict_prediction",
)
"""no_evidence: neither a survey answer nor enough measurements; agrees: what is known
agrees with the prediction (covered or not); survey_contradicts_prediction: the survey
says otherwise (it wins over measurements); measurements_contradict_prediction: the
measurements do."""

EVIDENCE_COLUMNS = (
    "evidence",
    "evidence_finding",
    "check_in_field",
    "survey_signal",
    "measured_signal_dbm",
    "measured_technology",
    "measurements",
)
"""Columns :func:`weigh_evidence` adds to the gap list."""


def measured_at_villages(
    villages: gpd.GeoDataFrame,
    measurements: gpd.GeoDataFrame,
    setup: SignalSetup,
    *,
    radius_m: float,
    min_samples: int,
) -> pd.DataFrame:
    """Median measured level near each village, per technology, and the best of them.

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
        A technology's median counts as evidence from this many samples on.

    Returns
    -------
    pandas.DataFrame
        One row per village (positional): ``measurements`` (samples within the radius, all
        technologies), ``measured_signal_dbm`` (median level of the technology with the
        largest margin over its threshold, among those with `min_samples`),
        ``measured_technology`` and ``measured_status`` (covered, weak, none or missing),
        judged like the prediction (margins of the link budget subtracted), and
        ``margin_<technology>_db``, the margin of each technology's median (NaN where that
        technology has fewer than `min_samples`).
    """
    size = len(villages)
    out = pd.DataFrame(
        {
            "measurements": np.zeros(size, dtype=np.int64),
            "measured_signal_dbm": np.full(size, np.nan),
            "measured_technology": pd.array([pd.NA] * size, dtype="string"),
            "measured_status": pd.array([pd.NA] * size, dtype="string"),
            **{f"margin_{kind}_db": np.full(size, np.nan) for kind in TECHNOLOGIES},
        }
    )
    if measurements is None or not len(measurements) or not size:
        return out
    if setup.technology is not None:
        measurements = measurements[measurements["technology"] == setup.technology]
    village_xy = projected_xy(villages, setup.crs)
    sample_xy = projected_xy(measurements, setup.crs)
    near = cKDTree(village_xy).sparse_distance_matrix(
        cKDTree(sample_xy), radius_m, output_type="ndarray"
    )
    pairs = pd.DataFrame(
        {
            "village": near["i"],
            "technology": measurements["technology"].to_numpy().astype(str)[near["j"]],
            "level_dbm": measurements["signal_dbm"].to_numpy(dtype=float)[near["j"]],
        }
    )
    out["measurements"] = np.bincount(pairs["village"], minlength=size)
    per_technology = pairs.groupby(["village", "technology"], sort=True)["level_dbm"].agg(
        ["median", "size"]
    )
    per_technology = per_technology[per_technology["size"] >= min_samples].reset_index()
    if per_technology.empty:
        return out
    per_technology["margin_db"] = per_technology["median"] - _thresholds(
        per_technology["technology"], setup.budget
    )
    for kind, rows in per_technology.groupby("technology").indices.items():
        chosen = per_technology.iloc[rows]
        out.loc[chosen["village"].to_numpy(), f"margin_{kind}_db"] = chosen["margin_db"].to_numpy()
    best = per_technology.sort_values(
        ["village", "margin_db", "technology"], ascending=[True, False, True]
    ).drop_duplicates("village")
    rows = best["village"].to_numpy()
    margin = best["margin_db"].to_numpy()
    out.loc[rows, "measured_signal_dbm"] = np.round(best["median"].to_numpy(), 1)
    out.loc[rows, "measured_technology"] = best["technology"].to_numpy()
    out.loc[rows, "measured_status"] = np.where(
        margin >= 0, "covered", np.where(margin >= -setup.budget.weak_band_db, "weak", "none")
    )
    return out


def _thresholds(technology: pd.Series, budget: LinkBudget) -> np.ndarray:
    """Threshold plus the budget's margins per row: what a median level must reach, dBm."""
    return technology.map(budget.threshold_dbm).to_numpy(dtype=float) + budget.margin_db


def weigh_evidence(table: pd.DataFrame, measured: pd.DataFrame) -> None:
    """Add the evidence columns to gap-list rows and keep contradicted villages on the list.

    `table` holds the predicted ``signal_status``, ``best_technology``, ``households``,
    ``households_without_signal``, ``households_weak_signal`` and ``survey_signal``. The
    prediction moves to ``predicted_signal_status``; where a survey or the measurements
    find no signal at a village predicted covered, ``signal_status`` takes their status
    and all its households count as without signal (weak: as weak). Every contradiction
    sets ``check_in_field``; ``evidence_finding`` says which way: ``no_signal_found`` where the
    model predicts coverage, ``signal_found`` where it predicts a gap ("" otherwise).

    Measurements judge a village predicted covered only when they include its predicted
    best server's technology (4G samples say nothing of the 2G signal that covers it);
    they judge a predicted gap by any technology they find covered.
    """
    predicted = table["signal_status"].to_numpy().astype(str)
    survey = _text(table.get("survey_signal"), len(table))
    measured_status = _text(measured["measured_status"], len(table))
    predicted_covered = predicted == "covered"

    said = survey != ""
    survey_status = np.select([survey == "yes", survey == "weak"], ["covered", "weak"], "none")
    survey_differs = said & ((survey_status == "covered") != predicted_covered)
    best_technology = _text(table["best_technology"], len(table))
    margins = measured[[f"margin_{kind}_db" for kind in TECHNOLOGIES]].to_numpy(dtype=float)
    column = pd.Index(TECHNOLOGIES).get_indexer(best_technology)
    best_measured = (column >= 0) & np.isfinite(
        margins[np.arange(len(table)), np.maximum(column, 0)]
    )
    found = (measured_status != "") & (best_measured | ~predicted_covered)
    measured_differs = found & ((measured_status == "covered") != predicted_covered)
    evidence = np.select(
        [survey_differs, measured_differs, said | found],
        ["survey_contradicts_prediction", "measurements_contradict_prediction", "agrees"],
        "no_evidence",
    )
    contradicted = survey_differs | measured_differs
    finding = np.where(
        contradicted, np.where(predicted_covered, "no_signal_found", "signal_found"), ""
    )
    # the field's status where it finds no signal at a village the model calls covered
    field_status = np.where(survey_differs, survey_status, measured_status)
    demoted = finding == "no_signal_found"
    households = table["households"].to_numpy(dtype=np.int64)
    table["predicted_signal_status"] = predicted
    table["signal_status"] = np.where(demoted, field_status, predicted)
    table["households_without_signal"] = np.where(
        demoted, households, table["households_without_signal"].to_numpy()
    )
    table["households_weak_signal"] = np.where(
        demoted,
        np.where(field_status == "weak", households, 0),
        table["households_weak_signal"].to_numpy(),
    )
    table["survey_signal"] = pd.array(np.where(said, survey, None), dtype="string")
    for column in ("measured_signal_dbm", "measured_technology", "measurements"):
        table[column] = measured[column].to_numpy()
    table["evidence"] = evidence
    table["evidence_finding"] = finding
    table["check_in_field"] = contradicted


def _text(values: pd.Series | None, size: int) -> np.ndarray:
    """Values as text, "" where missing."""
    if values is None:
        return np.full(size, "", dtype=object)
    return pd.Series(values).astype("string").fillna("").to_numpy(dtype=object)
