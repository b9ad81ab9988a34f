"""Synthetic drive tests: measurements from a known model, correction and shadowing.

Tests, the notebook and the benchmark need measurements whose truth is known: the level
the model predicts from a serving tower, changed by a known correction (offset and slope
per decade) and by log-normal shadowing that is spatially correlated, as real shadowing
is (Gudmundson's exponential correlation, approximated by a Gaussian field on a grid of
the decorrelation distance, bilinearly interpolated, plus an uncorrelated part).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from whitespot.data import metric_crs
from whitespot.data._crs import projected_xy
from whitespot.evidence._measured import USED, measured_pairs
from whitespot.radio import SignalSetup

SENSITIVITY_DBM = -140.0
"""Levels below this are not recorded (a handset's sensitivity): dropped, as in real logs."""


@dataclass(frozen=True)
class Shadowing:
    """Log-normal shadowing of synthetic measurements.

    Attributes
    ----------
    sigma_db : float, default 6
        Standard deviation, dB.
    correlation_m : float, default 100
        Decorrelation distance of its correlated part, m.
    correlated_share : float, default 0.7
        Share of its variance that is spatially correlated.
    """

    sigma_db: float = 6.0
    correlation_m: float = 100.0
    correlated_share: float = 0.7


def synthetic_measurements(
    towers: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    samples: int = 2_000,
    offset_db: float = 0.0,
    slope_db_per_decade: float = 0.0,
    shadowing: Shadowing | None = None,
    distance_km: tuple[float, float] = (0.3, 8.0),
    seed: int = 0,
) -> gpd.GeoDataFrame:
    """Measurements around `towers` with a known deviation from the setup's model.

    Each sample picks a tower at random, a distance log-uniform in `distance_km` and a
    bearing; its level is the model's median level from that tower, minus
    ``offset_db + slope_db_per_decade log10(d / 1 km)``, plus `shadowing` (default
    :class:`Shadowing`: sigma 6 dB, 70 % of it correlated over 100 m).

    Parameters
    ----------
    towers : geopandas.GeoDataFrame
        Validated towers the samples are drawn around.
    setup : SignalSetup, optional
        The model whose median the samples deviate from; default ``SignalSetup()``.
    samples : int, default 2000
        Number of measurements.
    offset_db : float, default 0
        True offset of the model at 1 km, dB (the model predicts this much too high).
    slope_db_per_decade : float, default 0
        True slope of the error with distance, dB per decade of km.
    shadowing : Shadowing, optional
        Correlated log-normal shadowing and noise, dB; default none.
    distance_km : (float, float), default (0.3, 8.0)
        Range of the log-uniform distance from the chosen tower, km.
    seed : int, default 0
        Seed of the random generator (same seed, same measurements).

    Returns
    -------
    geopandas.GeoDataFrame
        Validated measurements (EPSG:4326) with ``measurement_id``, ``signal_dbm``,
        ``technology``, ``operator``, ``tower_id`` (the serving cell) and
        ``true_distance_km``; samples outside the model's range are drawn again, levels
        below :data:`SENSITIVITY_DBM` are dropped (so there may be fewer than `samples`).
    """
    setup = setup or SignalSetup()
    shadowing = shadowing or Shadowing()
    rng = np.random.default_rng(seed)
    crs = metric_crs(towers, setup.crs)
    tower_xy = projected_xy(towers, crs)
    rows = []
    wanted = samples
    while wanted > 0:
        draw = max(wanted * 2, 100)
        pick = rng.integers(0, len(towers), draw)
        distance_m = 1000.0 * np.exp(rng.uniform(*np.log(distance_km), draw))
        bearing = rng.uniform(0.0, 2.0 * np.pi, draw)
        xy = tower_xy[pick] + distance_m[:, None] * np.column_stack(
            [np.sin(bearing), np.cos(bearing)]
        )
        frame = gpd.GeoDataFrame(
            {
                "signal_dbm": -100.0,
                "technology": towers["technology"].to_numpy()[pick],
                "operator": towers["operator"].to_numpy()[pick],
                "tower_id": towers["tower_id"].to_numpy()[pick],
            },
            geometry=gpd.points_from_xy(*xy.T),
            crs=crs,
        )
        pairs = measured_pairs(frame, towers, setup.replace(crs=crs, calibration=None))
        keep = (pairs["status"] == USED).to_numpy()
        frame = frame[keep].iloc[:wanted].copy()
        pairs = pairs[keep].iloc[:wanted]
        correction = offset_db + slope_db_per_decade * np.log10(pairs["distance_km"].to_numpy())
        frame["signal_dbm"] = pairs["predicted_dbm"].to_numpy() - correction
        frame["true_distance_km"] = pairs["distance_km"].to_numpy()
        rows.append(frame)
        wanted -= len(frame)
    out = pd.concat(rows, ignore_index=True)
    xy = projected_xy(out, crs)
    out["signal_dbm"] += shadowing.sigma_db * _shadowing(
        xy, shadowing.correlation_m, shadowing.correlated_share, rng
    )
    out = out[out["signal_dbm"] >= SENSITIVITY_DBM].reset_index(drop=True)
    out.insert(0, "measurement_id", [f"M{i + 1}" for i in range(len(out))])
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs).to_crs("EPSG:4326")


def _shadowing(
    xy: np.ndarray, correlation_m: float, correlated_share: float, rng: np.random.Generator
) -> np.ndarray:
    """Unit-variance shadowing: a correlated Gaussian field plus white noise."""
    low = xy.min(axis=0) - correlation_m
    cells = np.ceil((xy.max(axis=0) - low) / correlation_m).astype(int) + 2
    field = rng.standard_normal(cells)
    u = (xy - low) / correlation_m
    i, j = np.floor(u).astype(int).T
    fx, fy = (u - np.floor(u)).T
    value = (
        field[i, j] * (1 - fx) * (1 - fy)
        + field[i + 1, j] * fx * (1 - fy)
        + field[i, j + 1] * (1 - fx) * fy
        + field[i + 1, j + 1] * fx * fy
    )
    # bilinear interpolation shrinks the variance: scale back to one per point
    spread = np.sqrt(((1 - fx) ** 2 + fx**2) * ((1 - fy) ** 2 + fy**2))
    white = rng.standard_normal(len(xy))
    return np.sqrt(correlated_share) * value / spread + np.sqrt(1 - correlated_share) * white
