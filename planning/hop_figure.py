"""The profile of a microwave hop as a matplotlib figure: why it clears, or what blocks it.

matplotlib is imported only when a figure is drawn (it is in the ``test`` and
``notebooks`` extras, not a dependency of the library).
"""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS, Transformer

from whitespot._errors import InputError
from whitespot.data import Terrain, read_terrain
from whitespot.planning.line_of_sight import (
    _in_metres,
    _samples,
    earth_bulge_m,
    fresnel_radius_m,
    hop_profile,
    hops_clearance,
)
from whitespot.radio import MEDIAN_K_FACTOR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from whitespot.planning.plan import Plan


def hop_profile_figure(  # noqa: PLR0913 the hop ends, heights, band and the P.530 options
    terrain: Terrain | str | PathLike,
    a: shapely.Point,
    b: shapely.Point,
    *,
    height_a_m: float,
    height_b_m: float,
    frequency_mhz: float,
    k: float = MEDIAN_K_FACTOR,
    climate: str = "tropical",
    obstruction: str = "extended",
    ax: Axes | None = None,
) -> Figure:
    """Draw a hop's profile: ground plus earth bulge, the ray, its first Fresnel zone.

    The ground is drawn raised by the earth bulge at `k` (a straight ray over a curved
    earth), the first Fresnel zone as a band around the ray, and the worst point of
    :func:`whitespot.planning.hops_clearance` marked with its clearance.

    Parameters
    ----------
    terrain, a, b, height_a_m, height_b_m, frequency_mhz, k, climate, obstruction
        As :func:`whitespot.planning.hop_clearance`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure  # noqa: PLC0415 an optional dependency

    terrain = read_terrain(terrain) if isinstance(terrain, (str, PathLike)) else terrain
    start, end = np.array([[a.x, a.y]]), np.array([[b.x, b.y]])
    hop = hops_clearance(
        terrain,
        start,
        end,
        height_a_m=height_a_m,
        height_b_m=height_b_m,
        frequency_mhz=frequency_mhz,
        k=k,
        climate=climate,
        obstruction=obstruction,
    ).iloc[0]
    metric, start, end = _in_metres(terrain, start, end)
    step = float(min(abs(metric.transform.a), abs(metric.transform.e)))
    n = int(_samples(hop["length_m"], step))
    distance, ground = hop_profile(metric, start[0], end[0], n_samples=n)
    length = distance[-1]
    bulge = earth_bulge_m(distance, length - distance, k)
    ray = np.linspace(ground[0] + height_a_m, ground[-1] + height_b_m, n)
    f1 = fresnel_radius_m(distance, length - distance, frequency_mhz)
    if ax is None:
        figure = Figure(figsize=(9, 4), layout="constrained")
        ax = figure.add_subplot()
    else:
        figure = ax.figure
    km = distance / 1000.0
    ax.fill_between(km, ground + bulge, np.nanmin(ground) - 10.0, color="0.75", label="ground")
    ax.plot(km, ground + bulge, color="0.3", lw=1, label=f"ground + earth bulge (k = {k:.3g})")
    ax.fill_between(km, ray - f1, ray + f1, color="tab:blue", alpha=0.2, label="first Fresnel zone")
    ax.plot(km, ray, color="tab:blue", lw=1.5, label=f"ray at {frequency_mhz:,.0f} MHz")
    ax.plot([0, 0], [ground[0], ground[0] + height_a_m], color="k", lw=3)
    ax.plot([km[-1]] * 2, [ground[-1], ground[-1] + height_b_m], color="k", lw=3)
    if hop["on_dem"]:
        at = hop["at_m"] / 1000.0
        worst = np.interp(hop["at_m"], distance, ray) - hop["clearance_m"]
        ax.plot([at, at], [worst, worst + hop["clearance_m"]], color="tab:red", lw=2)
        verdict = "passes" if hop["passes"] else f"fails: raise both masts {hop['raise_m']:.1f} m"
        ax.set_title(
            f"{verdict} - worst clearance {hop['clearance_m']:.1f} m "
            f"({hop['clearance_fraction']:.2f} F1) at {at:.2f} km (ITU-R P.530 §2.2.2.1)"
        )
    else:
        ax.set_title("the profile leaves the DEM: not judged")
    ax.set_xlabel("distance from a (km)")
    ax.set_ylabel("height above sea level (m)")
    ax.legend(loc="lower right", fontsize="small")
    return figure


def plan_hop_figure(
    plan: Plan, terrain: Terrain | str | PathLike, from_id: str, to_id: str
) -> Figure:
    """Draw the profile of one hop a plan checked (a row of ``plan.line_of_sight.hops``).

    Parameters
    ----------
    plan : Plan
        From :func:`plan_sites` with a DEM.
    terrain : whitespot.data.Terrain or path-like
        The DEM the plan used.
    from_id, to_id : str
        The hop's ends (site or anchor ids).

    Returns
    -------
    matplotlib.figure.Figure
        The terrain profile (m), the line of sight, the earth bulge and the first Fresnel
        zone.

    Raises
    ------
    whitespot.InputError
        If the plan was made without a DEM, or has no hop between the two ids.
    """
    check = plan.line_of_sight
    if check is None:
        raise InputError("this plan was made without a DEM: its hops were not checked")
    hops = check.hops
    match = hops[(hops["from_id"] == from_id) & (hops["to_id"] == to_id)]
    if match.empty:
        raise InputError(f"the plan checked no hop from {from_id!r} to {to_id!r}")
    terrain = read_terrain(terrain) if isinstance(terrain, (str, PathLike)) else terrain
    hop = match.iloc[0]
    to_dem = Transformer.from_crs(hops.crs, CRS.from_user_input(terrain.crs), always_xy=True)
    (x0, y0), (x1, y1) = shapely.get_coordinates(hop.geometry)
    rules = check.rules
    return hop_profile_figure(
        terrain,
        shapely.Point(to_dem.transform(x0, y0)),
        shapely.Point(to_dem.transform(x1, y1)),
        height_a_m=hop["height_from_m"],
        height_b_m=hop["height_to_m"],
        frequency_mhz=hop["frequency_mhz"],
        k=rules.k,
        climate=rules.climate,
        obstruction=rules.obstruction,
    )
