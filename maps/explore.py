"""The maps a planner opens: gaps, coverage, the power grid, and proposed sites."""

from __future__ import annotations

import html

import branca
import folium
import geopandas as gpd
import numpy as np
from folium import plugins

from whitespot.coverage import GapList, SignalRaster
from whitespot.data._crs import WGS84
from whitespot.data._schema import VIETNAM_BBOX
from whitespot.evidence._measured import USED
from whitespot.maps._inert import InertFigure, InertHtml, InertMacro
from whitespot.maps._layers import (
    CLUSTER_FROM_VILLAGES,
    dead_zones_layer,
    lines_layer,
    rank_label_css,
    signal_overlay,
    sites_layer,
    towers_layers,
    unelectrified_layer,
    villages_cluster_layer,
    villages_layer,
)
from whitespot.maps._measured import check_layer, measurements_layer, residuals_layer
from whitespot.maps.style import (
    GAP_COLOURS,
    GAP_LABELS,
    OPERATOR_COLOURS,
    RESIDUAL_COLOURS,
    RESIDUAL_RANGE_DB,
    SIGNAL_COLOURS,
    SIGNAL_RANGE_DBM,
)


def gap_map(
    gaps: GapList,
    *,
    towers: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
    raster: SignalRaster | None = None,
    zones: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    cluster: bool | None = None,
    measurements: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Map villages by gap type, with towers, predicted coverage and the power grid.

    Parameters
    ----------
    gaps : GapList
        From :func:`whitespot.coverage.gap_list` or :func:`read_gap_list`.
    towers, grid : geopandas.GeoDataFrame, optional
        Existing towers (one layer per operator) and power lines.
    raster : SignalRaster, optional
        Best predicted signal, drawn as an image with a colour bar in dBm.
    zones : geopandas.GeoDataFrame, optional
        Dead zones (:func:`whitespot.coverage.dead_zones`).
    title : str, optional
        Heading; default the gap list's headline.
    cluster : bool, optional
        Draw villages as clustered markers; default from
        :data:`~whitespot.maps._layers.CLUSTER_FROM_VILLAGES` villages on.
    measurements : geopandas.GeoDataFrame, optional
        :func:`whitespot.evidence.measured_pairs` output: the measurements by level, and
        the model's error (measured minus predicted) per cell.

    Returns
    -------
    folium.Map
        Switchable layers, legends, fullscreen and measure controls, a scale bar, fitted to
        the villages. :func:`whitespot.maps.save_map` writes it as one self-contained file.
    """
    fmap = _draw_gaps(
        gaps,
        towers=towers,
        grid=grid,
        raster=raster,
        zones=zones,
        title=title,
        cluster=cluster,
        measurements=measurements,
    )
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _draw_gaps(
    gaps: GapList,
    *,
    towers: gpd.GeoDataFrame | None,
    grid: gpd.GeoDataFrame | None,
    raster: SignalRaster | None,
    zones: gpd.GeoDataFrame | None,
    title: str | None,
    cluster: bool | None = None,
    measurements: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    villages = gaps.villages
    fmap = _base_map(villages, title or gaps.headline())
    if raster is not None:
        signal_overlay(raster).add_to(fmap)
        _signal_legend(model=raster.model_description).add_to(fmap)
    if zones is not None and len(zones):
        dead_zones_layer(zones).add_to(fmap)
    if grid is not None and len(grid):
        lines_layer(
            grid,
            name="Power grid",
            colour="#424242",
            weight=2,
            fields=[("line", "line_id"), ("kV", "voltage_kv")],
        ).add_to(fmap)
    if measurements is not None and len(measurements):
        if (measurements["status"] == USED).any():
            residuals_layer(measurements).add_to(fmap)
            _residual_legend().add_to(fmap)
        measurements_layer(measurements).add_to(fmap)
        if raster is None:
            _signal_legend("Signal (dBm)").add_to(fmap)
    if "power_status" in villages and (villages["power_status"] == "none").any():
        unelectrified_layer(villages).add_to(fmap)
    if "check_in_field" in villages and villages["check_in_field"].fillna(False).any():
        check_layer(villages).add_to(fmap)
    if towers is not None and len(towers):
        for group in towers_layers(towers):
            group.add_to(fmap)
        _operator_legend(towers).add_to(fmap)
    unlisted = (
        villages["unlisted"].fillna(False).astype(bool).to_numpy()
        if "unlisted" in villages
        else np.zeros(len(villages), bool)
    )
    _villages_layer(villages[~unlisted], cluster).add_to(fmap)
    if unlisted.any():  # settlements found in building footprints that no list names
        villages_layer(villages[unlisted], name=UNLISTED_LAYER).add_to(fmap)
    _gap_legend().add_to(fmap)
    return fmap


UNLISTED_LAYER = "Settlements no list names"
"""The layer of the unlisted settlements (building footprints outside every listed village)."""


def _villages_layer(villages: gpd.GeoDataFrame, cluster: bool | None) -> folium.FeatureGroup:
    """Return the villages layer, clustered from :data:`CLUSTER_FROM_VILLAGES` on."""
    if not len(villages):
        return folium.FeatureGroup(name="Villages (none located)")
    if cluster or (cluster is None and len(villages) >= CLUSTER_FROM_VILLAGES):
        return villages_cluster_layer(villages)
    return villages_layer(villages)


def plan_map(plan: object, gaps: GapList, **layers: object) -> folium.Map:
    """Map a plan on top of :func:`gap_map`: ranked sites, served villages, networks.

    Parameters
    ----------
    plan : whitespot.planning.Plan
        From :func:`whitespot.planning.plan_sites` (or any object with ``sites``,
        ``service``, ``backhaul``, ``power_lines`` and a ``headline()``); a plan with options
        draws its sites in a layer per kind (:data:`SITE_LAYER_NAMES`).
    gaps : GapList
    **layers
        Passed to :func:`gap_map` (``towers``, ``grid``, ``raster``, ``zones``,
        ``measurements``).

    Returns
    -------
    folium.Map
        The gap map with the plan's layers on top.
    """
    layers.setdefault("title", f"{gaps.headline()}<br>{plan.headline()}")
    for name in ("towers", "grid", "raster", "zones", "cluster", "measurements"):
        layers.setdefault(name, None)
    fmap = _draw_gaps(gaps, **layers)
    fmap.get_root().header.add_child(rank_label_css())
    if len(plan.service):
        lines_layer(
            plan.service, name="Sites to villages served", colour="#0d47a1", weight=1, dash="4 4"
        ).add_to(fmap)
    if len(plan.backhaul):
        lines_layer(
            plan.backhaul,
            name="Backhaul (microwave)",
            colour="#00897b",
            weight=3,
            fields=[("from", "from_id"), ("to", "to_id"), ("km", "length_km")],
        ).add_to(fmap)
    if len(plan.power_lines):
        lines_layer(
            plan.power_lines,
            name="Power-line extension",
            colour="#f57f17",
            weight=3,
            dash="8 4",
            fields=[("from", "from_id"), ("to", "to_id"), ("km", "length_km"), ("cost", "cost")],
        ).add_to(fmap)
    for name, sites in _sites_by_option(plan.sites):
        sites_layer(sites, name=name).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


SITE_LAYER_NAMES = {
    "new_tower": "Proposed sites: new towers",
    "colocation": "Proposed sites: co-location on existing towers",
    "upgrade": "Proposed sites: upgrades of existing towers",
    "satellite": "Proposed sites: satellite community terminals",
}
"""The layer of each kind of proposed site, in this order."""


def _sites_by_option(sites: gpd.GeoDataFrame) -> list[tuple[str, gpd.GeoDataFrame]]:
    """Return one layer per kind of site; a plan of new sites only keeps its one layer."""
    if "option" not in sites or set(sites["option"]) <= {"new_tower"}:
        return [("Proposed sites", sites)]
    return [
        (name, sites[sites["option"] == kind])
        for kind, name in SITE_LAYER_NAMES.items()
        if (sites["option"] == kind).any()
    ]


def _base_map(villages: gpd.GeoDataFrame, title: str) -> folium.Map:
    bounds = villages.to_crs(WGS84).total_bounds
    # no village located: the country, not a crash (the map says the list's headline)
    minx, miny, maxx, maxy = VIETNAM_BBOX if np.isnan(bounds).any() else bounds
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=10,
        tiles="OpenStreetMap",
        prefer_canvas=True,
    )
    InertFigure().add_child(fmap)  # the page renders its elements' text once, never as code
    _metric_scale().add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    heading = "<br>".join(html.escape(part) for part in title.split("<br>"))
    fmap.get_root().html.add_child(
        InertHtml(
            '<div style="position:fixed;top:10px;left:60px;z-index:9999;background:#fff;'
            "padding:6px 10px;border-radius:4px;box-shadow:0 0 4px #0006;"
            f'font:13px sans-serif;max-width:60%">{heading}</div>'
        )
    )
    plugins.Fullscreen().add_to(fmap)
    plugins.MeasureControl(primary_length_unit="kilometers").add_to(fmap)
    return fmap


def _metric_scale() -> branca.element.MacroElement:
    """Add a scale bar in metres and kilometres only (Leaflet's default adds miles)."""
    scale = branca.element.MacroElement()
    scale._template = branca.element.Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({metric: true, imperial: false})"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )
    return scale


def _legend(inner_html: str, *, bottom_px: int) -> InertMacro:
    """Place a fixed legend box on the map; `inner_html` is data (operator names are input)."""
    return InertMacro(
        f'<div style="position:fixed;bottom:{bottom_px}px;left:10px;z-index:9999;'
        "background:#fff;padding:6px 10px;border-radius:4px;box-shadow:0 0 4px #0006;"
        f'font:12px sans-serif">{inner_html}</div>'
    )


def _signal_legend(heading: str = "Predicted best signal (dBm)", *, model: str = "") -> InertMacro:
    """Draw the colour bar of the signal overlay in dBm, and the model that made it."""
    return _colour_bar(heading, SIGNAL_RANGE_DBM, SIGNAL_COLOURS, bottom_px=150, note=model)


def _residual_legend() -> InertMacro:
    """Colour bar of the model's error: red measured weaker, blue stronger than predicted."""
    return _colour_bar(
        "Measured - predicted (dB)", RESIDUAL_RANGE_DB, RESIDUAL_COLOURS, bottom_px=350
    )


def _colour_bar(
    heading: str,
    scale: tuple[float, float],
    colours: tuple[str, ...],
    *,
    bottom_px: int,
    note: str = "",
) -> InertMacro:
    low, high = scale
    gradient = ", ".join(colours)
    below = (
        f'<div style="max-width:260px;font-size:11px">model: {html.escape(note)}</div>'
        if note
        else ""
    )
    return _legend(
        f"<b>{html.escape(heading)}</b>{below}"
        f'<div style="width:220px;height:12px;background:linear-gradient(to right, {gradient})">'
        f'</div><div style="display:flex;justify-content:space-between;width:220px">'
        f"<span>{low:g}</span><span>{(low + high) / 2:g}</span><span>{high:g}</span></div>",
        bottom_px=bottom_px,
    )


def _operator_legend(towers: gpd.GeoDataFrame) -> InertMacro:
    """Swatches of the tower colours, one per operator (names escaped: they are input)."""
    operators = sorted(towers["operator"].astype(str).unique())
    items = "".join(
        f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
        f'background:{OPERATOR_COLOURS[k % len(OPERATOR_COLOURS)]};margin-right:6px"></span>'
        f"{html.escape(operator)}</div>"
        for k, operator in enumerate(operators)
    )
    return _legend(f"<b>Towers</b>{items}", bottom_px=250)


def _gap_legend() -> InertMacro:
    items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
        f'background:{GAP_COLOURS[key]};margin-right:6px"></span>{html.escape(label)}</div>'
        for key, label in GAP_LABELS.items()
    )
    return _legend(f"<b>Villages</b>{items}", bottom_px=30)
