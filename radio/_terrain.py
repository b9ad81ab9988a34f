"""Terrain: DEM profiles between towers and receivers, line of sight, diffraction loss.

Profiles are sampled bilinearly from a DEM reprojected once into the metric CRS of the
computation. Earth curvature uses an effective radius k * 6371 km (k = 4/3, the median
standard atmosphere). Diffraction over the profile follows the Bullington method of
ITU-R P.526-15 section 4.5.1 (identical to P.452-17 section 4.2.1), built on the single
knife-edge loss J(v) of P.526-15 eq. (31). Everything is vectorized over profiles: a
profile set is a 2-D array, one row per (tower, receiver) pair.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from numpy.typing import ArrayLike
from pyproj import CRS
from scipy.ndimage import map_coordinates

from whitespot.data import Terrain
from whitespot.data._dem import reproject_grid
from whitespot.data._problems import format_ids
from whitespot.radio.propagation import SPEED_OF_LIGHT_M_S

EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius (ITU-R P.834)."""

MEDIAN_K_FACTOR = 4.0 / 3.0
"""Effective Earth-radius factor of the median standard atmosphere (ITU-R P.453)."""


def knife_edge_loss_db(v: ArrayLike) -> np.ndarray:
    """Diffraction loss of a single knife edge, J(v).

    J(v) = 6.9 + 20 log10(sqrt((v - 0.1)^2 + 1) + v - 0.1) for v > -0.78, else 0
    (ITU-R P.526-15 eq. 31, an approximation of the Fresnel-integral loss of eq. 30).

    Parameters
    ----------
    v : array_like
        Fresnel-Kirchhoff diffraction parameter (dimensionless).

    Returns
    -------
    numpy.ndarray
        Loss in dB (0 where the edge is well below the ray).

    References
    ----------
    ITU-R P.526-15 (2019), Propagation by diffraction, section 4.1, eqs. (26)-(31).
    """
    v = np.asarray(v, dtype=float)
    with np.errstate(invalid="ignore"):
        loss = 6.9 + 20.0 * np.log10(np.sqrt((v - 0.1) ** 2 + 1.0) + v - 0.1)
    return np.where(v > -0.78, loss, 0.0)


def fresnel_parameter(
    height_m: ArrayLike, d1_m: ArrayLike, d2_m: ArrayLike, wavelength_m: ArrayLike
) -> np.ndarray:
    """Diffraction parameter v = h sqrt(2 / lambda (1/d1 + 1/d2)) (ITU-R P.526-15 eq. 26).

    Parameters
    ----------
    height_m : array_like
        Height of the edge above the straight line between the ends, m (negative below).
    d1_m, d2_m : array_like
        Distances from the ends to the edge, m.
    wavelength_m : array_like
        Wavelength, m.
    """
    h, d1, d2, lam = (np.asarray(x, dtype=float) for x in (height_m, d1_m, d2_m, wavelength_m))
    return h * np.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))


def bullington_loss_db(
    ground_m: ArrayLike,
    path_km: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    frequency_mhz: ArrayLike,
    *,
    k_factor: float = MEDIAN_K_FACTOR,
) -> tuple[np.ndarray, np.ndarray]:
    """Diffraction loss over terrain profiles by the Bullington method, and line of sight.

    Each row of `ground_m` is a profile of ground heights sampled at equal steps from the
    transmitter (column 0) to the receiver (last column). With C_e = 1 / (k a):

    - S_tim = max_i (h_i + 500 C_e d_i (d - d_i) - h_ts) / d_i (eq. 50), S_tr = (h_rs -
      h_ts) / d (eq. 51);
    - line of sight if S_tim < S_tr: v_max = max_i of the edge parameter (eq. 52);
      else the Bullington point d_b (eq. 55) and v_b (eq. 56); L_uc = J(v);
    - L_b = L_uc + (1 - exp(-L_uc / 6)) (10 + 0.02 d) (eq. 57).

    Parameters
    ----------
    ground_m : array_like, shape (n_paths, n_samples)
        Ground height above sea level, m, at ``n_samples >= 3`` equal steps.
    path_km : array_like, shape (n_paths,)
        Path length, km.
    tx_height_m, rx_height_m : array_like, shape (n_paths,) or scalar
        Antenna heights above ground at each end, m.
    frequency_mhz : array_like, shape (n_paths,) or scalar
        Frequency, MHz.
    k_factor : float, default 4/3
        Effective Earth-radius factor.

    Returns
    -------
    loss_db : numpy.ndarray, shape (n_paths,)
        Diffraction loss L_b in dB (>= 0).
    line_of_sight : numpy.ndarray of bool, shape (n_paths,)
        Whether the ray clears every intermediate profile point (S_tim < S_tr).

    References
    ----------
    ITU-R P.526-15 (2019), section 4.5.1 (Bullington), eqs. (50)-(57).
    """
    ground = np.atleast_2d(np.asarray(ground_m, dtype=float))
    n_paths, n_samples = ground.shape
    d = np.broadcast_to(np.asarray(path_km, dtype=float), (n_paths,))[:, None]
    h_ts = ground[:, :1] + np.broadcast_to(np.asarray(tx_height_m, float), (n_paths,))[:, None]
    h_rs = ground[:, -1:] + np.broadcast_to(np.asarray(rx_height_m, float), (n_paths,))[:, None]
    wavelength_m = SPEED_OF_LIGHT_M_S / (
        np.broadcast_to(np.asarray(frequency_mhz, float), (n_paths,))[:, None] * 1e6
    )
    curvature = 1.0 / (k_factor * EARTH_RADIUS_KM)
    di = d * (np.arange(1, n_samples - 1) / (n_samples - 1))[None, :]
    hi = ground[:, 1:-1] + 500.0 * curvature * di * (d - di)

    s_tim = np.max((hi - h_ts) / di, axis=1)
    s_tr = (h_rs[:, 0] - h_ts[:, 0]) / d[:, 0]
    line_of_sight = s_tim < s_tr

    # eq. 52: the highest edge parameter along a line-of-sight path
    clearance = hi - (h_ts * (d - di) + h_rs * di) / d
    v_los = np.max(clearance * np.sqrt(0.002 * d / (wavelength_m * di * (d - di))), axis=1)

    # eqs. 53-56: the Bullington point of a trans-horizon path
    s_rim = np.max((hi - h_rs) / (d - di), axis=1)
    d_b = (h_rs[:, 0] - h_ts[:, 0] + s_rim * d[:, 0]) / (s_tim + s_rim)
    d_b = np.clip(d_b, 1e-9, d[:, 0] * (1 - 1e-9))
    v_b = (
        h_ts[:, 0] + s_tim * d_b - (h_ts[:, 0] * (d[:, 0] - d_b) + h_rs[:, 0] * d_b) / d[:, 0]
    ) * np.sqrt(0.002 * d[:, 0] / (wavelength_m[:, 0] * d_b * (d[:, 0] - d_b)))

    l_uc = knife_edge_loss_db(np.where(line_of_sight, v_los, v_b))
    loss = l_uc + (1.0 - np.exp(-l_uc / 6.0)) * (10.0 + 0.02 * d[:, 0])
    return loss, line_of_sight


def reproject_terrain(terrain: Terrain, crs: CRS, resolution_m: float | None = None) -> Terrain:
    """Reproject a DEM into a metric CRS (bilinear), so profiles are sampled by affine math.

    Parameters
    ----------
    terrain : Terrain
        The DEM in any CRS.
    crs : pyproj.CRS
        Target metric CRS.
    resolution_m : float, optional
        Cell size of the result in m; default: as fine as the source's cells.
    """
    if CRS.from_user_input(terrain.crs) == CRS.from_user_input(crs):
        return terrain
    elevation, transform = reproject_grid(
        terrain.elevation_m,
        terrain.transform,
        CRS.from_user_input(terrain.crs),
        CRS.from_user_input(crs),
        resolution=resolution_m,
    )
    return replace(
        terrain, elevation_m=elevation, transform=transform, crs=CRS.from_user_input(crs)
    )


def sample_terrain(terrain: Terrain, x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Ground height at points, bilinear between cell centres, in the DEM's CRS units.

    Ground is never invented: outside the DEM the height is NaN, and so is any point whose
    bilinear neighbourhood touches a no-data cell.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inverse: Affine = ~terrain.transform
    col = inverse.a * x + inverse.b * y + inverse.c - 0.5
    row = inverse.d * x + inverse.e * y + inverse.f - 0.5
    heights = map_coordinates(
        terrain.elevation_m, [row.ravel(), col.ravel()], order=1, mode="nearest"
    )
    rows, cols = terrain.shape
    outside = (row < -0.5) | (row > rows - 0.5) | (col < -0.5) | (col > cols - 0.5)
    return np.where(outside.ravel(), np.nan, heights).reshape(x.shape)


def terrain_profiles(
    terrain: Terrain, start_xy: np.ndarray, end_xy: np.ndarray, n_samples: int
) -> np.ndarray:
    """Ground heights along straight lines, `n_samples` equal steps from start to end.

    Parameters
    ----------
    terrain : Terrain
        DEM in the CRS of the coordinates (see :func:`reproject_terrain`).
    start_xy, end_xy : numpy.ndarray, shape (n_paths, 2)
        End points, in the DEM's CRS units (m).
    n_samples : int
        Samples per profile, ends included (>= 3).

    Returns
    -------
    numpy.ndarray, shape (n_paths, n_samples)
        Ground heights, m.
    """
    steps = np.linspace(0.0, 1.0, n_samples)[None, :]
    x = start_xy[:, :1] + (end_xy[:, :1] - start_xy[:, :1]) * steps
    y = start_xy[:, 1:] + (end_xy[:, 1:] - start_xy[:, 1:]) * steps
    return sample_terrain(terrain, x, y)


def terrain_coverage_mask(terrain: Terrain, layer: gpd.GeoDataFrame) -> np.ndarray:
    """Whether each row of a layer stands on the DEM (inside it, not on no-data cells)."""
    points = layer.to_crs(terrain.crs).geometry.representative_point()
    return ~np.isnan(sample_terrain(terrain, points.x.to_numpy(), points.y.to_numpy()))


def terrain_coverage(terrain: Terrain, layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """How much of each layer stands on the DEM (inside it and not on no-data cells).

    Parameters
    ----------
    terrain : Terrain
        The DEM, in any CRS.
    layers : dict of name -> geopandas.GeoDataFrame
        Validated layers (villages, households, towers ...); polygons use their
        representative point.

    Returns
    -------
    pandas.DataFrame
        One row per layer: ``layer``, ``rows``, ``on_dem``, ``share_on_dem`` (0..1) and
        ``off_dem_ids`` (up to ten ids of rows off the DEM).
    """
    records = []
    for name, layer in layers.items():
        on = terrain_coverage_mask(terrain, layer)
        id_column = next((c for c in layer.columns if c.endswith("_id")), None)
        ids = layer[id_column] if id_column else layer.index.to_series()
        records.append(
            {
                "layer": name,
                "rows": len(layer),
                "on_dem": int(on.sum()),
                "share_on_dem": float(on.mean()) if len(on) else 1.0,
                "off_dem_ids": format_ids(list(ids.astype(str).to_numpy()[~on])),
            }
        )
    return pd.DataFrame(records, columns=["layer", "rows", "on_dem", "share_on_dem", "off_dem_ids"])
