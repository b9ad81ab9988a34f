"""Planning a country: site selection per province, in parallel, and one national list.

Provinces are planned apart where they are independent: no candidate site of one reaches
a household without signal of another. Each province's candidates are those
:func:`~whitespot.planning.candidates.candidates_from_gaps` places at and around its own
gap villages; a candidate whose reach (the largest distance at which a new site of the
technology could still matter, from the signal setup) touches another province's demand
joins the two provinces into one planning group, so a group's plan is the plan of its
provinces taken together. Groups run as tasks (:func:`~whitespot.coverage._tiles.run_tiles`:
here, or on a Dask cluster).

The objective applies to each group: ``sites``/``budget`` per group (a province's own
bid), or ``cover_all``, which decomposes exactly (the fewest sites of the country is the
sum over independent groups). A national budget shared between provinces is not split
here. The national ranked list interleaves the groups' ranked sites by their marginal
value (households per site, or per cost under a budget): for independent groups this is
the order a national greedy ranking would give.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from whitespot._errors import InputError
from whitespot._parallel import run_tiles
from whitespot.coverage import GapList, summarize
from whitespot.data import Problem, ValidationError, metric_crs
from whitespot.data._crs import projected_xy
from whitespot.data._labels import counted
from whitespot.data._problems import format_ids
from whitespot.planning.candidates import candidates_from_gaps
from whitespot.planning.matrix import demand_points, new_site_towers
from whitespot.planning.plan import Plan, plan_sites
from whitespot.radio import SignalSetup
from whitespot.radio._engine import tower_reach_m

if TYPE_CHECKING:
    from distributed import Client

SUMMARY_COLUMNS = (
    "group",
    "provinces",
    "sites",
    "households_covered",
    "households_coverable",
    "households_unreachable",
    "total_cost",
    "objective",
    "bound",
    "gap",
    "status",
)
"""Columns of :attr:`CountryPlan.summary`, one row per planning group."""


@dataclass(frozen=True)
class CountryPlan:
    """The result of :func:`plan_country`.

    Attributes
    ----------
    plans : dict of str to Plan
        The plan of each planning group, by group name (its province codes joined by
        ``+``).
    groups : pandas.DataFrame
        ``province_code`` and its ``group``.
    summary : pandas.DataFrame
        One row per group (:data:`SUMMARY_COLUMNS`) and a last ``national`` row of totals.
    sites : geopandas.GeoDataFrame
        The national ranked list: every chosen site, ``national_rank`` first, then the
        group's own columns and ``group``.
    """

    plans: dict[str, Plan]
    groups: pd.DataFrame
    summary: pd.DataFrame
    sites: gpd.GeoDataFrame

    def headline(self) -> str:
        """One sentence: sites, households newly covered, cost, over the groups."""
        total = self.summary.iloc[-1]
        return (
            f"{counted(int(total['sites']), 'new site')} in "
            f"{counted(len(self.plans), 'planning group')} "
            f"({counted(len(self.groups), 'province')}) cover "
            f"{total['households_covered']:,.0f} of "
            f"{total['households_coverable'] + total['households_unreachable']:,.0f} "
            f"households without signal for {total['total_cost']:,.0f}"
        )


def province_gaps(gaps: GapList, codes: list[str]) -> GapList:
    """Return the part of a gap list that lies in the provinces `codes`."""
    inside = gaps.villages["province_code"].astype(str).isin(codes).to_numpy()
    villages = gaps.villages[inside]
    households = None
    if gaps.households is not None:
        ids = set(villages["village_id"])
        households = gaps.households[gaps.households["village_id"].isin(ids)]
    return replace(
        gaps,
        villages=villages,
        communes=summarize(villages, ["province_code", "commune_code"]),
        provinces=summarize(villages, ["province_code"]),
        households=households,
    )


def planning_groups(
    gaps: GapList, setup: SignalSetup | None = None, *, technology: str = "4G"
) -> pd.DataFrame:
    """Join provinces whose candidate sites reach each other's households without signal.

    Parameters
    ----------
    gaps : GapList
        The country's gap list, with ``province_code``.
    setup : SignalSetup, optional
        How new sites' signal is predicted; default the gap list's own.
    technology : str, default "4G"
        Technology of the new sites.

    Returns
    -------
    pandas.DataFrame
        ``province_code`` and ``group`` (the group's province codes joined by ``+``),
        in province order.

    Raises
    ------
    ValidationError
        When households of the gap list name villages absent from its villages (they
        would be in no province): naming how many and a few village ids.
    """
    _check_households_known(gaps)
    codes = np.array(sorted(gaps.villages["province_code"].astype(str).unique()))
    setup = setup or gaps.setup
    crs = setup.crs or metric_crs(gaps.villages)  # the gap list's metric CRS, kept
    setup = setup.in_crs(crs).replace(technology=None)
    province = pd.Series(
        np.searchsorted(codes, gaps.villages["province_code"].astype(str).to_numpy()),
        index=gaps.villages["village_id"].to_numpy(),
    )
    demand = demand_points(gaps)
    candidates = candidates_from_gaps(gaps, crs=crs)  # each at or around its own village
    source = target = np.arange(len(codes))  # each province with itself
    if len(demand) and len(candidates):
        reach_m = tower_reach_m(new_site_towers(candidates, technology), setup)
        near = cKDTree(projected_xy(demand, crs)).query_ball_point(
            projected_xy(candidates, crs), reach_m
        )
        site_province = province[candidates["village_id"]].to_numpy()
        demand_province = province[demand["village_id"]].to_numpy()
        reached = np.concatenate([*near, []]).astype(np.int64)
        source = np.concatenate([source, np.repeat(site_province, [len(n) for n in near])])
        target = np.concatenate([target, demand_province[reached]])
    graph = coo_matrix((np.ones(len(source)), (source, target)), shape=(len(codes),) * 2)
    _, label = connected_components(graph, directed=False)
    names = {g: "+".join(codes[label == g]) for g in np.unique(label)}
    return pd.DataFrame({"province_code": codes, "group": [names[g] for g in label]})


def _check_households_known(gaps: GapList) -> None:
    """Refuse households whose village is not among the gap list's villages.

    They belong to no province, so no group would plan for them: refused, never dropped
    (a gap list made by :func:`~whitespot.coverage.gap_list` refuses them already; a
    list whose villages were filtered without its households has them).
    """
    if gaps.households is None:
        return
    orphan = ~gaps.households["village_id"].isin(gaps.villages["village_id"]).to_numpy()
    if not orphan.any():
        return
    named = sorted(dict.fromkeys(gaps.households["village_id"][orphan].astype(str)))
    raise ValidationError(
        [
            Problem(
                "gap list households",
                "village_id",
                "unknown_village",
                f"{orphan.sum():,} households name {len(named):,} villages absent from the "
                f"gap list's villages ({format_ids(named, 5)}): they are in no province, so "
                "no group would plan for them; filter the households with the villages "
                "(province_gaps does), or make the gap list again",
            )
        ]
    )


def _plan_group(codes: list[str], gaps: GapList, options: dict[str, Any]) -> Plan:
    """Plan one group of provinces (a task)."""
    return plan_sites(province_gaps(gaps, codes), **options, progress=False)


def plan_country(
    gaps: GapList,
    *,
    client: Client | None = None,
    progress: bool | None = None,
    **options: Any,
) -> CountryPlan:
    """Plan new sites province by province, independent groups in parallel.

    Parameters
    ----------
    gaps : GapList
        The country's gap list (every village with ``province_code``).
    client : distributed.Client, optional
        Run the groups as Dask tasks; None runs them here, one after another.
    progress : bool, optional
        Show a progress bar over the groups.
    **options
        :func:`~whitespot.planning.plan_sites` options, applied to each group
        (``sites``, ``budget`` or ``cover_all``; ``towers``, ``grid``, ``technology``,
        ``setup``, ``costs``, ``method``, ``time_limit_s`` ...). Candidates are generated
        per province: ``candidates`` is not taken.

    Returns
    -------
    CountryPlan
    """
    if "candidates" in options:
        raise InputError("plan_country generates candidates per province; plan_sites takes them")
    groups = planning_groups(gaps, options.get("setup"), technology=options.get("technology", "4G"))
    names = list(dict.fromkeys(groups["group"]))
    members = [groups.loc[groups["group"] == name, "province_code"].tolist() for name in names]
    plans = run_tiles(
        _plan_group, members, gaps, options, client=client, progress=progress, desc="provinces"
    )
    by_name = dict(zip(names, plans, strict=True))
    per_cost = options.get("budget") is not None
    return CountryPlan(by_name, groups, _summary(by_name), _national_list(by_name, per_cost))


def _summary(plans: dict[str, Plan]) -> pd.DataFrame:
    rows = []
    for name, plan in plans.items():
        s = plan.selection
        rows.append(
            {
                "group": name,
                "provinces": name.count("+") + 1,
                "sites": len(s.sites),
                "households_covered": s.covered,
                "households_coverable": s.coverable,
                "households_unreachable": s.unreachable,
                "total_cost": float(plan.sites["total_cost"].sum()),
                "objective": s.objective,
                "bound": s.bound,
                "gap": s.gap,
                "status": s.status,
            }
        )
    table = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    totals = table.drop(columns=["group", "status", "gap"]).sum(numeric_only=True)
    national = {**totals.to_dict(), "group": "national", "status": _national_status(table)}
    national["gap"] = abs(national["bound"] - national["objective"]) / max(
        abs(national["bound"]), 1e-12
    )
    return pd.concat([table, pd.DataFrame([national])], ignore_index=True)[list(SUMMARY_COLUMNS)]


def _national_status(table: pd.DataFrame) -> str:
    statuses = set(table["status"])
    return statuses.pop() if len(statuses) == 1 else "mixed: " + ", ".join(sorted(statuses))


def _national_list(plans: dict[str, Plan], per_cost: bool) -> gpd.GeoDataFrame:
    """Interleave the groups' ranked sites by marginal value (stable within each group)."""
    parts = [plan.sites.assign(group=name) for name, plan in plans.items() if len(plan.sites)]
    if not parts:
        empty = next(iter(plans.values())).sites if plans else gpd.GeoDataFrame()
        return empty.assign(national_rank=pd.Series(dtype=np.int64), group="")
    sites = pd.concat(parts, ignore_index=True)
    value = sites["households_new"].to_numpy(dtype=float)
    if per_cost:
        value = value / np.maximum(sites["total_cost"].to_numpy(dtype=float), 1e-9)
    # the running minimum within each group never rises, so each group keeps its order
    value = pd.Series(value).groupby(sites["group"].to_numpy(), sort=False).cummin().to_numpy()
    order = np.lexsort((sites["rank"].to_numpy(), sites["group"].to_numpy(), -value))
    sites = sites.iloc[order].reset_index(drop=True)
    sites.insert(0, "national_rank", np.arange(1, len(sites) + 1))
    return gpd.GeoDataFrame(sites, geometry="geometry", crs=parts[0].crs)
