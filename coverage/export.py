"""Writing gap lists: one workbook with a sheet per level, or a layer with side tables."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from os import PathLike
from pathlib import Path

import pandas as pd

from whitespot.coverage.gaps import GapList
from whitespot.data import write_layer, write_layers

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

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GAP_LIST_FORMATS:
        raise ValueError(f"{path.name}: gap lists are written as {', '.join(GAP_LIST_FORMATS)}")
    settings = settings_table(gaps.settings)
    if suffix == ".xlsx":
        villages = pd.DataFrame(gaps.villages.drop(columns=gaps.villages.geometry.name))
        sheets = {"villages": villages, "communes": gaps.communes, "province": gaps.provinces,
                  "settings": settings}  # fmt: skip
        return [write_layers(sheets, path)]
    side = {
        "communes": gaps.communes,
        "province": gaps.provinces,
        "settings": settings,
    }
    written = [write_layer(gaps.villages, path, layer="villages")]
    for name, table in side.items():
        written.append(write_layer(table, path.with_name(f"{path.stem}_{name}.csv")))
    return written
