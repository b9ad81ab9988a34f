"""Line of sight of microwave hops: Fresnel zone, earth bulge and clearance over a DEM.

A hop clears when the straight ray between its antennas stays far enough above the ground
raised by the earth bulge of the effective earth radius k a. The clearance rules are those
of ITU-R P.530-18 Annex 1 §2.2.2.1 (non-diversity antennas), which prints:

    "Step 1: Determine the antenna heights required for the appropriate median value of
    the point k-factor (see § 2.2; in the absence of any data, use k = 4/3) and 1.0 F1
    clearance over the highest obstacle (temperate and tropical climates).
    Step 2: Obtain the value of ke (99.9%) from Fig. 3 for the path length in question.
    Step 3: Calculate the antenna heights required for the value of ke obtained from
    Step 2 and the following Fresnel zone clearance radii:
    Temperate climate: 0.0 F1 (i.e. grazing) if there is a single isolated path
    obstruction; 0.3 F1 if the path obstruction is extended along a portion of the path.
    Tropical climate: 0.6 F1 for path lengths greater than about 30 km.
    Step 4: Use the larger of the antenna heights obtained by Steps 1 and 3."

(the wording is given from memory of the recommendation: the stored copies at hand
returned only their opening pages, so it has not been checked against the printed text of
§2.2.2.1 - do so before relying on it). A hop
passes when both criteria hold: step 1 at the median k, step 3 at k_e. Viet Nam is a
tropical climate, so hops up to 30 km are held to step 1 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS, Transformer
from scipy.constants import speed_of_light

from whitespot._errors import InputError
from whitespot.data import Terrain, read_terrain, utm_crs
from whitespot.radio import EARTH_RADIUS_KM, MEDIAN_K_FACTOR, TerrainCoverageError
from whitespot.radio._terrain import reproject_terrain, sample_terrain

CLIMATES = ("tropical", "temperate")
"""Climates of the P.530 §2.2.2.1 step 3 criteria."""

OBSTRUCTIONS = ("extended", "isolated")
"""Kinds of obstruction of the temperate step 3 criterion (0.3 F1 and 0.0 F1)."""

MEDIAN_CLEARANCE_F1 = 1.0
"""Step 1: clearance over the highest obstacle at the median k, in first-Fresnel radii."""

TROPICAL_LONG_PATH_KM = 30.0
"""Step 3, tropical climate: 0.6 F1 applies to paths longer than about this."""

KE_FIGURE_3 = (
    (10.0, 20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0),
    (0.53, 0.64, 0.70, 0.78, 0.83, 0.88, 0.93, 0.97),
)
"""k_e exceeded for about 99.9 % of the worst month (continental temperate climate) against
path length in km, after ITU-R P.530-18 Fig. 3 (k_e rising from about 0.5 on short paths
towards 1 at 200 km), interpolated linearly in log(distance) and held constant outside.
These points are approximate and were not digitized from the figure itself: check them
against it, or give ``k_low``. Tropical hops up to 30 km (most of Viet Nam's) do not use
them."""

MAX_SAMPLES_PER_CHUNK = 2_000_000
"""Profile samples computed at once (hops x samples), to bound memory (16 MB per array)."""


def fresnel_radius_m(
    d1_m: ArrayLike, d2_m: ArrayLike, frequency_mhz: ArrayLike, zone: int = 1
) -> np.ndarray:
    """Radius of the n-th Fresnel ellipsoid at a point of a path.

    R_n = sqrt(n lambda d1 d2 / (d1 + d2)), lambda = c / f with c = 299,792,458 m/s
    (ITU-R P.526-15 eq. 2). Its eq. 3 in practical units rounds the constant to 550 and
    gives 11.23 m where eq. 2 gives 11.18 m (10 km at 6 GHz, mid-path).

    Parameters
    ----------
    d1_m, d2_m : array_like
        Distances from the point to either end, m (> 0).
    frequency_mhz : array_like
        Frequency, MHz.
    zone : int, default 1
        Fresnel zone number n.

    Returns
    -------
    numpy.ndarray
        Radius, m (0 at the ends).

    References
    ----------
    ITU-R P.526-15 (2019), Propagation by diffraction, §2.1, eq. (2).

    Examples
    --------
    >>> round(float(fresnel_radius_m(5000.0, 5000.0, 6000.0)), 2)
    11.18
    """
    d1, d2, f = (np.asarray(x, dtype=float) for x in (d1_m, d2_m, frequency_mhz))
    wavelength_m = speed_of_light / (f * 1e6)
    total = d1 + d2
    with np.errstate(invalid="ignore", divide="ignore"):
        radius = np.sqrt(zone * wavelength_m * d1 * d2 / total)
    return np.where(total > 0, radius, 0.0)


def earth_bulge_m(d1_m: ArrayLike, d2_m: ArrayLike, k: ArrayLike = MEDIAN_K_FACTOR) -> np.ndarray:
    """Height of the earth bulge above the chord between the ends of a path.

    h = d1 d2 / (2 k a), a = 6371 km (ITU-R P.834 mean radius; k a the effective radius).

    Parameters
    ----------
    d1_m, d2_m : array_like
        Distances from the point to either end, m.
    k : array_like, default 4/3
        Effective earth-radius factor.

    Returns
    -------
    numpy.ndarray
        Bulge, m.

    References
    ----------
    ITU-R P.452-17 eq. (61) (500 d1 d2 / a_e in km and m); ITU-R P.530-18 §2.2.

    Examples
    --------
    >>> round(float(earth_bulge_m(5000.0, 5000.0)), 2)
    1.47
    """
    d1, d2, k = (np.asarray(x, dtype=float) for x in (d1_m, d2_m, k))
    return d1 * d2 / (2.0 * k * EARTH_RADIUS_KM * 1000.0)


def effective_k_low(path_km: ArrayLike) -> np.ndarray:
    """k_e exceeded for about 99.9 % of the worst month, for the path length (P.530 Fig. 3).

    Interpolated in log(distance) between the points of :data:`KE_FIGURE_3`.
    """
    d = np.clip(np.asarray(path_km, dtype=float), KE_FIGURE_3[0][0], KE_FIGURE_3[0][-1])
    return np.interp(np.log(d), np.log(KE_FIGURE_3[0]), KE_FIGURE_3[1])


def low_k_clearance_f1(path_km: ArrayLike, climate: str, obstruction: str) -> np.ndarray:
    """Step 3 clearance in first-Fresnel radii at k_e; NaN where step 3 sets none.

    Temperate: 0.0 F1 over a single isolated obstruction, 0.3 F1 over one extended along a
    portion of the path; tropical: 0.6 F1 for paths longer than about 30 km (none below).
    """
    _check_choice("climate", climate, CLIMATES)
    _check_choice("obstruction", obstruction, OBSTRUCTIONS)
    d = np.asarray(path_km, dtype=float)
    if climate == "tropical":
        return np.where(d > TROPICAL_LONG_PATH_KM, 0.6, np.nan)
    return np.full(d.shape, 0.0 if obstruction == "isolated" else 0.3)


@dataclass(frozen=True)
class HopClearance:
    """Clearance of one microwave hop over the terrain (:func:`hop_clearance`).

    Attributes
    ----------
    clearance_m : float
        Clearance of the ray above ground plus earth bulge (median k) at the worst point,
        m; negative when the ground blocks the ray.
    clearance_fraction : float
        That clearance over the first Fresnel radius there (1.0 is step 1 of P.530).
    at_m : float
        Distance of the worst point from `a`, m.
    length_m : float
        Hop length, m.
    k : float
        Median effective earth-radius factor used.
    k_low : float
        k_e of P.530 Fig. 3 for the hop's length.
    low_k_required_fraction : float
        Step 3 clearance required at k_e, in F1 (NaN when step 3 sets none).
    low_k_clearance_fraction : float
        Worst clearance at k_e, in F1.
    raise_m : float
        How much both antennas must rise together for the hop to pass, m (0 when it does).
    raise_a_m, raise_b_m : float
        How much antenna `a` (or `b`) alone must rise for the hop to pass, m.
    passes : bool
        Whether the hop meets steps 1 and 3 of ITU-R P.530-18 §2.2.2.1.
    """

    clearance_m: float
    clearance_fraction: float
    at_m: float
    length_m: float
    k: float
    k_low: float
    low_k_required_fraction: float
    low_k_clearance_fraction: float
    raise_m: float
    raise_a_m: float
    raise_b_m: float
    passes: bool


HOP_COLUMNS = [
    "length_m",
    "frequency_mhz",
    "on_dem",
    "clearance_m",
    "clearance_fraction",
    "at_m",
    "k",
    "k_low",
    "low_k_required_fraction",
    "low_k_clearance_fraction",
    "raise_m",
    "raise_a_m",
    "raise_b_m",
    "passes",
]
"""Columns of :func:`hops_clearance`."""


def hops_clearance(  # noqa: PLR0913 the hop ends, heights, band and the P.530 options
    terrain: Terrain | str | PathLike,
    a: ArrayLike,
    b: ArrayLike,
    *,
    height_a_m: ArrayLike,
    height_b_m: ArrayLike,
    frequency_mhz: ArrayLike,
    k: float = MEDIAN_K_FACTOR,
    climate: str = "tropical",
    obstruction: str = "extended",
    k_low: float | None = None,
    step_m: float | None = None,
) -> pd.DataFrame:
    """Clearance of many microwave hops at once over a DEM (ITU-R P.530-18 §2.2.2.1).

    Each hop's ground profile is sampled bilinearly every `step_m`; at each interior
    sample the clearance is the ray height (straight between the antennas) minus the ground
    minus the earth bulge, and the worst point is the one with the least clearance in
    first-Fresnel radii. A hop passes with 1.0 F1 at the median `k` (step 1) and, where
    step 3 sets one, the step 3 clearance at k_e (see the module notes).

    Parameters
    ----------
    terrain : Terrain or path-like
        The DEM (as :class:`whitespot.radio.SignalSetup` takes it) or a GeoTIFF to read.
        A geographic DEM is reprojected once to the UTM zone of its centre.
    a, b : array_like of shapely.Point, or array of shape (n, 2)
        Hop ends in the DEM's CRS.
    height_a_m, height_b_m : array_like
        Antenna heights above ground at each end, m (scalar or one per hop).
    frequency_mhz : array_like
        Hop frequency, MHz (scalar or one per hop).
    k : float, default 4/3
        Median effective earth-radius factor (step 1).
    climate : {"tropical", "temperate"}, default "tropical"
    obstruction : {"extended", "isolated"}, default "extended"
        Kind of obstruction for the temperate step 3 (0.3 F1 or 0.0 F1).
    k_low : float, optional
        k_e of step 3; default read from P.530 Fig. 3 for each hop's length.
    step_m : float, optional
        Profile sampling step, m; default the DEM's cell size.

    Returns
    -------
    pandas.DataFrame
        One row per hop, columns :data:`HOP_COLUMNS` (fields as :class:`HopClearance`;
        ``on_dem`` False and NaN clearances where the profile leaves the DEM or crosses
        no-data cells: those hops are not judged, ``passes`` is False).
    """
    _check_choice("climate", climate, CLIMATES)
    _check_choice("obstruction", obstruction, OBSTRUCTIONS)
    terrain = read_terrain(terrain) if isinstance(terrain, (str, PathLike)) else terrain
    start, end = _xy(a), _xy(b)
    if start.shape != end.shape:
        raise InputError(f"a and b must hold as many points: {len(start)} and {len(end)}")
    terrain, start, end = _in_metres(terrain, start, end)
    n = len(start)
    height_a, height_b, frequency = (
        np.broadcast_to(np.asarray(x, dtype=float), (n,))
        for x in (height_a_m, height_b_m, frequency_mhz)
    )
    step = step_m or float(min(abs(terrain.transform.a), abs(terrain.transform.e)))
    length = np.hypot(*(end - start).T)
    table = pd.DataFrame(np.nan, index=range(n), columns=HOP_COLUMNS)
    table["length_m"], table["frequency_mhz"], table["k"] = length, frequency, k
    table["k_low"] = k_low if k_low is not None else effective_k_low(length / 1000.0)
    table["low_k_required_fraction"] = low_k_clearance_f1(length / 1000.0, climate, obstruction)
    order = np.argsort(length, kind="stable")
    for chunk in _chunks(length[order], step):
        hops = order[chunk]
        table.iloc[hops, 2:] = _profile_clearance(
            terrain,
            start[hops],
            end[hops],
            height_a[hops],
            height_b[hops],
            table.iloc[hops],
            step_m=step,
        )
    table["on_dem"] = table["on_dem"].astype(bool)
    table["passes"] = table["passes"].astype(bool)
    return table


def hop_clearance(  # noqa: PLR0913 the hop ends, heights, band and the P.530 options
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
    k_low: float | None = None,
) -> HopClearance:
    """Clearance of one microwave hop over a DEM (ITU-R P.530-18 §2.2.2.1).

    See :func:`hops_clearance`, which this runs on one hop.

    Parameters
    ----------
    terrain : whitespot.data.Terrain or path-like
        The DEM (heights in m) or a GeoTIFF.
    a, b : shapely.Point
        The hop's ends, in the DEM's CRS.
    height_a_m, height_b_m : float
        Antenna heights above ground at `a` and `b`, m.
    frequency_mhz : float
        Carrier frequency, MHz.
    k : float, default 4/3
        Median effective earth-radius factor.
    climate : {"tropical", "temperate"}, default "tropical"
        Picks the low-k clearance rule of P.530 §2.2.2.1.
    obstruction : {"extended", "isolated"}, default "extended"
        Kind of obstruction for the low-k rule.
    k_low : float, optional
        The low k_e; default P.530's for the hop's length.

    Returns
    -------
    HopClearance
        Worst clearance (m), as a fraction of the first Fresnel radius, where it occurs (m
        from `a`) and whether the hop passes each rule.

    Raises
    ------
    whitespot.radio.TerrainCoverageError
        If the profile leaves the DEM or crosses no-data cells.
    """
    row = hops_clearance(
        terrain,
        [a],
        [b],
        height_a_m=height_a_m,
        height_b_m=height_b_m,
        frequency_mhz=frequency_mhz,
        k=k,
        climate=climate,
        obstruction=obstruction,
        k_low=k_low,
    ).iloc[0]
    if not row["on_dem"]:
        raise TerrainCoverageError(
            f"the hop from {a.wkt} to {b.wkt} leaves the DEM or crosses no-data cells: "
            "give a DEM that covers it"
        )
    fields = HopClearance.__dataclass_fields__
    return HopClearance(**{name: _scalar(row[name]) for name in fields})


def hop_profile(
    terrain: Terrain,
    start_xy: np.ndarray,
    end_xy: np.ndarray,
    *,
    n_samples: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Distances from the start (m) and ground heights (m) of one hop, in a metric DEM."""
    steps = np.linspace(0.0, 1.0, n_samples)
    x = start_xy[0] + (end_xy[0] - start_xy[0]) * steps
    y = start_xy[1] + (end_xy[1] - start_xy[1]) * steps
    return steps * float(np.hypot(*(end_xy - start_xy))), sample_terrain(terrain, x, y)


def _profile_clearance(
    terrain: Terrain,
    start: np.ndarray,
    end: np.ndarray,
    height_a: np.ndarray,
    height_b: np.ndarray,
    hops: pd.DataFrame,
    *,
    step_m: float,
) -> np.ndarray:
    """Compute the columns of :data:`HOP_COLUMNS` from ``on_dem`` on, for one chunk of hops.

    Each hop is sampled at its own ``_samples`` points (padded with its end point to the
    chunk's longest), so a hop's result does not depend on the hops beside it.
    """
    length = hops["length_m"].to_numpy()[:, None]
    n = _samples(length[:, 0], step_m)[:, None]
    j = np.arange(int(n.max()))[None, :]
    t = np.minimum(j / (n - 1), 1.0)
    x = start[:, :1] + (end[:, :1] - start[:, :1]) * t
    y = start[:, 1:] + (end[:, 1:] - start[:, 1:]) * t
    ground = sample_terrain(terrain, x, y)
    on_dem = ~np.isnan(ground).any(axis=1)
    inner = (j < n - 1)[:, 1:-1]  # the interior samples of each hop
    ti = t[:, 1:-1]
    d1 = length * ti
    d2 = length - d1
    ray = (ground[:, :1] + height_a[:, None]) * (1 - t) + (ground[:, -1:] + height_b[:, None]) * t
    above = (ray - ground)[:, 1:-1]
    f1 = fresnel_radius_m(d1, d2, hops["frequency_mhz"].to_numpy()[:, None])
    k = hops["k"].to_numpy()[:, None]
    k_low = hops["k_low"].to_numpy()[:, None]
    clear = above - earth_bulge_m(d1, d2, k)
    clear_low = above - earth_bulge_m(d1, d2, k_low)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(inner, clear / f1, np.inf)
        fraction_low = np.where(inner, clear_low / f1, np.inf)
    worst = np.argmin(np.where(np.isnan(fraction), np.inf, fraction), axis=1)
    rows = np.arange(len(hops))
    required_low = hops["low_k_required_fraction"].to_numpy()[:, None]
    # height the ray must gain at each sample to meet steps 1 and 3 (step 4: the larger)
    need = np.maximum(
        MEDIAN_CLEARANCE_F1 * f1 - clear,
        np.where(np.isnan(required_low), -np.inf, required_low * f1 - clear_low),
    )
    need = np.where(inner, need, -np.inf)
    raise_both = np.maximum(np.max(need, axis=1), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        raise_a = np.maximum(np.max(np.where(inner, need / (1 - ti), -np.inf), axis=1), 0.0)
        raise_b = np.maximum(np.max(np.where(inner, need / ti, -np.inf), axis=1), 0.0)
    passes = on_dem & (raise_both <= 0.0)
    columns = [
        on_dem,
        clear[rows, worst],
        fraction[rows, worst],
        d1[rows, worst],
        k[:, 0],
        k_low[:, 0],
        required_low[:, 0],
        np.min(fraction_low, axis=1),
        raise_both,
        raise_a,
        raise_b,
        passes,
    ]
    out = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    out[~on_dem, 1:4] = np.nan
    out[~on_dem, 7:11] = np.nan
    return out


def _samples(length_m: ArrayLike, step_m: float) -> np.ndarray:
    """Odd numbers of samples (the midpoint is one) at most `step_m` apart, at least 3."""
    n = np.ceil(np.asarray(length_m, dtype=float) / step_m).astype(np.int64) + 1
    return np.maximum(3, n + (n % 2 == 0))


def _chunks(sorted_length_m: np.ndarray, step_m: float) -> list[slice]:
    """Split hops (sorted by length) into runs that fit :data:`MAX_SAMPLES_PER_CHUNK`."""
    chunks, first = [], 0
    for last in range(1, len(sorted_length_m) + 1):
        samples = int(_samples(sorted_length_m[last - 1], step_m))
        if (last - first) * samples > MAX_SAMPLES_PER_CHUNK and last - 1 > first:
            chunks.append(slice(first, last - 1))
            first = last - 1
    if len(sorted_length_m):
        chunks.append(slice(first, len(sorted_length_m)))
    return chunks


def _xy(points: ArrayLike) -> np.ndarray:
    """Return an (n, 2) array from points or coordinates."""
    values = np.asarray(points, dtype=object)
    if values.ndim == 2 and values.shape[1] == 2:  # coordinates (shapely Points are 0-d)
        return values.astype(float)
    return shapely.get_coordinates(np.asarray(list(values.ravel()), dtype=object)).reshape(-1, 2)


def _in_metres(
    terrain: Terrain, start: np.ndarray, end: np.ndarray
) -> tuple[Terrain, np.ndarray, np.ndarray]:
    """Return the DEM and hop ends in metres (a geographic DEM goes to its UTM zone)."""
    crs = CRS.from_user_input(terrain.crs)
    if not crs.is_geographic:
        return terrain, start, end
    left, bottom, right, top = terrain.bounds
    target = utm_crs((left + right) / 2.0, (bottom + top) / 2.0)
    to_metric = Transformer.from_crs(crs, target, always_xy=True)
    start = np.column_stack(to_metric.transform(*start.T)) if len(start) else start
    end = np.column_stack(to_metric.transform(*end.T)) if len(end) else end
    return reproject_terrain(terrain, target), start, end


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(f"{name}={value!r} must be one of {', '.join(allowed)}")


def _scalar(value: object) -> object:
    return bool(value) if isinstance(value, (bool, np.bool_)) else float(value)
