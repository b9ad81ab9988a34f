"""Every sentence whitespot writes, in English, rendered from fields.

One module of sentences per language, the same names in each (:mod:`._words_vi`; the
parity is tested in ``tests/data/test_words.py``): the criteria behind each row of a gap
list, the headlines of a gap list, a progress comparison and a data-quality report, and
the texts of the one-page summary and the packages. Each function takes the fields the
computing floors produce (statuses and codes from :mod:`whitespot.data._vocabulary`,
counts, levels in dBm, distances in km, the rules in a gap list's settings) and returns
text; no sentence is parsed back.

The modules live on the data floor, the lowest, because their users span the house:
``coverage`` writes the ``criteria`` column and the headline of every gap list in English,
``department`` the data-quality headline, ``report`` the Vietnamese and English packages
and ``cli`` prints them. A higher floor could not serve the lower ones (the floors import
one way), and the floors above coverage keep only the choice of language
(:func:`whitespot.data._words.words`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from whitespot.data._labels import counted
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE, LOCATION_UNKNOWN

LANGUAGE = "en"
"""The language of this module's sentences (ISO 639-1)."""


def number(value: float, decimals: int = 0) -> str:
    """Write a number with ``,`` between thousands and ``.`` before decimals: 1,354.5.

    Parameters
    ----------
    value : float
        The number.
    decimals : int, default 0
        Digits after the decimal point.

    Returns
    -------
    str
    """
    return f"{value:,.{decimals}f}"


_COUNTED_AS_ZERO = "; households missing or unreadable in the file: counted as 0 (see data quality)"
"""Added to the criteria of a village whose household count could not be read."""

_COPY = " (the same village pasted twice): not counted in the totals"
"""Added, after the id it copies, to the criteria of a row that repeats an earlier one."""

_BEYOND_TEXT = (
    " - covered only by the model continued past its validity distance: not judged by the "
    "model (a survey, measurements, --extrapolate or a model valid farther decides)"
)
"""Added to the criteria of a village beyond the model's range."""

_FINDINGS = {
    "no_signal_found": " - no signal found where the model predicts coverage: kept on the "
    "list, check in the field",
    "signal_found": " - signal found where the model predicts a gap: check in the field",
}
"""Added to the criteria of a village where the field contradicts the model, per finding."""

_EVIDENCE = {
    "measurements_partly_contradict": " - the networks measured are below their thresholds, "
    "another network predicted to cover the village was not measured: check in the field",
    "measured_other_network": " - measured only on networks the prediction does not rest on "
    "(other operators or technologies): not judged",
}
"""Added to the criteria of a village per evidence class that needs a word of its own."""


def criteria(villages: pd.DataFrame, settings: Mapping[str, object]) -> pd.Series:
    """Write the rules behind each row of a gap list, from its fields.

    Parameters
    ----------
    villages : pandas.DataFrame
        Gap-list rows: statuses, ``gap_type``, ``covered_share``, ``best_signal_dbm``
        (dBm), ``best_tower_id``, ``best_technology``, ``threshold_dbm`` (dBm),
        ``threshold_measure``, ``nearest_tower_km`` (km), ``electrified`` (share 0..1),
        ``grid_distance_km`` (km), the evidence columns where measured or surveyed, the
        indoor columns where judged indoors and, for a department's list, ``source_row``,
        ``households_unknown`` and ``duplicate_of``.
    settings : mapping
        The gap list's rules: ``covered_share``, ``min_electrified_share`` (shares 0..1),
        ``max_grid_distance_km`` (km) and ``evidence_radius_m`` (m).

    Returns
    -------
    pandas.Series of str
        Same index as `villages`.
    """
    unlocated = (villages["gap_type"] == LOCATION_UNKNOWN).to_numpy()
    if unlocated.any():
        out = (
            "no usable coordinates (row "
            + villages["source_row"].astype(str)
            + " of the file): signal not predicted; fix lon/lat"
        ).astype("string")
        if not unlocated.all():
            out[~unlocated] = _located(villages[~unlocated], settings)
    else:
        out = _located(villages, settings)
    if "households_unknown" in villages:
        unknown = villages["households_unknown"].fillna(False).astype(bool).to_numpy()
        out = out.where(~unknown, out + _COUNTED_AS_ZERO)
    copy_of = villages.get("duplicate_of", pd.Series("", index=villages.index)).fillna("")
    copy = (copy_of.astype(str) != "").to_numpy()
    return out.where(~copy, out + "; a copy of " + copy_of.astype(str) + _COPY)


def _located(table: pd.DataFrame, settings: Mapping[str, object]) -> pd.Series:
    """Write the criteria of rows with a location: signal, server, power and evidence."""

    def text(values: object) -> pd.Series:
        return pd.Series(values, index=table.index, dtype="string")

    def rule(name: str) -> float:
        return float(settings[name])  # type: ignore[arg-type]

    technology = text(table["best_technology"]).fillna("")
    threshold = table["threshold_dbm"].map(lambda v: "" if np.isnan(v) else f"{v:g} dBm ") + text(
        table["threshold_measure"]
    ).fillna("")
    signal_dbm = table["best_signal_dbm"].map(lambda v: "" if np.isnan(v) else f"{v:.1f} dBm")
    server = text(
        "best "
        + signal_dbm
        + " from "
        + text(table["best_tower_id"]).fillna("")
        + " ("
        + technology
        + ", threshold "
        + threshold
        + ")"
    ).where(technology != "", "no tower in reach")
    nearest = table["nearest_tower_km"].map(
        lambda v: "no tower" if np.isnan(v) else f"nearest tower {v:.1f} km"
    )
    covered = (100 * table["covered_share"].fillna(0)).round().astype(int).astype(str)
    status = text(table["signal_status"])
    if "predicted_signal_status" in table:
        predicted = text(table["predicted_signal_status"]).fillna(status)
        status = status.where(predicted == status, status + " (predicted " + predicted + ")")
    signal_part = (
        "signal " + status + ": " + covered + "% of households covered "
        f"(needs {100 * rule('covered_share'):g}%); " + server + ", " + nearest
    )
    predicted = text(table.get("predicted_signal_status", table["signal_status"]))
    signal_part = signal_part.where(predicted != BEYOND_MODEL_RANGE, signal_part + _BEYOND_TEXT)
    share = table["electrified"]
    electrified = text(
        "electrified "
        + (100 * share.fillna(0)).round().astype(int).astype(str)
        + f"% (needs {100 * rule('min_electrified_share'):g}%)"
    ).where(share.notna(), "electrification unknown")
    limit = rule("max_grid_distance_km")
    grid = table["grid_distance_km"].map(
        lambda v: "" if np.isnan(v) else f", grid {v:.1f} km (limit {limit:g} km)"
    )
    if "indoor_signal_status" in table:
        indoor_share = (100 * table["indoor_covered_share"].fillna(0)).round().astype(int)
        signal_part = (
            signal_part
            + "; indoors "
            + text(table["indoor_signal_status"])
            + ": "
            + indoor_share.astype(str)
            + "% of households covered (see settings: indoor_model)"
        )
    out = signal_part + "; power " + text(table["power_status"]) + ": " + electrified + grid
    if "evidence" in table:
        out = out + _evidence(table, rule("evidence_radius_m"))
    return out


def _evidence(table: pd.DataFrame, radius_m: float) -> pd.Series:
    """Write the survey answer, the measured level and any contradiction of each row."""
    index = table.index
    survey = pd.Series(table["survey_signal"], index=index, dtype="string")
    survey_part = ("; survey: " + survey).fillna("")
    count = pd.Series(table["measurements"], index=index).fillna(0).astype(int)
    level = pd.Series(table["measured_signal_dbm"], index=index, dtype=float)
    network = (
        pd.Series(table["measured_operator"], index=index, dtype="string").fillna("")
        + " "
        + pd.Series(table["measured_technology"], index=index, dtype="string").fillna("")
    ).str.strip()
    within = f" within {radius_m:g} m"
    measured = (
        "; measured "
        + level.map(lambda v: f"{v:.1f}")
        + " dBm (best network "
        + network
        + " median; "
        + count.astype(str)
        + " samples"
        + within
        + ")"
    )
    few = "; " + count.astype(str) + " samples" + within + " (too few to judge)"
    measured = measured.where(level.notna(), few.where(count > 0, ""))
    finding = pd.Series(table["evidence_finding"], index=index).map(_FINDINGS).fillna("")
    evidence = pd.Series(table["evidence"], index=index).map(_EVIDENCE).fillna("")
    return survey_part + measured + finding + evidence


def gaps_headline(
    totals: Mapping[str, int], settings: Mapping[str, object], unlisted: tuple[int, int]
) -> str:
    """Write the totals a department reports about a gap list, in one sentence.

    Parameters
    ----------
    totals : mapping
        :meth:`whitespot.coverage.GapList.totals`: villages and households without
        signal, without power, without both, beyond the model's range, without a location,
        and the villages per evidence class.
    settings : mapping
        The gap list's settings: ``receiver`` (indoor or outdoor) and
        ``location_probability`` (share 0..1, when stated).
    unlisted : tuple of int
        The settlements no list names and their households without signal.

    Returns
    -------
    str
    """
    return (
        f"{totals['villages_without_signal']:,} of {counted(totals['villages'], 'village')} "
        f"({totals['households_without_signal']:,} of "
        f"{counted(totals['households'], 'household')}) without signal "
        f"{_receiver(settings)}; "
        f"{counted(totals['villages_without_power'], 'village')} "
        f"({counted(totals['households_without_power'], 'household')}) without power; "
        f"{counted(totals['villages_without_both'], 'village')} without both"
        + _not_judged(totals)
        + _evidence_counts(totals)
        + _unlisted(unlisted)
    )


def _receiver(settings: Mapping[str, object]) -> str:
    """Say where households were judged ("indoors" / "outdoors") and at what probability."""
    where = "indoors" if settings.get("receiver") == "indoor" else "outdoors"
    probability = str(settings.get("location_probability", "")).strip()
    if probability in ("", "nan", "None"):
        return where
    return f"{where} at {100 * float(probability):g} % of locations"


def _not_judged(totals: Mapping[str, int]) -> str:
    """Say the villages not judged: beyond the model's range, without a location."""
    text = ""
    if totals["villages_beyond_model_range"]:
        text += (
            f"; {counted(totals['villages_beyond_model_range'], 'village')} "
            f"({counted(totals['households_beyond_model_range'], 'household')}) beyond the "
            "model's range, not judged (see settings: model_range)"
        )
    if totals["villages_location_unknown"]:
        text += (
            f"; {counted(totals['villages_location_unknown'], 'village')} without a usable "
            "location, not predicted"
        )
    return text


def _evidence_counts(totals: Mapping[str, int]) -> str:
    """Say the evidence counts; nothing when no village has evidence.

    The villages that agree and those to check are always said; the other classes only
    when some village is in them.
    """
    if totals["villages_no_evidence"] == totals["villages"]:
        return ""
    classes = [
        (totals["villages_survey_contradicts_prediction"], "contradicted by the survey"),
        (totals["villages_measurements_contradict_prediction"], "contradicted by measurements"),
        (
            totals["villages_measurements_partly_contradict"],
            "partly contradicted by measurements",
        ),
        (totals["villages_measured_other_network"], "measured only on other networks"),
        (totals["villages_field_only"], "beyond the model's range decided by the field"),
    ]
    said = "".join(f", {count:,} {what}" for count, what in classes if count)
    return (
        f"; evidence: {totals['villages_agrees']:,} agree{said} "
        f"({counted(totals['villages_to_check'], 'village')} to check in the field)"
    )


def _unlisted(unlisted: tuple[int, int]) -> str:
    """Say the settlements no list names; nothing when there are none."""
    settlements, households = unlisted
    if not settlements:
        return ""
    return (
        f"; and {counted(settlements, 'settlement')} no list names: "
        f"{counted(households, 'household')} without signal"
    )


def progress_headline(totals: Mapping[str, int], target: int | None) -> str:
    """Write the progress a department reports: covered of the target or of the last list.

    Parameters
    ----------
    totals : mapping
        :meth:`whitespot.report.Progress.totals`: ``previous`` and ``current`` gaps,
        ``closed``, ``new``, ``not_judged`` and ``covered`` (locations).
    target : int or None
        The locations the programme set out to cover, when given.

    Returns
    -------
    str
    """
    t = totals
    unjudged = (
        f"; {counted(t['not_judged'], 'location')} not judged (no location, or beyond "
        "the model's range)"
        if t["not_judged"]
        else ""
    )
    if target:
        return (
            f"{t['covered']:,} of {counted(target, 'location')} now covered "
            f"({t['covered'] / target:.1%} of the target), {t['current']:,} left; "
            f"since the previous list {t['closed']:,} closed and {t['new']:,} newly found"
            + unjudged
        )
    return (
        f"{t['closed']:,} of {counted(t['previous'], 'location')} now covered, "
        f"{t['previous'] - t['closed']:,} left; "
        f"{t['new']:,} newly found ({counted(t['current'], 'gap')} in the current list)" + unjudged
    )


def quality_headline(points: int, errors: int, warnings: int, villages: int) -> str:
    """Write the data-quality score and the problems to fix, in one sentence.

    Parameters
    ----------
    points : int
        The score, 0..100.
    errors, warnings : int
        Problems of each severity.
    villages : int
        Villages checked.

    Returns
    -------
    str
    """
    return (
        f"data quality {points}/100: {counted(errors, 'error')} "
        f"and {counted(warnings, 'warning')} to fix in {counted(villages, 'village')}"
    )


NO_PREVIOUS = "No previous list given (use --previous to report progress)"
"""The progress sheet of a package made without a previous list."""

BID_TITLE = "Bid package: the lots"
"""The title of a bid package's map and KMZ."""

SUMMARY: dict[str, str] = {
    "title": "Places without signal or power",
    "villages": "villages listed",
    "no_signal": "villages without signal",
    "households_no_signal": "households without signal",
    "no_power": "villages without power",
    "households_no_power": "households without power",
    "unknown": "villages without a location",
    "beyond": "villages beyond the model's range (not judged)",
    "quality": "data-quality score",
    "progress": "Progress since the previous list",
    "chart": "Households without signal per commune",
    "communes": "Per commune",
    "commune": "Commune",
    "code": "Code",
    "households": "Households",
    "score": "Data score",
    "closed": "Closed",
    "open": "Open",
    "fix": "To fix in the data",
    "fix_more": "The full list is the 'data quality' sheet of the workbook.",
    "row": "Row",
    "village": "Village",
    "problem": "Problem",
    "sources": "Sources and settings",
    "unmatched": "(not matched)",
    "agrees": "villages where the field agrees",
    "survey_contradicts": "villages the survey contradicts",
    "measurements_contradict": "villages measurements contradict",
    "to_check": "villages to check in the field",
}
"""The texts of the one-page summary of a submission, by key."""
