"""Costs of a site beyond its mast: power connection and backhaul, and the shared networks.

All unit costs live in :class:`UnitCosts`. The defaults are orders of magnitude for rural
Viet Nam in million VND (about 25,000 VND to the US dollar in 2025); they are assumptions to
be replaced with the department's or the operator's own prices.
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
from scipy.spatial import Delaunay, cKDTree

from whitespot._errors import InputError
from whitespot.data._crs import projected_xy


@dataclass(frozen=True)
class UnitCosts:
    """Unit costs of new sites, in `currency`.

    Attributes
    ----------
    currency : str, default "million VND"
    site_capex : float, default 1500
        Greenfield rural site: 30-45 m mast, civil works, one 4G base station (about
        USD 60,000; GSMA, "Closing the Coverage Gap", 2019, rural macro sites).
    grid_connection : float, default 80
        Transformer and service drop for a site next to the grid.
    grid_line_per_km : float, default 350
        New 22 kV overhead line per km in rural terrain (about USD 14,000 / km; ESMAP,
        "Mini Grids for Half a Billion People", 2019, grid-extension costs).
    solar_power : float, default 500
        Off-grid solar array and batteries for a low-power rural site (about USD 20,000).
    microwave_hop : float, default 150
        One microwave link: two radios and antennas (about USD 6,000).
    max_hop_km : float, default 15
        Longest microwave hop without a relay, km.
    relay_mast : float, default 400
        A relay mast where a link needs an intermediate hop.
    satellite_backhaul : float, default 600
        VSAT terminal and installation, where no microwave path is cheaper.
    """

    currency: str = "million VND"
    site_capex: float = 1500.0
    grid_connection: float = 80.0
    grid_line_per_km: float = 350.0
    solar_power: float = 500.0
    microwave_hop: float = 150.0
    max_hop_km: float = 15.0
    relay_mast: float = 400.0
    satellite_backhaul: float = 600.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if name != "currency" and not (np.isfinite(value) and value >= 0):
                raise InputError(f"{name}={value} must be a finite number >= 0")
        if self.max_hop_km <= 0:
            raise InputError(f"max_hop_km={self.max_hop_km} must be > 0")


def power_costs(
    sites: gpd.GeoDataFrame, grid: gpd.GeoDataFrame | None, costs: UnitCosts, crs: CRS
) -> pd.DataFrame:
    """Cheapest power for each site: a line to the grid, or off-grid solar.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites (points).
    grid : geopandas.GeoDataFrame or None
        Power lines; None: every site off-grid (solar).
    costs : UnitCosts
        Cost per km of line and of a solar kit.
    crs : pyproj.CRS
        Metric CRS the distances are measured in.

    Returns
    -------
    pandas.DataFrame
        ``grid_distance_km`` (NaN without a grid layer), ``power_option`` (``"grid"`` or
        ``"solar"``) and ``power_cost``, indexed like `sites`.
    """
    if grid is None or not len(grid):
        distance = np.full(len(sites), np.nan)
        line = np.full(len(sites), np.inf)
    else:
        lines = grid.to_crs(crs).geometry.to_numpy()
        points = shapely.points(projected_xy(sites, crs))
        index, metres = shapely.STRtree(lines).query_nearest(
            points, return_distance=True, all_matches=False
        )
        distance = np.full(len(sites), np.nan)
        distance[index[0]] = metres / 1000.0
        line = costs.grid_connection + distance * costs.grid_line_per_km
    use_grid = line <= costs.solar_power
    return pd.DataFrame(
        {
            "grid_distance_km": np.round(distance, 3),
            "power_option": np.where(use_grid, "grid", "solar"),
            "power_cost": np.round(np.where(use_grid, line, costs.solar_power), 3),
        },
        index=sites.index,
    )


def backhaul_costs(
    sites: gpd.GeoDataFrame, anchors: gpd.GeoDataFrame | None, costs: UnitCosts, crs: CRS
) -> pd.DataFrame:
    """Backhaul of each site on its own: microwave hops to the nearest anchor, or satellite.

    Anchors are existing towers or fibre points. A link longer than ``max_hop_km`` needs
    relays: ``hops = ceil(d / max_hop_km)`` links and ``hops - 1`` relay masts.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites (points).
    anchors : geopandas.GeoDataFrame or None
        Existing towers or fibre points; None: every site by satellite.
    costs : UnitCosts
        Costs per km of microwave, per relay mast and per satellite link.
    crs : pyproj.CRS
        Metric CRS the distances are measured in.

    Returns
    -------
    pandas.DataFrame
        ``anchor_distance_km``, ``backhaul_option`` (``"microwave"`` or ``"satellite"``),
        ``backhaul_hops`` and ``backhaul_cost``, indexed like `sites`.
    """
    if anchors is None or not len(anchors):
        distance = np.full(len(sites), np.inf)
    else:
        distance = cKDTree(projected_xy(anchors, crs)).query(projected_xy(sites, crs))[0] / 1000.0
    hops = np.maximum(np.ceil(distance / costs.max_hop_km), 1)
    microwave = hops * costs.microwave_hop + (hops - 1) * costs.relay_mast
    use_microwave = microwave <= costs.satellite_backhaul
    return pd.DataFrame(
        {
            "anchor_distance_km": np.round(distance, 3),
            "backhaul_option": np.where(use_microwave, "microwave", "satellite"),
            "backhaul_hops": np.where(use_microwave, hops, 0).astype(int),
            "backhaul_cost": np.round(
                np.where(use_microwave, microwave, costs.satellite_backhaul), 3
            ),
        },
        index=sites.index,
    )


def backhaul_network(
    sites: gpd.GeoDataFrame, anchors: gpd.GeoDataFrame | None, costs: UnitCosts, crs: CRS
) -> gpd.GeoDataFrame:
    """Shared microwave network linking the chosen sites to the anchors (networkx).

    Sites may relay through each other: links join any two nodes (sites or anchors) within
    ``max_hop_km``; each site follows its cheapest path (fewest hops, then shortest) to an
    anchor, and the union of those paths is the network. Sites with no path get satellite.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per link: ``from_id``, ``to_id``, ``length_km``, ``cost`` and
        ``cluster`` (the anchor the link's sites lead to, or ``"satellite:<site>"``),
        LineString geometry in `crs`.
    """
    site_xy = projected_xy(sites, crs)
    site_ids = sites["site_id"].astype(str).to_numpy()
    anchor_xy = (
        projected_xy(anchors, crs) if anchors is not None and len(anchors) else np.empty((0, 2))
    )
    anchor_ids = (
        anchors["tower_id"].astype(str).to_numpy() if len(anchor_xy) else np.array([], dtype=str)
    )
    xy = np.vstack([site_xy, anchor_xy])
    names = np.concatenate([site_ids, anchor_ids])
    graph = nx.Graph()
    graph.add_nodes_from(range(len(xy)))
    pairs = cKDTree(xy).query_pairs(costs.max_hop_km * 1000.0, output_type="ndarray")
    lengths = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    # weight: one hop, plus a length tie-breaker far below a hop
    graph.add_weighted_edges_from(
        (int(a), int(b), 1.0 + length / 1e9) for (a, b), length in zip(pairs, lengths, strict=True)
    )
    root = -1
    graph.add_weighted_edges_from((root, len(site_xy) + k, 0.0) for k in range(len(anchor_xy)))
    paths = nx.single_source_dijkstra_path(graph, root) if len(anchor_xy) else {}
    links: dict[tuple[int, int], str] = {}
    for site in range(len(site_xy)):
        path = paths.get(site)
        if path is None:
            continue
        anchor = names[path[1]]
        for a, b in itertools.pairwise(path[1:]):
            links.setdefault((min(a, b), max(a, b)), anchor)
    rows = sorted(links.items())
    geometry = [shapely.LineString([xy[a], xy[b]]) for (a, b), _ in rows]
    length_km = np.array([g.length / 1000.0 for g in geometry])
    return gpd.GeoDataFrame(
        {
            "from_id": [names[a] for (a, _), _ in rows],
            "to_id": [names[b] for (_, b), _ in rows],
            "length_km": np.round(length_km, 3),
            "cost": np.full(len(rows), costs.microwave_hop),
            "cluster": [anchor for _, anchor in rows],
        },
        geometry=geometry,
        crs=crs,
    )


def power_extension(
    points: gpd.GeoDataFrame, grid: gpd.GeoDataFrame, costs: UnitCosts, crs: CRS
) -> gpd.GeoDataFrame:
    """Cheapest set of new lines joining points (sites, unelectrified villages) to the grid.

    The minimum spanning tree (networkx) over the points and the grid as one node, with
    edges weighted by length: point-to-point lines (the Delaunay edges, which hold every
    Euclidean minimum spanning tree), and point-to-grid lines to the nearest point of the
    grid. Several sites and villages then share one extension.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per new line: ``from_id``, ``to_id`` (``"grid"`` for a grid connection),
        ``length_km`` and ``cost``, LineString geometry in `crs`.
    """
    ids = points["point_id"].astype(str).to_numpy()
    xy = projected_xy(points, crs)
    lines = grid.to_crs(crs).union_all()
    graph = nx.Graph()
    graph.add_nodes_from(range(len(xy)))
    graph.add_node("grid")
    to_grid = shapely.distance(shapely.points(xy), lines)
    graph.add_weighted_edges_from((i, "grid", float(d)) for i, d in enumerate(to_grid))
    if len(xy) > 1:
        i, j = _candidate_edges(xy)
        length = np.hypot(*(xy[i] - xy[j]).T)
        graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), length.tolist(), strict=True))
    tree = nx.minimum_spanning_tree(graph, algorithm="kruskal")
    edges = sorted(tree.edges(data="weight"), key=lambda e: (str(e[0]), str(e[1])))
    rows, geometry = [], []
    for a, b, weight in edges:
        if weight <= 0:
            continue
        point = a if b == "grid" else b if a == "grid" else None
        if point is not None:
            segment = shapely.shortest_line(shapely.Point(xy[point]), lines)
            rows.append((ids[point], "grid", weight))
        else:
            segment = shapely.LineString([xy[a], xy[b]])
            rows.append((ids[a], ids[b], weight))
        geometry.append(segment)
    frame = pd.DataFrame(rows, columns=["from_id", "to_id", "length_m"])
    return gpd.GeoDataFrame(
        {
            "from_id": frame["from_id"],
            "to_id": frame["to_id"],
            "length_km": np.round(frame["length_m"] / 1000.0, 3),
            "cost": np.round(frame["length_m"] / 1000.0 * costs.grid_line_per_km, 3),
        },
        geometry=geometry,
        crs=crs,
    )


def _candidate_edges(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point pairs that may be in the minimum spanning tree: Delaunay edges, else all."""
    unique = np.unique(xy, axis=0)
    if len(unique) >= 4 and np.linalg.matrix_rank(unique - unique[0]) == 2:
        simplices = Delaunay(xy).simplices
        same_place = cKDTree(xy).query_pairs(0.0, output_type="ndarray")  # not triangulated
        edges = np.vstack(
            [
                simplices[:, [0, 1]],
                simplices[:, [1, 2]],
                simplices[:, [0, 2]],
                same_place.reshape(-1, 2),
            ]
        )
        edges = np.unique(np.sort(edges, axis=1), axis=0)
        return edges[:, 0], edges[:, 1]
    return np.triu_indices(len(xy), k=1)
