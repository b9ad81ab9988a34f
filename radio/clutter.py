"""Clutter loss by Recommendation ITU-R P.2108-1, as printed.

Two of the recommendation's methods for terrestrial paths, each refusing inputs outside
its ranges (:class:`~whitespot.radio.ModelRangeError`), never extrapolating:

* :func:`p2108_terminal_loss_db`, section 3.1, the height-gain terminal correction: the
  median loss added at a terminal standing below the representative height of the clutter
  around it (houses, trees), 0.03-3 GHz;
* :func:`p2108_statistical_loss_db`, section 3.2, the statistical clutter loss of a
  terrestrial path with both ends in urban or suburban clutter, not exceeded at a
  percentage of locations, 0.5-67 GHz, paths of 0.25 km and more.

References
----------
.. [1] Recommendation ITU-R P.2108-1 (09/2021), *Prediction of clutter loss*, Annex 1,
   sections 3.1 (eqs. 2a-2g, Table 3) and 3.2 (eqs. 3-6).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from whitespot._errors import InputError
from whitespot.radio._errors import ModelRangeError
from whitespot.radio._itu import NO_EXTRAPOLATION, checked_itu_inputs
from whitespot.radio.propagation import ValidityRange, check_range

__all__ = ["CLUTTER_TYPES", "p2108_statistical_loss_db", "p2108_terminal_loss_db"]

CLUTTER_HEIGHTS_M: dict[str, float] = {
    "water_sea": 10.0,
    "open_rural": 10.0,
    "suburban": 10.0,
    "urban": 15.0,
    "trees_forest": 15.0,
    "dense_urban": 20.0,
}
"""Default representative clutter height R of each clutter type, m (P.2108-1 Table 3)."""

CLUTTER_TYPES = tuple(CLUTTER_HEIGHTS_M)
"""Clutter types of P.2108-1 Table 3."""

_HEIGHT_GAIN_TYPES = ("water_sea", "open_rural")
"""Types whose correction is the height-gain formula (2b); the others diffract, (2a)."""

P2108_TERMINAL_RANGE = (ValidityRange("frequency_ghz", 0.03, 3.0),)
"""Frequency range of P.2108-1 section 3.1, GHz."""

STATISTICAL_LEAST_KM = 0.25
"""Least path length of P.2108-1 section 3.2, km."""

P2108_STATISTICAL_RANGE = (
    ValidityRange("frequency_ghz", 0.5, 67.0),
    ValidityRange("distance_km", STATISTICAL_LEAST_KM, np.inf),
)
"""Frequency (GHz) and distance (km) ranges of P.2108-1 section 3.2."""


def p2108_terminal_loss_db(
    frequency_mhz: ArrayLike,
    height_m: ArrayLike,
    clutter_type: str,
    *,
    street_width_m: ArrayLike = 27.0,
    clutter_height_m: ArrayLike | None = None,
) -> np.ndarray:
    """Return the height-gain terminal correction of P.2108-1 section 3.1, dB.

    The median loss added at a terminal of height `height_m` standing in clutter of
    representative height R: 0 at or above R; below it, for water/sea and open/rural
    ``-K_h2 log10(h / R)`` (eq. 2b), for the other types the knife-edge diffraction
    ``J(nu) - 6.03`` (eq. 2a) with ``nu = K_nu sqrt(h_dif theta_clut)`` (eqs. 2c-2g).

    Parameters
    ----------
    frequency_mhz : array_like
        Frequency, MHz (30-3000).
    height_m : array_like
        Terminal antenna height above ground, m (> 0).
    clutter_type : str
        One of :data:`CLUTTER_TYPES` (P.2108-1 Table 3): ``"water_sea"``,
        ``"open_rural"``, ``"suburban"``, ``"urban"``, ``"trees_forest"``,
        ``"dense_urban"``.
    street_width_m : array_like, default 27
        Street width w_s, m (> 0); 27 m is the recommendation's default.
    clutter_height_m : array_like, optional
        Representative clutter height R, m (> 0); default the type's
        (:data:`CLUTTER_HEIGHTS_M`).

    Returns
    -------
    numpy.ndarray
        Clutter loss A_h, dB; broadcast over the arguments.

    Raises
    ------
    ModelRangeError
        A frequency outside 0.03-3 GHz, or a height, street width or clutter height <= 0.
    InputError
        An unknown clutter type.

    References
    ----------
    .. [1] Recommendation ITU-R P.2108-1, Annex 1, section 3.1, eqs. (2a)-(2g), Table 3.

    Examples
    --------
    >>> round(float(p2108_terminal_loss_db(900, 2.3, "open_rural", street_width_m=30,
    ...                                     clutter_height_m=10)), 1)
    13.7
    """
    if clutter_type not in CLUTTER_HEIGHTS_M:
        raise InputError(
            f"clutter_type={clutter_type!r} must be one of {', '.join(CLUTTER_TYPES)} "
            "(ITU-R P.2108-1 Table 3)"
        )
    if clutter_height_m is None:
        clutter_height_m = CLUTTER_HEIGHTS_M[clutter_type]
    frequency_ghz, height_m, street_width_m, clutter_height_m = np.broadcast_arrays(
        np.asarray(frequency_mhz, dtype=float) / 1000.0,
        np.asarray(height_m, dtype=float),
        np.asarray(street_width_m, dtype=float),
        np.asarray(clutter_height_m, dtype=float),
    )
    check_range(
        "ITU-R P.2108-1 section 3.1",
        P2108_TERMINAL_RANGE,
        {"frequency_ghz": frequency_ghz},
        hint=NO_EXTRAPOLATION,
    )
    for name, value in (
        ("height_m", height_m),
        ("street_width_m", street_width_m),
        ("clutter_height_m", clutter_height_m),
    ):
        if np.any(~(value > 0.0)):
            raise ModelRangeError(
                f"ITU-R P.2108-1 section 3.1: {name} must be > 0 m; got "
                f"{np.min(value):g}; {NO_EXTRAPOLATION}"
            )
    below = height_m < clutter_height_m
    h_dif = clutter_height_m - height_m  # (2d)
    with np.errstate(divide="ignore", invalid="ignore"):
        if clutter_type in _HEIGHT_GAIN_TYPES:
            k_h2 = 21.8 + 6.2 * np.log10(frequency_ghz)  # (2f)
            loss = -k_h2 * np.log10(height_m / clutter_height_m)  # (2b)
        else:
            theta_clut_deg = np.degrees(np.arctan(h_dif / street_width_m))  # (2e)
            k_nu = 0.342 * np.sqrt(frequency_ghz)  # (2g)
            nu = k_nu * np.sqrt(h_dif * theta_clut_deg)  # (2c)
            loss = _knife_edge_db(nu) - 6.03  # (2a)
    return np.where(below, loss, 0.0)[()]


def _knife_edge_db(nu: np.ndarray) -> np.ndarray:
    """J(nu) of ITU-R P.526 eq. (31), as P.2108-1 eq. (2a) uses it; 0 for nu <= -0.78."""
    value = 6.9 + 20.0 * np.log10(np.sqrt((nu - 0.1) ** 2 + 1.0) + nu - 0.1)
    return np.where(nu > -0.78, value, 0.0)


def statistical_clutter_db(frequency_ghz: float, distance_km: float, quantile: float) -> float:
    """L_ctt of P.2108-1 eq. (3a) at one distance, dB, before the cap of eq. (6).

    Plain arithmetic on scalars or arrays, so that the compiled kernel uses this very
    function. `quantile` is Q^-1(p / 100).
    """
    loss_l = -2.0 * np.log10(10.0 ** (-5.0 * np.log10(frequency_ghz) - 12.5) + 10.0**-16.5)  # (4a)
    loss_s = 32.98 + 23.9 * np.log10(distance_km) + 3.0 * np.log10(frequency_ghz)  # (5a)
    weight_l = 10.0 ** (-0.2 * loss_l)
    weight_s = 10.0 ** (-0.2 * loss_s)
    # sigma_l 4 dB (4b), sigma_s 6 dB (5b)
    sigma_cb = np.sqrt((16.0 * weight_l + 36.0 * weight_s) / (weight_l + weight_s))  # (3b)
    return -5.0 * np.log10(weight_l + weight_s) - sigma_cb * quantile  # (3a)


def p2108_statistical_loss_db(
    frequency_mhz: ArrayLike, distance_km: ArrayLike, percent: ArrayLike
) -> np.ndarray:
    """Return the clutter loss of P.2108-1 section 3.2 not exceeded at `percent` of locations.

    The statistical model of a terrestrial path with both ends in urban or suburban clutter
    (eqs. 3a-5b), the correction of one end: ``-5 log10(10^(-0.2 L_l) + 10^(-0.2 L_s)) -
    sigma_cb Q^-1(p / 100)``, never more than its value at 2 km (eq. 6).

    Parameters
    ----------
    frequency_mhz : array_like
        Frequency, MHz (500-67000).
    distance_km : array_like
        Path length, km (>= 0.25; the correction applies at both ends from 1 km on).
    percent : array_like
        Percentage of locations, in (0, 100).

    Returns
    -------
    numpy.ndarray
        Clutter loss L_ctt, dB; broadcast over the arguments.

    Raises
    ------
    ModelRangeError
        A frequency outside 0.5-67 GHz, a distance below 0.25 km or a percentage outside
        (0, 100).

    References
    ----------
    .. [1] Recommendation ITU-R P.2108-1, Annex 1, section 3.2, eqs. (3a)-(6).

    Examples
    --------
    >>> round(float(p2108_statistical_loss_db(500, 0.25, 50)), 1)
    17.4
    """
    frequency_ghz, distance_km, percent = checked_itu_inputs(
        "ITU-R P.2108-1 section 3.2",
        P2108_STATISTICAL_RANGE,
        frequency_mhz,
        ("distance_km", distance_km),
        percent,
    )
    quantile = ndtri(1.0 - percent / 100.0)  # Q^-1(p / 100)
    at_distance = statistical_clutter_db(frequency_ghz, distance_km, quantile)
    at_2km = statistical_clutter_db(frequency_ghz, 2.0, quantile)
    return np.minimum(at_distance, at_2km)[()]  # (6)
