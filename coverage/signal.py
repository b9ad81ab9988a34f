"""Signal prediction: received power from every tower at every point, and the best server.

Pairs are found with a KD-tree (only towers within each tower's reach are considered),
evaluated on whole arrays, and points are processed in chunks so that memory stays bounded.
A tower's reach is the distance at which the model's loss leaves the signal
:data:`REACH_FLOOR_DB` below its threshold, capped at the model's validity.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from scipy.spatial import cKDTree
from tqdm.auto import tqdm

from whitespot.coverage._errors import ModelRangeError
from whitespot.coverage.antenna import bearing_deg, sector_gain_db
from whitespot.coverage.budget import LinkBudget
from whitespot.coverage.models import PathLossModel, get_model
from whitespot.coverage.terrain import (
    bullington_loss_db,
    reproject_terrain,
    sample_terrain,
    terrain_profiles,
)
from whitespot.data import Terrain, metric_crs
from whitespot.data._errors import format_ids

REACH_FLOOR_DB = 30.0
"""A tower is evaluated at points where its signal may be up to this far below threshold."""

POINT_CHUNK = 100_000
"""Points per chunk of the pair search."""
PAIR_CHUNK = 40_000
"""Pairs per chunk of terrain profiles (each profile holds up to 256 samples)."""
MAX_PROFILE_SAMPLES = 256

SIGNAL_COLUMNS = (
    "best_signal_dbm",
    "best_margin_db",
    "best_tower_id",
    "best_operator",
    "best_technology",
    "towers_above_threshold",
    "nearest_tower_km",
)


@dataclass(frozen=True)
class _Towers:
    """Tower attributes as arrays in the metric CRS, ordered by tower id."""

    ids: np.ndarray
    operator: np.ndarray
    technology: np.ndarray
    xy: np.ndarray
    ground_m: np.ndarray
    height_m: np.ndarray
    frequency_mhz: np.ndarray
    eirp_dbm: np.ndarray
    azimuth_deg: np.ndarray
    beamwidth_deg: np.ndarray
    threshold_dbm: np.ndarray
    reach_m: np.ndarray


def predict_signal(  # noqa: PLR0913 keyword-only options
    points: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    *,
    model: str = "rma",
    terrain: Terrain | None = None,
    budget: LinkBudget | None = None,
    environment: str | None = None,
    extrapolate: bool = False,
    crs: CRS | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Predict the best received signal at every point from every tower in reach.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Receivers (households or villages); polygons use their representative point.
    towers : geopandas.GeoDataFrame
        Validated towers (:func:`whitespot.data.validate_towers`).
    model : {"rma", "rma_los", "hata", "cost231", "free_space", "terrain"}, default "rma"
        Path-loss model (see :mod:`whitespot.coverage.models`). ``"terrain"`` needs
        `terrain`: RMa LOS plus Bullington diffraction over DEM profiles.
    terrain : Terrain, optional
        DEM; required by ``"terrain"``. With other models it gives tower ground heights
        (not used by the loss) and is otherwise ignored.
    budget : LinkBudget, optional
        Margins and thresholds; default ``LinkBudget()``.
    environment : str, optional
        Environment of the Hata models (``"open"``, ``"suburban"``, ``"urban"``,
        ``"urban_large"``; COST-231 ``"medium"``/``"metropolitan"``).
    extrapolate : bool, default False
        Use the model outside its frequency, height and distance validity instead of
        raising (:class:`ModelRangeError`) or leaving far pairs out.
    crs : pyproj.CRS, optional
        Metric CRS; default the UTM zone of the points.
    progress : bool, optional
        Show a progress bar; default only on a terminal or notebook.

    Returns
    -------
    pandas.DataFrame
        One row per point, in input order (index as `points`), with
        ``best_signal_dbm`` (NaN where no tower reaches), ``best_margin_db`` (signal minus
        its technology's threshold), ``best_tower_id``, ``best_operator``,
        ``best_technology``, ``towers_above_threshold`` and ``nearest_tower_km``. The best
        server is the tower with the largest margin over its threshold; ties go to the
        smaller tower id, so the result does not depend on row order.

    Raises
    ------
    ModelRangeError
        If towers lie outside the model's frequency or height range, naming them.
    """
    budget = budget or LinkBudget()
    path_model = get_model(model)
    if model == "terrain" and terrain is None:
        raise ValueError("model='terrain' needs a DEM: pass terrain=read_terrain(path)")
    crs = metric_crs(points, crs)
    ground = reproject_terrain(terrain, crs) if terrain is not None else None
    point_xy = _xy(points, crs)
    tower_data = _prepare_towers(towers, crs, path_model, budget, ground, environment, extrapolate)

    result = _empty_result(len(point_xy))
    if len(tower_data.ids):
        nearest_m, _ = cKDTree(tower_data.xy).query(point_xy)
        result["nearest_tower_km"] = nearest_m / 1000.0
        tower_tree = cKDTree(tower_data.xy)
        starts = range(0, len(point_xy), POINT_CHUNK)
        for start in tqdm(starts, desc="signal", unit="chunk", disable=_quiet(progress, starts)):
            stop = min(start + POINT_CHUNK, len(point_xy))
            _predict_chunk(
                point_xy[start:stop],
                start,
                tower_tree,
                tower_data,
                model=path_model,
                budget=budget,
                ground=ground,
                model_name=model,
                environment=environment,
                result=result,
            )
    frame = pd.DataFrame(result, index=points.index)
    frame["best_tower_id"] = _take(tower_data.ids, frame.pop("best_tower"))
    frame["best_operator"] = _take(tower_data.operator, frame.pop("best_operator_i"))
    frame["best_technology"] = _take(tower_data.technology, frame.pop("best_technology_i"))
    return frame[list(SIGNAL_COLUMNS)]


def _quiet(progress: bool | None, starts: range) -> bool | None:
    if progress is None:
        return None if len(starts) > 1 else True
    return not progress


def _xy(layer: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    points = layer.to_crs(crs).geometry.representative_point()
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def _take(values: np.ndarray, index: pd.Series) -> pd.arrays.StringArray:
    """values[index] as text, missing where index is -1 (positional: no index alignment)."""
    index = index.to_numpy()
    out = np.full(len(index), None, dtype=object)
    known = index >= 0
    out[known] = values[index[known]]
    return pd.array(out, dtype="string")


def _empty_result(size: int) -> dict[str, np.ndarray]:
    return {
        "best_signal_dbm": np.full(size, np.nan),
        "best_margin_db": np.full(size, np.nan),
        "best_tower": np.full(size, -1),
        "best_operator_i": np.full(size, -1),
        "best_technology_i": np.full(size, -1),
        "towers_above_threshold": np.zeros(size, dtype=np.int64),
        "nearest_tower_km": np.full(size, np.nan),
    }


def _check_tower_ranges(towers: gpd.GeoDataFrame, model: PathLossModel, name: str) -> None:
    values = {
        "frequency_mhz": towers["frequency_mhz"].to_numpy(float),
        "base_height_m": towers["height_m"].to_numpy(float),
    }
    for valid in model.ranges:
        if valid.parameter not in values:
            continue
        outside = (values[valid.parameter] < valid.low) | (values[valid.parameter] > valid.high)
        if outside.any():
            ids = towers["tower_id"].to_numpy()[outside]
            found = np.unique(values[valid.parameter][outside])
            raise ModelRangeError(
                f"model {name!r} is valid for {valid.parameter} {valid.low:g}..{valid.high:g}; "
                f"{outside.sum()} towers (ids: {format_ids(list(ids))}) have "
                f"{', '.join(f'{v:g}' for v in found[:5])}; choose another model "
                f"(rma covers 500-30000 MHz) or extrapolate"
            )


def _prepare_towers(
    towers: gpd.GeoDataFrame,
    crs: CRS,
    model: PathLossModel,
    budget: LinkBudget,
    ground: Terrain | None,
    environment: str | None,
    extrapolate: bool,
) -> _Towers:
    towers = towers.sort_values("tower_id", kind="stable")
    if not extrapolate:
        _check_tower_ranges(towers, model, model.name)
    xy = _xy(towers, crs)
    technology = towers["technology"].astype(str).to_numpy()
    threshold = np.array([budget.threshold_dbm(t) for t in np.unique(technology)])
    threshold = threshold[np.searchsorted(np.unique(technology), technology)]
    frequency = towers["frequency_mhz"].to_numpy(float)
    height = towers["height_m"].to_numpy(float)
    eirp = towers["eirp_dbm"].to_numpy(float)
    max_km = np.inf if extrapolate else model.max_distance_km
    reach_m = _reach_m(model, frequency, height, budget, eirp - threshold, environment, max_km)
    azimuth = towers.get("azimuth_deg", pd.Series(np.nan, index=towers.index))
    beamwidth = towers.get("beamwidth_deg", pd.Series(np.nan, index=towers.index))
    return _Towers(
        ids=towers["tower_id"].astype(str).to_numpy(),
        operator=towers["operator"].astype(str).to_numpy(),
        technology=technology,
        xy=xy,
        ground_m=sample_terrain(ground, xy[:, 0], xy[:, 1])
        if ground is not None
        else np.zeros(len(xy)),
        height_m=height,
        frequency_mhz=frequency,
        eirp_dbm=eirp,
        azimuth_deg=azimuth.to_numpy(float),
        beamwidth_deg=beamwidth.fillna(65.0).to_numpy(float),
        threshold_dbm=threshold,
        reach_m=reach_m,
    )


def _reach_m(
    model: PathLossModel,
    frequency: np.ndarray,
    height: np.ndarray,
    budget: LinkBudget,
    eirp_over_threshold_db: np.ndarray,
    environment: str | None,
    max_km: float,
) -> np.ndarray:
    """Distance (m) at which each tower's signal falls REACH_FLOOR_DB below its threshold."""
    allowed_db = eirp_over_threshold_db - budget.margin_db + REACH_FLOOR_DB
    top_km = min(max_km, 200.0)
    distances = np.geomspace(model.min_distance_km, top_km, 400)
    loss = model.loss_db(
        frequency[:, None], distances[None, :], height[:, None], budget.mobile_height_m, environment
    )
    within = loss <= allowed_db[:, None]
    last = within.shape[1] - 1 - np.argmax(within[:, ::-1], axis=1)
    reach_km = np.where(within.any(axis=1), distances[last], 0.0)
    # the grid step is below 1.5 %: take the next grid point so no reachable pair is missed
    reach_km = np.where(within.all(axis=1), top_km, reach_km * 1.02)
    return np.minimum(reach_km, max_km) * 1000.0


def _predict_chunk(  # noqa: PLR0913 keyword-only options
    point_xy: np.ndarray,
    offset: int,
    tower_tree: cKDTree,
    towers: _Towers,
    *,
    model: PathLossModel,
    budget: LinkBudget,
    ground: Terrain | None,
    model_name: str,
    environment: str | None,
    result: dict[str, np.ndarray],
) -> None:
    pairs = cKDTree(point_xy).sparse_distance_matrix(
        tower_tree, float(towers.reach_m.max()), output_type="ndarray"
    )
    point, tower, distance_m = pairs["i"], pairs["j"], pairs["v"]
    keep = distance_m <= towers.reach_m[tower]
    point, tower, distance_m = point[keep], tower[keep], distance_m[keep]
    if not len(point):
        return
    distance_km = np.maximum(distance_m / 1000.0, model.min_distance_km)
    loss = model.loss_db(
        towers.frequency_mhz[tower],
        distance_km,
        towers.height_m[tower],
        budget.mobile_height_m,
        environment,
    )
    if model_name == "terrain":
        loss = loss + _diffraction_db(point_xy[point], tower, distance_m, towers, ground, budget)
    delta = point_xy[point] - towers.xy[tower]
    gain = sector_gain_db(
        towers.azimuth_deg[tower],
        towers.beamwidth_deg[tower],
        bearing_deg(delta[:, 0], delta[:, 1]),
    )
    signal = towers.eirp_dbm[tower] + gain - loss - budget.margin_db
    margin = signal - towers.threshold_dbm[tower]

    # best server: largest margin, ties to the smaller tower id (towers are sorted by id)
    order = np.lexsort((tower, -margin, point))
    first = np.unique(point[order], return_index=True)[1]
    best = order[first]
    rows = point[best] + offset
    result["best_signal_dbm"][rows] = signal[best]
    result["best_margin_db"][rows] = margin[best]
    result["best_tower"][rows] = tower[best]
    result["best_operator_i"][rows] = tower[best]
    result["best_technology_i"][rows] = tower[best]
    above = np.bincount(point[margin >= 0], minlength=len(point_xy))
    result["towers_above_threshold"][offset : offset + len(point_xy)] = above


def _diffraction_db(
    receiver_xy: np.ndarray,
    tower: np.ndarray,
    distance_m: np.ndarray,
    towers: _Towers,
    ground: Terrain,
    budget: LinkBudget,
) -> np.ndarray:
    """Bullington diffraction loss over DEM profiles, in chunks of pairs."""
    cell_m = abs(ground.transform.a)
    loss = np.zeros(len(tower))
    for start in range(0, len(tower), PAIR_CHUNK):
        part = slice(start, start + PAIR_CHUNK)
        samples = int(
            np.clip(np.ceil(distance_m[part].max() / (0.5 * cell_m)) + 1, 3, MAX_PROFILE_SAMPLES)
        )
        profiles = terrain_profiles(ground, towers.xy[tower[part]], receiver_xy[part], samples)
        loss[part], _ = bullington_loss_db(
            profiles,
            np.maximum(distance_m[part], 1.0) / 1000.0,
            towers.height_m[tower[part]],
            budget.mobile_height_m,
            towers.frequency_mhz[tower[part]],
        )
    return loss
