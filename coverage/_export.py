"""Writing gap lists: one workbook with a sheet per level, or a layer with side tables."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from whitespot.coverage._unlisted import listed_only
from whitespot.coverage.gaps import GapList, summarize
from whitespot.data import (
    GAP_TYPES,
    POWER_STATUSES,
    SIGNAL_STATUSES,
    Problem,
    ValidationError,
    read_layer,
    write_layer,
)
from whitespot.data._cells import yes_no
from whitespot.data._io import (
    atomic_path,
    existing_path,
    restore_neutralized,
    write_layers,
    write_staged,
)
from whitespot.data._labels import SHEET_NAMES, VIETNAMESE_HEADERS, delocalize

GAP_LIST_FORMATS = (".csv", ".xlsx", ".geojson", ".gpkg", ".parquet")


def settings_table(settings: dict[str, object]) -> pd.DataFrame:
    """Return the settings as a two-column table, the whitespot version first."""
    try:
        whitespot_version = version("whitespot")
    except PackageNotFoundError:  # running from a source tree
        whitespot_version = "unknown"
    rows = {"whitespot_version": whitespot_version, **settings}
    return pd.DataFrame({"setting": list(rows), "value": [str(v) for v in rows.values()]})


def write_gap_list(gaps: GapList, path: str | PathLike) -> list[Path]:
    """Write a gap list in the format of the file suffix.

    ``.xlsx`` gets one workbook with the sheets ``villages``, ``communes``, ``province`` and
    ``settings``. Other formats (``.csv``, ``.geojson``, ``.gpkg``, ``.parquet``) hold the
    villages; the summaries and settings go next to them as ``<stem>_communes.csv``,
    ``<stem>_province.csv`` and ``<stem>_settings.csv``.

    The files are written whole or not at all (:func:`whitespot.data.staged_files`).

    Parameters
    ----------
    gaps : GapList
        From :func:`gap_list` (or :func:`read_gap_list`).
    path : path-like
        ``.xlsx``, ``.csv``, ``.geojson``, ``.gpkg`` or ``.parquet``; every file is written
        whole or not at all, and never replaces an input.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    return write_staged(
        path, GAP_LIST_FORMATS, "gap lists", lambda staged: _write_gap_list_files(gaps, staged)
    )


def _write_gap_list_files(gaps: GapList, path: Path) -> list[Path]:
    suffix = path.suffix.lower()
    settings = settings_table(gaps.settings)
    if suffix == ".xlsx":
        villages = pd.DataFrame(gaps.villages.drop(columns=gaps.villages.geometry.name))
        sheets = {
            "villages": villages,
            "communes": gaps.communes,
            "province": gaps.provinces,
            "settings": settings,
        }
        return [write_layers(sheets, path)]
    side = {
        "communes": gaps.communes,
        "province": gaps.provinces,
        "settings": settings,
    }
    written = [write_layer(gaps.villages, path, layer="villages")]
    if suffix == ".geojson":  # a GeoJSON copied alone still says how it was made
        embed_settings(path, settings)
    for name, table in side.items():
        written.append(write_layer(table, path.with_name(f"{path.stem}_{name}.csv")))
    return written


SETTINGS_MEMBER = "whitespot_settings"
"""Top-level member of a gap list's GeoJSON holding its settings (an RFC 7946 foreign
member: GeoJSON readers ignore it)."""


def embed_settings(path: Path, settings: pd.DataFrame) -> None:
    """Write the settings table into the GeoJSON at `path`, after its ``type`` member."""
    text = path.read_text(encoding="utf-8")
    member = json.dumps(
        dict(zip(settings["setting"], settings["value"].map(str), strict=True)),
        ensure_ascii=False,
        sort_keys=True,
    )
    head = '"type": "FeatureCollection",\n'
    at = text.index(head) + len(head)
    with atomic_path(path) as temporary:
        temporary.write_text(
            f'{text[:at]}"{SETTINGS_MEMBER}": {member},\n{text[at:]}', encoding="utf-8"
        )


def embedded_settings(path: Path) -> dict[str, object]:
    """Return the settings a gap list's GeoJSON holds ({} when it holds none)."""
    with path.open(encoding="utf-8") as handle:
        head = "".join(handle.readline() for _ in range(3))
    start = head.find(f'"{SETTINGS_MEMBER}": ')
    if start < 0:
        return {}
    line = head[start:].split("\n", 1)[0]
    return json.loads(line.split(": ", 1)[1].rstrip(","))


READ_BACK_COLUMNS = (
    "village_id",
    "households",
    "households_without_signal",
    "signal_status",
    "power_status",
)


COUNT_COLUMNS = ("households", "households_without_signal", "households_weak_signal")
"""Counts a gap list read back must hold as whole numbers >= 0 (a hand edit may not)."""

PART_OF = (
    ("households_without_signal", "households"),
    ("households_weak_signal", "households_without_signal"),
    ("households_without_power", "households"),
)
"""Counts of a gap list that are part of another (weak signal is counted among those
without signal): a gap list read back with a part greater than its whole is refused."""


def _check_read_back(villages: pd.DataFrame, label: str) -> None:
    """Validate a gap list read back like any input: counts, statuses; in place for counts.

    Raises
    ------
    ValidationError
        Naming the column, the villages and the values that are not counts or statuses.
    """
    ids = villages["village_id"].to_numpy(dtype=object)
    problems = []
    for column in (c for c in COUNT_COLUMNS if c in villages):
        raw = villages[column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        if bad.any():
            found = ", ".join(dict.fromkeys(str(v) for v in raw[bad].head(5)))
            problems.append(
                Problem(label, column, "not_a_count", f"not a whole number >= 0 ({found}); "
                        "a gap list read back is checked like any input: write counts as "
                        "numbers, or make the list again with 'whitespot gaps'", tuple(ids[bad]))
            )  # fmt: skip
            continue
        villages[column] = values.astype(np.int64)
    if "households_without_power" in villages:  # empty where power is unknown
        problems += _power_counts(villages, ids, label)
    problems += _parts_greater_than_wholes(villages, ids, label, problems)
    for column, allowed in (
        ("signal_status", SIGNAL_STATUSES),
        ("power_status", POWER_STATUSES),
        ("gap_type", GAP_TYPES),
    ):
        if column not in villages:
            continue
        text = villages[column].astype("string").fillna("")
        bad = ~text.isin(allowed).to_numpy()
        if bad.any():
            found = ", ".join(dict.fromkeys(text[bad].head(5)))
            problems.append(
                Problem(label, column, "unknown_status", f"not one of {', '.join(allowed)} "
                        f"({found})", tuple(ids[bad]))
            )  # fmt: skip
    if problems:
        raise ValidationError(problems)


def _power_counts(villages: pd.DataFrame, ids: np.ndarray, label: str) -> list[Problem]:
    """Check households without power: a whole number >= 0, or empty (unknown); in place."""
    raw = villages["households_without_power"]
    text = raw.astype("string").str.strip().fillna("")
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = (text != "").to_numpy() & (
            ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        )
    if bad.any():
        found = ", ".join(dict.fromkeys(str(v) for v in raw[bad].head(5)))
        return [
            Problem(label, "households_without_power", "not_a_count", f"not a whole number "
                    f">= 0 ({found}); leave it empty where power is unknown", tuple(ids[bad]))
        ]  # fmt: skip
    villages["households_without_power"] = pd.array(
        np.where(np.isnan(values), pd.NA, values).astype(object), dtype="Int64"
    )
    return []


def _parts_greater_than_wholes(
    villages: pd.DataFrame, ids: np.ndarray, label: str, found: list[Problem]
) -> list[Problem]:
    """Refuse rows whose count of a part (:data:`PART_OF`) is greater than its whole."""
    problems = []
    checked = {p.column for p in found}  # columns already refused are not compared
    for part, whole in PART_OF:
        if part not in villages or whole not in villages or {part, whole} & checked:
            continue
        values = pd.to_numeric(villages[part]).to_numpy(dtype=float, na_value=np.nan)
        total = pd.to_numeric(villages[whole]).to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = values > total
        if bad.any():
            shown = ", ".join(
                f"{i}: {a:.0f} > {b:.0f}" for i, a, b in zip(
                    ids[bad][:5], values[bad][:5], total[bad][:5], strict=True)
            )  # fmt: skip
            problems.append(
                Problem(label, f"{part}, {whole}", "part_exceeds_whole", f"{part} is greater "
                        f"than {whole} ({shown}): a hand edit? a gap list read back is checked "
                        "like any input; correct the rows or make the list again with "
                        "'whitespot gaps'", tuple(ids[bad]))
            )  # fmt: skip
    return problems


def read_gap_list(path: str | PathLike, *, role: str = "gap list") -> GapList:
    """Read a gap list written by :func:`write_gap_list` (any of its formats).

    The villages come back with their statuses; the summaries are recomputed; the settings
    are read from the ``settings`` sheet or the ``<stem>_settings.csv`` beside the file.
    Vietnamese headers and sheet names (``whitespot report --lang vi``) are read too.

    Parameters
    ----------
    path : path-like
    role : str, default "gap list"
        What the file is to the caller (``"previous gap list"``), for messages.

    Returns
    -------
    GapList
        The villages with their statuses, the summaries recomputed and the settings.

    Raises
    ------
    ValidationError
        If the file cannot be read or lacks the gap-list columns (:data:`READ_BACK_COLUMNS`).
    FileNotFoundError
        If `path` does not exist.
    """
    path = existing_path(path, role)
    back = {vi: en for en, vi in VIETNAMESE_HEADERS.items()}
    try:
        villages = delocalize(read_layer(path, "villages", headers=back))
    except ValidationError as error:
        raise ValidationError(
            [replace(p, layer=f"{role} ({path.name})") for p in error.problems]
        ) from error
    missing = [c for c in READ_BACK_COLUMNS if c not in villages]
    if missing:
        raise ValidationError(
            [
                Problem(
                    f"{role} ({path.name})",
                    ", ".join(missing),
                    "missing_column",
                    "not a gap list: write one with 'whitespot gaps' (columns present: "
                    f"{', '.join(map(str, villages.columns[:12]))})",
                )
            ]
        )
    for column in ("village_id", "name", "province_code", "commune_code", "evidence_finding"):
        if column in villages:
            villages[column] = villages[column].astype("string").fillna("")
    _check_read_back(villages, f"{role} ({path.name})")
    if "check_in_field" in villages:  # True/False as written, 1/0 as a spreadsheet may keep it
        flag = villages["check_in_field"]
        villages["check_in_field"] = (pd.to_numeric(flag, errors="coerce") == 1).to_numpy() | (
            yes_no(flag) == 1.0
        )
    if "measurements" in villages:
        villages["measurements"] = pd.to_numeric(villages["measurements"]).astype("Int64")
    if "households_without_power" not in villages:
        villages["households_without_power"] = pd.array([pd.NA] * len(villages), dtype="Int64")
    settings: dict[str, object] = {}
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelFile(path, engine="openpyxl") as book:
            names = [n for n in SHEET_NAMES["settings"].values() if n in book.sheet_names]
            table = pd.read_excel(book, sheet_name=names[0], dtype=str) if names else None
        table = None if table is None else delocalize(table)
    else:
        side = path.with_name(f"{path.stem}_settings.csv")
        table = (
            delocalize(restore_neutralized(pd.read_csv(side, dtype=str, encoding="utf-8-sig")))
            if side.exists()
            else None
        )
    if table is not None:
        settings = dict(zip(table["setting"], table["value"], strict=True))
    elif path.suffix.lower() == ".geojson":
        settings = embedded_settings(path)
    return GapList(
        villages,
        summarize(listed_only(villages), ["province_code", "commune_code"]),
        summarize(listed_only(villages), ["province_code"]),
        None,
        settings,
    )
