"""Folium maps of gaps, coverage and proposed sites: drawing only, no computation.

:func:`gap_map` shows a gap list; :func:`plan_map` adds a plan. Both return a
:class:`folium.Map`; :func:`save_map` writes it as one self-contained HTML file, and
:func:`write_kmz` writes the gap list and the plan as a KMZ for Google Earth. The colours
are :mod:`whitespot.maps.style`'s (:data:`GAP_COLOURS` ...): change them before drawing.
"""

from whitespot.maps.explore import (
    gap_map,
    plan_map,
)
from whitespot.maps.kmz import (
    write_kmz,
)
from whitespot.maps.save import (
    save_map,
    self_contained_html,
)
from whitespot.maps.style import (
    GAP_COLOURS,
)

__all__ = [
    "GAP_COLOURS",
    "gap_map",
    "plan_map",
    "save_map",
    "self_contained_html",
    "write_kmz",
]
