"""Exception types raised by whitespot.coverage."""

from __future__ import annotations

from whitespot._errors import WhitespotError


class ModelRangeError(WhitespotError):
    """Inputs lie outside the validity range of a propagation model.

    The message names the model, the parameter, its valid range and the values found;
    pass ``extrapolate=True`` to compute anyway (results are then flagged).
    """


class TerrainCoverageError(WhitespotError):
    """The DEM does not cover every path that signal is predicted over.

    The message names the places (villages, households, cells) and towers whose profiles leave
    the DEM or cross no-data cells. Give a DEM that covers them, or allow the flat model on
    those paths (``Terrain(..., fallback="flat")``, ``--dem-fallback flat``); the places are
    then flagged in ``terrain_fallback``.
    """


class SetupError(WhitespotError):
    """A signal setup that cannot apply.

    An unknown model, technology or environment, an environment the model does not have, the
    terrain model without a DEM. Raised when the :class:`whitespot.radio.SignalSetup` is
    made, before any computation.
    """
