"""The data-quality report of a department's inputs: right, sufficient, clean, live.

Viet Nam's data guidance asks that administrative data be *đúng, đủ, sạch, sống*: right
(values possible and in the right place), sufficient (nothing missing), clean (no
duplicates, no text where numbers belong) and live (recently updated). :func:`quality_report`
checks a village list against the four, adds the problems found while reading it and
converting its administrative units, and scores each commune out of 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from whitespot._errors import InputError
from whitespot.data import Problem, metric_crs
from whitespot.data._crs import projected_xy
from whitespot.data._labels import Language
from whitespot.data._problems import ISSUE_COLUMNS, problem_table
from whitespot.data._schema import TECHNOLOGY_ALIASES, technology_key
from whitespot.data._words import words
from whitespot.department._admin import province_outline
from whitespot.department._footprints import (
    HOUSEHOLD_TOLERANCE,
    MIN_DIFFERENCE,
    households_disagree,
)
from whitespot.department._headers import normalize_text

DIMENSIONS = ("right", "sufficient", "clean", "live")
"""The four qualities scored per commune (đúng, đủ, sạch, sống)."""

CHECK_DIMENSION: dict[str, str] = {
    "swapped_lonlat": "right",
    "outside_region": "right",
    "outside_province": "right",
    "unreadable_coordinates": "right",
    "negative_households": "right",
    "negative_population": "right",
    "not_whole": "right",
    "not_a_share": "right",
    "duplicate_id": "right",
    "admin_unmatched": "right",
    "split_unresolved": "right",
    "matched_approximate": "right",
    "code_disagrees": "right",
    "code_unknown": "right",
    "subtotal_mismatch": "right",
    "total_mismatch": "right",
    "implausible": "right",
    "unusual": "right",
    "encoding": "right",
    "unread_column": "sufficient",
    "repeated_column": "clean",
    "lost_letters": "right",
    "towers_far": "right",
    "unknown_technology": "right",
    "missing_coordinates": "sufficient",
    "missing_households": "sufficient",
    "missing_population": "sufficient",
    "missing_province": "sufficient",
    "missing_commune": "sufficient",
    "missing_id": "sufficient",
    "no_households": "sufficient",
    "missing_technology": "sufficient",
    "households_disagree": "right",
    "duplicate_name": "clean",
    "duplicate_location": "clean",
    "text_in_number": "clean",
    "not_a_number": "clean",
    "filled_from_above": "clean",
    "percent_without_sign": "clean",
    "stale": "live",
    "not_a_date": "live",
}
"""Quality dimension of each check; checks not listed (skipped rows, notations) are notes."""

PROBLEM_COLUMNS = (*ISSUE_COLUMNS, "province_code", "commune_code", "commune_name", "dimension")
COMMUNE_COLUMNS = (
    "province_code",
    "commune_code",
    "commune_name",
    "villages",
    "errors",
    "warnings",
    *(f"{d}_pct" for d in DIMENSIONS),
    "score",
)


@dataclass(frozen=True)
class QualityConfig:
    """Thresholds of the data-quality checks.

    Attributes
    ----------
    duplicate_distance_m : float, default 100
        Two villages closer than this (m) are likely the same place typed twice.
    max_age_days : int, default 365
        A village surveyed (or a file dated) longer ago than this is stale.
    today : datetime.date, optional
        Reference date for ages; default the day the report runs.
    household_tolerance : float, default 0.5
        A village's households disagree with the estimate from footprints or population
        (``households_estimated``, where the villages carry it) beyond this relative
        difference (:func:`~whitespot.department.households_disagree`).
    min_household_difference : int, default 5
        Smallest difference in households flagged.
    """

    duplicate_distance_m: float = 100.0
    max_age_days: int = 365
    today: date | None = None
    household_tolerance: float = HOUSEHOLD_TOLERANCE
    min_household_difference: int = MIN_DIFFERENCE

    def __post_init__(self) -> None:
        if self.duplicate_distance_m < 0:
            raise InputError(f"duplicate_distance_m={self.duplicate_distance_m} must be >= 0")
        if self.max_age_days < 0:
            raise InputError(f"max_age_days={self.max_age_days} must be >= 0")


@dataclass(frozen=True)
class QualityReport:
    """What is wrong with the inputs, by row, and a score per commune.

    Attributes
    ----------
    problems : pandas.DataFrame
        Every problem and every skipped row (:data:`PROBLEM_COLUMNS`), errors first, then
        by layer and row: the list of what to fix.
    communes : pandas.DataFrame
        Per commune (:data:`COMMUNE_COLUMNS`): villages, errors, warnings, the share of
        villages without a problem in each of :data:`DIMENSIONS` (%) and their mean (score).
    layers : pandas.DataFrame
        Per input layer: file, rows, errors, warnings, file date, age in days, oldest survey.
    """

    problems: pd.DataFrame
    communes: pd.DataFrame
    layers: pd.DataFrame
    settings: dict[str, object] = field(default_factory=dict)

    def score(self) -> float:
        """Score of all the inputs, 0..100, below 100 whenever an error is found.

        The villages' part is the communes' scores weighted by villages; every other layer
        (towers) scores the share of its rows without a problem in each of
        :data:`DIMENSIONS`, and the layers are weighted by rows. An error that belongs to
        no row (a file's encoding) still keeps the score at 99 or below.
        """
        parts, weights = [], []
        villages = self.communes["villages"].to_numpy(dtype=float)
        if villages.sum():
            parts.append(np.average(self.communes["score"], weights=villages))
            weights.append(villages.sum())
        counted_problems = self.problems[self.problems["dimension"] != "note"]
        for layer, rows in zip(self.layers["layer"], self.layers["rows"], strict=True):
            if layer == "villages" or not rows:
                continue
            mine = counted_problems[counted_problems["layer"] == layer]
            clean = [
                1.0 - min(mine.loc[mine["dimension"] == d, "row"].nunique() / rows, 1.0)
                for d in DIMENSIONS
            ]
            parts.append(100.0 * float(np.mean(clean)))
            weights.append(float(rows))
        if not weights:
            return 0.0
        score = float(np.average(parts, weights=weights))
        errors = bool((self.problems["severity"] == "error").any())
        return min(score, 99.0) if errors else score

    def points(self) -> int:
        """Return the score as shown, rounded down: a score lowered at all never reads 100."""
        return int(np.floor(self.score()))

    def headline(self, language: Language = "en") -> str:
        """One sentence: problems to fix and the score.

        Parameters
        ----------
        language : {"en", "vi"}, default "en"
            The language of the sentence.

        Returns
        -------
        str
        """
        counts = self.problems["severity"].value_counts()
        return words(language).quality_headline(
            self.points(),
            counts.get("error", 0),
            counts.get("warning", 0),
            self.communes["villages"].sum(),
        )


def quality_report(
    villages: gpd.GeoDataFrame,
    issues: pd.DataFrame,
    *,
    towers: gpd.GeoDataFrame | pd.DataFrame | None = None,
    files: dict[str, str | Path] | None = None,
    config: QualityConfig | None = None,
) -> QualityReport:
    """Check a village list (and the towers) and score each commune.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        As :func:`~whitespot.department.assign_admin_units` returns it (``source_row``,
        ``province_code``, ``commune_code``, ``admin_status`` ...).
    issues : pandas.DataFrame
        Problems found while reading (:attr:`VillageList.issues`).
    towers : DataFrame, optional
        The towers as read from their file, before defaults are filled, for the
        ``technology`` check.
    files : dict of layer -> path, optional
        Input files, for their dates.
    config : QualityConfig, optional
        Thresholds.

    Returns
    -------
    QualityReport
    """
    config = config or QualityConfig()
    today = config.today or date.today()
    found = [issues, _admin_problems(villages), _outside_province(villages)]
    found += [_no_households(villages), _duplicate_names(villages)]
    found += [_duplicate_locations(villages, config.duplicate_distance_m)]
    found += [_stale(villages, files, config.max_age_days, today)]
    if "households_estimated" in villages:
        found.append(_households_estimate(villages, config))
    if towers is not None:
        found.append(_tower_problems(towers))
    problems = pd.concat([problem_table([]), *(f for f in found if len(f))], ignore_index=True)
    problems = _locate(problems, villages)
    return QualityReport(
        problems,
        _commune_scores(villages, problems),
        _layers(villages, problems, towers, files, today),
        {
            "duplicate_distance_m": config.duplicate_distance_m,
            "max_age_days": config.max_age_days,
            "quality_reference_date": today.isoformat(),
        },
    )


def _frame(
    villages: pd.DataFrame,
    mask: np.ndarray,
    column: str,
    check: str,
    severity: str,
    values,
    messages,
) -> pd.DataFrame:
    """Problems of the village rows in `mask`, as a table (:data:`ISSUE_COLUMNS`)."""
    rows = villages.loc[mask]
    values = np.broadcast_to(np.asarray(values, dtype=object), len(rows))
    messages = np.broadcast_to(np.asarray(messages, dtype=object), len(rows))
    return problem_table(
        Problem("villages", column, check, str(message), (village,), int(row), severity,
                str(value))
        for village, row, value, message in zip(
            rows["village_id"].to_numpy(), rows["source_row"].to_numpy(), values, messages,
            strict=True,
        )
    )  # fmt: skip


def _admin_problems(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    status = villages["admin_status"].to_numpy()
    names = (
        villages["old_commune"].astype(str)
        + ", "
        + villages["old_district"].astype(str)
        + ", "
        + villages["old_province"].astype(str)
    ).to_numpy()
    parts = []
    for check, severity in (
        ("admin_unmatched", "error"),
        ("split_unresolved", "warning"),
        ("matched_approximate", "warning"),
        ("code_disagrees", "warning"),
        ("code_unknown", "error"),
    ):
        mask = status == check
        if mask.any():
            notes = villages.loc[mask, "admin_note"].to_numpy()
            parts.append(_frame(villages, mask, "commune", check, severity, names[mask], notes))
    return pd.concat(parts) if parts else problem_table([])


def _outside_province(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    located = villages.geometry.notna().to_numpy() & (villages["province_code"] != "").to_numpy()
    outside = np.zeros(len(villages), dtype=bool)
    for code in sorted(set(villages.loc[located, "province_code"])):
        outline = province_outline(code)
        rows = located & (villages["province_code"] == code).to_numpy()
        if outline is not None:
            points = villages.geometry.to_crs("EPSG:4326").to_numpy()[rows]
            outside[rows] = ~shapely.contains(outline, points)
    names = villages["province_name"].to_numpy()[outside]
    lonlat = [f"{p.x:.6f}, {p.y:.6f}" for p in villages.geometry.to_crs("EPSG:4326")[outside]]
    messages = [f"coordinates outside {n}, the row's province: check lon/lat" for n in names]
    return _frame(villages, outside, "lon/lat", "outside_province", "error", lonlat, messages)


def _no_households(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    zero = (villages["households"].fillna(-1) == 0).to_numpy()
    return _frame(
        villages,
        zero,
        "households",
        "no_households",
        "warning",
        "0",
        "no households: an empty hamlet, or the count is missing",
    )


def _households_estimate(villages: gpd.GeoDataFrame, config: QualityConfig) -> pd.DataFrame:
    """List the villages whose households disagree with the footprints' or population's estimate."""
    flagged = households_disagree(
        villages,
        villages,
        tolerance=config.household_tolerance,
        min_difference=config.min_household_difference,
    )
    mask = villages.index.isin(flagged.index)
    basis = flagged["households_estimate_basis"].replace(
        {"buildings": "building footprints", "population": "the population raster"}
    )
    messages = [
        f"{listed:,} households listed, about {estimated:,} estimated from {source}: "
        "check the count in the field"
        for listed, estimated, source in zip(
            flagged["households"], flagged["households_estimated"], basis, strict=True
        )
    ]
    return _frame(
        villages, mask, "households", "households_disagree", "warning",
        flagged["households"].astype(str).to_numpy(), messages,
    )  # fmt: skip


def _commune_key(villages: pd.DataFrame) -> pd.Series:
    code = villages["commune_code"].astype("string").fillna("")
    return code.where(code != "", "old:" + villages["old_commune"].map(normalize_text))


def _duplicate_names(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    name = villages["name"].astype("string").fillna("").map(normalize_text)
    key = _commune_key(villages) + "|" + name
    repeated = key.duplicated(keep=False).to_numpy() & (name != "").to_numpy()
    if not repeated.any():
        return problem_table([])
    rows = villages["source_row"].astype(str)
    together = rows.groupby(key).transform(", ".join)
    messages = [f"same name in the same commune as rows {t}" for t in together[repeated]]
    return _frame(
        villages,
        repeated,
        "name",
        "duplicate_name",
        "warning",
        villages.loc[repeated, "name"].to_numpy(),
        messages,
    )


def _duplicate_locations(villages: gpd.GeoDataFrame, distance_m: float) -> pd.DataFrame:
    located = np.flatnonzero(villages.geometry.notna().to_numpy())
    if len(located) < 2 or distance_m <= 0:
        return problem_table([])
    subset = villages.iloc[located]
    xy = projected_xy(subset, metric_crs(subset))
    pairs = cKDTree(xy).query_pairs(distance_m, output_type="ndarray")
    if not len(pairs):
        return problem_table([])
    first, second = located[pairs[:, 0]], located[pairs[:, 1]]
    metres = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    rows = villages["source_row"].to_numpy()
    both = pd.DataFrame(
        {
            "village": np.concatenate([first, second]),
            "other_row": rows[np.concatenate([second, first])],
            "metres": np.concatenate([metres, metres]),
        }
    ).sort_values(["village", "other_row"])
    both["text"] = (
        "row "
        + both["other_row"].astype(str)
        + " ("
        + both["metres"].round().astype(np.int64).astype(str)
        + " m)"
    )
    partners = both.groupby("village")["text"].agg(", ".join)
    mask = np.zeros(len(villages), dtype=bool)
    mask[partners.index.to_numpy()] = True
    messages = [f"closer than {distance_m:g} m to {t}: the same place twice?" for t in partners]
    return _frame(villages, mask, "lon/lat", "duplicate_location", "warning", "", messages)


def _stale(villages: gpd.GeoDataFrame, files, max_age_days: int, today: date) -> pd.DataFrame:
    if "surveyed" in villages and villages["surveyed"].notna().any():
        surveyed = pd.to_datetime(villages["surveyed"])
        age = (pd.Timestamp(today) - surveyed).dt.days
        old = (age > max_age_days).fillna(False).to_numpy()
        values = surveyed.dt.strftime("%Y-%m-%d").fillna("").to_numpy()[old]
        return _frame(
            villages,
            old,
            "surveyed",
            "stale",
            "warning",
            values,
            [f"surveyed {a:,} days ago (limit {max_age_days})" for a in age[old]],
        )
    path = (files or {}).get("villages")
    if path is None:
        return problem_table([])
    file_date = date.fromtimestamp(Path(path).stat().st_mtime)
    age = (today - file_date).days
    old = np.full(len(villages), age > max_age_days)
    return _frame(
        villages,
        old,
        "file",
        "stale",
        "warning",
        file_date.isoformat(),
        f"no survey date; the file is {age:,} days old (limit {max_age_days})",
    )


def _tower_problems(towers: pd.DataFrame) -> pd.DataFrame:
    rows = np.arange(2, len(towers) + 2)  # spreadsheet rows: the header is row 1
    ids = (
        towers["tower_id"].astype("string").fillna("").to_numpy()
        if "tower_id" in towers
        else np.full(len(towers), "")
    )
    if "technology" not in towers:
        message = f"no technology column: all {len(towers):,} towers are taken as 4G"
        return problem_table(
            [Problem("towers", "technology", "missing_technology", message, row=0,
                     severity="warning")]
        )  # fmt: skip
    text = towers["technology"].astype("string").str.strip().fillna("")
    known = text.map(technology_key, na_action="ignore").isin(TECHNOLOGY_ALIASES).to_numpy()
    parts = []
    for mask, check, severity, message in (
        ((text == "").to_numpy(), "missing_technology", "warning", "no technology: taken as 4G"),
        (
            (text != "").to_numpy() & ~known,
            "unknown_technology",
            "error",
            "unknown technology; use 2G, 3G, 4G or 5G",
        ),
    ):
        if mask.any():
            parts.append(
                problem_table(
                    Problem("towers", "technology", check, message, (tower,), int(row),
                            severity, value)
                    for tower, row, value in zip(
                        ids[mask], rows[mask], text[mask].to_numpy(), strict=True
                    )
                )
            )  # fmt: skip
    return pd.concat(parts) if parts else problem_table([])


def _locate(problems: pd.DataFrame, villages: gpd.GeoDataFrame) -> pd.DataFrame:
    """Add each village problem's commune and dimension; sort errors first."""
    where = villages[["source_row", "province_code", "commune_code", "commune_name"]].copy()
    where["layer"] = "villages"
    out = problems.astype({"row": np.int64}).merge(
        where.rename(columns={"source_row": "row"}), on=["layer", "row"], how="left"
    )
    for column in ("province_code", "commune_code", "commune_name"):
        out[column] = out[column].fillna("")
    out["dimension"] = out["check"].map(CHECK_DIMENSION).fillna("note")
    rank = out["severity"].map({s: i for i, s in enumerate(("error", "warning", "info"))})
    out = out.assign(_rank=rank).sort_values(
        ["_rank", "layer", "row", "column", "check"], kind="stable"
    )
    return out.drop(columns="_rank").reset_index(drop=True)[list(PROBLEM_COLUMNS)]


def _commune_scores(villages: gpd.GeoDataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "source_row": villages["source_row"].to_numpy(),
            "province_code": villages["province_code"].to_numpy(),
            "commune_code": villages["commune_code"].to_numpy(),
            "commune_name": villages["commune_name"]
            .where(villages["commune_code"] != "", "(unmatched) " + villages["old_commune"])
            .to_numpy(),
        }
    )
    counted = problems[(problems["layer"] == "villages") & (problems["dimension"] != "note")]
    for dimension in DIMENSIONS:
        rows = set(counted.loc[counted["dimension"] == dimension, "row"])
        table[f"{dimension}_ok"] = ~table["source_row"].isin(rows)
    for severity in ("error", "warning"):
        per_row = counted[counted["severity"] == severity].groupby("row").size()
        table[f"{severity}s"] = table["source_row"].map(per_row).fillna(0).astype(np.int64)
    keys = ["province_code", "commune_code", "commune_name"]
    grouped = table.groupby(keys, sort=True, as_index=False)
    out = grouped.agg(
        villages=("source_row", "size"),
        errors=("errors", "sum"),
        warnings=("warnings", "sum"),
        **{f"{d}_pct": (f"{d}_ok", "mean") for d in DIMENSIONS},
    )
    for dimension in DIMENSIONS:
        out[f"{dimension}_pct"] = (100 * out[f"{dimension}_pct"]).round(1)
    out["score"] = out[[f"{d}_pct" for d in DIMENSIONS]].mean(axis=1).round(1)
    return out[list(COMMUNE_COLUMNS)]


def _layers(villages, problems, towers, files, today: date) -> pd.DataFrame:
    records = []
    for layer, rows in (
        ("villages", len(villages)),
        ("towers", None if towers is None else len(towers)),
    ):
        if rows is None:
            continue
        path = (files or {}).get(layer)
        file_date = date.fromtimestamp(Path(path).stat().st_mtime) if path else None
        mine = problems[problems["layer"] == layer]
        oldest = ""
        if layer == "villages" and "surveyed" in villages and villages["surveyed"].notna().any():
            oldest = pd.to_datetime(villages["surveyed"]).min().strftime("%Y-%m-%d")
        records.append(
            {
                "layer": layer,
                "file": Path(path).name if path else "",
                "rows": rows,
                "errors": int((mine["severity"] == "error").sum()),
                "warnings": int((mine["severity"] == "warning").sum()),
                "notes": int((mine["severity"] == "info").sum()),
                "file_date": file_date.isoformat() if file_date else "",
                "age_days": (today - file_date).days if file_date else pd.NA,
                "oldest_survey": oldest,
            }
        )
    return pd.DataFrame.from_records(records)
