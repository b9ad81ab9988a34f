"""Writing a plan: the ranked sites, lots, coverage curve, networks and settings."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from whitespot.coverage._export import settings_table
from whitespot.data import read_layer, write_layer
from whitespot.data._io import write_layers, write_staged
from whitespot.data._labels import counted
from whitespot.planning.country import CountryPlan
from whitespot.planning.plan import Plan

PLAN_FORMATS = (".csv", ".xlsx", ".geojson", ".gpkg")
PLAN_SHEETS = (
    "sites", "lots", "villages", "curve", "backhaul", "power_lines", "unreachable", "settings"
)  # fmt: skip
"""The sheets of a plan's workbook, in order."""


def write_plan(plan: Plan, path: str | PathLike) -> list[Path]:
    """Write a plan in the format of the file suffix.

    ``.xlsx``: one workbook with the sheets ``sites`` (the ranked list), ``lots``,
    ``villages`` (how each village served is served: option and cost share), ``curve``,
    ``backhaul``, ``power_lines``, ``unreachable`` (villages no candidate reaches) and
    ``settings`` (:data:`PLAN_SHEETS`). ``.gpkg``: one GeoPackage with the layers
    ``sites``, ``backhaul``, ``power_lines`` and ``service`` plus the tables as
    ``<stem>_lots.csv`` ... beside it. ``.csv`` and ``.geojson``: the ranked sites, with
    ``<stem>_lots.csv``, ``<stem>_villages.csv``, ``<stem>_curve.csv``,
    ``<stem>_settings.csv`` and (GeoJSON) ``<stem>_backhaul.geojson``,
    ``<stem>_power_lines.geojson`` beside them.

    The files are written whole or not at all (:func:`whitespot.data.staged_files`).

    Parameters
    ----------
    plan : Plan
        From :func:`plan_sites`.
    path : path-like
        ``.xlsx``, ``.csv``, ``.geojson``, ``.gpkg`` or ``.parquet``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    return write_staged(path, PLAN_FORMATS, "plans", lambda staged: _write_plan_files(plan, staged))


def _write_plan_files(plan: Plan, path: Path) -> list[Path]:
    suffix = path.suffix.lower()
    selection = plan.selection
    settings = settings_table(
        {
            **plan.settings,
            "method_used": selection.method,
            "status": selection.status,
            "objective": selection.objective,
            "bound": selection.bound,
            "gap": selection.gap,
            "seconds": round(selection.seconds, 3),
        }
    )
    tables = {
        "lots": plan.lots,
        "villages": plan.villages,
        "curve": plan.curve,
        "unreachable": plan.unreachable,
        "settings": settings,
    }
    if suffix == ".xlsx":
        sheets = {
            "sites": pd.DataFrame(plan.sites.drop(columns="geometry")),
            **tables,
            "backhaul": pd.DataFrame(plan.backhaul.drop(columns="geometry")),
            "power_lines": pd.DataFrame(plan.power_lines.drop(columns="geometry")),
            "unreachable": plan.unreachable,
        }
        return [write_layers({name: sheets[name] for name in PLAN_SHEETS}, path)]
    if suffix == ".gpkg":
        layers = {
            "sites": plan.sites,
            "backhaul": plan.backhaul,
            "power_lines": plan.power_lines,
            "service": plan.service,
        }
        written = [write_layers({k: v for k, v in layers.items() if len(v)}, path)]
    else:
        written = [write_layer(plan.sites, path, layer="sites")]
        if suffix == ".geojson":
            for name in ("backhaul", "power_lines"):
                written.append(
                    write_layer(getattr(plan, name), path.with_name(f"{path.stem}_{name}.geojson"))
                )
    for name, table in tables.items():
        written.append(write_layer(table, path.with_name(f"{path.stem}_{name}.csv")))
    return written


def write_country_plan(country: CountryPlan, path: str | PathLike) -> list[Path]:
    """Write a country's plan: the national ranked list, the summary and the groups.

    ``.xlsx``: the sheets ``sites`` (national ranked list), ``summary`` (one row per
    planning group and a ``national`` row) and ``groups`` (province to group). Other
    suffixes: the sites as that format, with ``<stem>_summary.csv`` and
    ``<stem>_groups.csv`` beside them. Written whole or not at all.

    Parameters
    ----------
    country : CountryPlan
        From :func:`plan_country`.
    path : path-like
        ``.xlsx`` or another layer format.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    tables = {"summary": country.summary, "groups": country.groups}

    def write(staged: Path) -> list[Path]:
        if staged.suffix.lower() == ".xlsx":
            sites = pd.DataFrame(country.sites.drop(columns="geometry"))
            return [write_layers({"sites": sites, **tables}, staged)]
        written = [write_layer(country.sites, staged, layer="sites")]
        for name, table in tables.items():
            written.append(write_layer(table, staged.with_name(f"{staged.stem}_{name}.csv")))
        return written

    return write_staged(path, PLAN_FORMATS, "plans", write)


def read_plan(path: str | PathLike) -> PlanOnMap:
    """Read a plan written by :func:`write_plan` as GeoJSON or GeoPackage, for drawing.

    The ranked sites come from the file; backhaul and power lines from the GeoJSON files
    beside it (or the GeoPackage's layers) when present.

    Parameters
    ----------
    path : path-like
        A ``.geojson`` or ``.gpkg`` plan from :func:`write_plan`.

    Returns
    -------
    PlanOnMap
        Ranked sites, backhaul, power lines and served villages, for
        :func:`whitespot.maps.plan_map`.
    """
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        names = set(pyogrio.list_layers(path)[:, 0])
        layer = {
            n: read_layer(path, n) if n in names else None
            for n in ("sites", "backhaul", "power_lines", "service")
        }
    else:
        layer = {"sites": read_layer(path, "sites"), "service": None}
        for name in ("backhaul", "power_lines"):
            side = path.with_name(f"{path.stem}_{name}.geojson")
            layer[name] = read_layer(side) if side.exists() else None
    empty = gpd.GeoDataFrame(geometry=[], crs=layer["sites"].crs)
    return PlanOnMap(**{k: (v if v is not None else empty) for k, v in layer.items()})


@dataclass(frozen=True)
class PlanOnMap:
    """The drawable parts of a plan read back from files."""

    sites: gpd.GeoDataFrame
    backhaul: gpd.GeoDataFrame
    power_lines: gpd.GeoDataFrame
    service: gpd.GeoDataFrame

    def headline(self) -> str:
        """One sentence: sites and households newly covered."""
        return (
            f"{counted(len(self.sites), 'proposed site')} cover "
            f"{counted(int(self.sites['households_new'].sum()), 'household')} without signal"
        )
