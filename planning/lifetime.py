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
