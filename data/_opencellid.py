"""Reading OpenCelliD cell exports as a towers layer.

OpenCelliD (https://opencellid.org, CC BY-SA 4.0) publishes one row per cell with the
columns of :data:`OPENCELLID_COLUMNS`; per-country downloads have no header row. A tower in
whitespot is one operator's site for one technology, so the cells of a site are merged:
cells of the same operator and technology within ``site_distance_m`` of each other (single
linkage), and LTE cells of the same eNodeB (cell id // 256), form one tower. Only the cells
of the country's networks are kept (MCC 452 for Viet Nam, with a count of the others left
out): a Cambodian or Lao cell across the border does not close a Vietnamese gap. LTE cells
that give only their local cell id (0-255) cannot be told apart across eNodeBs: they are
grouped by distance alone, and sites whose ids still collide get ``#2``, ``#3``; both said.
"""

from __future__ import annotations

import warnings
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from whitespot.data._crs import WGS84, metric_crs
from whitespot.data._io import unreadable_as_validation_error
from whitespot.data._problems import OpenCellidWarning, Problem, ValidationError
from whitespot.data._schema import PLMN_NAMES, VIETNAM_BBOX, technologies
from whitespot.data.validate import Region, validate_towers

OPENCELLID_COLUMNS = (
    "radio",
    "mcc",
    "net",
    "area",
    "cell",
    "unit",
    "lon",
    "lat",
    "range",
    "samples",
    "changeable",
    "created",
    "updated",
    "averageSignal",
)
"""Columns of an OpenCelliD export, in file order."""


RADIOS = ("GSM", "UMTS", "CDMA", "LTE", "NR")
"""OpenCelliD's radio types, the first column of every row."""

VIETNAM_MCC = 452
"""Mobile country code of Viet Nam (ITU-T E.212)."""

LTE_CELLS_PER_ENODEB = 256
"""An LTE ECI is the 20-bit eNodeB id followed by an 8-bit cell id (3GPP TS 36.413)."""


def read_opencellid(
    path: str | PathLike,
    *,
    mcc: int | None = VIETNAM_MCC,
    site_distance_m: float = 150.0,
    region: Region = VIETNAM_BBOX,
) -> gpd.GeoDataFrame:
    """Read an OpenCelliD CSV (plain or .gz, with or without header) as a towers layer.

    Parameters
    ----------
    path : path-like
        The export.
    mcc : int or None, default 452 (Viet Nam)
        Keep only cells of this mobile country code; the others are counted by MCC in an
        :class:`~whitespot.data.OpenCellidWarning`. ``None`` keeps every cell.
    site_distance_m : float, default 150
        Cells of one operator and technology closer than this, in m, are one site.
    region : tuple or None
        Passed to :func:`~whitespot.data.validate_towers`.

    Returns
    -------
    geopandas.GeoDataFrame
        Validated towers in EPSG:4326, sorted by ``tower_id`` (``"mcc-net-area-cell"`` of
        the site's first cell), with ``operator``, ``technology`` and the OpenCelliD
        summary columns ``mcc``, ``net``, ``cells``, ``range_m`` (largest cell range),
        ``samples`` (sum) and ``updated`` (latest, UTC).

    Raises
    ------
    ValidationError
        For radio types whitespot does not know, cells without coordinates, or no cell of
        `mcc` (naming the countries the file holds).

    Warns
    -----
    OpenCellidWarning
        Cells of other countries left out; LTE cells with only a local cell id; sites
        whose ids collide (renamed ``#2``, ``#3``).
    """
    path = Path(path)
    label = f"towers ({path.name})"
    with unreadable_as_validation_error(path, label):
        cells = _read_cells(path, label)
    if mcc is not None:
        cells = _country_cells(cells, mcc, label)
    cells["technology"] = technologies(cells["radio"])
    cell_ids = (
        cells["mcc"].astype(str)
        + "-"
        + cells["net"].astype(str)
        + "-"
        + cells["area"].astype(str)
        + "-"
        + cells["cell"].astype(str)
    ).to_numpy()
    problems = []
    unknown = cells["technology"].isna().to_numpy()
    if unknown.any():
        radios = ", ".join(sorted(set(cells.loc[unknown, "radio"].astype(str))))
        problems.append(
            Problem(
                label,
                "radio",
                "unknown_technology",
                f"radio {radios} is not GSM, UMTS, LTE or NR",
                tuple(cell_ids[unknown]),
            )
        )
    no_position = ~(np.isfinite(cells["lon"]) & np.isfinite(cells["lat"])).to_numpy()
    if no_position.any():
        problems.append(
            Problem(
                label,
                "lon/lat",
                "missing_value",
                "cell without coordinates",
                tuple(cell_ids[no_position]),
            )
        )
    if problems:
        raise ValidationError(problems)

    local = (cells["technology"] == "4G").to_numpy() & (cells["cell"] < LTE_CELLS_PER_ENODEB)
    if local.any():
        _warn(
            label, "cell", "local_cell_id", "LTE cells give only their local cell id (0-255), "
            "not the 28-bit ECI (eNodeB x 256 + cell): they cannot be told apart across "
            "eNodeBs, so they are grouped into sites by distance alone", cell_ids[local],
        )  # fmt: skip
    cells["site"] = _site_labels(cells, site_distance_m, linked=~local)
    towers = _unique_ids(_merge_sites(cells), label)
    return validate_towers(towers, region=region)


def _warn(label: str, column: str, check: str, message: str, ids: np.ndarray) -> None:
    problem = Problem(label, column, check, f"{len(ids):,} {message}", tuple(ids))
    warnings.warn(str(problem), OpenCellidWarning, stacklevel=4)


def _country_cells(cells: pd.DataFrame, mcc: int, label: str) -> pd.DataFrame:
    """Keep the cells of country `mcc`; count the others by MCC (warned); refuse if none."""
    ours = (cells["mcc"] == mcc).to_numpy()
    others = cells.loc[~ours, "mcc"].value_counts().sort_index()
    held = ", ".join(f"MCC {int(c)}: {n:,}" for c, n in others.items())
    if not ours.any():
        raise ValidationError(
            [
                Problem(
                    label, "mcc", "no_rows",
                    f"no cells of MCC {mcc} in the file" + (f" (it holds {held})" if held else "")
                    + "; give the country's MCC (--mcc)",
                )
            ]
        )  # fmt: skip
    if not ours.all():
        warnings.warn(
            f"{label}: {int(others.sum()):,} of {len(cells):,} cells belong to other countries' "
            f"networks ({held}) and are left out: only MCC {mcc} serves villages here "
            "(--mcc to choose)",
            OpenCellidWarning,
            stacklevel=3,
        )
    return cells[ours].reset_index(drop=True)


def _unique_ids(towers: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Sites named by the same cell id (local ids repeat in every eNodeB) get ``#2``, ``#3``."""
    repeat = towers.groupby("tower_id", sort=False).cumcount().to_numpy()
    if not repeat.any():
        return towers
    again = repeat > 0
    renamed = towers["tower_id"].to_numpy(dtype=object).copy()
    renamed[again] = [f"{t}#{n + 1}" for t, n in zip(renamed[again], repeat[again], strict=True)]
    _warn(
        label, "cell", "colliding_id", "sites share their first cell's id with another site "
        "elsewhere (the same cell id in the same area): kept apart as <id>#n", renamed[again],
    )  # fmt: skip
    return towers.assign(tower_id=renamed)


def _read_cells(path: Path, label: str) -> pd.DataFrame:
    first = pd.read_csv(path, nrows=1, header=None, dtype=str)
    has_header = str(first.iloc[0, 0]).strip().lower() == "radio"
    radio = str(first.iloc[0, 0]).strip().upper()
    if not has_header and (radio not in RADIOS or first.shape[1] != len(OPENCELLID_COLUMNS)):
        found = ", ".join(str(v) for v in first.iloc[0].tolist()[:8])
        raise ValidationError(
            [
                Problem(
                    label,
                    "file",
                    "not_opencellid",
                    f"not an OpenCelliD export (its rows start with the radio, "
                    f"{'/'.join(RADIOS)}, in {len(OPENCELLID_COLUMNS)} columns: "
                    f"{','.join(OPENCELLID_COLUMNS[:7])} ...); the first row reads {found}: "
                    "for a towers file in whitespot's form leave out --opencellid",
                )
            ]
        )
    cells = pd.read_csv(
        path,
        header=0 if has_header else None,
        names=None if has_header else list(OPENCELLID_COLUMNS),
        dtype={"radio": str},
    )
    for column in ("mcc", "net", "area", "cell", "range", "samples", "updated"):
        cells[column] = pd.to_numeric(cells[column], errors="coerce")
    for column in ("lon", "lat"):
        cells[column] = pd.to_numeric(cells[column], errors="coerce").astype(float)
    return cells


def _site_labels(cells: pd.DataFrame, site_distance_m: float, linked: np.ndarray) -> np.ndarray:
    """Label the connected components of cells that share operator, technology and a site.

    Cells within `site_distance_m` are linked, and `linked` LTE cells of one eNodeB.
    """
    points = gpd.GeoSeries(gpd.points_from_xy(cells["lon"], cells["lat"]), crs=WGS84)
    metric = points.to_crs(metric_crs(gpd.GeoDataFrame(geometry=points)))
    xy = np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()])
    group = cells.groupby(["mcc", "net", "technology"], sort=True).ngroup().to_numpy()
    pairs = cKDTree(xy).query_pairs(site_distance_m, output_type="ndarray")
    pairs = pairs[group[pairs[:, 0]] == group[pairs[:, 1]]]
    lte = (cells["technology"].to_numpy() == "4G") & linked
    enodeb = np.where(lte, cells["cell"].to_numpy() // LTE_CELLS_PER_ENODEB, -1)
    enodeb_key = group.astype(np.int64) * (1 << 21) + enodeb  # eNodeB ids have 20 bits
    same_enodeb = np.flatnonzero(enodeb >= 0)
    first_of_key = pd.Series(same_enodeb).groupby(enodeb_key[same_enodeb]).transform("first")
    links = np.vstack([pairs, np.column_stack([same_enodeb, first_of_key.to_numpy()])])
    size = len(cells)
    graph = coo_matrix((np.ones(len(links)), (links[:, 0], links[:, 1])), shape=(size, size))
    return connected_components(graph, directed=False)[1]


def _merge_sites(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    ordered = cells.sort_values(["mcc", "net", "area", "cell"], kind="stable")
    sites = ordered.groupby("site", sort=False).agg(
        mcc=("mcc", "first"),
        net=("net", "first"),
        area=("area", "first"),
        cell=("cell", "first"),
        technology=("technology", "first"),
        lon=("lon", "mean"),
        lat=("lat", "mean"),
        cells=("cell", "size"),
        range_m=("range", "max"),
        samples=("samples", "sum"),
        updated=("updated", "max"),
    )
    sites["tower_id"] = (
        sites["mcc"].astype(int).astype(str)
        + "-"
        + sites["net"].astype(int).astype(str)
        + "-"
        + sites["area"].astype(int).astype(str)
        + "-"
        + sites["cell"].astype(int).astype(str)
    )
    plmn = sites["mcc"].astype(int).astype(str) + "-" + sites["net"].astype(int).astype(str)
    sites["operator"] = plmn.map(PLMN_NAMES).fillna(plmn)
    sites["updated"] = pd.to_datetime(sites["updated"], unit="s", utc=True)
    sites = sites.sort_values(["tower_id", "lon", "lat"]).reset_index(drop=True)
    columns = [
        "tower_id",
        "operator",
        "technology",
        "mcc",
        "net",
        "cells",
        "range_m",
        "samples",
        "updated",
    ]
    geometry = gpd.points_from_xy(sites["lon"], sites["lat"], crs=WGS84)
    return gpd.GeoDataFrame(sites[columns], geometry=geometry, crs=WGS84)
