"""Dead zones: the best predicted signal on a raster, and the areas below threshold.

A dead zone is a connected set of raster cells where no tower clears its threshold and
where households live. Cells the DEM cannot judge, and cells that only the model's distance
limit leaves without signal, are not dead zones: nothing says they are dead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import shapely
from affine import Affine
from pyproj import CRS
from scipy import ndimage

from whitespot._errors import InputError
from whitespot.data import metric_crs
from whitespot.data._crs import WGS84
from whitespot.data._io import atomic_path
from whitespot.radio import SignalEngine, SignalSetup


@dataclass(frozen=True)
class SignalRaster:
    """Best predicted signal on a regular grid.

    Attributes
    ----------
    signal_dbm : numpy.ndarray
        Best received level per cell (rows north to south), dBm; NaN where no tower reaches.
    margin_db : numpy.ndarray
        Best level minus the threshold of its technology, dB; NaN where no tower reaches.
    transform : affine.Affine
        Cell (column, row) to metric (x, y) of the upper-left corner.
    crs : pyproj.CRS
        Metric CRS of the grid.
    unknown : numpy.ndarray of bool, optional
        Cells left without a prediction because the DEM does not cover their paths (NaN in
        both bands, but not a dead zone); None where every cell was predicted.
    beyond_range : numpy.ndarray of bool, optional
        Cells that no tower covers within the model's distance limit but that the model
        continued past it covers: the limit, not a prediction, leaves them without signal,
        so they are not judged and not a dead zone (as villages there are
        ``beyond_model_range``); None where there are none.
    model : str
        Name of the model that predicted it (``"terrain"``, ``"itm"`` ...).
    model_description : str
        The model in words (:meth:`SignalSetup.description`), for maps and files.
    """

    signal_dbm: np.ndarray
    margin_db: np.ndarray
    transform: Affine
    crs: CRS
    unknown: np.ndarray | None = None
    model: str = ""
    model_description: str = ""
    beyond_range: np.ndarray | None = None

    @property
    def resolution_m(self) -> float:
        """Cell size in m."""
        return abs(self.transform.a)


def signal_raster(
    towers: gpd.GeoDataFrame,
    area: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    resolution_m: float = 250.0,
    progress: bool | None = None,
) -> SignalRaster:
    """Predict the best signal at the centre of every cell over the bounds of `area`.

    Parameters
    ----------
    towers : geopandas.GeoDataFrame
        Validated towers.
    area : geopandas.GeoDataFrame
        Any layer whose bounds (plus one cell) set the extent: villages, communes ...
    resolution_m : float, default 250
        Cell size in m.
    setup : SignalSetup, optional
        As :func:`whitespot.radio.predict_signal`; cells whose paths leave the DEM are
        left without a value (:attr:`SignalRaster.unknown`) unless its fallback allows the
        flat model.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    SignalRaster
    """
    if resolution_m <= 0:
        raise InputError(f"resolution_m={resolution_m} must be > 0")
    setup = setup or SignalSetup()
    crs = metric_crs(area, setup.crs)
    setup = setup.in_crs(crs)
    minx, miny, maxx, maxy = area.to_crs(crs).total_bounds
    minx, miny = minx - resolution_m, miny - resolution_m
    cols = int(np.ceil((maxx + resolution_m - minx) / resolution_m))
    rows = int(np.ceil((maxy + resolution_m - miny) / resolution_m))
    top = miny + rows * resolution_m
    transform = Affine(resolution_m, 0.0, minx, 0.0, -resolution_m, top)
    col, row = np.meshgrid(np.arange(cols) + 0.5, np.arange(rows) + 0.5)
    cell_xy = np.column_stack(transform @ (col.ravel(), row.ravel()))
    # cells the DEM does not cover are left without a value unless the flat model may stand in
    terrain = setup.terrain
    refuses = setup.uses_terrain and terrain.fallback is None
    flat = setup.replace(terrain=replace(terrain, fallback="flat")) if refuses else None
    engine = SignalEngine.prepare(towers, flat or setup, past_range=True)
    signal, _ = engine.search_xy(cell_xy, progress=progress)
    unknown = signal["terrain_fallback"] & refuses
    best_dbm, margin_db = signal["best_signal_dbm"], signal["best_margin_db"]
    best_dbm[unknown] = margin_db[unknown] = np.nan
    open_cells = np.flatnonzero(~(margin_db >= 0) & ~unknown)
    # within the model's distance of every tower the continued model is the model itself,
    # and a dark cell stays dark: only cells with a tower beyond that distance are asked
    open_cells = open_cells[_tower_beyond(engine, cell_xy[open_cells])]
    beyond = np.zeros(len(cell_xy), dtype=bool)
    beyond[open_cells] = engine.margin_past_range(cell_xy[open_cells]) >= 0
    return SignalRaster(
        best_dbm.reshape(rows, cols),
        margin_db.reshape(rows, cols),
        transform,
        crs,
        unknown.reshape(rows, cols) if unknown.any() else None,
        setup.model,
        setup.description(),
        beyond.reshape(rows, cols) if beyond.any() else None,
    )


def _tower_beyond(engine: SignalEngine, cell_xy: np.ndarray) -> np.ndarray:
    """Whether a tower may stand beyond the model's distance limit from each cell.

    The farthest corner of the box around the towers bounds the farthest tower; a cell
    answered False has every tower within the limit.
    """
    tower_xy = engine.towers.xy
    if engine.continued is None or not len(tower_xy):
        return np.zeros(len(cell_xy), dtype=bool)
    low, high = tower_xy.min(axis=0), tower_xy.max(axis=0)
    far_x = np.maximum(np.abs(cell_xy[:, 0] - low[0]), np.abs(cell_xy[:, 0] - high[0]))
    far_y = np.maximum(np.abs(cell_xy[:, 1] - low[1]), np.abs(cell_xy[:, 1] - high[1]))
    return np.hypot(far_x, far_y) >= engine.max_distance_km * 1000.0 * (1.0 - 1e-9)


def dead_zones(
    raster: SignalRaster,
    households: gpd.GeoDataFrame,
    *,
    weight_column: str | None = None,
    min_households: int = 1,
) -> gpd.GeoDataFrame:
    """Polygons of connected cells below threshold that hold households.

    Parameters
    ----------
    raster : SignalRaster
        From :func:`signal_raster`.
    households : geopandas.GeoDataFrame
        Household points; or villages, with ``weight_column="households"``.
    weight_column : str, optional
        Column giving the households at each point; default one per point.
    min_households : int, default 1
        Zones with fewer households are left out.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone_id`` (1.. by size), ``households``, ``area_km2``, ``best_signal_dbm`` (the
        strongest level inside, NaN if no tower reaches any cell) and polygon geometry in
        EPSG:4326, largest zone first.
    """
    dead = ~(raster.margin_db >= 0)  # NaN (no tower in reach) is dead too
    if raster.unknown is not None:
        dead &= ~raster.unknown  # no DEM there: not known to be dead
    if raster.beyond_range is not None:
        dead &= ~raster.beyond_range  # only the model's distance limit leaves them dark
    labels, count = ndimage.label(dead)
    rows, cols = labels.shape
    points = households.to_crs(raster.crs).geometry.representative_point()
    weight = (households[weight_column].to_numpy(float) if weight_column
              else np.ones(len(households)))  # fmt: skip
    col, row = ~raster.transform @ (points.x.to_numpy(), points.y.to_numpy())
    row, col = np.floor(row).astype(int), np.floor(col).astype(int)
    inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    zone_of_point = labels[row[inside], col[inside]]
    people = np.bincount(zone_of_point, weights=weight[inside], minlength=count + 1)
    keep = np.flatnonzero(people >= max(min_households, 1e-9))
    keep = keep[keep > 0]
    if not len(keep):
        return gpd.GeoDataFrame(
            {"zone_id": [], "households": [], "area_km2": [], "best_signal_dbm": []},
            geometry=[], crs=WGS84,
        )  # fmt: skip
    kept_labels = np.where(np.isin(labels, keep), labels, 0).astype(np.int32)
    shapes = rasterio.features.shapes(kept_labels, mask=kept_labels > 0,
                                      transform=raster.transform)  # fmt: skip
    pieces = pd.DataFrame([(int(value), shapely.geometry.shape(geom)) for geom, value in shapes],
                          columns=["label", "geometry"])  # fmt: skip
    polygons = gpd.GeoDataFrame(pieces, geometry="geometry", crs=raster.crs).dissolve("label")
    cells = np.bincount(labels.ravel(), minlength=count + 1)
    strongest = ndimage.maximum(np.nan_to_num(raster.signal_dbm, nan=-np.inf), labels, keep)
    zones = gpd.GeoDataFrame(
        {
            "households": np.rint(people[keep]).astype(np.int64),
            "area_km2": cells[keep] * raster.resolution_m**2 / 1e6,
            "best_signal_dbm": np.where(np.isfinite(strongest), strongest, np.nan),
        },
        geometry=polygons.loc[keep].geometry.to_numpy(),
        crs=raster.crs,
    )
    zones = zones.sort_values(["households", "area_km2"], ascending=False, kind="stable")
    zones.insert(0, "zone_id", np.arange(1, len(zones) + 1))
    return zones.reset_index(drop=True).to_crs(WGS84)


def write_signal_raster(raster: SignalRaster, path: str | PathLike) -> Path:
    """Write the best-signal raster as a two-band float32 GeoTIFF (dBm, margin dB), atomically.

    Parameters
    ----------
    raster : SignalRaster
        From :func:`signal_raster`.
    path : path-like
        The GeoTIFF to write.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    profile = {
        "driver": "GTiff", "height": raster.signal_dbm.shape[0],
        "width": raster.signal_dbm.shape[1], "count": 2, "dtype": "float32",
        "crs": raster.crs.to_wkt(), "transform": raster.transform, "nodata": np.nan,
        "compress": "deflate", "predictor": 3,
    }  # fmt: skip
    with atomic_path(path) as temporary, rasterio.open(temporary, "w", **profile) as target:
        target.write(raster.signal_dbm.astype(np.float32), 1)
        target.write(raster.margin_db.astype(np.float32), 2)
        target.set_band_description(1, "best_signal_dbm")
        target.set_band_description(2, "best_margin_db")
        if raster.model:
            target.update_tags(model=raster.model, model_description=raster.model_description)
    return Path(path)
