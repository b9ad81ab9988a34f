"""Gap lists and plans as KMZ for Google Earth, where departments draw and check their lists.

One file holds a folder of villages per commune (placemarks coloured by gap type, their
columns as ``ExtendedData`` under the Vietnamese headers of the submission), a folder of
proposed sites per bid lot, the best-signal raster as a ``GroundOverlay`` and its colour
bar as a ``ScreenOverlay``. The XML is written by the standard library's writer, so every
text from the input files is escaped; the zip's entries carry a fixed date, so the same
input gives the same bytes. whitespot's own KML reader reads the villages back
(:func:`whitespot.department.read_village_list`: same ids, names, codes and households).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import pandas as pd
from folium.utilities import write_png

from whitespot.coverage import GapList, SignalRaster
from whitespot.data._crs import WGS84
from whitespot.data._dem import reproject_grid
from whitespot.data._io import atomic_path
from whitespot.data._labels import VIETNAMESE_HEADERS
from whitespot.maps.style import GAP_COLOURS, GAP_LABELS, SIGNAL_RANGE_DBM, colour_ramp
from whitespot.planning._bidding import site_lots

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"

VILLAGE_ATTRIBUTES = (
    "village_id",
    "province_code",
    "commune_code",
    "households",
    "households_without_signal",
    "households_weak_signal",
    "best_signal_dbm",
    "best_operator",
    "best_technology",
    "signal_status",
    "electrified",
    "households_without_power",
    "power_status",
    "gap_type",
    "evidence",
    "criteria",
)
"""Gap-list columns written as a village's ``ExtendedData``, under their Vietnamese headers
(the name is the placemark's own)."""

SITE_ATTRIBUTES = {
    "rank": "Thứ hạng",
    "site_id": "Mã vị trí",
    "households_new": "Số hộ được phủ mới",
    "capex": "Chi phí đầu tư (triệu đồng)",
    "power_option": "Phương án điện",
    "power_cost": "Chi phí điện (triệu đồng)",
    "backhaul_option": "Phương án truyền dẫn",
    "backhaul_cost": "Chi phí truyền dẫn (triệu đồng)",
    "total_cost": "Tổng chi phí (triệu đồng)",
    "village_names": "Thôn được phục vụ",
    "commune_code": "Mã xã",
}
"""Plan columns written as a site's ``ExtendedData``, with their Vietnamese headers."""

_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The date of every zip entry: the same input gives the same bytes."""


def write_kmz(
    gaps: GapList,
    path: str | PathLike,
    *,
    plan: object | None = None,
    raster: SignalRaster | None = None,
    title: str | None = None,
    folders_by: str = "commune_code",
) -> Path:
    """Write a gap list (and a plan, and the predicted signal) as one KMZ for Google Earth.

    Parameters
    ----------
    gaps : GapList
        Villages, one placemark each, in a folder per commune.
    path : path-like
        The ``.kmz`` file; written whole or not at all.
    plan : whitespot.planning.Plan, optional
        Its sites, one placemark each, in a folder per bid lot.
    raster : SignalRaster, optional
        The best predicted signal, dBm, as an image over the ground (reprojected to
        EPSG:4326 cell for cell, nearest value) with a colour bar.
    title : str, optional
        The document's name; default the gap list's headline.
    folders_by : str, default "commune_code"
        The villages' column that makes their folders (``"lot"`` for a bid package).

    Returns
    -------
    pathlib.Path
        `path`.
    """
    document = ElementTree.Element("Document")
    ElementTree.SubElement(document, "name").text = title or gaps.headline()
    ElementTree.SubElement(document, "description").text = _legend_text()
    for gap_type, colour in GAP_COLOURS.items():
        document.append(_point_style(f"gap-{gap_type}", colour))
    document.append(_point_style("site", "#0d47a1", scale=1.3))
    images: dict[str, bytes] = {}
    document.append(_villages_folder(gaps.villages, folders_by))
    if plan is not None and len(plan.sites):
        document.append(_sites_folder(plan.sites, getattr(plan, "lots", None)))
    if raster is not None:
        overlay, image, bar = _signal_overlay(raster)
        document.extend(overlay)
        images = {"files/signal.png": image, "files/signal_legend.png": bar}
    root = ElementTree.Element("kml", xmlns=KML_NAMESPACE)
    root.append(document)
    ElementTree.indent(root)
    xml = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    with atomic_path(path) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        for name, data in {"doc.kml": xml, **images}.items():  # doc.kml first, as KMZ asks
            entry = zipfile.ZipInfo(name, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return Path(path)


def _legend_text() -> str:
    """Say what each colour means, in the document's description (Google Earth's Places panel)."""
    lines = [f"{GAP_COLOURS[key]}: {label}" for key, label in GAP_LABELS.items()]
    low, high = SIGNAL_RANGE_DBM
    return "\n".join([*lines, f"signal overlay: {low:g} to {high:g} dBm, red to green"])


def _point_style(style_id: str, colour: str, *, scale: float = 1.0) -> ElementTree.Element:
    """Style placemarks as a circle icon tinted `colour` (KML writes colours aabbggrr)."""
    style = ElementTree.Element("Style", id=style_id)
    icon_style = ElementTree.SubElement(style, "IconStyle")
    ElementTree.SubElement(icon_style, "color").text = (
        "ff" + colour[5:7] + colour[3:5] + colour[1:3]
    )
    ElementTree.SubElement(icon_style, "scale").text = f"{scale:g}"
    icon = ElementTree.SubElement(icon_style, "Icon")
    ElementTree.SubElement(
        icon, "href"
    ).text = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
    return style


FOLDER_LABELS = {"commune_code": "Xã", "lot": "Gói thầu"}
"""How a folder of villages is named, by the column that makes the folders."""


def _villages_folder(villages: gpd.GeoDataFrame, folders_by: str) -> ElementTree.Element:
    """Put every village once in a folder per commune (or lot), in the gap list's order.

    A village without a usable location is a placemark without a point (Google Earth
    lists it in the folder; whitespot's reader reads it back as ``location_unknown``).
    """
    label = FOLDER_LABELS.get(folders_by, folders_by)
    folder = _folder(f"Thôn bản theo {label.lower()}")
    points = villages.geometry.copy()
    located = points.notna().to_numpy()
    points[located] = villages[located].to_crs(WGS84).geometry.representative_point()
    headers = {column: VIETNAMESE_HEADERS.get(column, column) for column in VILLAGE_ATTRIBUTES}
    groups = villages[folders_by].astype(str).replace("", "?").to_numpy()
    for group in pd.unique(groups):
        sub = _folder(f"{label} {group}")
        for k in np.flatnonzero(groups == group):  # one placemark a village: thousands
            row = villages.iloc[k]
            sub.append(
                _placemark(
                    str(row.get("name", "")) or str(row["village_id"]),
                    f"#gap-{row['gap_type']}" if row["gap_type"] in GAP_COLOURS else None,
                    ((headers[c], row[c]) for c in VILLAGE_ATTRIBUTES if c in row.index),
                    points.iloc[k],
                )
            )
        folder.append(sub)
    return folder


def _sites_folder(sites: gpd.GeoDataFrame, lots: pd.DataFrame | None) -> ElementTree.Element:
    """Put proposed sites in a folder per bid lot (per commune for a plan read from a file)."""
    folder = _folder("Vị trí đề xuất theo gói thầu")
    if lots is not None and "site_ids" in lots:
        lot = "Gói thầu " + sites["site_id"].map(site_lots(lots)).astype("Int64").astype(str)
    else:
        lot = "Xã " + sites["commune_code"].astype(str)
    points = sites.to_crs(WGS84).geometry
    ranked = sites.assign(lot=lot).sort_values("rank")
    for lot in pd.unique(ranked["lot"]):
        sub = _folder(str(lot))
        for index, row in ranked[ranked["lot"] == lot].iterrows():  # tens of sites, not pairs
            sub.append(
                _placemark(
                    f"{int(row['rank'])}. {row['site_id']}",
                    "#site",
                    ((header, row[c]) for c, header in SITE_ATTRIBUTES.items() if c in row.index),
                    points.loc[index],
                )
            )
        folder.append(sub)
    return folder


def _folder(name: str) -> ElementTree.Element:
    folder = ElementTree.Element("Folder")
    ElementTree.SubElement(folder, "name").text = name
    return folder


def _placemark(
    name: str, style: str | None, attributes: Iterable[tuple[str, object]], point: object
) -> ElementTree.Element:
    """Make a placemark with its attributes as ``ExtendedData`` and a point (lon,lat) if any."""
    placemark = ElementTree.Element("Placemark")
    ElementTree.SubElement(placemark, "name").text = name
    if style is not None:
        ElementTree.SubElement(placemark, "styleUrl").text = style
    extended = ElementTree.SubElement(placemark, "ExtendedData")
    for header, value in attributes:
        data = ElementTree.SubElement(extended, "Data", name=header)
        ElementTree.SubElement(data, "value").text = _cell(value)
    if point is not None:
        geometry = ElementTree.SubElement(placemark, "Point")
        ElementTree.SubElement(geometry, "coordinates").text = f"{point.x:.6f},{point.y:.6f}"
    return placemark


def _cell(value: object) -> str:
    """Write a value as text: empty for missing, whole numbers without a decimal point."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _signal_overlay(raster: SignalRaster) -> tuple[list[ElementTree.Element], bytes, bytes]:
    """Lay the best-signal raster over its EPSG:4326 bounds, with its colour bar."""
    target, transform = reproject_grid(
        raster.signal_dbm, raster.transform, raster.crs, WGS84, resampling="nearest"
    )
    height, width = target.shape
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    ground = ElementTree.Element("GroundOverlay")
    ElementTree.SubElement(ground, "name").text = "Mức thu dự báo tốt nhất (dBm)"
    icon = ElementTree.SubElement(ground, "Icon")
    ElementTree.SubElement(icon, "href").text = "files/signal.png"
    box = ElementTree.SubElement(ground, "LatLonBox")
    for side, value in (("north", north), ("south", south), ("east", east), ("west", west)):
        ElementTree.SubElement(box, side).text = repr(float(value))
    low, high = SIGNAL_RANGE_DBM
    bar = colour_ramp(np.tile(np.linspace(low, high, 256), (16, 1)), low, high)
    bar[..., 3] = 255
    screen = ElementTree.Element("ScreenOverlay")
    ElementTree.SubElement(screen, "name").text = f"Mức thu (dBm): {low:g} đến {high:g}"
    screen_icon = ElementTree.SubElement(screen, "Icon")
    ElementTree.SubElement(screen_icon, "href").text = "files/signal_legend.png"
    for tag, (x, y) in (("overlayXY", (0, 0)), ("screenXY", (0.02, 0.05))):
        ElementTree.SubElement(screen, tag, x=f"{x:g}", y=f"{y:g}", xunits="fraction",
                               yunits="fraction")  # fmt: skip
    ElementTree.SubElement(screen, "size", x="256", y="16", xunits="pixels", yunits="pixels")
    image = write_png(colour_ramp(target, low, high))
    return [ground, screen], image, write_png(bar)
