"""The exact best-server kernel: every (point, tower) pair in reach, compiled with Numba.

Without terrain the loss of a pair depends only on its distance and the tower: for the
log-linear models (Hata family, free space) ``A_t + B_t log10(d)`` with two coefficients
per tower, for 3GPP RMa the two-slope LOS formula and the NLOS formula (the same functions
as :mod:`whitespot.radio.propagation`, compiled), so the best server is a small loop
over the towers in reach of each point. The kernel buckets the towers on a
square grid, and for each point visits only the grid cells within the largest reach,
evaluating each tower whose own reach covers the point. Points run in parallel
(``numba.prange``); each point writes only its own outputs, so the result does not depend
on the number of threads.

The arithmetic is that of :func:`whitespot.radio._engine.predict_signal`'s numpy path,
term by term: signal = EIRP - loss - fade margin + sector gain, margin = signal - threshold,
the best server is the largest margin with ties to the smaller tower index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from whitespot._numba import njit, prange
from whitespot.radio.clutter import STATISTICAL_LEAST_KM, statistical_clutter_db
from whitespot.radio.propagation import rma_nlos_prime_db, rma_pl1_db

SIDE_LOBE_LEVEL_DB = 30.0
"""A_m of the 3GPP sector pattern, as :data:`whitespot.radio._antenna.SIDE_LOBE_LEVEL_DB`."""
TOWERS_PER_CELL = 4.0
"""Mean towers per grid cell: small cells let the ring search stop sooner."""


@dataclass(frozen=True)
class TowerGrid:
    """Towers bucketed on a square grid in the metric CRS.

    Attributes
    ----------
    origin_m : tuple of float
        (x, y) of the grid's lower-left corner, m.
    cell_m : float
        Side of a cell, m.
    shape : tuple of int
        (columns, rows).
    start : numpy.ndarray
        ``start[c]:start[c + 1]`` indexes `order` for the towers of cell ``c``
        (``c = row * columns + column``).
    order : numpy.ndarray
        Tower indexes sorted by cell, then by index.
    search_m : float
        The largest tower reach, m: no point is searched farther.
    """

    origin_m: tuple[float, float]
    cell_m: float
    shape: tuple[int, int]
    start: np.ndarray
    order: np.ndarray
    search_m: float

    @classmethod
    def of(cls, xy: np.ndarray, reach_m: np.ndarray) -> TowerGrid:
        """Bucket towers at `xy` (m) whose reaches are `reach_m` (m).

        The cell holds about :data:`TOWERS_PER_CELL` towers at the towers' mean density.
        """
        search = float(reach_m.max(initial=0.0))
        low = xy.min(axis=0) if len(xy) else np.zeros(2)
        span = (xy.max(axis=0) - low) if len(xy) else np.zeros(2)
        area_m2 = max(span[0], 1.0) * max(span[1], 1.0)
        cell = float(max(np.sqrt(TOWERS_PER_CELL * area_m2 / max(len(xy), 1)), 50.0))
        columns, rows = (np.floor(span / cell).astype(np.int64) + 1).tolist()
        column = np.floor((xy[:, 0] - low[0]) / cell).astype(np.int64)
        row = np.floor((xy[:, 1] - low[1]) / cell).astype(np.int64)
        key = row * columns + column
        order = np.argsort(key, kind="stable")
        start = np.searchsorted(key[order], np.arange(columns * rows + 1))
        return cls((float(low[0]), float(low[1])), cell, (columns, rows), start, order, search)

    def arrays(self) -> tuple:
        """Return the grid as the kernel takes it."""
        return (
            self.origin_m[0],
            self.origin_m[1],
            self.cell_m,
            self.shape[0],
            self.shape[1],
            self.start,
            self.order,
            self.search_m,
        )


@njit(cache=True, inline="always")
def _sector_gain_db(dx: float, dy: float, azimuth: float, beamwidth: float) -> float:
    """3GPP horizontal sector gain toward (dx east, dy north), 0 dB for omni (NaN azimuth)."""
    if math.isnan(azimuth):
        return 0.0
    bearing = np.degrees(np.arctan2(dx, dy)) % 360.0
    phi = (bearing - azimuth + 180.0) % 360.0 - 180.0
    return -min(12.0 * (phi / beamwidth) ** 2, SIDE_LOBE_LEVEL_DB)


LOG_LINEAR, RMA_LOS, RMA_NLOS = 0, 1, 2
"""Loss families the kernel computes (:data:`FAMILIES` maps model names to them)."""
FAMILIES = {"rma_los": RMA_LOS, "rma": RMA_NLOS}
"""Models computed by their own formula; any log-linear model is :data:`LOG_LINEAR`."""

_pl1_db = njit(cache=True, inline="always")(rma_pl1_db)
_nlos_prime_db = njit(cache=True, inline="always")(rma_nlos_prime_db)
_statistical_clutter_db = njit(cache=True, inline="always")(statistical_clutter_db)


@njit(cache=True, inline="always")
def _loss_db(t: int, distance_m: float, towers: tuple, model: tuple) -> float:
    """Path loss of tower `t` at `distance_m`, dB, as the model's numpy function gives it.

    `model` is (family, least distance km, mobile height m, building height m, street
    width m, P.2108-1 section 3.2 quantile Q^-1(p / 100) or NaN for none); nearer pairs
    are evaluated at the least distance.
    """
    loss_1km, per_decade, fc_ghz, base_m, breakpoint_m = towers[3], towers[4], *towers[9:12]
    offset, slope, least_km, greatest_km = towers[12], towers[13], towers[14], towers[15]
    family, min_distance_km, mobile_m, building_m, street_m, clutter_quantile = model
    distance_km = max(distance_m / 1000.0, min_distance_km)
    # a calibration is held at its value outside the distances it was fitted over
    held_km = min(max(distance_km, least_km[t], 1e-9), greatest_km[t])
    calibration = offset[t] + slope[t] * math.log10(held_km)
    if not math.isnan(clutter_quantile):  # P.2108-1 section 3.2, capped at 2 km (eq. 6)
        clutter_km = max(distance_km, STATISTICAL_LEAST_KM)
        calibration += min(
            _statistical_clutter_db(fc_ghz[t], clutter_km, clutter_quantile),
            _statistical_clutter_db(fc_ghz[t], 2.0, clutter_quantile),
        )
    if family == LOG_LINEAR:
        return loss_1km[t] + per_decade[t] * math.log10(distance_km) + calibration
    d2d = distance_km * 1000.0
    d3d = np.hypot(d2d, base_m[t] - mobile_m)
    if d2d <= breakpoint_m[t]:
        los = _pl1_db(d3d, fc_ghz[t], building_m)
    else:
        los = _pl1_db(breakpoint_m[t], fc_ghz[t], building_m) + 40.0 * np.log10(
            d3d / breakpoint_m[t]
        )
    if family == RMA_LOS:
        return los + calibration
    nlos = _nlos_prime_db(d3d, fc_ghz[t], base_m[t], mobile_m, building_m, street_m)
    return max(los, nlos) + calibration


@njit(cache=True, inline="always")
def _visit_cell(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    cell: int,
    px: float,
    py: float,
    towers: tuple,
    start: np.ndarray,
    order: np.ndarray,
    state: tuple,
    floor_db: float,
    model: tuple,
    fade_margin_db: float,
) -> tuple:
    """Evaluate the towers of one grid cell at (px, py); return the updated search state.

    The state is (best margin, its signal, its tower, servers above threshold, nearest
    distance, pairs evaluated).
    """
    x, y, reach, eirp, threshold, azimuth, beamwidth = towers[:3] + towers[5:9]
    top, top_signal, top_tower, count, near, evaluated = state
    for j in range(start[cell], start[cell + 1]):
        t = order[j]
        dx = px - x[t]
        dy = py - y[t]
        distance = math.sqrt(dx * dx + dy * dy)
        near = min(near, distance)
        if distance > reach[t]:
            continue
        evaluated += 1
        signal = eirp[t] - _loss_db(t, distance, towers, model) - fade_margin_db
        signal += _sector_gain_db(dx, dy, azimuth[t], beamwidth[t])
        margin = signal - threshold[t]
        if margin < floor_db:
            continue
        if margin >= 0.0:
            count += 1
        if margin > top or (margin == top and t < top_tower):
            top, top_signal, top_tower = margin, signal, t
    return top, top_signal, top_tower, count, near, evaluated


@njit(cache=True)
def _bound_db(envelope_m: np.ndarray, envelope_db: np.ndarray, distance_m: float) -> float:
    """Largest margin any tower gives at `distance_m` or farther (the nearer grid step)."""
    step = np.searchsorted(envelope_m, distance_m, side="right") - 1
    return envelope_db[step] if step >= 0 else np.inf


@njit(parallel=True, cache=True)
def best_servers(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    point_x: np.ndarray,
    point_y: np.ndarray,
    towers: tuple,
    grid: tuple,
    envelope: tuple,
    model: tuple,
    fade_margin_db: float,
    floor_db: float,
    max_servers: int,
):
    """Best server, servers above threshold and nearest tower of every point.

    Cells are visited in square rings around the point's cell. After ring ``r`` every
    tower nearer than ``r`` cells has been evaluated, so the search stops when the
    envelope at that distance can neither beat the best margin (ties included) nor add a
    server above threshold while fewer than `max_servers` are counted, or when it passes
    the largest reach.

    Parameters
    ----------
    point_x, point_y : numpy.ndarray
        Receivers in the metric CRS, m.
    towers : tuple of numpy.ndarray
        ``(x_m, y_m, reach_m, loss_at_1km_db, loss_per_decade_db, eirp_dbm,
        threshold_dbm, azimuth_deg, beamwidth_deg, frequency_ghz, height_m,
        breakpoint_m, calibration_offset_db, calibration_slope_db_per_decade,
        calibration_min_km, calibration_max_km)``.
    grid : tuple
        :meth:`TowerGrid.arrays`.
    envelope : tuple of numpy.ndarray
        ``(distance_m, margin_db)``: the largest margin over threshold of any tower at
        each distance or beyond, non-increasing.
    model : tuple
        ``(family, least distance km, mobile height m, building height m, street width
        m, clutter quantile)``: :data:`LOG_LINEAR`, :data:`RMA_LOS` or :data:`RMA_NLOS`;
        nearer pairs are evaluated at the least distance; the P.2108-1 section 3.2
        quantile Q^-1(p / 100), NaN for no statistical clutter loss.
    fade_margin_db, floor_db : float
        Fade margin subtracted from every signal, and the least margin kept (minus the
        weak band), dB.
    max_servers : int
        Servers above threshold are counted at least up to this number.

    Returns
    -------
    tuple of numpy.ndarray
        ``margin_db`` (-inf where no tower comes above `floor_db`), ``signal_dbm`` (NaN
        there), ``tower`` (index, -1 there), ``above`` (servers with margin >= 0, exact
        up to `max_servers`), ``nearest_m`` (inf unless the nearest tower was within the
        rings searched) and ``pairs`` (pairs evaluated per point).
    """
    origin_x, origin_y, cell_m, columns, rows, start, order, search_m = grid
    envelope_m, envelope_db = envelope
    size = point_x.shape[0]
    best_margin = np.full(size, -np.inf)
    best_signal = np.full(size, np.nan)
    best_tower = np.full(size, -1, dtype=np.int64)
    above = np.zeros(size, dtype=np.int64)
    nearest = np.full(size, np.inf)
    pairs = np.zeros(size, dtype=np.int64)
    last_ring = math.ceil(search_m / cell_m) + 1
    for i in prange(size):
        px, py = point_x[i], point_y[i]
        home_c = math.floor((px - origin_x) / cell_m)
        home_r = math.floor((py - origin_y) / cell_m)
        state = (-np.inf, np.nan, -1, 0, np.inf, 0)
        searched_m = 0.0
        for ring in range(last_ring + 1):
            for r in range(max(home_r - ring, 0), min(home_r + ring, rows - 1) + 1):
                edge = r == home_r - ring or r == home_r + ring
                step = 1 if edge else 2 * ring
                for c in range(home_c - ring, home_c + ring + 1, max(step, 1)):
                    if c < 0 or c >= columns:
                        continue
                    state = _visit_cell(
                        r * columns + c, px, py, towers, start, order, state, floor_db,
                        model, fade_margin_db,
                    )  # fmt: skip
            searched_m = ring * cell_m  # every tower nearer than this has been seen
            if searched_m > search_m:
                break
            bound = _bound_db(envelope_m, envelope_db, searched_m)
            if bound < max(state[0], floor_db) and (bound < 0.0 or state[3] >= max_servers):
                break
        top, top_signal, top_tower, count, near, evaluated = state
        best_margin[i] = top
        best_signal[i] = top_signal
        best_tower[i] = top_tower
        above[i] = count
        nearest[i] = near if near <= searched_m else np.inf
        pairs[i] = evaluated
    return best_margin, best_signal, best_tower, above, nearest, pairs
