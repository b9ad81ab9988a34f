"""Bullington diffraction over DEM profiles, compiled: one pass per path, no profile arrays.

:func:`whitespot.radio.terrain.bullington_loss_db` takes profiles sampled beforehand, a
(paths x samples) array per chunk. Here each path is walked once: every sample is read
bilinearly from the DEM where it falls (as
:func:`~whitespot.radio.terrain.sample_terrain` reads it) and folded into the three
running maxima Bullington needs (ITU-R P.526-15 4.5.1: the slope from the transmitter, the
slope to the receiver and the edge parameter of a line-of-sight path), so memory stays
that of the results and paths run in parallel. The arithmetic per sample is the numpy
function's, term by term; ``tests/radio/test_terrain_kernel.py`` checks the two agree.
"""

from __future__ import annotations

import math

import numpy as np

from whitespot._numba import KERNEL_LOCK, njit, prange
from whitespot.data import Terrain
from whitespot.radio.propagation import SPEED_OF_LIGHT_M_S
from whitespot.radio.terrain import EARTH_RADIUS_KM

PROFILE_SAMPLES = 256
"""Samples of every profile, ends included: a sample every 40 m of a 10 km path, every
4 m near the mast, where the first samples decide the slope from the transmitter (as the
numpy path sampled them)."""


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
def _knife_edge_db(v: float) -> float:
    """J(v) of ITU-R P.526-15 eq. 31 (as terrain.knife_edge_loss_db)."""
    if v <= -0.78:
        return 0.0
    return 6.9 + 20.0 * math.log10(math.sqrt((v - 0.1) ** 2 + 1.0) + v - 0.1)


@njit(parallel=True, cache=True)
def _bullington_paths(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
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
):
    size = len(path_km)
    loss = np.zeros(size)
    line_of_sight = np.zeros(size, dtype=np.bool_)
    missing = np.zeros(size, dtype=np.bool_)
    for p in prange(size):
        on, row0, col0, row1, col1 = _segment_on_dem(elevation, inverse, start_xy, end_xy, p)
        if not on:
            missing[p] = True
            continue
        drow, dcol = row1 - row0, col1 - col0
        n = table.shape[1]
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
        for i in range(1, n - 1):
            t = table[0, i]
            ground = _ground_m(elevation, row0 + drow * t, col0 + dcol * t)
            heights += ground
            hi = ground + bulge * table[1, i]
            s_tim = max(s_tim, (hi - h_ts) * table[2, i])
            s_rim = max(s_rim, (hi - h_rs) * table[3, i])
            v_los = max(v_los, (hi - h_ts - rise * t) * table[4, i])
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
    return loss, line_of_sight, missing


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
    with KERNEL_LOCK:
        return _bullington_paths(
            *dem_arrays(ground),
            start_xy,
            end_xy,
            np.maximum(distance_m, 1.0) / 1000.0,
            per_path(tx_height_m, count),
            per_path(rx_height_m, count),
            SPEED_OF_LIGHT_M_S / (per_path(frequency_mhz, count) * 1e6),
            1.0 / (k_factor * EARTH_RADIUS_KM),
            _STEPS,
        )
