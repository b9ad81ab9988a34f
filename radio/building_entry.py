"""Building entry loss by Recommendation ITU-R P.2109-2, as printed.

The loss between a level just outside a building and the level inside it, not exceeded
with a probability, for traditional and thermally efficient (metallised glass, foil-backed
insulation) buildings, 80 MHz-100 GHz (:func:`p2109_building_entry_loss_db`).

References
----------
.. [1] Recommendation ITU-R P.2109-2 (08/2023), *Prediction of building entry loss*,
   Annex 1, section 3, eqs. (1)-(10) and Table 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from whitespot._errors import InputError
from whitespot.radio._itu import checked_itu_inputs
from whitespot.radio.propagation import ValidityRange

__all__ = ["BUILDING_TYPES", "p2109_building_entry_loss_db"]

_COEFFICIENTS: dict[str, tuple[float, ...]] = {
    # r, s, t, u, v, w, x, y, z of P.2109-2 Table 1
    "traditional": (12.64, 3.72, 0.96, 9.6, 2.0, 9.1, -3.0, 4.5, -2.0),
    "thermally_efficient": (28.19, -3.00, 8.48, 13.5, 3.8, 27.8, -2.9, 9.4, -2.1),
}

BUILDING_TYPES = tuple(_COEFFICIENTS)
"""Building types of P.2109-2 Table 1."""

P2109_RANGE = (
    ValidityRange("frequency_ghz", 0.08, 100.0),
    ValidityRange("elevation_deg", -90.0, 90.0),
)
"""Frequency (GHz) and elevation (degrees) ranges of P.2109-2."""


def p2109_building_entry_loss_db(
    frequency_mhz: ArrayLike,
    elevation_deg: ArrayLike,
    percent: ArrayLike,
    building: str = "traditional",
) -> np.ndarray:
    """Return the building entry loss of P.2109-2 not exceeded with a probability, dB.

    ``10 log10(10^(0.1 A) + 10^(0.1 B) + 10^(0.1 C))`` (eq. 1), A and B the normal
    quantiles of `percent` of two log-normal components (eqs. 2, 3), C = -3 dB (eq. 4),
    with the median horizontal loss of eq. (9) and 0.212 |elevation| dB of eq. (10).

    Parameters
    ----------
    frequency_mhz : array_like
        Frequency, MHz (80-100000).
    elevation_deg : array_like
        Elevation of the path at the building facade, degrees above the horizontal
        (-90..90); 0 for a terrestrial path.
    percent : array_like
        Probability with which the loss is not exceeded, %, in (0, 100).
    building : str, default "traditional"
        ``"traditional"`` or ``"thermally_efficient"`` (P.2109-2 Table 1).

    Returns
    -------
    numpy.ndarray
        Building entry loss, dB (may be slightly negative at small probabilities);
        broadcast over the arguments.

    Raises
    ------
    ModelRangeError
        A frequency outside 0.08-100 GHz, an elevation outside -90..90 degrees or a
        percentage outside (0, 100).
    InputError
        An unknown building type.

    References
    ----------
    .. [1] Recommendation ITU-R P.2109-2, Annex 1, section 3, eqs. (1)-(10), Table 1.

    Examples
    --------
    >>> round(float(p2109_building_entry_loss_db(28000, 0, 50)), 1)
    20.2
    """
    if building not in _COEFFICIENTS:
        raise InputError(
            f"building={building!r} must be one of {', '.join(BUILDING_TYPES)} "
            "(ITU-R P.2109-2 Table 1)"
        )
    frequency_ghz, elevation_deg, percent = checked_itu_inputs(
        "ITU-R P.2109-2", P2109_RANGE, frequency_mhz, ("elevation_deg", elevation_deg), percent
    )
    r, s, t, u, v, w, x, y, z = _COEFFICIENTS[building]
    log_f = np.log10(frequency_ghz)
    horizontal_db = r + s * log_f + t * log_f**2  # (9)
    mu1 = horizontal_db + 0.212 * np.abs(elevation_deg)  # (5), (10)
    mu2 = w + x * log_f  # (6)
    sigma1 = u + v * log_f  # (7)
    sigma2 = y + z * log_f  # (8)
    quantile = ndtri(percent / 100.0)  # F^-1(P)
    a = quantile * sigma1 + mu1  # (2)
    b = quantile * sigma2 + mu2  # (3)
    c = -3.0  # (4)
    return (10.0 * np.log10(10.0 ** (0.1 * a) + 10.0 ** (0.1 * b) + 10.0 ** (0.1 * c)))[()]
