"""Folium maps of gaps, coverage and proposed sites: drawing only, no computation.

:func:`gap_map` shows a gap list; :func:`plan_map` adds a plan. Both return a
:class:`folium.Map`; :func:`save_map` writes it as one self-contained HTML file.
"""

from whitespot.maps.explore import gap_map, plan_map
from whitespot.maps.save import save_map, self_contained_html

__all__ = ["gap_map", "plan_map", "save_map", "self_contained_html"]
