"""Map layers of measurements: levels as measured, and where the model is wrong.

Measurements come as :func:`whitespot.evidence.measured_pairs` gives them: each with its
level, its serving tower and the model's level there. Up to
:data:`CLUSTER_FROM_MEASUREMENTS` they are drawn one by one; beyond, as clustered markers
built in the browser from compact rows. The residual (measured minus predicted) is drawn
as the mean per square cell, so a planner sees areas where the model is optimistic (red)
or pessimistic (blue) at any number of samples.
"""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium import plugins

from whitespot.data._crs import WGS84
from whitespot.evidence._measured import USED
from whitespot.maps._layers import POPUP_FROM_ROW, cluster_rows, escape, popup_html
from whitespot.maps.style import (
    CHECK_COLOUR,
    RESIDUAL_COLOURS,
    RESIDUAL_RANGE_DB,
    SIGNAL_RANGE_DBM,
    hex_colours,
)

CLUSTER_FROM_MEASUREMENTS = 3_000
"""From this many measurements on they are drawn as clustered markers."""
RESIDUAL_CELL_M = 500.0
"""Side of the square cells over which residuals are averaged, m."""

_FIELDS = (
    ("measured dBm", "measured_dbm"),
    ("technology", "technology"),
    ("operator", "operator"),
    ("serving tower", "serving_tower_id"),
    ("predicted dBm", "predicted_dbm"),
    ("measured - predicted dB", "residual_db"),
    ("status", "status"),
)

_CLUSTER_CALLBACK = (
    """
function (row) {
    var labels = %s;
    var first = 3;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: 4, color: row[2], weight: 1, fillColor: row[2], fillOpacity: 0.9});
"""
    + POPUP_FROM_ROW
    + """
    return marker;
}
"""
)


def measurements_layer(
    pairs: gpd.GeoDataFrame, *, name: str = "Measurements (dBm)"
) -> folium.GeoJson | plugins.FastMarkerCluster:
    """Measurements coloured by level on the signal scale, with a popup each."""
    table = pairs.copy()
    table["colour"] = hex_colours(table["measured_dbm"].to_numpy(), *SIGNAL_RANGE_DBM)
    if len(table) >= CLUSTER_FROM_MEASUREMENTS:
        return _clustered(table, name)
    table["popup"] = popup_html(table, list(_FIELDS))
    data = table[["colour", "popup", table.geometry.name]].to_crs(WGS84)
    return folium.GeoJson(
        data,
        name=name,
        marker=folium.CircleMarker(radius=4, fill=True, fill_opacity=0.9, weight=1),
        style_function=lambda f: {
            "color": f["properties"]["colour"],
            "fillColor": f["properties"]["colour"],
        },
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, localize=False),
    )


def _clustered(table: gpd.GeoDataFrame, name: str) -> plugins.FastMarkerCluster:
    points = table.geometry.to_crs(WGS84)
    leading = [points.y.round(6).to_numpy(), points.x.round(6).to_numpy(), table["colour"]]
    rows = cluster_rows(leading, table, _FIELDS)
    callback = _CLUSTER_CALLBACK % json.dumps([label for label, _ in _FIELDS])
    return plugins.FastMarkerCluster(
        rows, callback=callback, name=name, options={"disableClusteringAtZoom": 15}
    )


def residuals_layer(pairs: gpd.GeoDataFrame, *, cell_m: float = RESIDUAL_CELL_M) -> folium.GeoJson:
    """Mean residual (measured minus predicted, dB) per square cell of the metric CRS.

    `pairs` carries ``x_m``/``y_m`` in the CRS of ``attrs["crs"]``
    (:func:`whitespot.evidence.measured_pairs`); only measurements compared with the
    model (``status == "used"``) count.
    """
    used = pairs[pairs["status"] == USED]
    cell = np.floor(used[["x_m", "y_m"]].to_numpy() / cell_m).astype(np.int64)
    frame = pd.DataFrame({"i": cell[:, 0], "j": cell[:, 1], "residual": used["residual_db"]})
    cells = frame.groupby(["i", "j"], sort=True)["residual"].agg(["mean", "size"]).reset_index()
    boxes = shapely.box(
        cells["i"] * cell_m,
        cells["j"] * cell_m,
        (cells["i"] + 1) * cell_m,
        (cells["j"] + 1) * cell_m,
    )
    table = gpd.GeoDataFrame(
        {
            "colour": hex_colours(cells["mean"].to_numpy(), *RESIDUAL_RANGE_DB, RESIDUAL_COLOURS),
            "label": (
                "measured - predicted "
                + cells["mean"].round(1).astype(str)
                + " dB (mean of "
                + cells["size"].astype(str)
                + " samples)"
            ),
        },
        geometry=boxes,
        crs=pairs.attrs["crs"],
    ).to_crs(WGS84)
    return folium.GeoJson(
        table,
        name=f"Model error: measured - predicted (mean per {cell_m:g} m cell)",
        style_function=lambda f: {
            "color": f["properties"]["colour"],
            "weight": 0.5,
            "fillColor": f["properties"]["colour"],
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, localize=False),
    )


def check_layer(villages: gpd.GeoDataFrame) -> folium.GeoJson:
    """Rings around villages whose survey or measurements contradict the prediction."""
    flagged = villages[villages["check_in_field"].fillna(False).astype(bool)].copy()
    flagged["label"] = (
        escape(flagged["name"])
        + ": "
        + escape(flagged["evidence"].str.replace("_", " "))
        + " ("
        + escape(flagged["evidence_finding"].str.replace("_", " "))
        + "): check in the field"
    )
    flagged.geometry = flagged.geometry.representative_point()
    return folium.GeoJson(
        flagged[["label", flagged.geometry.name]].to_crs(WGS84),
        name="Villages to check in the field",
        marker=folium.CircleMarker(radius=13, fill=False, weight=3, dash_array="4 3"),
        style_function=lambda f: {"color": CHECK_COLOUR},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, localize=False),
    )
