"""What goes out to tender: the ranked site list, bid lots, and the coverage-budget curve."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from whitespot._errors import InputError
from whitespot.data import add_lonlat
from whitespot.planning.matrix import CoverageMatrix
from whitespot.planning.select import SiteSelection, select_sites

RANKING_COLUMNS = (
    "rank",
    "site_id",
    "lon",
    "lat",
    "households_new",
    "households_cumulative",
    "share_cumulative",
    "capex",
    "power_option",
    "power_cost",
    "backhaul_option",
    "backhaul_cost",
    "total_cost",
    "option",
    "opex_per_year",
    "lifetime_cost",
    "cost_per_household",
    "villages_served",
    "village_names",
    "commune_code",
    "province_code",
    "source",
)


def first_server_rank(matrix: CoverageMatrix, selection: SiteSelection) -> np.ndarray:
    """Rank (1-based, selection order) of the first chosen site covering each demand point.

    0 where no chosen site covers the point.
    """
    chosen = matrix.cover[selection.sites].tocsc()
    chosen.sort_indices()
    has = np.diff(chosen.indptr) > 0
    group_rank = np.zeros(matrix.n_groups, dtype=np.int64)
    group_rank[has] = chosen.indices[chosen.indptr[:-1][has]] + 1
    point_rank = np.zeros(len(matrix.group_of_point), dtype=np.int64)
    reachable = matrix.group_of_point >= 0
    point_rank[reachable] = group_rank[matrix.group_of_point[reachable]]
    return point_rank


def rank_sites(
    selection: SiteSelection,
    matrix: CoverageMatrix,
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Rank the chosen sites for bidding.

    Parameters
    ----------
    selection : SiteSelection
    matrix : CoverageMatrix
    candidates : geopandas.GeoDataFrame
        Candidates with ``site_id`` and the cost columns (``capex``, ``power_option``,
        ``power_cost``, ``backhaul_option``, ``backhaul_cost``, ``total_cost``), and
        optionally ``option`` (default ``"new_tower"``), ``opex_per_year`` (default 0) and
        ``lifetime_cost`` (default ``total_cost``).
    demand : geopandas.GeoDataFrame
        The demand points of the matrix (``village_id``, ``households``).
    villages : geopandas.GeoDataFrame
        The gap list's villages (``village_id``, ``name``, ``commune_code``,
        ``province_code``).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`RANKING_COLUMNS`, one row per chosen site in selection order, geometry last.
        ``households_new`` are the households the site covers that no higher-ranked site
        covers; ``share_cumulative`` is of all households without signal; the commune is
        that of the village the site serves most.
    """
    rank = first_server_rank(matrix, selection)
    served = pd.DataFrame(
        {
            "rank": rank,
            "village_id": demand["village_id"].to_numpy(),
            "households": demand["households"].to_numpy(float),
        }
    )
    served = served[served["rank"] > 0]
    by_village = served.groupby(["rank", "village_id"], as_index=False)["households"].sum()
    by_village = by_village.sort_values(
        ["rank", "households", "village_id"], ascending=[True, False, True], kind="stable"
    )
    info = villages.set_index("village_id")
    by_village["name"] = info["name"].reindex(by_village["village_id"]).to_numpy()
    lists = by_village.groupby("rank").agg(
        villages_served=("village_id", "; ".join),
        village_names=("name", lambda n: "; ".join(map(str, n))),
        main_village=("village_id", "first"),
    )
    table = candidates.set_index("site_id").loc[list(selection.site_ids)].reset_index()
    if "option" not in table:
        table["option"] = "new_tower"
    if "opex_per_year" not in table:
        table["opex_per_year"] = 0.0
    if "lifetime_cost" not in table:
        table["lifetime_cost"] = table["total_cost"]
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["households_new"] = np.rint(selection.marginal).astype(np.int64)
    table["households_cumulative"] = table["households_new"].cumsum()
    total = matrix.point_weight.sum()
    table["share_cumulative"] = (
        np.round(table["households_cumulative"] / total, 4) if total else 0.0
    )
    table = table.merge(lists, left_on="rank", right_index=True, how="left")
    for column in ("villages_served", "village_names"):
        table[column] = table[column].fillna("")
    main = table["main_village"].fillna("")
    table["commune_code"] = info["commune_code"].reindex(main).fillna("").to_numpy()
    table["province_code"] = info["province_code"].reindex(main).fillna("").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cost_per_household"] = np.round(
            np.where(
                table["households_new"] > 0, table["total_cost"] / table["households_new"], np.nan
            ),
            3,
        )
    ranked = gpd.GeoDataFrame(table, geometry="geometry", crs=candidates.crs)
    ranked = add_lonlat(ranked)
    return ranked[[*RANKING_COLUMNS, "geometry"]]


def bid_lots(
    ranked: gpd.GeoDataFrame, backhaul: gpd.GeoDataFrame | None = None, *, by: str = "commune"
) -> pd.DataFrame:
    """Group ranked sites into lots operators can bid on, with totals.

    Parameters
    ----------
    ranked : geopandas.GeoDataFrame
        From :func:`rank_sites`.
    backhaul : geopandas.GeoDataFrame, optional
        Links from :func:`whitespot.planning.costs.backhaul_network`; needed for
        ``by="backhaul"``.
    by : {"commune", "backhaul"}, default "commune"
        One lot per commune, or per connected backhaul cluster (sites leading to the same
        anchor; sites on satellite backhaul, co-locations, upgrades and satellite terminals
        form their own lot each). Either way a lot holds one
        ``option`` (new towers, co-locations, upgrades or satellite terminals): different
        works go to different bidders.

    Returns
    -------
    pandas.DataFrame
        ``lot``, ``commune_code`` / ``cluster``, ``option``, ``sites``, ``site_ids``,
        ``households_new``, ``capex``, ``power_cost``, ``backhaul_cost``, ``total_cost``,
        ``lifetime_cost``, ``cost_per_household``; lots numbered by their best-ranked site.
    """
    if by not in ("commune", "backhaul"):
        raise InputError(f"by={by!r} must be 'commune' or 'backhaul'")
    frame = pd.DataFrame(ranked.drop(columns="geometry"))
    if "option" not in frame:
        frame["option"] = "new_tower"
    if "lifetime_cost" not in frame:
        frame["lifetime_cost"] = frame["total_cost"]
    if by == "commune":
        key = frame["commune_code"].replace("", "unknown")
        label = "commune_code"
    else:
        cluster = {}
        if backhaul is not None:
            for column in ("from_id", "to_id"):
                cluster.update(zip(backhaul[column], backhaul["cluster"], strict=True))
        own = np.where(  # the other options' ids say what they are: "satellite:V1" ...
            frame["option"] == "new_tower", "satellite:" + frame["site_id"], frame["site_id"]
        )
        key = frame["site_id"].map(cluster).fillna(pd.Series(own, index=frame.index))
        label = "cluster"
    frame[label] = key
    lots = (
        frame.groupby([label, "option"], sort=False)
        .agg(
            first_rank=("rank", "min"),
            sites=("site_id", "size"),
            site_ids=("site_id", "; ".join),
            households_new=("households_new", "sum"),
            capex=("capex", "sum"),
            power_cost=("power_cost", "sum"),
            backhaul_cost=("backhaul_cost", "sum"),
            total_cost=("total_cost", "sum"),
            lifetime_cost=("lifetime_cost", "sum"),
        )
        .sort_values("first_rank")
        .reset_index()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        lots["cost_per_household"] = np.round(
            np.where(
                lots["households_new"] > 0, lots["total_cost"] / lots["households_new"], np.nan
            ),
            3,
        )
    lots.insert(0, "lot", np.arange(1, len(lots) + 1))
    return lots.drop(columns="first_rank")


def village_options(
    selection: SiteSelection,
    matrix: CoverageMatrix,
    ranked: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """How each village the plan serves is served: its option and its share of the cost.

    Each household newly covered is counted to the first chosen site covering it (as
    ``households_new``); a village's option is that of the site serving most of its
    households, and its cost the sum, over the sites serving it, of each site's cost
    shared by households.

    Returns
    -------
    pandas.DataFrame
        ``village_id``, ``name``, ``commune_code``, ``option`` (``"new_tower"``,
        ``"colocation"``, ``"upgrade"``, ``"satellite"``), ``site_id`` (the main site),
        ``sites`` (how many serve it), ``households_new``, ``total_cost`` and
        ``lifetime_cost`` (its share), in order of the main site's rank.
    """
    rank = first_server_rank(matrix, selection)
    served = pd.DataFrame(
        {"rank": rank, "village_id": demand["village_id"].to_numpy(),
         "households": demand["households"].to_numpy(float)}
    )  # fmt: skip
    served = served[served["rank"] > 0]
    pairs = served.groupby(["village_id", "rank"], as_index=False)["households"].sum()
    site = ranked.set_index("rank")
    per_site = site["households_new"].reindex(pairs["rank"]).to_numpy(float)
    share = np.divide(
        pairs["households"].to_numpy(), per_site, out=np.zeros(len(pairs)), where=per_site > 0
    )
    for column in ("total_cost", "lifetime_cost"):
        pairs[column] = site[column].reindex(pairs["rank"]).to_numpy(float) * share
    main = pairs.sort_values(
        ["village_id", "households", "rank"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("village_id")
    table = (
        pairs.groupby("village_id")
        .agg(sites=("rank", "size"), households_new=("households", "sum"),
             total_cost=("total_cost", "sum"), lifetime_cost=("lifetime_cost", "sum"))
        .join(main.set_index("village_id")["rank"])
        .reset_index()
    )  # fmt: skip
    table["option"] = site["option"].reindex(table["rank"]).to_numpy()
    table["site_id"] = site["site_id"].reindex(table["rank"]).to_numpy()
    info = villages.set_index("village_id")
    table["name"] = info["name"].reindex(table["village_id"]).to_numpy()
    table["commune_code"] = info["commune_code"].reindex(table["village_id"]).to_numpy()
    table["households_new"] = np.rint(table["households_new"]).astype(np.int64)
    for column in ("total_cost", "lifetime_cost"):
        table[column] = np.round(table[column], 3)
    table = table.sort_values(["rank", "village_id"], kind="stable").reset_index(drop=True)
    return table[
        ["village_id", "name", "commune_code", "option", "site_id", "sites",
         "households_new", "total_cost", "lifetime_cost"]
    ]  # fmt: skip


def site_lots(lots: pd.DataFrame) -> dict[str, int]:
    """Return each site's lot from a lots table (:func:`bid_lots`: ``site_ids`` joined by ``; ``).

    Parameters
    ----------
    lots : pandas.DataFrame
        ``lot`` and ``site_ids``.

    Returns
    -------
    dict of site id -> lot number
    """
    return {
        site: int(lot)
        for lot, ids in zip(lots["lot"], lots["site_ids"], strict=True)
        for site in str(ids).split("; ")
        if site
    }


def coverage_curve(
    matrix: CoverageMatrix, *, steps: int = 10, method: str = "greedy", time_limit_s: float = 10.0
) -> pd.DataFrame:
    """Households covered for each budget step, with the bound proved at each step.

    Budgets run in `steps` equal steps up to the cost of covering every coverable household
    (the greedy set cover). Each step is solved by `method` (default ``"greedy"``, whose
    Lagrangian bound says how far from optimal each step can be) within `time_limit_s`.

    Parameters
    ----------
    matrix : CoverageMatrix
        Which candidate covers which demand, with weights and costs.
    steps : int, default 10
        Number of budget steps.
    method : str, default "greedy"
        A method of :func:`select_sites` (:data:`METHODS`).
    time_limit_s : float, default 10
        Time for each step, s.

    Returns
    -------
    pandas.DataFrame
        ``budget``, ``sites``, ``households_covered``, ``share_covered`` (of all demand),
        ``bound`` and ``gap``.
    """
    if steps < 1:
        raise InputError(f"steps={steps} must be >= 1")
    if matrix.n_groups == 0:
        return pd.DataFrame(
            columns=["budget", "sites", "households_covered", "share_covered", "bound", "gap"]
        )
    full = select_sites(matrix, cover_all=True, method="greedy")
    total = matrix.point_weight.sum()
    rows = []
    for budget in np.linspace(full.cost / steps, full.cost, steps):  # budget steps, not demand
        result = select_sites(
            matrix,
            budget=float(budget),
            method=method,
            time_limit_s=time_limit_s,
            gap_tolerance=1e-3,
        )
        # the set cover is also a solution for any budget that pays for it
        best = full if full.cost <= budget and full.covered > result.covered else result
        covered = best.covered
        rows.append(
            (
                round(float(budget), 3),
                len(best.sites),
                covered,
                round(covered / total, 4) if total else 0.0,
                max(result.bound, covered),
                max(result.bound - covered, 0.0) / max(result.bound, 1e-12),
            )
        )
    return pd.DataFrame(
        rows, columns=["budget", "sites", "households_covered", "share_covered", "bound", "gap"]
    )


def service_lines(ranked: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lines from each ranked site to the villages it newly serves (for maps)."""
    pairs = (
        ranked[["rank", "site_id", "villages_served", "geometry"]]
        .assign(village_id=ranked["villages_served"].str.split("; "))
        .explode("village_id")
    )
    pairs = pairs[pairs["village_id"].fillna("") != ""]
    village_points = villages.set_index("village_id").geometry.representative_point()
    ends = village_points.reindex(pairs["village_id"]).to_crs(ranked.crs).to_numpy()
    lines = shapely.shortest_line(pairs.geometry.to_numpy(), ends)
    return gpd.GeoDataFrame(
        {
            "rank": pairs["rank"].to_numpy(),
            "site_id": pairs["site_id"].to_numpy(),
            "village_id": pairs["village_id"].to_numpy(),
        },
        geometry=lines,
        crs=ranked.crs,
    )
