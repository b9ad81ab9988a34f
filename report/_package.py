"""The submission package: the files a department sends the ministry, in one folder."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import geopandas as gpd
import pandas as pd

from whitespot.coverage import GapList, write_gap_list
from whitespot.coverage._export import settings_table
from whitespot.data import write_layer
from whitespot.data._labels import SHEET_NAMES, Language, localize, vietnamese_fixes
from whitespot.data._swap import staged_folder
from whitespot.data._words import words
from whitespot.maps import gap_map, save_map, write_kmz
from whitespot.report._workbook import write_workbook
from whitespot.report.pipeline import Submission
from whitespot.report.summary import write_summary

PACKAGE_FILES = (
    "gap_list.xlsx",
    "gap_list.csv",
    "gap_list.geojson",
    "data_quality.csv",
    "map.html",
    "summary.html",
    "gap_list.kmz",
)
"""Files every package holds (``progress.csv`` too when a previous list was given)."""
OLD_PACKAGE_FILES = (
    *PACKAGE_FILES,
    "progress.csv",
    "gap_list_communes.csv",
    "gap_list_province.csv",
    "gap_list_settings.csv",
)
"""Files an older package in the same folder may hold: replaced or removed as a whole."""


def write_submission(
    submission: Submission,
    folder: str | PathLike,
    *,
    language: Language = "vi",
    towers: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Write the submission package into `folder`.

    The package is written whole or not at all (:func:`whitespot.data._swap.staged_folder`):
    written beside `folder`, then swapped in by one atomic rename, so an interrupted,
    failed or killed run leaves `folder` as it was, and a finished one leaves no file of an
    older package beside it. Files of the user's own in `folder` are kept.

    Parameters
    ----------
    submission : Submission
        From :func:`whitespot.report.department_submission`.
    folder : path-like
        Created if needed.
    language : {"vi", "en"}, default "vi"
        Headers, status words and sheet names of the workbook, the CSV files and the summary.
    towers, grid : geopandas.GeoDataFrame, optional
        Drawn on the map.

    Returns
    -------
    list of pathlib.Path
        ``gap_list.xlsx`` (sheets villages, communes, province, data quality, inputs (rows,
        problems, date and age of each input file), progress, settings), ``gap_list.csv``,
        ``data_quality.csv``, ``progress.csv`` (with a previous list), ``gap_list.geojson``
        (English column names and codes, for ``whitespot plan`` and ``whitespot map``, with
        its side tables), ``map.html``, ``summary.html`` and ``gap_list.kmz`` (Google Earth).
    """
    folder = Path(folder)
    with staged_folder(folder, replaces=OLD_PACKAGE_FILES) as staging:
        written = _write_package(submission, staging, language, towers, grid)
    return [folder / part.name for part in written]


def _write_package(
    submission: Submission,
    folder: Path,
    language: Language,
    towers: gpd.GeoDataFrame | None,
    grid: gpd.GeoDataFrame | None,
) -> list[Path]:
    gaps = submission.gaps
    villages = _village_table(gaps)
    if language != "en":  # the gap list says its criteria in English
        villages["criteria"] = words(language).criteria(villages, gaps.settings)
    problems = submission.quality.problems
    if language == "vi":
        problems = vietnamese_fixes(problems)
    tables = {
        "villages": villages,
        "communes": _communes(gaps, submission.quality.communes),
        "province": gaps.provinces,
        "quality": problems,
        "inputs": submission.quality.layers,
        "progress": (
            submission.progress.villages
            if submission.progress is not None
            else pd.DataFrame({"note": [words(language).NO_PREVIOUS]})
        ),
        "settings": settings_table(submission.settings),
    }
    sheets = {
        SHEET_NAMES[name][language]: localize(table, language) for name, table in tables.items()
    }
    written = [write_workbook(sheets, folder / "gap_list.xlsx")]
    written.append(write_layer(localize(villages, language), folder / "gap_list.csv"))
    written.append(write_layer(localize(problems, language), folder / "data_quality.csv"))
    if submission.progress is not None:
        written.append(
            write_layer(localize(submission.progress.villages, language), folder / "progress.csv")
        )
    written += write_gap_list(gaps, folder / "gap_list.geojson")
    located = gaps.villages[gaps.villages.geometry.notna()]
    fmap = gap_map(
        GapList(located, gaps.communes, gaps.provinces, None, gaps.settings, gaps.signal_setup),
        towers=towers,
        grid=grid,
    )
    written.append(save_map(fmap, folder / "map.html"))
    written.append(write_kmz(gaps, folder / "gap_list.kmz"))
    written.append(write_summary(submission, folder / "summary.html", language=language))
    return written


def _village_table(gaps: GapList) -> pd.DataFrame:
    """Villages as a table with lon/lat to 6 decimals (empty where there is no location)."""
    table = pd.DataFrame(gaps.villages.drop(columns=gaps.villages.geometry.name))
    for column in ("lon", "lat"):
        table[column] = table[column].astype(float).round(6)
    return table.drop(columns=["best_margin_db"], errors="ignore")


def _communes(gaps: GapList, quality: pd.DataFrame) -> pd.DataFrame:
    """Totals per commune with its name and its data-quality scores."""
    names = (
        pd.DataFrame(gaps.villages[["commune_code", "commune_name"]])
        .drop_duplicates("commune_code")
        .set_index("commune_code")["commune_name"]
    )
    out = gaps.communes.copy()
    out.insert(2, "commune_name", out["commune_code"].map(names).fillna(""))
    scores = (
        quality.drop(columns=["commune_name", "villages"])
        .groupby(["province_code", "commune_code"], as_index=False)
        .min()
    )
    return out.merge(scores, on=["province_code", "commune_code"], how="left")
