"""Measurements against the model: each measured level beside the level predicted for it.

A measurement is compared with the tower that served it: the measured cell where the row
names one (``tower_id``), else the best server the model predicts among the towers of the
measurement's operator and technology (the nearest of them where none is in reach). The
prediction is the median outdoor level (no body, building or fading margin): what a
drive test or a crowdsourced app measures.

Phone apps log their own cell ids (G-NetTrack's ``CellID`` is the 28-bit E-UTRAN cell
identity, OpenCelliD's ``cell`` too), which never match a provincial office's site codes
(``Mã trạm``): when no measured cell id matches any tower, the measurements are paired by
position as if the file gave none, and a :class:`UnmatchedCellWarning` says so.
No-service samples (the phone found no network) are never compared.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from whitespot._errors import WhitespotWarning
from whitespot.data import metric_crs
from whitespot.data._crs import projected_xy
from whitespot.radio import LinkBudget, SignalEngine, SignalSetup
from whitespot.radio._calibration import fold_operator

USED = "used"
EXCLUSIONS = {
    "unknown_cell": "the measured cell's id is not in the towers file",
    "cell_of_other_technology": "the measured cell is of another technology",
    "no_tower_of_group": "no tower of the measurement's operator and technology",
    "outside_model_range": "the serving tower is nearer or farther than the model's range",
    "off_dem": "the path to the serving tower leaves the DEM",
    "no_service": "the phone found no network there: no level to compare with the model",
}
"""Why a measurement is not compared with the model (its ``status``), in words."""
STATUSES = (USED, *EXCLUSIONS)
SERVED_BY = ("", "cell", "predicted", "nearest")
"""How a measurement's serving tower was found ("": none was)."""


class UnmatchedCellWarning(WhitespotWarning):
    """No measured cell id matches a tower id: the measurements are paired by position.

    Phone apps log the network's cell identity (G-NetTrack's ``CellID``, OpenCelliD's
    ``cell``), which a provincial towers file (``Mã trạm``) does not carry; each
    measurement is then served by the best server of its operator and technology, as when
    the file gives no cell ids.
    """


def no_service(measurements: pd.DataFrame) -> np.ndarray:
    """Return the rows where the phone found no network, as bools.

    Validated measurements mark them in their ``no_service`` column, present only when
    the file has some (:func:`whitespot.data.validate_measurements`).
    """
    if "no_service" not in measurements:
        return np.zeros(len(measurements), dtype=bool)
    return measurements["no_service"].fillna(False).to_numpy(dtype=bool)


def unmatched_cells(measurements: pd.DataFrame, tower_ids: object) -> tuple[int, str]:
    """Count the measured cell ids when none of them matches a tower id (else 0).

    Parameters
    ----------
    measurements : pandas.DataFrame
        Validated measurements.
    tower_ids : array-like
        The towers' ids.

    Returns
    -------
    count : int
        Rows with a cell id, when none matches (0 when one does, or none is given).
    example : str
        One of those ids, for people to read.
    """
    if "tower_id" not in measurements:
        return 0, ""
    cell = measurements["tower_id"].astype("string")
    given = cell.notna().to_numpy() & ~no_service(measurements)
    if not given.any() or pd.Index(tower_ids).isin(cell[given]).any():
        return 0, ""
    return int(given.sum()), str(cell[given].iloc[0])


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
    """Return the setup of the median outdoor level: no body, building or fading margin.

    Phones measure outdoors: no indoor judgement either, so the engine prepares no indoor
    towers that the pairing would never use.
    """
    budget = setup.budget
    return setup.replace(
        budget=LinkBudget(
            mobile_height_m=budget.mobile_height_m,
            weak_band_db=budget.weak_band_db,
            thresholds_dbm=budget.thresholds_dbm,
        ),
        indoor=None,
    )


def measured_pairs(
    measurements: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    setup: SignalSetup,
    *,
    by_operator: bool = True,
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
    by_operator : bool, default True
        Serve a measurement without a cell id by a tower of its own operator (and
        technology); False: by a tower of its technology, of any operator (a calibration
        by technology only, measurements whose operator no tower has).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per measurement, in input order: ``status``
        (``"used"`` or a key of :data:`EXCLUSIONS`), ``serving_tower_id``, ``served_by``
        (``"cell"``, ``"predicted"``, ``"nearest"``), ``distance_km``, ``measured_dbm``,
        ``predicted_dbm`` and ``residual_db`` (measured minus predicted, dB; NaN where not
        used), and ``x_m``/``y_m`` in the metric CRS (``attrs["crs"]``). No-service
        samples are ``"no_service"``.

    Warns
    -----
    UnmatchedCellWarning
        When the measurements give cell ids and none matches a tower id: they are paired
        by position.
    """
    setup = median_setup(setup)
    setup = setup.in_crs(metric_crs(measurements, setup.crs))
    engine = SignalEngine.prepare(towers, setup, subsets=True)
    data = engine.towers
    xy = projected_xy(measurements, setup.crs)
    size = len(measurements)
    status = np.zeros(size, dtype=np.int8)  # codes of STATUSES
    served_by = np.zeros(size, dtype=np.int8)  # codes of SERVED_BY
    tower = np.full(size, -1)
    operator, operator_names, _ = operator_keys(measurements["operator"])
    technology, technology_names = pd.factorize(measurements["technology"])
    tower_operator = pd.Index(operator_names).get_indexer([fold_operator(o) for o in data.operator])
    tower_technology = pd.Index(technology_names).get_indexer(data.technology)

    silent = no_service(measurements)
    status[silent] = STATUSES.index("no_service")
    given, found = _cells(measurements, data.ids, silent)
    status[given & (found < 0)] = STATUSES.index("unknown_cell")
    named = given & (found >= 0)
    tower[named] = found[named]
    served_by[named] = SERVED_BY.index("cell")
    status[named & (tower_technology[np.maximum(found, 0)] != technology)] = STATUSES.index(
        "cell_of_other_technology"
    )

    if not by_operator:  # every tower of the technology, whatever its operator
        operator, tower_operator = np.zeros_like(operator), np.zeros_like(tower_operator)
    group = operator * max(len(technology_names), 1) + technology
    searched = np.flatnonzero(~given & ~silent)
    for at in pd.Series(group[searched]).groupby(group[searched]).indices.values():
        rows = searched[at]
        members = np.flatnonzero(
            (tower_operator == operator[rows[0]]) & (tower_technology == technology[rows[0]])
        )
        if not len(members):
            status[rows] = STATUSES.index("no_tower_of_group")
            continue
        tower[rows], served_by[rows] = _best_server(xy[rows], members, engine)

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
    predicted[usable], off_dem = engine.pair_levels(xy[usable], tower[usable], distance_m[usable])
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


def _cells(
    measurements: pd.DataFrame, tower_ids: np.ndarray, silent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows paired by their cell id, and that cell's position among the towers (-1: none)."""
    size = len(measurements)
    cell = measurements["tower_id"] if "tower_id" in measurements else pd.Series(pd.NA, range(size))
    given = cell.notna().to_numpy() & ~silent
    unmatched, example = unmatched_cells(measurements, tower_ids)
    if unmatched:
        warnings.warn(
            f"measurements: none of the {unmatched:,} measured cell ids (such as {example!r}) "
            "is a tower id of the towers file (an app's cell identity, not the office's site "
            "code?): paired by position with the best server of their operator and "
            "technology, as without cell ids",
            UnmatchedCellWarning,
            stacklevel=3,
        )
        given[:] = False
    return given, pd.Index(tower_ids).get_indexer(cell.astype("string").fillna("").to_numpy())


def _best_server(
    xy: np.ndarray, members: np.ndarray, engine: SignalEngine
) -> tuple[np.ndarray, np.ndarray]:
    """Best server of each point among `members`; the nearest member where none is heard."""
    group = engine.subset(members)
    position = group.search_xy(xy)[0]["best_tower"]
    served_by = np.where(
        position >= 0, SERVED_BY.index("predicted"), SERVED_BY.index("nearest")
    ).astype(np.int8)
    far = position < 0
    if far.any():
        _, position[far] = cKDTree(group.towers.xy).query(xy[far], workers=-1)
    return members[position], served_by
