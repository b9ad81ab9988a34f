"""Folium layers: each function draws one thing that coverage/ or planning/ computed.

Every text that comes from input files (names, ids, operators) is HTML-escaped before it
reaches a popup or tooltip: Leaflet inserts them as HTML.
"""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium import plugins

from whitespot.coverage import SignalRaster
from whitespot.data._crs import WGS84
from whitespot.data._dem import reproject_grid
from whitespot.maps.style import (
    GAP_COLOURS,
    GAP_LABELS,
    OPERATOR_COLOURS,
    SIGNAL_RANGE_DBM,
    colour_ramp,
    village_radius,
)


def escape(values: pd.Series) -> pd.Series:
    """HTML-escape a column as text (missing values become empty)."""
    return values.astype("string").fillna("").map(html.escape).astype(object)


def popup_html(frame: pd.DataFrame, fields: list[tuple[str, str]]) -> pd.Series:
    """Build a small HTML table per row from (label, column) pairs, every value escaped."""
    rows = pd.Series("", index=frame.index, dtype=object)
    for label, column in fields:
        if column not in frame:
            continue
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            values = values.round(2)
        rows = rows + f"<tr><th>{html.escape(label)}</th><td>" + escape(values) + "</td></tr>"
    return "<table>" + rows + "</table>"


def _geojson(frame: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    return frame[[*columns, frame.geometry.name]].to_crs(WGS84)


def villages_layer(villages: gpd.GeoDataFrame, *, name: str = "Villages by gap") -> folium.GeoJson:
    """Villages coloured by gap type and sized by households, with a popup."""
    table = villages.copy()
    table["colour"] = table["gap_type"].map(GAP_COLOURS).fillna("#757575")
    table["radius"] = village_radius(table["households"].to_numpy(dtype=float))
    table["gap"] = table["gap_type"].map(GAP_LABELS).fillna(table["gap_type"])
    table["popup"] = popup_html(
        table,
        [
            ("village", "name"),
            ("id", "village_id"),
            ("commune", "commune_code"),
            ("households", "households"),
            ("without signal", "households_without_signal"),
            ("best signal dBm", "best_signal_dbm"),
            ("best tower", "best_tower_id"),
            ("nearest tower km", "nearest_tower_km"),
            ("grid km", "grid_distance_km"),
            ("gap", "gap"),
            ("evidence", "evidence"),
            ("survey", "survey_signal"),
            ("measured dBm", "measured_signal_dbm"),
            ("criteria", "criteria"),
        ],
    )
    table["label"] = escape(table["name"]) + " (" + escape(table["gap"]) + ")"
    table.geometry = table.geometry.representative_point()
    data = _geojson(table, ["village_id", "colour", "radius", "popup", "label"])
    return folium.GeoJson(
        data,
        name=name,
        marker=folium.CircleMarker(fill=True, fill_opacity=0.8, weight=1),
        style_function=lambda f: {
            "color": "#212121",
            "fillColor": f["properties"]["colour"],
            "radius": f["properties"]["radius"],
        },
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, localize=False),
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, localize=False),
    )


CLUSTER_FROM_VILLAGES = 5_000
"""From this many villages on, villages are drawn as clustered markers whose popups are
built in the browser from compact rows: the HTML stays small and the map responsive."""

_CLUSTER_FIELDS = (
    ("village", "name"),
    ("id", "village_id"),
    ("commune", "commune_code"),
    ("households", "households"),
    ("without signal", "households_without_signal"),
    ("best signal dBm", "best_signal_dbm"),
    ("gap", "gap"),
    ("evidence", "evidence"),
)

POPUP_FROM_ROW = """
    var table = document.createElement('table');
    for (var i = 0; i < labels.length; i++) {
        var line = table.insertRow();
        var head = document.createElement('th');
        head.textContent = labels[i];
        line.appendChild(head);
        line.insertCell().textContent = row[first + i];
    }
    marker.bindPopup(table);
"""
"""Script that builds a clustered marker's popup from its row with textContent, so text
from input files stays text: the row's fields from index ``first`` on, under ``labels``."""

_CLUSTER_CALLBACK = (
    """
function (row) {
    var colours = %s;
    var labels = %s;
    var first = 4;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: row[3], color: '#212121', weight: 1, fillColor: colours[row[2]],
        fillOpacity: 0.8});
"""
    + POPUP_FROM_ROW
    + """
    marker.feature = {properties: {village_id: row[5]}};
    return marker;
}
"""
)


def cluster_rows(
    leading: list, table: pd.DataFrame, fields: tuple[tuple[str, str], ...]
) -> list[list]:
    """Rows of clustered markers: the `leading` columns, then each field as short text.

    Fields missing from `table` are empty; floats are rounded to 0.1.
    """
    columns = list(leading)
    for _, column in fields:
        values = table.get(column, pd.Series("", index=table.index))
        if pd.api.types.is_float_dtype(values):
            values = values.round(1)
        columns.append(values.astype("string").fillna("").to_numpy(dtype=object))
    return np.column_stack([np.asarray(c, dtype=object) for c in columns]).tolist()


def villages_cluster_layer(
    villages: gpd.GeoDataFrame, *, name: str = "Villages by gap"
) -> plugins.FastMarkerCluster:
    """Villages as clustered markers, for provinces with many villages."""
    kinds = list(GAP_COLOURS)
    table = villages.copy()
    table["gap"] = table["gap_type"].map(GAP_LABELS).fillna(table["gap_type"])
    points = table.geometry.representative_point().to_crs(WGS84)
    gap_index = table["gap_type"].map({k: i for i, k in enumerate(kinds)}).fillna(0)
    leading = [
        points.y.round(6).to_numpy(),
        points.x.round(6).to_numpy(),
        gap_index.astype(int).to_numpy(),
        np.round(village_radius(table["households"].to_numpy(dtype=float)), 1),
    ]
    rows = cluster_rows(leading, table, _CLUSTER_FIELDS)
    callback = _CLUSTER_CALLBACK % (
        json.dumps([GAP_COLOURS[k] for k in kinds]),
        json.dumps([label for label, _ in _CLUSTER_FIELDS]),
    )
    return plugins.FastMarkerCluster(
        rows, callback=callback, name=name, options={"disableClusteringAtZoom": 13}
    )


def towers_layers(towers: gpd.GeoDataFrame) -> list[folium.FeatureGroup]:
    """One switchable layer of existing towers per operator."""
    groups = []
    operators = sorted(towers["operator"].astype(str).unique())
    for k, operator in enumerate(operators):
        mine = towers[towers["operator"].astype(str) == operator].copy()
        mine["popup"] = popup_html(
            mine,
            [
                ("tower", "tower_id"),
                ("operator", "operator"),
                ("technology", "technology"),
                ("height m", "height_m"),
                ("frequency MHz", "frequency_mhz"),
            ],
        )
        colour = OPERATOR_COLOURS[k % len(OPERATOR_COLOURS)]
        group = folium.FeatureGroup(name=f"Towers: {html.escape(operator)}")
        folium.GeoJson(
            _geojson(mine, ["tower_id", "popup"]),
            marker=folium.CircleMarker(radius=5, fill=True, fill_opacity=0.95, weight=2),
            style_function=lambda f, c=colour: {"color": "#000000", "fillColor": c},
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False, localize=False),
        ).add_to(group)
        groups.append(group)
    return groups


def lines_layer(
    lines: gpd.GeoDataFrame,
    *,
    name: str,
    colour: str,
    weight: float = 2.0,
    dash: str | None = None,
    fields: list[tuple[str, str]] | None = None,
) -> folium.GeoJson:
    """Draw lines: the grid, backhaul, power extensions or service lines."""
    table = lines.copy()
    table["popup"] = popup_html(table, fields or [])
    style = {"color": colour, "weight": weight, "opacity": 0.8}
    if dash:
        style["dashArray"] = dash
    return folium.GeoJson(
        _geojson(table, ["popup"]),
        name=name,
        style_function=lambda f: style,
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, localize=False)
        if fields
        else None,
    )


def unelectrified_layer(villages: gpd.GeoDataFrame) -> folium.GeoJson:
    """Villages without power, as rings."""
    dark = villages[villages["power_status"] == "none"].copy()
    dark["label"] = (
        escape(dark["name"])
        + ": electrified "
        + escape((100 * dark["electrified"].fillna(0)).round().astype(int).astype(str))
        + "%"
    )
    dark.geometry = dark.geometry.representative_point()
    return folium.GeoJson(
        _geojson(dark, ["label"]),
        name="Villages without power",
        marker=folium.CircleMarker(radius=10, fill=False, weight=3),
        style_function=lambda f: {"color": GAP_COLOURS["no_power"]},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, localize=False),
    )


def dead_zones_layer(zones: gpd.GeoDataFrame) -> folium.GeoJson:
    """Areas below threshold where households live."""
    table = zones.copy()
    table["popup"] = popup_html(
        table,
        [
            ("zone", "zone_id"),
            ("households", "households"),
            ("area km2", "area_km2"),
            ("strongest signal dBm", "best_signal_dbm"),
        ],
    )
    return folium.GeoJson(
        _geojson(table, ["popup"]),
        name="Dead zones",
        style_function=lambda f: {
            "color": "#b71c1c",
            "weight": 1,
            "fillColor": "#e53935",
            "fillOpacity": 0.25,
        },
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, localize=False),
    )


def signal_overlay(raster: SignalRaster) -> folium.raster_layers.ImageOverlay:
    """Overlay the best-signal raster as a semi-transparent image (NaN transparent)."""
    target, transform = reproject_grid(
        raster.signal_dbm, raster.transform, raster.crs, WGS84, resampling="nearest"
    )
    height, width = target.shape
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    image = colour_ramp(target, *SIGNAL_RANGE_DBM)
    return folium.raster_layers.ImageOverlay(
        image,
        bounds=[[south, west], [north, east]],
        name="Predicted best signal" + (f" ({raster.model})" if raster.model else ""),
        mercator_project=True,
    )


def sites_layer(sites: gpd.GeoDataFrame, *, name: str = "Proposed sites") -> folium.FeatureGroup:
    """Proposed sites with their rank as a label and a popup with what they bring."""
    group = folium.FeatureGroup(name=name)
    table = sites.copy()
    table["popup"] = popup_html(
        table,
        [
            ("rank", "rank"),
            ("site", "site_id"),
            ("households newly covered", "households_new"),
            ("cumulative share", "share_cumulative"),
            ("capex", "capex"),
            ("power", "power_option"),
            ("power cost", "power_cost"),
            ("backhaul", "backhaul_option"),
            ("backhaul cost", "backhaul_cost"),
            ("total cost", "total_cost"),
            ("option", "option"),
            ("opex per year", "opex_per_year"),
            ("lifetime cost", "lifetime_cost"),
            ("cost per household", "cost_per_household"),
            ("villages served", "village_names"),
            ("commune", "commune_code"),
        ],
    )
    points = table.to_crs(WGS84)
    for rank, popup, point in zip(points["rank"], points["popup"], points.geometry, strict=True):
        # one marker per proposed site: tens to hundreds, never households
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="whitespot-rank">{int(rank)}</div>',
                icon_size=(24, 24),
                icon_anchor=(12, 12),
            ),
            popup=folium.Popup(popup, max_width=360),
        ).add_to(group)
    return group


def rank_label_css() -> folium.Element:
    """Style of the rank labels of proposed sites."""
    return folium.Element(
        "<style>.whitespot-rank{background:#0d47a1;color:#fff;border-radius:12px;width:24px;"
        "height:24px;line-height:24px;text-align:center;font:bold 12px sans-serif;"
        "border:2px solid #fff}</style>"
    )
