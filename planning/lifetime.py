"""Money over a plan's lifetime: the present value of yearly costs."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from whitespot._errors import InputError


def pvifa(rate: ArrayLike, years: ArrayLike) -> np.ndarray:
    """Present value interest factor of an annuity: what 1 a year for `years` is worth today.

    PVIFA(r, n) = (1 - (1 + r)^-n) / r, and n at r = 0; yearly payments at the end of each
    year. The present value of an opex of C a year over n years is C PVIFA(r, n).

    Parameters
    ----------
    rate : array_like
        Discount rate per year, as a fraction (0.02 for 2 %), > -1.
    years : array_like
        Number of yearly payments, >= 0.

    Returns
    -------
    numpy.ndarray
        The factor, in years of payments.

    Raises
    ------
    whitespot.InputError
        If a rate is -1 or less, or a number of years negative.

    References
    ----------
    Brealey, Myers and Allen, "Principles of Corporate Finance", ch. 2 (the annuity factor
    1/r - 1/(r (1 + r)^t)); PVIFA tables give 8.9826 at 2 % over 10 years.

    Examples
    --------
    >>> round(float(pvifa(0.02, 10)), 4)
    8.9826
    """
    r, n = np.broadcast_arrays(np.asarray(rate, dtype=float), np.asarray(years, dtype=float))
    if np.any(~(r > -1)) or np.any(~(n >= 0)):
        raise InputError(f"pvifa needs rate > -1 and years >= 0, got rate={rate}, years={years}")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = (1.0 - (1.0 + r) ** -n) / r
    return np.where(r == 0, n, factor)


def lifetime_cost(
    capex: ArrayLike,
    opex_per_year: ArrayLike,
    *,
    horizon_years: float,
    rate: float,
    life_years: ArrayLike = np.inf,
) -> np.ndarray:
    """Total cost of ownership over a horizon: capex, reinvestment and opex, discounted.

    TCO = capex (1 + sum_k (1 + r)^-(k L)) + opex PVIFA(r, n), over the reinvestments
    k = 1, 2, ... at years k L < n (the equipment bought again at the end of each life L);
    no salvage value at the end of the horizon. With no opex and a life of the horizon or
    more the TCO is the capex itself, exactly.

    Parameters
    ----------
    capex : array_like
        What it costs to build, in the plan's currency, paid at year 0.
    opex_per_year : array_like
        Yearly running cost, paid at the end of each year.
    horizon_years : float
        Years compared, n >= 0.
    rate : float
        Discount rate per year, as a fraction.
    life_years : array_like, default inf
        Life of what the capex buys, L > 0 years.

    Returns
    -------
    numpy.ndarray
        Present value of the costs over the horizon.

    Examples
    --------
    >>> round(float(lifetime_cost(0.0, 1.0, horizon_years=10, rate=0.02)), 4)
    8.9826
    """
    life = np.asarray(life_years, dtype=float)
    if np.any(~(life > 0)):
        raise InputError(f"life_years must be > 0, got {life_years}")
    annuity = pvifa(rate, horizon_years)
    # reinvestments at k L < n: k = 1 .. ceil(n / L) - 1, at most a few per horizon
    buys = np.maximum(np.ceil(np.where(np.isfinite(life), horizon_years / life, 1.0)) - 1, 0)
    most = int(np.max(buys, initial=0))
    k = np.arange(1, most + 1)
    factors = (1.0 + rate) ** -(np.multiply.outer(np.broadcast_to(life, np.shape(buys)), k))
    reinvest = np.where(k <= buys[..., None], factors, 0.0).sum(axis=-1)
    capex = np.asarray(capex, dtype=float)
    opex = np.asarray(opex_per_year, dtype=float) * annuity
    return np.where(reinvest > 0, capex * (1.0 + reinvest), capex) + np.where(opex > 0, opex, 0.0)
