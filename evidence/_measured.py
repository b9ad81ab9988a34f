"""Measurements against the model: each measured level beside the level predicted for it.

A measurement is compared with the tower that served it: the measured cell where the row
names one (``tower_id``), else the best server the model predicts among the towers of the
measurement's operator and technology (the nearest of them where none is in reach). The
prediction is the median outdoor level (no body, building or fading margin): what a
drive test or a crowdsourced app measures.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from whitespot.data import metric_crs
from whitespot.data._crs import projected_xy
from whitespot.radio import LinkBudget, SignalEngine, SignalSetup
from whitespot.radio._calibration import fold_operator
from whitespot.radio._engine import pair_signal, resolve_towers

USED = "used"
EXCLUSIONS = {
    "unknown_cell": "the measured cell's id is not in the towers file",
    "cell_of_other_technology": "the measured cell is of another technology",
    "no_tower_of_group": "no tower of the measurement's operator and technology",
    "outside_model_range": "the serving tower is nearer or farther than the model's range",
    "off_dem": "the path to the serving tower leaves the DEM",
}
"""Why a measurement is not compared with the model (its ``status``), in words."""
STATUSES = (USED, *EXCLUSIONS)
SERVED_BY = ("", "cell", "predicted", "nearest")
"""How a measurement's serving tower was found ("": none was)."""


def operator_keys(operators: pd.Series) -> tuple[np.ndarray, list[str], list[str]]:
    """Operators as codes of their names with case and outer spaces ignored.

    Returns
    -------
    codes : numpy.ndarray of int
        Per row, the position of its name in `keys`.
    keys : list of str
        Folded names (stripped, casefolded), in order of first appearance.
    spellings : list of str
        The first spelling met of each key, for people to read.
    """
    codes, names = pd.factorize(operators.astype("string").fillna(""))
    folded = [fold_operator(name) for name in names]
    key_codes, keys = pd.factorize(pd.Index(folded, dtype=object))
    spelling: dict[str, str] = {}
    for name, key in zip(names, folded, strict=True):
        spelling.setdefault(key, str(name).strip())
    keys = [str(k) for k in keys]
    return key_codes[codes], keys, [spelling[k] for k in keys]


def median_setup(setup: SignalSetup) -> SignalSetup:
    """Return the setup of the median outdoor level: no body, building or fading margin."""
    budget = setup.budget
    return setup.replace(
        budget=LinkBudget(
            mobile_height_m=budget.mobile_height_m,
            weak_band_db=budget.weak_band_db,
            thresholds_dbm=budget.thresholds_dbm,
        )
    )


def measured_pairs(
    measurements: gpd.GeoDataFrame, towers: gpd.GeoDataFrame, setup: SignalSetup
) -> gpd.GeoDataFrame:
    """Pair every measurement with its serving tower and the level the model predicts.

    Parameters
    ----------
    measurements : geopandas.GeoDataFrame
        Validated measurements (:func:`whitespot.data.validate_measurements`).
    towers : geopandas.GeoDataFrame
        Validated towers.
    setup : SignalSetup
        The model (with its calibration, if any); margins are left out
        (:func:`median_setup`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per measurement, in input order: ``status``
        (``"used"`` or a key of :data:`EXCLUSIONS`), ``serving_tower_id``, ``served_by``
        (``"cell"``, ``"predicted"``, ``"nearest"``), ``distance_km``, ``measured_dbm``,
        ``predicted_dbm`` and ``residual_db`` (measured minus predicted, dB; NaN where not
        used), and ``x_m``/``y_m`` in the metric CRS (``attrs["crs"]``).
    """
    setup = median_setup(setup)
    setup = setup.in_crs(metric_crs(measurements, setup.crs))
    engine, data = resolve_towers(towers, setup)
    xy = projected_xy(measurements, setup.crs)
    size = len(measurements)
    status = np.zeros(size, dtype=np.int8)  # codes of STATUSES
    served_by = np.zeros(size, dtype=np.int8)  # codes of SERVED_BY
    tower = np.full(size, -1)
    operator, operator_names, _ = operator_keys(measurements["operator"])
    technology, technology_names = pd.factorize(measurements["technology"])
    tower_operator = pd.Index(operator_names).get_indexer([fold_operator(o) for o in data.operator])
    tower_technology = pd.Index(technology_names).get_indexer(data.technology)

    cell = measurements["tower_id"] if "tower_id" in measurements else pd.Series(pd.NA, range(size))
    given = cell.notna().to_numpy()
    found = pd.Index(data.ids).get_indexer(cell.astype("string").fillna("").to_numpy())
    status[given & (found < 0)] = STATUSES.index("unknown_cell")
    named = given & (found >= 0)
    tower[named] = found[named]
    served_by[named] = SERVED_BY.index("cell")
    status[named & (tower_technology[np.maximum(found, 0)] != technology)] = STATUSES.index(
        "cell_of_other_technology"
    )

    group = operator * max(len(technology_names), 1) + technology
    searched = np.flatnonzero(~given)
    for at in pd.Series(group[searched]).groupby(group[searched]).indices.values():
        rows = searched[at]
        members = np.flatnonzero(
            (tower_operator == operator[rows[0]]) & (tower_technology == technology[rows[0]])
        )
        if not len(members):
            status[rows] = STATUSES.index("no_tower_of_group")
            continue
        tower[rows], served_by[rows] = _best_server(xy[rows], members, data, engine, setup)

    paired = tower >= 0
    distance_m = np.full(size, np.nan)
    distance_m[paired] = np.hypot(*(xy[paired] - data.xy[tower[paired]]).T)
    distance_km = np.maximum(distance_m, 1.0) / 1000.0
    model = engine.model
    outside = paired & (distance_km < model.min_distance_km)
    if not setup.extrapolate:
        outside |= paired & (distance_km > model.max_distance_km)
    status[outside & (status == 0)] = STATUSES.index("outside_model_range")

    predicted = np.full(size, np.nan)
    usable = status == 0
    predicted[usable], off_dem = pair_signal(
        xy[usable], tower[usable], distance_m[usable], data, engine
    )
    status[np.flatnonzero(usable)[off_dem]] = STATUSES.index("off_dem")
    used = status == 0
    measured = measurements["signal_dbm"].to_numpy(dtype=float)
    predicted[~used] = np.nan
    out = gpd.GeoDataFrame(
        {
            "status": pd.Categorical.from_codes(status, STATUSES),
            "operator": measurements["operator"].array,
            "technology": measurements["technology"].array,
            "serving_tower_id": pd.Categorical.from_codes(tower, pd.Index(data.ids)),
            "served_by": pd.Categorical.from_codes(served_by, SERVED_BY),
            "distance_km": np.round(distance_m / 1000.0, 4),
            "measured_dbm": measured,
            "predicted_dbm": predicted,
            "residual_db": np.where(used, measured - predicted, np.nan),
            "x_m": xy[:, 0],
            "y_m": xy[:, 1],
        },
        geometry=measurements.geometry.to_numpy(),
        crs=measurements.crs,
        index=measurements.index,
    )
    out.attrs["crs"] = setup.crs
    return out


def _best_server(
    xy: np.ndarray,
    members: np.ndarray,
    data: object,
    engine: object,
    setup: SignalSetup,
) -> tuple[np.ndarray, np.ndarray]:
    """Best server of each point among `members`; the nearest member where none is heard."""
    group = replace(
        data,
        **{
            name: getattr(data, name)[members]
            for name in data.__dataclass_fields__
            if name not in ("grid_m",)
        },
    )
    search = SignalEngine.of_prepared(engine, group, setup.crs)
    position = search.search_xy(xy)[0]["best_tower"]
    served_by = np.where(
        position >= 0, SERVED_BY.index("predicted"), SERVED_BY.index("nearest")
    ).astype(np.int8)
    far = position < 0
    if far.any():
        _, position[far] = cKDTree(group.xy).query(xy[far], workers=-1)
    return members[position], served_by
