"""Backhaul over terrain: microwave hops that cannot see are raised, re-routed or satellite.

Without a DEM a plan prices backhaul by distance (:func:`whitespot.planning.backhaul_costs`,
:func:`whitespot.planning.backhaul_network`). With one, every hop the plan would build is
checked for line of sight by the clearance rules of ITU-R P.530-18 §2.2.2.1
(:func:`whitespot.planning.hops_clearance`), at the frequency of the band its length
allows, and a hop that fails is:

- **raised**: the mast of a new site at one end grows by the height the hop needs (existing
  towers are not raised), up to :attr:`LineOfSightSettings.max_mast_height_m`, at
  :attr:`LineOfSightSettings.mast_cost_per_m` a metre, when that is cheaper than going round;
- **re-routed**: through other sites as relays, over a networkx graph of the hops that pass
  (or pass raised), each no longer than its band allows;
- **turned to satellite**: when no such route reaches an existing tower
  (:attr:`whitespot.planning.UnitCosts.satellite_backhaul`).

Hops whose profile leaves the DEM are not judged: they are priced as before and counted as
not checked.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from whitespot._errors import InputError
from whitespot.data import Terrain
from whitespot.data._crs import projected_xy
from whitespot.planning.candidates import DEFAULT_HEIGHT_M
from whitespot.planning.costs import UnitCosts, backhaul_costs
from whitespot.planning.line_of_sight import CLIMATES, OBSTRUCTIONS, hops_clearance
from whitespot.radio import MEDIAN_K_FACTOR

OUTCOMES = ("clear", "raised", "rerouted", "satellite", "not checked")
"""What became of each hop of the distance-only network, in :attr:`BackhaulCheck.hops`."""


@dataclass(frozen=True)
class LineOfSightSettings:
    """How microwave hops are checked over a DEM and what a blocked hop may cost.

    Attributes
    ----------
    bands : tuple of (frequency_mhz, max_hop_km), default 23, 18, 15, 13 and 7.5 GHz
        Microwave bands and the longest hop each carries (8, 12, 20, 25 and 50 km):
        a hop uses the highest band whose limit its length fits, and no hop is longer than
        the longest limit (nor :attr:`UnitCosts.max_hop_km`). The limits are typical rural
        planning lengths in heavy-rain zones (ITU-R P.837 zone P, Viet Nam) - assumptions to
        replace with the operator's link budgets.
    max_mast_height_m : float, default 60
        Tallest mast a new site may grow to for line of sight (a self-supporting rural
        lattice tower; guyed masts go higher).
    mast_cost_per_m : float, default 30
        Cost of each metre of mast added, in :attr:`UnitCosts.currency` (about USD 1,200
        a metre of steel, foundation and erection - an assumption).
    k : float, default 4/3
        Median effective earth-radius factor (P.530 step 1).
    climate : {"tropical", "temperate"}, default "tropical"
        P.530 step 3 criterion (tropical: 0.6 F1 at k_e beyond 30 km).
    obstruction : {"extended", "isolated"}, default "extended"
        Temperate step 3 only: 0.3 F1 (extended) or 0.0 F1 (isolated) at k_e.
    """

    bands: tuple[tuple[float, float], ...] = (
        (23_000.0, 8.0),
        (18_000.0, 12.0),
        (15_000.0, 20.0),
        (13_000.0, 25.0),
        (7_500.0, 50.0),
    )
    max_mast_height_m: float = 60.0
    mast_cost_per_m: float = 30.0
    k: float = MEDIAN_K_FACTOR
    climate: str = "tropical"
    obstruction: str = "extended"

    def __post_init__(self) -> None:
        bands = tuple((float(f), float(km)) for f, km in self.bands)
        if not bands or any(not (f > 0 and km > 0) for f, km in bands):
            raise InputError(f"bands={self.bands} must be (frequency_mhz > 0, max_hop_km > 0)")
        object.__setattr__(self, "bands", tuple(sorted(bands, reverse=True)))
        for name in ("max_mast_height_m", "mast_cost_per_m", "k"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise InputError(f"{name}={value} must be a finite number >= 0")
        if self.climate not in CLIMATES or self.obstruction not in OBSTRUCTIONS:
            raise InputError(
                f"climate={self.climate!r} must be one of {', '.join(CLIMATES)} and "
                f"obstruction={self.obstruction!r} one of {', '.join(OBSTRUCTIONS)}"
            )

    def max_hop_km(self, costs: UnitCosts) -> float:
        """Longest hop: the longest band limit, and no longer than ``costs.max_hop_km``."""
        return min(costs.max_hop_km, max(km for _, km in self.bands))

    def frequency_mhz(self, length_km: np.ndarray) -> np.ndarray:
        """Band of each hop: the highest frequency whose limit the length fits (else the lowest)."""
        length_km = np.asarray(length_km, dtype=float)
        out = np.full(length_km.shape, self.bands[-1][0])
        for frequency, limit in reversed(self.bands):  # highest frequency last wins
            out = np.where(length_km <= limit, frequency, out)
        return out

    def settings(self, costs: UnitCosts) -> dict[str, object]:
        """Return the rules and settings, for a plan's settings sheet."""
        step3 = (
            "0.6 F1 at k_e (P.530 Fig. 3) for hops over 30 km"
            if self.climate == "tropical"
            else f"{0.0 if self.obstruction == 'isolated' else 0.3} F1 at k_e (P.530 Fig. 3)"
        )
        return {
            "line_of_sight": (
                f"checked over the DEM: ITU-R P.530-18 §2.2.2.1, 1.0 F1 at k = {self.k:.4g} "
                f"and {step3} ({self.climate} climate)"
            ),
            "los_bands": "; ".join(f"{f:g} MHz up to {km:g} km" for f, km in self.bands),
            "los_max_hop_km": self.max_hop_km(costs),
            **{f"los_{k}": v for k, v in asdict(self).items() if k not in ("bands", "k")},
        }


@dataclass(frozen=True)
class BackhaulCheck:
    """The backhaul network of a plan checked for line of sight (:func:`checked_network`).

    Attributes
    ----------
    links : geopandas.GeoDataFrame
        The network built: the columns of :func:`whitespot.planning.backhaul_network` plus
        ``frequency_mhz``, ``line_of_sight`` (``"clear"``, ``"raised"``, ``"not checked"``),
        ``clearance_m``, ``clearance_fraction`` (before raising), ``raise_m`` and
        ``raised_id`` (the site whose mast grows); ``cost`` includes the raise.
    hops : geopandas.GeoDataFrame
        Every hop of the distance-only network and every relay hop added: ``from_id``,
        ``to_id``, ``length_km``, ``frequency_mhz``, ``height_from_m``, ``height_to_m``,
        ``clearance_m``, ``clearance_fraction``, ``at_km`` (from ``from_id``), ``raise_m``,
        ``raised_id`` and ``outcome`` (:data:`OUTCOMES`, or ``"relay"`` for an added hop);
        LineString geometry in the plan's metric CRS.
    satellite_sites : list of str
        Sites with no microwave route that passes: satellite backhaul.
    rules : LineOfSightSettings
        The rules the hops were checked by.
    """

    links: gpd.GeoDataFrame
    hops: gpd.GeoDataFrame
    satellite_sites: list[str]
    rules: LineOfSightSettings

    def counts(self) -> dict[str, int]:
        """Count the hops by outcome, for a plan's settings.

        ``los_hops_<outcome>`` for each of :data:`OUTCOMES` counts the hops of the
        distance-only network; ``los_relay_hops_added`` the hops re-routes added;
        ``los_sites_satellite`` the sites left on satellite backhaul (with no tower in
        reach too).
        """
        outcome = self.hops["outcome"]
        counts = {f"los_hops_{o.replace(' ', '_')}": int((outcome == o).sum()) for o in OUTCOMES}
        counts["los_relay_hops_added"] = int((outcome == "relay").sum())
        counts["los_sites_satellite"] = len(self.satellite_sites)
        return counts


def checked_backhaul_costs(
    sites: gpd.GeoDataFrame,
    anchors: gpd.GeoDataFrame | None,
    costs: UnitCosts,
    crs: CRS,
    *,
    terrain: Terrain,
    rules: LineOfSightSettings,
    anchors_tried: int = 4,
) -> pd.DataFrame:
    """Backhaul of each site on its own, as :func:`backhaul_costs`, with line of sight.

    A site one hop from an existing tower tries its `anchors_tried` nearest towers within
    reach: the cheapest hop that passes, or passes with the site's mast raised, wins (a
    farther tower is a re-route); with none, satellite. A site further away needs relay
    masts placed by the designer: those hops cannot be checked before the relays are sited
    and keep their distance price (``backhaul_line_of_sight`` = ``"not checked"``).

    Parameters
    ----------
    terrain : Terrain
        DEM in `crs`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`backhaul_costs` plus ``backhaul_line_of_sight``
        (:data:`OUTCOMES`) and ``backhaul_raise_m``.
    """
    out = backhaul_costs(sites, anchors, costs, crs)
    out["backhaul_line_of_sight"] = "not checked"
    out["backhaul_raise_m"] = 0.0
    reach_m = rules.max_hop_km(costs) * 1000.0
    one_hop = (out["backhaul_option"] == "microwave").to_numpy() & (
        out["anchor_distance_km"].to_numpy() * 1000.0 <= reach_m
    )
    if not one_hop.any():
        return out
    site_xy = projected_xy(sites, crs)[one_hop]
    anchor_xy = projected_xy(anchors, crs)
    tried = min(anchors_tried, len(anchor_xy))
    distance, nearest = cKDTree(anchor_xy).query(site_xy, k=tried, distance_upper_bound=reach_m)
    distance, nearest = distance.reshape(len(site_xy), -1), nearest.reshape(len(site_xy), -1)
    cost = np.full(distance.shape, np.inf)
    raise_m = np.zeros(distance.shape)
    status = np.full(distance.shape, "", dtype=object)
    site_height, anchor_height = _heights(sites)[one_hop], _heights(anchors)
    reachable = np.isfinite(distance)
    # the nearest tower first; farther ones only for sites whose nearest hop is not clear
    for farther in (False, True):
        row, rank = np.nonzero(reachable[:, 1:] if farther else reachable[:, :1])
        if farther:
            keep = ~np.isin(status[row, 0], ("clear", "not checked"))
            row, rank = row[keep], rank[keep] + 1
        anchor = nearest[row, rank]
        hops = _check(
            terrain,
            anchor_xy[anchor],
            site_xy[row],
            anchor_height[anchor],
            site_height[row],
            raisable=(np.zeros(len(row), bool), np.ones(len(row), bool)),
            rules=rules,
        )
        blocked = (hops["line_of_sight"] == "blocked").to_numpy()
        cost[row, rank] = np.where(blocked, np.inf, costs.microwave_hop + hops["raise_cost"])
        raise_m[row, rank] = hops["raise_m"].to_numpy()
        status[row, rank] = hops["line_of_sight"].to_numpy()
    best = np.argmin(cost, axis=1)  # the nearest of equally cheap
    picked = np.arange(len(best)), best
    use = cost[picked] <= costs.satellite_backhaul
    outcome = np.where(best > 0, "rerouted", status[picked])
    index = np.flatnonzero(one_hop)
    out.iloc[index, out.columns.get_loc("backhaul_line_of_sight")] = np.where(
        use, outcome, "satellite"
    )
    out.iloc[index, out.columns.get_loc("backhaul_raise_m")] = np.where(use, raise_m[picked], 0.0)
    out.iloc[index, out.columns.get_loc("anchor_distance_km")] = np.where(
        use, np.round(distance[picked] / 1000.0, 3), out["anchor_distance_km"].to_numpy()[index]
    )
    out.iloc[index, out.columns.get_loc("backhaul_option")] = np.where(
        use, "microwave", "satellite"
    )
    out.iloc[index, out.columns.get_loc("backhaul_hops")] = np.where(use, 1, 0)
    out.iloc[index, out.columns.get_loc("backhaul_cost")] = np.round(
        np.where(use, cost[picked], costs.satellite_backhaul), 3
    )
    return out


def checked_network(
    sites: gpd.GeoDataFrame,
    anchors: gpd.GeoDataFrame | None,
    costs: UnitCosts,
    crs: CRS,
    *,
    terrain: Terrain,
    rules: LineOfSightSettings,
) -> BackhaulCheck:
    """Shared microwave network of the chosen sites, with every hop checked for sight.

    As :func:`whitespot.planning.backhaul_network` (each site follows its cheapest path to
    an existing tower over links no longer than the band limits), on a graph whose links
    cost one hop plus the raise they need, blocked links that cannot be raised removed.
    Links are checked lazily: shortest paths on the links not yet checked taken as clear,
    then the links on those paths checked in one vectorized batch, until every path holds
    only checked links (checking raises a link's cost and never lowers it, so the paths
    found are the cheapest over the checked graph).

    Parameters
    ----------
    terrain : Terrain
        DEM in `crs`.

    Returns
    -------
    BackhaulCheck
    """
    site_ids = sites["site_id"].astype(str).to_numpy()
    has_anchors = anchors is not None and len(anchors)
    anchor_xy = projected_xy(anchors, crs) if has_anchors else np.empty((0, 2))
    anchor_ids = anchors["tower_id"].astype(str).to_numpy() if has_anchors else np.array([], str)
    xy = np.vstack([projected_xy(sites, crs), anchor_xy])
    names = np.concatenate([site_ids, anchor_ids])
    heights = np.concatenate([_heights(sites), _heights(anchors) if has_anchors else []])
    n_sites = len(site_ids)
    pairs = cKDTree(xy).query_pairs(rules.max_hop_km(costs) * 1000.0, output_type="ndarray")
    pairs = pairs[pairs.min(axis=1) < n_sites]  # tower-to-tower links are never needed
    lengths = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(xy)))
    graph.add_weighted_edges_from(
        (int(a), int(b), 1.0 + length / 1e9) for (a, b), length in zip(pairs, lengths, strict=True)
    )
    root = -1
    graph.add_weighted_edges_from((root, n_sites + k, 0.0) for k in range(len(anchor_xy)))
    checked: dict[tuple[int, int], dict] = {}
    first_paths = None
    while True:
        paths = nx.single_source_dijkstra_path(graph, root) if len(anchor_xy) else {}
        first_paths = paths if first_paths is None else first_paths
        new = sorted(
            {edge for site in range(n_sites) for edge in _edges(paths.get(site))} - checked.keys()
        )
        if not new:
            break
        a, b = np.array(new).T  # a < b: a is always a site, b a site or a tower
        table = _check(
            terrain,
            xy[a],
            xy[b],
            heights[a],
            heights[b],
            raisable=(a < n_sites, b < n_sites),
            rules=rules,
        )
        for edge, record in zip(new, table.to_dict("records"), strict=True):
            checked[edge] = record
            if record["line_of_sight"] == "blocked":
                graph.remove_edge(*edge)
            elif record["raise_cost"] > 0:
                graph[edge[0]][edge[1]]["weight"] += record["raise_cost"] / max(
                    costs.microwave_hop, 1e-9
                )
    return _result(
        paths,
        first_paths,
        checked,
        xy=xy,
        names=names,
        heights=heights,
        n_sites=n_sites,
        costs=costs,
        rules=rules,
        crs=crs,
    )


def _result(  # noqa: PLR0913 the network's parts
    paths: dict,
    first_paths: dict,
    checked: dict[tuple[int, int], dict],
    *,
    xy: np.ndarray,
    names: np.ndarray,
    heights: np.ndarray,
    n_sites: int,
    costs: UnitCosts,
    rules: LineOfSightSettings,
    crs: CRS,
) -> BackhaulCheck:
    """Build the links, the hop table and the satellite sites from the final paths."""
    links: dict[tuple[int, int], str] = {}
    for site in range(n_sites):
        path = paths.get(site)
        for edge in _edges(path):
            links.setdefault(edge, names[path[1]])
    satellite = [names[s] for s in range(n_sites) if s not in paths]
    first_users: dict[tuple[int, int], list[int]] = {}
    for site in range(n_sites):
        for edge in _edges(first_paths.get(site)):
            first_users.setdefault(edge, []).append(site)
    rows = []
    for edge in sorted(set(first_users) | set(links)):
        record = checked[edge]
        if edge in links:
            outcome = record["line_of_sight"] if edge in first_users else "relay"
        elif all(site not in paths for site in first_users[edge]):
            outcome = "satellite"
        else:
            outcome = "rerouted"
        rows.append((edge, outcome))
    hops = _hop_table([(edge, checked[edge]) for edge, _ in rows], xy, names, heights, crs)
    hops["outcome"] = [outcome for _, outcome in rows]
    built = sorted(links)
    network = _hop_table([(edge, checked[edge]) for edge in built], xy, names, heights, crs)
    network.insert(3, "cost", np.round(costs.microwave_hop + network.pop("raise_cost"), 3))
    network.insert(4, "cluster", [links[e] for e in built])
    network.insert(5, "line_of_sight", [checked[e]["line_of_sight"] for e in built])
    network = network.drop(columns=["height_from_m", "height_to_m", "at_km"])
    hops = hops.drop(columns="raise_cost")
    return BackhaulCheck(network, hops, satellite, rules)


def _check(
    terrain: Terrain,
    start: np.ndarray,
    end: np.ndarray,
    height_start: np.ndarray,
    height_end: np.ndarray,
    *,
    raisable: tuple[np.ndarray, np.ndarray],
    rules: LineOfSightSettings,
) -> pd.DataFrame:
    """Check hops and price the cheapest raise: ``line_of_sight``, ``raise_m``, ``raise_end``.

    ``line_of_sight`` is ``"clear"``, ``"raised"``, ``"blocked"`` (no end may grow enough)
    or ``"not checked"`` (off the DEM, priced as clear).
    """
    length = np.hypot(*(end - start).T)
    table = hops_clearance(
        terrain,
        start,
        end,
        height_a_m=height_start,
        height_b_m=height_end,
        frequency_mhz=rules.frequency_mhz(length / 1000.0),
        k=rules.k,
        climate=rules.climate,
        obstruction=rules.obstruction,
    )
    grow = np.column_stack([table["raise_a_m"], table["raise_b_m"]])
    room = rules.max_mast_height_m - np.column_stack([height_start, height_end])
    possible = np.column_stack(raisable) & (grow <= room)
    grow = np.where(possible, grow, np.inf)
    end_raised = np.argmin(grow, axis=1)
    raise_m = grow[np.arange(len(grow)), end_raised]
    on_dem, passes = table["on_dem"].to_numpy(), table["passes"].to_numpy()
    table["line_of_sight"] = np.select(
        [~on_dem, passes, np.isfinite(raise_m)], ["not checked", "clear", "raised"], "blocked"
    )
    clear = ~on_dem | passes
    # to the centimetre above, so that the mast as built clears
    table["raise_m"] = np.where(clear | ~np.isfinite(raise_m), 0.0, np.ceil(raise_m * 100) / 100)
    table["raise_end"] = np.where(table["line_of_sight"] == "raised", end_raised, -1)
    table["raise_cost"] = table["raise_m"] * rules.mast_cost_per_m
    return table


def _hop_table(
    rows: list[tuple[tuple[int, int], dict]],
    xy: np.ndarray,
    names: np.ndarray,
    heights: np.ndarray,
    crs: CRS,
) -> gpd.GeoDataFrame:
    """One row per checked hop: its ends, band, clearance and raise, as a LineString."""
    edges = [edge for edge, _ in rows]
    records = pd.DataFrame([record for _, record in rows], columns=[*_CHECK_COLUMNS])
    a = np.array([e[0] for e in edges], dtype=int)
    b = np.array([e[1] for e in edges], dtype=int)
    return gpd.GeoDataFrame(
        {
            "from_id": names[a],
            "to_id": names[b],
            "length_km": np.round(records["length_m"].to_numpy(float) / 1000.0, 3),
            "frequency_mhz": records["frequency_mhz"].to_numpy(float),
            "height_from_m": heights[a],
            "height_to_m": heights[b],
            "clearance_m": np.round(records["clearance_m"].to_numpy(float), 2),
            "clearance_fraction": np.round(records["clearance_fraction"].to_numpy(float), 3),
            "at_km": np.round(records["at_m"].to_numpy(float) / 1000.0, 3),
            "raise_m": records["raise_m"].to_numpy(float),
            "raise_cost": records["raise_cost"].to_numpy(float),
            "raised_id": [_raised_id(e, r, names) for e, r in rows],
        },
        geometry=[shapely.LineString([xy[i], xy[j]]) for i, j in edges],
        crs=crs,
    )


_CHECK_COLUMNS = (
    "length_m",
    "frequency_mhz",
    "clearance_m",
    "clearance_fraction",
    "at_m",
    "raise_m",
    "raise_cost",
)


def _raised_id(edge: tuple[int, int], record: dict, names: np.ndarray) -> str:
    return "" if record["raise_end"] < 0 else str(names[edge[int(record["raise_end"])]])


def _edges(path: list[int] | None) -> list[tuple[int, int]]:
    """Links of a path from the root (ends as (lower, higher) node numbers)."""
    if path is None:
        return []
    return [(min(a, b), max(a, b)) for a, b in itertools.pairwise(path[1:])]


def _heights(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Antenna heights above ground: ``height_m``, else the default mast of 30 m."""
    if "height_m" not in layer:
        return np.full(len(layer), DEFAULT_HEIGHT_M)
    return layer["height_m"].astype(float).fillna(DEFAULT_HEIGHT_M).to_numpy()
