"""Antenna gain toward a point: omnidirectional, or a sector with the 3GPP pattern."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

SIDE_LOBE_LEVEL_DB = 30.0
"""Front-to-back attenuation A_m of the 3GPP sector pattern (TR 38.901 Table 7.3-1)."""


def bearing_deg(dx_m: ArrayLike, dy_m: ArrayLike) -> np.ndarray:
    """Bearing from north, clockwise, in degrees 0..360, of the vector (dx east, dy north)."""
    return np.degrees(np.arctan2(dx_m, dy_m)) % 360.0


def sector_gain_db(
    azimuth_deg: ArrayLike, beamwidth_deg: ArrayLike, bearing_to_point_deg: ArrayLike
) -> np.ndarray:
    """Horizontal gain of a sector antenna relative to its boresight.

    A(phi) = -min(12 (phi / phi_3dB)^2, A_m), with phi the angle between the boresight and
    the point, phi_3dB the -3 dB beamwidth and A_m = 30 dB. Where `azimuth_deg` is NaN the
    antenna is omnidirectional and the gain is 0 dB.

    Parameters
    ----------
    azimuth_deg : array_like
        Boresight bearing from north, degrees; NaN for omni.
    beamwidth_deg : array_like
        Horizontal -3 dB beamwidth, degrees (65 for a typical macro sector).
    bearing_to_point_deg : array_like
        Bearing from the antenna to the point, degrees.

    Returns
    -------
    numpy.ndarray
        Gain in dB, 0 at boresight, down to -30 dB behind.

    References
    ----------
    3GPP TR 38.901 V17.0.0, Table 7.3-1 (horizontal cut of the radiation power pattern).
    """
    azimuth = np.asarray(azimuth_deg, dtype=float)
    phi = (np.asarray(bearing_to_point_deg, dtype=float) - azimuth + 180.0) % 360.0 - 180.0
    with np.errstate(invalid="ignore"):
        gain = -np.minimum(
            12.0 * (phi / np.asarray(beamwidth_deg, dtype=float)) ** 2, SIDE_LOBE_LEVEL_DB
        )
    return np.where(np.isnan(azimuth), 0.0, gain)
