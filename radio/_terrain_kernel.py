"""Bullington diffraction over DEM profiles, compiled: one pass per path, no profile arrays.

:func:`whitespot.radio._terrain.bullington_loss_db` takes profiles sampled beforehand, a
(paths x samples) array per chunk. Here each path is walked once: every sample is read
bilinearly from the DEM where it falls (as
:func:`~whitespot.radio._terrain.sample_terrain` reads it) and folded into the three
running maxima Bullington needs (ITU-R P.526-15 4.5.1: the slope from the transmitter, the
slope to the receiver and the edge parameter of a line-of-sight path), so memory stays
that of the results and paths run in parallel. The arithmetic per sample is the numpy
function's, term by term; ``tests/radio/test_terrain_kernel.py`` checks the two agree.

Most samples cannot raise any of the three maxima, and are not read: the samples of a
path come in groups of :data:`GROUP_SAMPLES`, from both ends inwards, and a group is
skipped when the highest DEM cell its bilinear reads could touch (from
:func:`window_maxima`), plus the group's largest Earth bulge, would not raise a maximum at
any of its samples. The maxima, and so the loss, are those of reading every sample.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from whitespot._numba import KERNEL_LOCK, njit, prange
from whitespot.data import Terrain
from whitespot.radio._terrain import EARTH_RADIUS_KM
from whitespot.radio.propagation import SPEED_OF_LIGHT_M_S

PROFILE_SAMPLES = 256
"""Samples of every profile, ends included: a sample every 40 m of a 10 km path, every
4 m near the mast, where the first samples decide the slope from the transmitter (as the
numpy path sampled them)."""
GROUP_SAMPLES = 8
"""Consecutive samples of a profile tested at once against the DEM's window maxima."""
WINDOW_SIDES = (4, 8, 16, 32)
"""Sides of the square windows of :func:`window_maxima`, cells (powers of two)."""
NLOS_SLACK = 1e-9
"""Relative margin by which a path is known to be beyond line of sight before the end."""
INNER_SLACK = 1e-6
"""Cells kept from the last row and column of the DEM by a path read without clamps."""
CEILING_SLACK_M = 1e-6
"""Added to a window maximum, m, so that rounding in the bilinear read cannot pass it."""


@njit(cache=True, inline="always")
def _grid_position(inverse: tuple, x: float, y: float) -> tuple[float, float]:
    """(row, column) of a point in cell-centre units of the DEM (as sample_terrain)."""
    a, b, c, d, e, f = inverse
    return d * x + e * y + f - 0.5, a * x + b * y + c - 0.5


@njit(cache=True, inline="always")
def _inside(elevation: np.ndarray, row: float, col: float) -> bool:
    rows, cols = elevation.shape
    return -0.5 <= row <= rows - 0.5 and -0.5 <= col <= cols - 0.5


@njit(cache=True, inline="always")
def _segment_on_dem(elevation: np.ndarray, inverse: tuple, start_xy, end_xy, p: int) -> tuple:
    """Grid positions of path `p`'s ends, and whether the path lies on the DEM.

    The DEM is a rectangle: a segment lies on it when both its ends do.
    """
    row0, col0 = _grid_position(inverse, start_xy[p, 0], start_xy[p, 1])
    row1, col1 = _grid_position(inverse, end_xy[p, 0], end_xy[p, 1])
    on = _inside(elevation, row0, col0) and _inside(elevation, row1, col1)
    return on, row0, col0, row1, col1


@njit(cache=True, inline="always")
def _ground_m(elevation: np.ndarray, row: float, col: float) -> float:
    """Bilinear height between cell centres at a position inside the DEM (NaN at no-data)."""
    rows, cols = elevation.shape
    row = min(max(row, 0.0), rows - 1.0)
    col = min(max(col, 0.0), cols - 1.0)
    r0 = min(math.floor(row), rows - 1)
    c0 = min(math.floor(col), cols - 1)
    r1 = min(r0 + 1, rows - 1)
    c1 = min(c0 + 1, cols - 1)
    fr = row - r0
    fc = col - c0
    top = elevation[r0, c0] * (1.0 - fc) + elevation[r0, c1] * fc
    bottom = elevation[r1, c0] * (1.0 - fc) + elevation[r1, c1] * fc
    return top * (1.0 - fr) + bottom * fr


@njit(cache=True, inline="always")
def _inner_ground_m(elevation: np.ndarray, row: float, col: float) -> float:
    """:func:`_ground_m` where 0 <= row < rows - 1 and 0 <= col < cols - 1 (no clamps)."""
    r0 = int(row)
    c0 = int(col)
    fr = row - r0
    fc = col - c0
    top = elevation[r0, c0] * (1.0 - fc) + elevation[r0, c0 + 1] * fc
    bottom = elevation[r0 + 1, c0] * (1.0 - fc) + elevation[r0 + 1, c0 + 1] * fc
    return top * (1.0 - fr) + bottom * fr


@njit(cache=True, inline="always")
def _knife_edge_db(v: float) -> float:
    """J(v) of ITU-R P.526-15 eq. 31 (as terrain.knife_edge_loss_db)."""
    if v <= -0.78:
        return 0.0
    return 6.9 + 20.0 * math.log10(math.sqrt((v - 0.1) ** 2 + 1.0) + v - 0.1)


@njit(cache=True, inline="always")
def _cell_span(position_a: float, position_b: float, size: int) -> tuple[int, int]:
    """First and last DEM row (or column) the bilinear reads between two positions touch."""
    low = min(max(min(position_a, position_b), 0.0), size - 1.0)
    high = min(max(position_a, position_b, 0.0), size - 1.0)
    return min(math.floor(low), size - 1), min(math.floor(high) + 1, size - 1)


@njit(parallel=True, cache=True)
def _bullington_paths(  # noqa: PLR0912, PLR0913, PLR0915, PLR0917 - one flat kernel
    elevation: np.ndarray,
    inverse: tuple,
    start_xy: np.ndarray,
    end_xy: np.ndarray,
    path_km: np.ndarray,
    tx_height_m: np.ndarray,
    rx_height_m: np.ndarray,
    wavelength_m: np.ndarray,
    curvature: float,
    table: np.ndarray,
    groups: np.ndarray,
    windows: np.ndarray,
):
    size = len(path_km)
    rows, cols = elevation.shape
    loss = np.zeros(size)
    line_of_sight = np.zeros(size, dtype=np.bool_)
    missing = np.zeros(size, dtype=np.bool_)
    samples_read = np.zeros(size, dtype=np.int64)
    group_t = 0.0  # the largest span of a group, as a fraction of the path
    for group in range(groups.shape[0]):
        group_t = max(group_t, table[0, groups[group, 1]] - table[0, groups[group, 0]])
    for p in prange(size):
        on, row0, col0, row1, col1 = _segment_on_dem(elevation, inverse, start_xy, end_xy, p)
        if not on:
            missing[p] = True
            continue
        drow, dcol = row1 - row0, col1 - col0
        g0 = _ground_m(elevation, row0, col0)
        g1 = _ground_m(elevation, row1, col1)
        d = path_km[p]
        h_ts = g0 + tx_height_m[p]
        h_rs = g1 + rx_height_m[p]
        lam = wavelength_m[p]
        # per sample i at fraction t of the path: d_i = d t, d - d_i = d (1 - t); the terms
        # that depend on t alone are shared by every path of n samples
        bulge = 500.0 * curvature * d * d
        fresnel = math.sqrt(0.002 / (lam * d))
        inverse_d = 1.0 / d
        # the positive factors 1/d and the Fresnel term come out of the maxima
        s_tim = -math.inf
        s_rim = -math.inf
        v_los = -math.inf
        rise = h_rs - h_ts
        heights = g0 + g1  # NaN once any sample falls on a no-data cell
        read = 0
        # a path between cell centres of the DEM (not on its outer half cells) reads
        # every sample without clamping, and the same heights
        inner = (
            min(row0, row1) >= 0.0
            and max(row0, row1) < rows - 1.0 - INNER_SLACK
            and min(col0, col1) >= 0.0
            and max(col0, col1) < cols - 1.0 - INNER_SLACK
        )
        # one window size for every group of the path: the smallest that holds a group's reads
        extent = max(abs(drow), abs(dcol)) * group_t + 3.0
        level = 0
        while level < windows.shape[0] - 1 and WINDOW_SIDES[level] < extent:
            level += 1
        side = WINDOW_SIDES[level]
        for group in range(groups.shape[0]):
            first, last = groups[group, 0], groups[group, 1]
            t_first, t_last = table[0, first], table[0, last]
            row_low, row_high = _cell_span(row0 + drow * t_first, row0 + drow * t_last, rows)
            col_low, col_high = _cell_span(col0 + dcol * t_first, col0 + dcol * t_last, cols)
            # no sample of the group stands above the highest cell its reads touch (plus
            # the group's largest Earth bulge): skip it when that cannot raise a maximum
            ceiling = math.inf  # a group wider than the widest window is read
            if max(row_high - row_low, col_high - col_low) < side:
                ceiling = windows[level, row_low, col_low]
            high = ceiling + bulge * table[1, groups[group, 2]] + CEILING_SLACK_M
            above_tx = high - h_ts
            above_rx = high - h_rs
            clear = high - h_ts - rise * (t_first if rise > 0.0 else t_last)
            if (
                above_tx * table[2, first if above_tx > 0.0 else last] <= s_tim
                and above_rx * table[3, last if above_rx > 0.0 else first] <= s_rim
                and (
                    s_tim > rise + NLOS_SLACK * (1.0 + abs(rise))  # v_los goes unused
                    or clear * (max(table[4, first], table[4, last]) if clear > 0.0 else 2.0)
                    <= v_los
                )
            ):
                continue  # NaN ceilings (no-data) fail every test and are read
            read += last - first + 1
            for i in range(first, last + 1):
                t = table[0, i]
                if inner:
                    ground = _inner_ground_m(elevation, row0 + drow * t, col0 + dcol * t)
                else:
                    ground = _ground_m(elevation, row0 + drow * t, col0 + dcol * t)
                heights += ground
                hi = ground + bulge * table[1, i]
                s_tim = max(s_tim, (hi - h_ts) * table[2, i])
                s_rim = max(s_rim, (hi - h_rs) * table[3, i])
                v_los = max(v_los, (hi - h_ts - rise * t) * table[4, i])
        samples_read[p] = read
        if math.isnan(heights):
            missing[p] = True
            continue
        s_tim *= inverse_d
        s_rim *= inverse_d
        v_los *= fresnel
        s_tr = (h_rs - h_ts) / d
        if s_tim < s_tr:
            line_of_sight[p] = True
            v = v_los
        else:
            d_b = (h_rs - h_ts + s_rim * d) / (s_tim + s_rim)
            d_b = min(max(d_b, 1e-9), d * (1 - 1e-9))
            v = (h_ts + s_tim * d_b - (h_ts * (d - d_b) + h_rs * d_b) / d) * math.sqrt(
                0.002 * d / (lam * d_b * (d - d_b))
            )
        l_uc = _knife_edge_db(v)
        loss[p] = l_uc + (1.0 - math.exp(-l_uc / 6.0)) * (10.0 + 0.02 * d)
    return loss, line_of_sight, missing, samples_read


def _step_table(samples: int) -> np.ndarray:
    """Per sample i of a profile: t, t (1 - t), 1/t, 1/(1 - t), 1/sqrt(t (1 - t)).

    Shape (5, samples) with t = i / (samples - 1): the terms every path shares.
    """
    t = np.arange(samples) / (samples - 1)
    inner = slice(1, samples - 1)
    table = np.ones((5, samples))
    table[0], table[1] = t, t * (1.0 - t)
    table[2, inner] = 1.0 / t[inner]
    table[3, inner] = 1.0 / (1.0 - t[inner])
    table[4, inner] = 1.0 / np.sqrt(t[inner] * (1.0 - t[inner]))
    return table


_STEPS = _step_table(PROFILE_SAMPLES)


def _sample_groups(samples: int) -> np.ndarray:
    """Return groups of the inner samples: rows of (first, last, the one nearest mid-path).

    Groups come from the two ends inwards: the slopes from the transmitter and to the
    receiver and the clearance parameter are largest near the ends, so the maxima they set
    early let more of the middle be skipped.
    """
    bounds = np.arange(1, samples - 1, GROUP_SAMPLES)
    first = bounds
    last = np.minimum(bounds + GROUP_SAMPLES - 1, samples - 2)
    t = np.arange(samples) / (samples - 1)
    middle = np.array(
        [a + np.argmax((t * (1.0 - t))[a : b + 1]) for a, b in zip(first, last, strict=True)]
    )
    groups = np.column_stack([first, last, middle]).astype(np.int64)
    ends = np.arange(len(groups))
    order = np.column_stack([ends, ends[::-1]]).ravel()[: len(groups)]  # 0, -1, 1, -2 ...
    return np.ascontiguousarray(groups[order])


_GROUPS = _sample_groups(PROFILE_SAMPLES)


def window_maxima(elevation: np.ndarray) -> np.ndarray:
    """Highest cell of the DEM in the square window from each cell, one level per side.

    Returns
    -------
    numpy.ndarray, shape (len(WINDOW_SIDES), rows, cols), float32
        Level k at (row, col): the highest of rows row..row + side - 1 and columns
        col..col + side - 1 (``side = WINDOW_SIDES[k]``, cut at the DEM's edge), m, rounded
        up to float32; NaN where the window holds no-data.
    """
    current = np.asarray(elevation, dtype=float)
    width = 1
    levels = np.empty((len(WINDOW_SIDES), *current.shape), dtype=np.float32)
    for level, side in enumerate(WINDOW_SIDES):
        while width < side:  # windows of twice the width: two windows side by side, twice
            current = current.copy()
            current[:-width] = np.maximum(current[:-width], current[width:])
            current[:, :-width] = np.maximum(current[:, :-width], current[:, width:])
            width *= 2
        rounded = current.astype(np.float32)
        below = rounded < current
        rounded[below] = np.nextafter(rounded[below], np.float32(np.inf))
        levels[level] = rounded
    return levels


_WINDOWS_OF: list = [None, None]
"""The last DEM's window maxima (a weak reference to its heights, the maxima): a raster or
a province calls the kernel once per chunk of paths over the same DEM."""


def _window_maxima_of(elevation: np.ndarray) -> np.ndarray:
    """:func:`window_maxima` of `elevation`, kept while the same array is passed again."""
    known, maxima = _WINDOWS_OF
    if known is None or known() is not elevation:
        maxima = window_maxima(elevation)
        _WINDOWS_OF[:] = [weakref.ref(elevation, _forget_windows), maxima]
    return maxima


def _forget_windows(gone: weakref.ref) -> None:
    """Drop the kept window maxima with their DEM (not those of a DEM kept since)."""
    if _WINDOWS_OF[0] is gone:
        _WINDOWS_OF[:] = [None, None]


def dem_arrays(ground: Terrain) -> tuple[np.ndarray, tuple]:
    """Return the DEM as the kernels read it: contiguous heights and the inverse affine."""
    inverse = ~ground.transform
    return (
        np.ascontiguousarray(ground.elevation_m, dtype=float),
        (inverse.a, inverse.b, inverse.c, inverse.d, inverse.e, inverse.f),
    )


def per_path(values: object, count: int) -> np.ndarray:
    """Return a scalar or an array as one contiguous float per path."""
    return np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=float), (count,)))


def bullington_paths(
    ground: Terrain,
    start_xy: np.ndarray,
    end_xy: np.ndarray,
    tx_height_m: np.ndarray,
    rx_height_m: float,
    frequency_mhz: np.ndarray,
    *,
    k_factor: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bullington loss of each path from `start_xy` (transmitter) to `end_xy`, compiled.

    Parameters
    ----------
    ground : Terrain
        DEM in the metric CRS of the coordinates.
    start_xy, end_xy : numpy.ndarray, shape (n, 2)
        Transmitter and receiver positions, m.
    tx_height_m : numpy.ndarray, shape (n,)
        Transmitter antenna heights above ground, m.
    rx_height_m : float
        Receiver height above ground, m.
    frequency_mhz : numpy.ndarray, shape (n,)
        Frequencies, MHz.
    k_factor : float
        Effective Earth-radius factor.

    Returns
    -------
    loss_db : numpy.ndarray
        Diffraction loss L_b, dB (0 where the profile is missing).
    line_of_sight : numpy.ndarray of bool
    missing : numpy.ndarray of bool
        Paths that leave the DEM or cross no-data cells.
    """
    start_xy = np.ascontiguousarray(start_xy, dtype=float)
    end_xy = np.ascontiguousarray(end_xy, dtype=float)
    distance_m = np.hypot(*(end_xy - start_xy).T)
    count = len(distance_m)
    elevation, inverse = dem_arrays(ground)
    with KERNEL_LOCK:
        loss, line_of_sight, missing, _ = _bullington_paths(
            elevation,
            inverse,
            start_xy,
            end_xy,
            np.maximum(distance_m, 1.0) / 1000.0,
            per_path(tx_height_m, count),
            per_path(rx_height_m, count),
            SPEED_OF_LIGHT_M_S / (per_path(frequency_mhz, count) * 1e6),
            1.0 / (k_factor * EARTH_RADIUS_KM),
            _STEPS,
            _GROUPS,
            _window_maxima_of(elevation),
        )
    return loss, line_of_sight, missing
