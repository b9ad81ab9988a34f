"""Exception types raised by whitespot.coverage."""

from __future__ import annotations


class ModelRangeError(ValueError):
    """Inputs lie outside the validity range of a propagation model.

    The message names the model, the parameter, its valid range and the values found;
    pass ``extrapolate=True`` to compute anyway (results are then flagged).
    """
