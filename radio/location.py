"""Location probability: the margin a cell-edge probability asks for, and the area it covers.

A prediction gives the median level at a place; the level at the places around it varies
about that median log-normally, with a location variability sigma (dB). A tender that asks
for coverage "at 90 % of locations" asks for the median to clear the threshold by the
normal quantile of 0.9 times sigma (:func:`location_margin_db`). Where a cell's edge is
covered with probability P, the share of the cell's area covered is higher: the
Jakes-Reudink formula (:func:`area_coverage_probability`).

References
----------
.. [1] T. S. Rappaport, *Wireless Communications: Principles and Practice*, 2nd ed.,
   Prentice Hall, 2002, section 4.9.2, eqs. (4.78)-(4.82) and Figure 4.18.
.. [2] W. C. Jakes (ed.), *Microwave Mobile Communications*, Wiley, 1974, section 2.4.
.. [3] 3GPP TR 38.901 V17.0.0, Table 7.4.1-1: shadow fading standard deviations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erf, erfcx, ndtri

from whitespot._errors import InputError

__all__ = ["area_coverage_probability", "location_margin_db"]

LOCATION_SIGMA_DB: dict[str, tuple[float, str]] = {
    "rma": (8.0, "3GPP TR 38.901 Table 7.4.1-1, RMa NLOS shadow fading sigma_SF = 8 dB"),
    "rma_los": (6.0, "3GPP TR 38.901 Table 7.4.1-1, RMa LOS beyond the breakpoint: 6 dB"),
    "terrain": (6.0, "3GPP TR 38.901 Table 7.4.1-1, RMa LOS beyond the breakpoint: 6 dB"),
    "hata": (8.0, "3GPP TR 38.901 Table 7.4.1-1, RMa NLOS (rural macro cell): 8 dB"),
    "hata/urban": (6.0, "3GPP TR 38.901 Table 7.4.1-1, UMa NLOS shadow fading: 6 dB"),
    "hata/urban_large": (6.0, "3GPP TR 38.901 Table 7.4.1-1, UMa NLOS shadow fading: 6 dB"),
    "cost231": (6.0, "3GPP TR 38.901 Table 7.4.1-1, UMa NLOS shadow fading: 6 dB"),
    "free_space": (8.0, "3GPP TR 38.901 Table 7.4.1-1, RMa NLOS (rural macro cell): 8 dB"),
    "itm": (8.0, "3GPP TR 38.901 Table 7.4.1-1, RMa NLOS (rural macro cell): 8 dB"),
}
"""Default location variability per model (or ``model/environment``), dB, and its source.

Used where no calibration gives the residual spread of an operator's network."""


def default_location_sigma_db(model: str, environment: str | None = None) -> tuple[float, str]:
    """Return the default location variability of a model's environment, dB, and its source.

    Parameters
    ----------
    model : str
        A :data:`whitespot.radio.MODEL_NAMES` name.
    environment : str, optional
        The model's environment (Hata, COST-231).

    Returns
    -------
    sigma_db : float
        Standard deviation of the level about the median, dB.
    source : str
        The table it comes from (:data:`LOCATION_SIGMA_DB`).
    """
    key = f"{model}/{environment}" if environment else model
    return LOCATION_SIGMA_DB.get(key, LOCATION_SIGMA_DB.get(model, LOCATION_SIGMA_DB["rma"]))


def _check_probability(name: str, probability: np.ndarray) -> None:
    if np.any(~((probability > 0.0) & (probability < 1.0))):
        raise InputError(f"{name} must lie strictly between 0 and 1 (a share, not a percent)")


def _check_sigma(sigma_db: np.ndarray) -> None:
    if np.any(~(sigma_db >= 0.0)):
        raise InputError("sigma_db must be >= 0 dB (the location variability)")


def location_margin_db(probability: ArrayLike, sigma_db: ArrayLike) -> np.ndarray:
    """Return the margin over threshold that covers a place with a given probability, dB.

    The level at a place is normal in dB about the predicted median with standard
    deviation `sigma_db`; it clears the threshold with probability `probability` when the
    median clears it by ``Q^-1(1 - p) sigma`` (Rappaport [1]_ eq. 4.78 solved for the
    level): 0 at p = 0.5, 10.25 dB at p = 0.9 with sigma = 8 dB.

    Parameters
    ----------
    probability : array_like
        Location (cell-edge) probability, a share in (0, 1).
    sigma_db : array_like
        Location variability, dB (>= 0).

    Returns
    -------
    numpy.ndarray
        Margin, dB (negative below p = 0.5); broadcast over the arguments.

    Raises
    ------
    InputError
        A probability outside (0, 1) or a negative sigma.

    References
    ----------
    .. [1] T. S. Rappaport, *Wireless Communications*, 2nd ed., 2002, eq. (4.78).

    Examples
    --------
    >>> round(float(location_margin_db(0.9, 8.0)), 2)
    10.25
    """
    probability = np.asarray(probability, dtype=float)
    sigma_db = np.asarray(sigma_db, dtype=float)
    _check_probability("probability", probability)
    _check_sigma(sigma_db)
    return ndtri(probability) * sigma_db


def area_coverage_probability(
    edge_probability: ArrayLike, sigma_db: ArrayLike, path_loss_exponent: ArrayLike
) -> np.ndarray:
    """Return the share of a cell's area covered when its edge is covered with a probability.

    Jakes-Reudink, as Rappaport [1]_ eq. (4.82)::

        U = 1/2 [1 - erf(a) + exp((1 - 2ab) / b^2) (1 - erf((1 - ab) / b))]
        a = (gamma - P(R)) / (sigma sqrt 2),   b = 10 n log10(e) / (sigma sqrt 2)

    with ``(gamma - P(R)) / sigma = Q^-1(edge probability)``. With sigma 8 dB and n = 4:
    0.7728 at a 50 % edge, 0.9073 at 75 %, 0.9687 at 90 %.

    Parameters
    ----------
    edge_probability : array_like
        Probability that the level at the cell edge clears the threshold, in (0, 1).
    sigma_db : array_like
        Location variability, dB (> 0; at 0 the whole cell is covered when its edge is).
    path_loss_exponent : array_like
        n of the path loss (loss grows 10 n dB per decade of distance), > 0.

    Returns
    -------
    numpy.ndarray
        Area coverage probability in (0, 1]; broadcast over the arguments.

    Raises
    ------
    InputError
        A probability outside (0, 1), a negative sigma or a non-positive exponent.

    References
    ----------
    .. [1] T. S. Rappaport, *Wireless Communications*, 2nd ed., 2002, eq. (4.82), Fig. 4.18.
    .. [2] W. C. Jakes (ed.), *Microwave Mobile Communications*, 1974, eq. (2.4-7).

    Examples
    --------
    >>> round(float(area_coverage_probability(0.5, 8.0, 4.0)), 4)
    0.7728
    """
    edge = np.asarray(edge_probability, dtype=float)
    sigma_db = np.asarray(sigma_db, dtype=float)
    exponent = np.asarray(path_loss_exponent, dtype=float)
    _check_probability("edge_probability", edge)
    _check_sigma(sigma_db)
    if np.any(~(exponent > 0.0)):
        raise InputError("path_loss_exponent must be > 0 (2 in free space, 3-4 in the field)")
    edge, sigma_db, exponent = np.broadcast_arrays(edge, sigma_db, exponent)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = ndtri(1.0 - edge) / np.sqrt(2.0)
        b = 10.0 * exponent * np.log10(np.e) / (sigma_db * np.sqrt(2.0))
        # exp((1 - 2ab)/b^2) erfc((1 - ab)/b) = exp(-a^2) erfcx((1 - ab)/b): no overflow
        tail = np.exp(-(a**2)) * erfcx((1.0 - a * b) / b)
        area = 0.5 * (1.0 - erf(a) + tail)
    return np.where(sigma_db > 0.0, area, 1.0)[()]
