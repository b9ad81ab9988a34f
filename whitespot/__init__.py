"""whitespot: mobile-network and electricity coverage-gap planning.

Find the places where people live without mobile signal or power, list them as the
ministry asks, and rank new tower sites for bidding. Each floor is a subpackage, loaded
when first used (``import whitespot as ws; ws.coverage.gap_list(...)``):

- :mod:`whitespot.data`: input layers, their validation and files;
- :mod:`whitespot.department`: a department's own village list, as offices keep it;
- :mod:`whitespot.radio`: propagation models and the best server per place;
- :mod:`whitespot.evidence`: drive tests, surveys and calibration;
- :mod:`whitespot.coverage`: gap lists, coverage rasters, dead zones;
- :mod:`whitespot.planning`: candidate sites, their costs, selection and bid lots;
- :mod:`whitespot.maps`: Folium maps;
- :mod:`whitespot.report`: a department's submission package;
- :mod:`whitespot.cli`: the ``whitespot`` command.

Every error whitespot raises on a user's input is a :class:`WhitespotError` (also a
``ValueError``); every warning it gives is a :class:`WhitespotWarning` (also a
``UserWarning``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

from whitespot._errors import InputError, WhitespotError, WhitespotWarning

try:
    __version__ = version("whitespot")
except PackageNotFoundError:  # a checkout used without installing
    __version__ = "0+unknown"

FLOORS = (
    "data",
    "department",
    "radio",
    "evidence",
    "coverage",
    "planning",
    "maps",
    "report",
    "cli",
)
"""The subpackages, lowest first: each imports only the ones before it."""

__all__ = ["FLOORS", "InputError", "WhitespotError", "WhitespotWarning", "__version__"]


def __getattr__(name: str) -> ModuleType:
    """Load a floor when it is first used, so ``import whitespot`` stays light."""
    if name in FLOORS:
        return importlib.import_module(f"whitespot.{name}")
    raise AttributeError(f"module 'whitespot' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *FLOORS})
