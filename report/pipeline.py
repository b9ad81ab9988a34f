"""From a department's village list to its submission: gap list, data quality, progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import geopandas as gpd
import pandas as pd

from whitespot.coverage import GapCriteria, GapList, department_gap_list, read_gap_list
from whitespot.data import Population, Problem, read_layer
from whitespot.data._labels import Language
from whitespot.data._problems import problem_table
from whitespot.department import (
    QualityConfig,
    QualityReport,
    VillageList,
    quality_report,
    read_village_list,
)
from whitespot.radio import SignalSetup
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
        lines = [self.gaps.headline(language)]
        if self.progress is not None:
            lines.append(self.progress.headline(language))
        lines.append(self.quality.headline(language))
        return lines


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
    buildings: gpd.GeoDataFrame | str | PathLike | None = None,
    population: Population | str | PathLike | None = None,
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
    buildings, population : optional
        Footprints and a population raster (:func:`whitespot.coverage.gap_list`): the
        households of each village are checked against them in the data-quality sheet, and
        the settlements no list names follow the villages on the gap list.

    Returns
    -------
    Submission
    """
    crs = setup.crs if setup is not None else None  # metres (VN-2000) are in the setup's CRS
    village_list = read_village_list(villages, columns=columns, crs=crs)
    gaps, admin = department_gap_list(
        village_list, towers, setup, communes=communes, households=households, grid=grid,
        criteria=criteria, measurements=measurements, buildings=buildings,
        population=population,
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
