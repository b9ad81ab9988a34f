"""Saving a map as one self-contained HTML file that opens without a network."""

from __future__ import annotations

import base64
import re
from importlib import resources
from importlib.resources.abc import Traversable
from os import PathLike
from pathlib import Path

import branca
import folium

from whitespot.data._io import atomic_path
from whitespot.maps._inert import render_page

INLINED_ASSETS = {
    "leaflet.js": "leaflet.js",
    "leaflet.css": "leaflet.css",
    "Control.FullScreen.min.js": "Control.FullScreen.js",
    "Control.FullScreen.css": "Control.FullScreen.css",
    "leaflet-measure.min.js": "leaflet-measure.min.js",
    "leaflet-measure.min.css": "leaflet-measure.css",
    "jquery-3.7.1.min.js": "jquery.min.js",
    "leaflet.markercluster.js": "leaflet.markercluster.js",
    "MarkerCluster.css": "MarkerCluster.css",
    "MarkerCluster.Default.css": "MarkerCluster.Default.css",
}
"""Script and style files of the map, by the name folium links them, and the copy shipped
in ``whitespot/maps/assets`` (Leaflet 1.9.3, leaflet.fullscreen 3.0.0, leaflet-measure
2.1.7, Leaflet.markercluster 1.1.0, jQuery 3.7.1 for folium's popups; BSD-2 and MIT
licences beside them)."""

_LINK = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"\s*/>')
_SCRIPT = re.compile(r'<script src="(?P<url>[^"]+)"></script>')


_CSS_URL = re.compile(r"url\((?P<name>[\w@./-]+\.(?P<kind>png|svg))\)")
_MEDIA = {"png": "image/png", "svg": "image/svg+xml"}


def _asset(url: str) -> str | None:
    name = url.rsplit("/", 1)[-1]
    if name not in INLINED_ASSETS:
        return None
    folder = resources.files("whitespot.maps") / "assets"
    text = (folder / INLINED_ASSETS[name]).read_text(encoding="utf-8")
    if name.endswith(".css"):  # the images a style sheet uses become data URIs
        text = _CSS_URL.sub(lambda m: _data_uri(folder, m["name"], m["kind"]), text)
    return text


def _data_uri(folder: Traversable, name: str, kind: str) -> str:
    image = folder / name
    if not image.is_file():
        return "none"
    encoded = base64.b64encode(image.read_bytes()).decode("ascii")
    return f"url(data:{_MEDIA[kind]};base64,{encoded})"


def self_contained_html(fmap: folium.Map) -> str:
    """Render a map with its scripts and styles inlined and the unused CDN links removed.

    Folium also links Bootstrap, Font Awesome and marker-icon libraries that whitespot's
    maps do not use; they are dropped, so the file opens offline (the background tiles
    still come from the network when there is one). Element ids are numbered in the order
    of the map's tree instead of folium's random ones, so the same map gives the same bytes.
    Text in the map's data is printed once, never evaluated as a template
    (:mod:`whitespot.maps._inert`), for maps drawn elsewhere too.

    Parameters
    ----------
    fmap : folium.Map
        From :func:`gap_map` or :func:`plan_map`.

    Returns
    -------
    str
        The page, rendered once with every input text as data (never a template).
    """
    _number_elements(fmap.get_root())
    page = render_page(fmap.get_root())
    page = _LINK.sub(
        lambda m: f"<style>{_asset(m['url'])}</style>" if _asset(m["url"]) else "", page
    )
    return _SCRIPT.sub(
        lambda m: f"<script>{_asset(m['url'])}</script>" if _asset(m["url"]) else "", page
    )


def _number_elements(root: branca.element.Element) -> None:
    """Give every element of the tree a sequential id (folium draws random UUIDs)."""
    stack, count = [root], 0
    while stack:
        element = stack.pop(0)
        element._id = f"{count:032x}"  # the name folium gives it: {kind}_{id}
        count += 1
        stack.extend(element._children.values())


def save_map(fmap: folium.Map, path: str | PathLike) -> Path:
    """Write a map as one self-contained HTML file, atomically.

    Parameters
    ----------
    fmap : folium.Map
        From :func:`gap_map` or :func:`plan_map`.
    path : path-like
        The ``.html`` file (written whole or not at all).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    with atomic_path(path) as temporary:
        temporary.write_text(self_contained_html(fmap), encoding="utf-8")
    return Path(path)
