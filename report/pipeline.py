"""From a department's village list to its submission: gap list, data quality, progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from whitespot.coverage import GapCriteria, GapList, gap_list, read_gap_list, summarize
from whitespot.coverage.gaps import COUNTED_AS_ZERO, GAP_LIST_COLUMNS, criteria_text
from whitespot.data import Problem, read_layer, validate_villages
from whitespot.data.labels import Language
from whitespot.data.problems import problem_table
from whitespot.data.vocabulary import LOCATION_UNKNOWN
from whitespot.department.admin import assign_admin_units, code_sources
from whitespot.department.quality import QualityConfig, QualityReport, quality_report
from whitespot.department.village_list import VillageList, read_village_list
from whitespot.radio import SignalSetup
from whitespot.report._headlines import gaps_sentence, progress_sentence, quality_sentence
from whitespot.report.progress import Progress, compare_gap_lists


@dataclass(frozen=True)
class Submission:
    """What a department sends the ministry, computed from its own files.

    Attributes
    ----------
    gaps : GapList
        Every village row of the department's file once, in file order, with its post-2025
        province and commune, the old names, the status and the criteria behind it.
    villages : VillageList
        The list as read, with the problems found while reading.
    quality : QualityReport
        Problems by row and scores per commune.
    progress : Progress or None
        The comparison with the previous submission, when one was given.
    settings : dict
        Sources and settings for the record.
    """

    gaps: GapList
    villages: VillageList
    quality: QualityReport
    progress: Progress | None = None
    settings: dict[str, object] = field(default_factory=dict)

    def headlines(self, language: Language = "en") -> list[str]:
        """Return the sentences to print: gaps, progress (when compared) and data quality."""
        lines = [gaps_sentence(self.gaps, language)]
        if self.progress is not None:
            lines.append(progress_sentence(self.progress, language))
        lines.append(quality_sentence(self.quality, language))
        return lines


def department_gap_list(
    village_list: VillageList,
    towers: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    communes: gpd.GeoDataFrame | None = None,
    households: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
    criteria: GapCriteria | None = None,
    measurements: gpd.GeoDataFrame | None = None,
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
    households, grid, criteria, measurements
        As :func:`whitespot.coverage.gap_list`; the list's survey column ("Có sóng?") is
        weighed with the measurements.

    Returns
    -------
    (GapList, geopandas.GeoDataFrame)
        The gap list with every row of the file, and the villages with their admin units.
        Rows without a usable location get ``gap_type = "location_unknown"``; rows whose
        households could not be read are counted with 0 households, flagged in
        ``households_unknown`` and say so in ``criteria``.
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
        )  # fmt: skip
        table = pd.DataFrame(computed.villages)
        settings, kept = computed.settings, computed.signal_setup
    else:  # no village located: every row is listed as location_unknown
        table = pd.DataFrame(columns=[*GAP_LIST_COLUMNS, "threshold_dbm", "threshold_measure"])
        settings = {**(setup or SignalSetup()).settings(), **criteria.settings()}
        kept = setup
    table = pd.concat([table, _unlocated(layer[~located])], ignore_index=True)
    table = table.set_index("village_id").loc[layer["village_id"]].reset_index()
    table["households_unknown"] = unknown_households
    located_rows = table["gap_type"] != LOCATION_UNKNOWN
    if located_rows.any():
        table.loc[located_rows, "criteria"] = criteria_text(table[located_rows], criteria)
    table.loc[~located_rows & unknown_households, "criteria"] += COUNTED_AS_ZERO
    out = gpd.GeoDataFrame(
        table.drop(columns="geometry", errors="ignore"), geometry=layer.geometry.to_numpy(),
        crs=layer.crs,
    )  # fmt: skip
    settings = {**settings, **code_sources(), "village_list": village_list.source.get("file", "")}
    gaps = GapList(
        out,
        summarize(out, ["province_code", "commune_code"]),
        summarize(out, ["province_code"]),
        None,
        settings,
        kept,
    )
    return gaps, villages


def _unlocated(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    """Gap-list rows for villages without a usable location."""
    out = pd.DataFrame(villages.drop(columns=villages.geometry.name))
    out["lon"], out["lat"] = np.nan, np.nan
    out["households_without_signal"] = 0
    out["households_weak_signal"] = 0
    out["signal_status"] = "unknown"
    share = pd.to_numeric(out.get("electrified"), errors="coerce")
    out["power_status"] = np.where(share.isna(), "unknown", np.where(share < 0.5, "none", "ok"))
    without = np.rint(out["households"] * (1 - share))
    out["households_without_power"] = pd.array(
        np.where(share.isna(), pd.NA, without).astype(object), dtype="Int64"
    )
    out["gap_type"] = LOCATION_UNKNOWN
    out["predicted_signal_status"] = "unknown"
    out["evidence"] = "no_evidence"
    out["evidence_finding"] = ""
    out["check_in_field"] = False
    out["measurements"] = 0
    out["criteria"] = (
        "no usable coordinates (row "
        + out["source_row"].astype(str)
        + " of the file): signal not predicted; fix lon/lat"
    )
    return out


def _with_towers_check(issues: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Add the towers-overlap warning to the problems, where the clerk will read it."""
    message = str(settings.get("towers_check", ""))
    if not message or message.startswith("ok"):
        return issues
    far = problem_table([Problem("towers", "geometry", "towers_far", message, row=0)])
    return pd.concat([far, issues], ignore_index=True)


def department_submission(  # noqa: PLR0913 the department's files and rules
    villages: str | PathLike,
    towers: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    columns: dict[str, str] | None = None,
    communes: gpd.GeoDataFrame | None = None,
    households: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
    criteria: GapCriteria | None = None,
    measurements: gpd.GeoDataFrame | None = None,
    towers_file: str | PathLike | None = None,
    previous: str | PathLike | GapList | None = None,
    target: int | None = None,
    match_distance_m: float = 300.0,
    quality: QualityConfig | None = None,
) -> Submission:
    """Run a department's pipeline: read its list, convert units, find gaps, check, compare.

    Parameters
    ----------
    villages : path-like
        The department's village list (XLSX or CSV, Vietnamese or English headers).
    towers : geopandas.GeoDataFrame
        Validated towers.
    setup : SignalSetup, optional
        How signal is predicted (:func:`whitespot.coverage.gap_list`).
    columns : dict of field -> header, optional
        Headers the built-in map does not know (``--columns KEY=HEADER``).
    communes : geopandas.GeoDataFrame, optional
        Post-2025 commune boundaries with ``commune_code``.
    towers_file : path-like, optional
        The towers' file, read as it is for the technology check and its date.
    previous : path-like or GapList, optional
        The previous submission's gap list (any format whitespot writes, either language).
    target : int, optional
        Locations the programme set out to cover (``--target 2853``).
    match_distance_m : float, default 300
        Distance for matching villages by location between submissions, m.
    quality : QualityConfig, optional
        Thresholds of the data-quality checks.
    households, grid, criteria, measurements
        As :func:`whitespot.coverage.gap_list`; the list's survey column ("Có sóng?") is
        weighed with the measurements.

    Returns
    -------
    Submission
    """
    crs = setup.crs if setup is not None else None  # metres (VN-2000) are in the setup's CRS
    village_list = read_village_list(villages, columns=columns, crs=crs)
    gaps, admin = department_gap_list(
        village_list, towers, setup, communes=communes, households=households, grid=grid,
        criteria=criteria, measurements=measurements,
    )  # fmt: skip
    files = {"villages": Path(villages)}
    raw_towers = None
    if towers_file is not None:
        files["towers"] = Path(towers_file)
        raw_towers = pd.DataFrame(read_layer(towers_file, "towers"))
    report = quality_report(
        admin, _with_towers_check(village_list.issues, gaps.settings), towers=raw_towers,
        files=files, config=quality,
    )  # fmt: skip
    progress = None
    if previous is not None:
        before = (
            previous
            if isinstance(previous, GapList)
            else read_gap_list(previous, role="previous gap list (--previous)")
        )
        progress = compare_gap_lists(before, gaps, match_distance_m=match_distance_m, target=target)
    settings = {
        **gaps.settings,
        **report.settings,
        "match_distance_m": match_distance_m,
        "target": target if target is not None else "",
        "previous": "" if previous is None or isinstance(previous, GapList) else str(previous),
    }
    return Submission(gaps, village_list, report, progress, settings)
