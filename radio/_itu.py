"""Inputs of the ITU-R recommendations, checked at the door: ranges enforced, never extrapolated."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from whitespot.radio._errors import ModelRangeError
from whitespot.radio.propagation import ValidityRange, check_range

NO_EXTRAPOLATION = "the recommendation gives no value there and whitespot does not extrapolate"
"""Ends every range message of an ITU-R model."""


def checked_itu_inputs(
    recommendation: str,
    ranges: tuple[ValidityRange, ...],
    frequency_mhz: ArrayLike,
    other: tuple[str, ArrayLike],
    percent: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Broadcast frequency (as GHz), one other input and a percentage; refuse them outside.

    Parameters
    ----------
    recommendation : str
        Name and section for the message (``"ITU-R P.2109-2"``).
    ranges : tuple of ValidityRange
        Ranges of ``frequency_ghz`` and of the other input.
    frequency_mhz : array_like
        Frequency, MHz.
    other : tuple of (str, array_like)
        Name of the other input (as in `ranges`) and its values.
    percent : array_like
        A percentage that must lie strictly within 0..100.

    Returns
    -------
    frequency_ghz, other, percent : numpy.ndarray
        Broadcast against each other.

    Raises
    ------
    ModelRangeError
        Naming the input, its range and the values outside it.
    """
    name, values = other
    frequency_ghz, values, percent = np.broadcast_arrays(
        np.asarray(frequency_mhz, dtype=float) / 1000.0,
        np.asarray(values, dtype=float),
        np.asarray(percent, dtype=float),
    )
    check_range(
        recommendation,
        ranges,
        {"frequency_ghz": frequency_ghz, name: values},
        hint=NO_EXTRAPOLATION,
    )
    if np.any(~((percent > 0.0) & (percent < 100.0))):
        raise ModelRangeError(
            f"{recommendation}: percent must lie strictly within 0..100; {NO_EXTRAPOLATION}"
        )
    return frequency_ghz, values, percent
