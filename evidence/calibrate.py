"""Fit a path-loss model to measurements: K1/K2 corrections per group, cross-validated.

For each group (operator x technology by default) the extra loss that the measurements
show, ``y = predicted - measured`` dB, is fitted as ``offset + slope log10(d / 1 km)`` by
robust least squares (Huber's M-estimator, iteratively reweighted, k = 1.345 with the
scale from the median absolute deviation), so a few measurements indoors or in a lift do
not pull the fit. Shadowing is spatially correlated, so neighbouring samples are not
independent, and each tower's own error (EIRP, tilt) is shared by all its samples: the 95 %
confidence intervals (:mod:`whitespot.evidence._intervals`) add a jackknife (CR3) sandwich
clustered by spatial block, with Bell-McCaffrey degrees of freedom, and a random effect per
tower estimated by moments, and take the t quantile at the Welch-Satterthwaite degrees of
freedom of the sum: a group of a few towers gets a wide interval only when its towers do
differ. A group measured at fewer than :data:`MIN_TOWERS` towers, or whose uncertainty
cannot otherwise be estimated, is refused, never applied without an interval. The
cross-validation holds out whole blocks (k folds of blocks), not random points.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from whitespot._errors import InputError
from whitespot.evidence._intervals import half_widths
from whitespot.evidence._measured import USED, measured_pairs, operator_keys
from whitespot.radio import (
    CALIBRATION_BOUNDS,
    Calibration,
    CalibrationError,
    CalibrationGroup,
    MissingTowerWarning,
    SignalSetup,
)
from whitespot.radio._calibration import ANY, GROUP_KEYS, RefusedGroup

MIN_SAMPLES = 30
"""Fewer measurements than this in a group give no calibration."""
MIN_TOWERS = 3
"""A group's measurements must come from at least this many serving towers: a fit to one
tower is that tower's error (its EIRP, its tilt), not the model's, and with two the
towers' own errors leave no degree of freedom to estimate the fit's uncertainty (the
offset absorbs one of the two), so its interval cannot be estimated."""
MIN_PLACES = 10
"""Measurements must lie at this many distinct positions (1 m apart or more)."""
MIN_DECADES = 0.3
"""The 5th to 95th percentile distances must span this many decades (a factor of 2): a
slope is never extrapolated from one distance band."""
FOLDS = 5
"""Folds of the spatial block cross-validation."""
BLOCK_KM = 2.0
"""Side of the square spatial blocks, km: larger than the decorrelation distance of
shadowing (tens to a few hundred metres), so held-out blocks are not predicted by their
neighbours' samples."""
STRONGER_DB = 20.0
"""A sample paired by prediction and this much stronger than its group typically is (dB
over the median of predicted minus measured, or 4 robust standard deviations if more) is
taken to hear a tower missing from the towers file, and left out of the fit."""
CENSORED_SHARE = 0.10
"""A group with more than this share of samples predicted within :data:`CENSORED_SCALES`
shadowing scales of its weakest sample is refused as censored."""
CENSORED_SCALES = 2.0
"""How near the weakest sample (in robust scales of the residuals) a censored median lies."""
HUBER_K = 1.345
"""Huber's tuning constant (95 % efficiency under Gaussian errors)."""


def calibrate(
    towers: gpd.GeoDataFrame,
    measurements: gpd.GeoDataFrame,
    setup: SignalSetup | None = None,
    *,
    by: Sequence[str] = GROUP_KEYS,
    pooled: bool = True,
    folds: int = FOLDS,
    block_km: float = BLOCK_KM,
    progress: bool | None = None,
) -> Calibration:
    """Fit the setup's path-loss model to measured levels, per group of towers.

    Parameters
    ----------
    towers : geopandas.GeoDataFrame
        Validated towers (:func:`whitespot.data.validate_towers`).
    measurements : geopandas.GeoDataFrame
        Validated measurements (:func:`whitespot.data.validate_measurements`).
    setup : SignalSetup, optional
        The model to calibrate (its own calibration, if any, is ignored); default
        ``SignalSetup()``. Margins are left out: measurements are median levels.
    by : sequence of str, default ("operator", "technology")
        Grouping columns, a subset of :data:`~whitespot.radio._calibration.GROUP_KEYS`;
        ``()`` fits one group.
    pooled : bool, default True
        When grouping by operator, also fit each technology over all operators (used for
        towers of operators without a group, such as new sites).
    folds : int, default 5
        Folds of the spatial block cross-validation.
    block_km : float, default 2
        Side of the spatial blocks, km.
    progress : bool, optional
        Show a progress bar over the groups.

    Returns
    -------
    Calibration
        Fitted groups (specific first), refused groups with their reasons, and the
        measurements not used, by reason.

    Raises
    ------
    CalibrationError
        When no group can be calibrated, listing why for each.
    """
    unknown = set(by) - set(GROUP_KEYS)
    if unknown:
        raise InputError(f"by={list(by)}: {sorted(unknown)} not among {', '.join(GROUP_KEYS)}")
    if folds < 2 or block_km <= 0:
        raise InputError(f"folds={folds} must be >= 2 and block_km={block_km} > 0")
    setup = (setup or SignalSetup()).replace(calibration=None)
    pairs = measured_pairs(measurements, towers, setup)
    used = pairs[pairs["status"] == USED]
    blocks = _blocks(used, block_km * 1000.0)
    groups, refused = [], list(_towerless(pairs, by))
    keys = _group_keys(used, by, pooled)
    for (operator, technology), rows in tqdm(
        keys, desc="calibrate", unit="group", disable=_quiet(progress, len(keys))
    ):
        fitted = _fit_group(used.iloc[rows], blocks[rows], folds)
        fitted = _out_of_bounds(fitted) or fitted
        if isinstance(fitted, str):
            refused.append(RefusedGroup(operator, technology, len(rows), fitted))
        else:
            groups.append(CalibrationGroup(operator, technology, **fitted))
    excluded = pairs["status"][pairs["status"] != USED].value_counts()
    excluded = excluded[excluded > 0]
    calibration = Calibration(
        model=setup.model,
        environment=setup.environment,
        groups=tuple(groups),
        refused=tuple(refused),
        by=tuple(by),
        measurements=len(pairs),
        excluded={str(k): int(v) for k, v in excluded.items()},
    )
    suspect = [g for g in groups if g.stronger_than_any_tower]
    if suspect:
        warnings.warn(
            "samples far stronger than any tower of their group predicts (a tower missing "
            "from the towers file?), left out of the fit: "
            + ", ".join(
                f"{g.operator} {g.technology} {g.stronger_than_any_tower:,}" for g in suspect
            ),
            MissingTowerWarning,
            stacklevel=2,
        )
    if not groups:
        raise CalibrationError(
            "no group can be calibrated:\n  - " + "\n  - ".join(calibration.lines())
        )
    return calibration


def _out_of_bounds(fitted: dict | str) -> str | None:
    """Say why a correction lies outside :data:`~whitespot.radio.CALIBRATION_BOUNDS`, if so.

    A correction that large is not a tuning: a file read back with it is refused, so it is
    not fitted either (the group's towers stay as modelled).
    """
    if isinstance(fitted, str):
        return None
    beyond = [
        f"{field} {fitted[field]:+.1f} {unit} is outside {low:g}..{high:g} {unit}"
        for field, (low, high, unit) in CALIBRATION_BOUNDS.items()
        if not low <= fitted[field] <= high
    ]
    if not beyond:
        return None
    return (
        "; ".join(beyond) + ": more than a tuning of the model (the wrong model, the towers' "
        "EIRP or height, or levels in another unit?)"
    )


def _quiet(progress: bool | None, groups: int) -> bool | None:
    if progress is None:
        return None if groups > 4 else True
    return not progress


def _blocks(pairs: pd.DataFrame, block_m: float) -> np.ndarray:
    """Spatial block of each measurement: squares of `block_m` in the metric CRS."""
    return _cell_codes(pairs[["x_m", "y_m"]].to_numpy(), block_m)


def _cell_codes(xy: np.ndarray, size_m: float) -> np.ndarray:
    """Return the square cell of each point, numbered 0.. in the order of the cells."""
    cells = np.floor(xy / size_m).astype(np.int64)
    key = (cells[:, 0] << 32) + (cells[:, 1] & 0xFFFFFFFF)
    return pd.factorize(key, sort=True)[0]


def _towerless(pairs: pd.DataFrame, by: Sequence[str]) -> list[RefusedGroup]:
    """Refuse each group whose measurements found no tower of its own."""
    lost = pairs[pairs["status"] == "no_tower_of_group"]
    out = []
    for (operator, technology), rows in lost.groupby(["operator", "technology"]).size().items():
        out.append(
            RefusedGroup(
                operator if "operator" in by else ANY,
                technology if "technology" in by else ANY,
                int(rows),
                f"no tower of operator {operator!r} and technology {technology} in the towers file",
            )
        )
    return out


def _group_keys(
    used: pd.DataFrame, by: Sequence[str], pooled: bool
) -> list[tuple[tuple[str, str], np.ndarray]]:
    """(operator, technology) of each group to fit, and its rows; specific groups first."""
    operator, keys, spellings = operator_keys(used["operator"])
    technology, technologies = pd.factorize(used["technology"])
    names = {"operator": np.array([*spellings, ANY]), "technology": np.array([*technologies, ANY])}
    levels = [tuple(by)]
    if pooled and "operator" in by:
        levels.append(tuple(k for k in by if k != "operator"))
    out = []
    for level in levels:
        op = operator if "operator" in level else np.full(len(used), len(keys))
        tech = technology if "technology" in level else np.full(len(used), len(technologies))
        group = op * (len(technologies) + 1) + tech
        found = [
            ((names["operator"][op[rows[0]]], names["technology"][tech[rows[0]]]), rows)
            for rows in pd.Series(group).groupby(group).indices.values()
        ]
        out += sorted(found, key=lambda item: [*keys, ANY][op[item[1][0]]] + item[0][1])
    return out


@dataclass(frozen=True)
class _Fit:
    """A robust line fit: coefficients, weights, residuals, and the samples inside Huber's k."""

    beta: np.ndarray
    weights: np.ndarray
    residuals: np.ndarray
    scale: float

    @property
    def influence(self) -> np.ndarray:
        """Huber's psi of each residual (weight x residual), dB."""
        return self.weights * self.residuals

    @property
    def slope_of_influence(self) -> np.ndarray:
        """Psi' of each residual: 1 inside k x scale, 0 beyond (where psi is flat)."""
        return (self.weights >= 1.0).astype(float)


def _fit_group(pairs: pd.DataFrame, blocks: np.ndarray, folds: int) -> dict | str:
    """Fit one group; return the fields of its CalibrationGroup, or why it cannot be fitted."""
    blocks = pd.factorize(blocks, sort=True)[0]
    samples = len(pairs)
    towers = pairs["serving_tower_id"].nunique()
    places = int(_cell_codes(pairs[["x_m", "y_m"]].to_numpy(), 1.0).max(initial=-1)) + 1
    distance_km = pairs["distance_km"].to_numpy()
    low, high = np.percentile(distance_km, [5, 95])
    reason = _too_little(pairs, places, low, high)
    if reason:
        return reason
    x = np.log10(distance_km)
    design = np.column_stack([np.ones(samples), x])
    extra_db = (pairs["predicted_dbm"] - pairs["measured_dbm"]).to_numpy()
    stronger = _stronger_than_any_tower(pairs, extra_db)
    if stronger.any():  # left out: their tower is not the one they were paired with
        keep = ~stronger
        pairs, blocks = pairs[keep], pd.factorize(blocks[keep], sort=True)[0]
        design, extra_db, distance_km = design[keep], extra_db[keep], distance_km[keep]
        samples = len(pairs)
    fit = _huber(design, extra_db)
    floor = _censoring(pairs, design, fit)
    if floor:
        return floor
    tower_codes = pd.factorize(pairs["serving_tower_id"].to_numpy())[0]
    (offset_ci, slope_ci), _ = half_widths(
        design, fit.influence, fit.slope_of_influence, blocks, tower_codes
    )
    if not np.isfinite([offset_ci, slope_ci]).all():
        return (
            "its uncertainty cannot be estimated (the samples lie in "
            f"{int(blocks.max()) + 1} spatial block(s), or one block holds the whole fit): "
            "no interval, so not applied; measure over a wider area"
        )
    cross_validated = _cross_validated_rmse(design, extra_db, blocks, folds, fit)
    before = -extra_db
    after = -fit.residuals
    return {
        "offset_db": float(fit.beta[0]),
        "slope_db_per_decade": float(fit.beta[1]),
        "offset_ci_db": offset_ci,
        "slope_ci_db": slope_ci,
        "samples": samples,
        "towers": int(towers),
        "places": int(places),
        "distance_min_km": float(low),
        "distance_max_km": float(high),
        "mean_error_before_db": float(before.mean()),
        "rmse_before_db": float(np.sqrt(np.mean(before**2))),
        "mean_error_after_db": float(after.mean()),
        "rmse_after_db": float(np.sqrt(np.mean(after**2))),
        "rmse_cv_db": cross_validated,
        "stronger_than_any_tower": int(stronger.sum()),
    }


def _too_little(pairs: pd.DataFrame, places: int, low: float, high: float) -> str:
    """Say why a group's samples are too few, too few towers, places or distances ("" if not)."""
    if len(pairs) < MIN_SAMPLES:
        return f"{len(pairs)} samples; at least {MIN_SAMPLES} are needed"
    if pairs["serving_tower_id"].nunique() < MIN_TOWERS:
        return _too_few_towers(pairs["serving_tower_id"])
    if places < MIN_PLACES:
        return f"the samples lie at {places} places; at least {MIN_PLACES} are needed"
    span = np.log10(high / low)
    if span < MIN_DECADES:
        return (
            f"the distances ({low:.2g}-{high:.2g} km, 5th-95th percentile) span {span:.2f} "
            f"decade: one distance band cannot give a slope (needs {MIN_DECADES} decade, "
            "a factor of 2)"
        )
    return ""


def _too_few_towers(serving: pd.Series) -> str:
    """Why a group measured at fewer than :data:`MIN_TOWERS` towers is refused."""
    names = ", ".join(map(str, pd.unique(serving)))
    if serving.nunique() == 1:
        return (
            f"all samples come from one tower ({names}): a fit to one tower is that tower's "
            f"error, not the model's; measure at least {MIN_TOWERS} towers"
        )
    return (
        f"its uncertainty cannot be estimated: the samples come from {serving.nunique()} "
        f"towers ({names}), and each tower's own error (EIRP, tilt) leaves no degree of "
        f"freedom to tell how far the fit may be off; measure at least {MIN_TOWERS} towers"
    )


def _stronger_than_any_tower(pairs: pd.DataFrame, extra_db: np.ndarray) -> np.ndarray:
    """Flag samples paired by prediction that are far stronger than their tower can give.

    Without a cell id a sample is paired with the best predicted tower of its group; one
    measured :data:`STRONGER_DB` above what the group's samples typically show (the
    median of predicted minus measured) most likely hears a tower missing from the file.
    """
    guessed = (pairs["served_by"] != "cell").to_numpy()
    typical = np.median(extra_db)
    spread = 1.4826 * np.median(np.abs(extra_db - typical))
    return guessed & (typical - extra_db > max(STRONGER_DB, 4.0 * spread))


def _censoring(pairs: pd.DataFrame, design: np.ndarray, fit: _Fit) -> str:
    """Say why a group's samples are cut at a floor, or "" when they are not.

    A handset that logs nothing below its sensitivity, or a phone in automatic mode that
    leaves 4G for 2G where 4G weakens, drops the weak samples: the weakest level becomes a
    floor, the fitted slope flattens and the calibrated model is optimistic far out. The
    sign is the share of samples whose calibrated median level lies within
    :data:`CENSORED_SCALES` shadowing scales of the weakest sample: with no floor the
    weakest sample lies 3 or more scales below the weakest medians and the share is 0; cut
    at a handset's -120 dBm or at an automatic-mode switch it was 36-98 % in trials.
    """
    measured = pairs["measured_dbm"].to_numpy()
    floor = float(measured.min())
    calibrated = pairs["predicted_dbm"].to_numpy() - design @ fit.beta
    near = float(np.mean(calibrated <= floor + CENSORED_SCALES * fit.scale))
    if near <= CENSORED_SHARE:
        return ""
    farthest = float(pairs["distance_km"].max())
    return (
        f"censored: {100 * near:.0f}% of the samples are predicted within "
        f"{CENSORED_SCALES * fit.scale:.1f} dB of the weakest one ({floor:.1f} dBm), which "
        "acts as a floor (a handset that logs nothing weaker, or a phone in automatic mode "
        "leaving this technology where it weakens); the fit would flatten the slope and "
        f"be optimistic toward {farthest:.1g} km. Measure with a phone locked to the "
        "technology and log every level"
    )


def _huber(
    design: np.ndarray, y: np.ndarray, start: _Fit | None = None, iterations: int = 50
) -> _Fit:
    """Huber M-estimate of y ~ design by iteratively reweighted least squares.

    Each step solves the weighted normal equations (two unknowns), with the scale from the
    median absolute deviation of the residuals. From `start` (the whole-data fit, for a
    cross-validation fold) the steps begin at its coefficients and keep its scale. Stops
    when the coefficients move less than 10^-5 dB.
    """
    weights = np.ones(len(y))
    beta = _weighted_solution(design, y, weights) if start is None else start.beta
    scale = np.nan
    for _ in range(iterations):
        residuals = y - design @ beta
        scale = (
            1.4826 * np.median(np.abs(residuals - np.median(residuals)))
            if start is None
            else start.scale
        )
        if scale <= 0:
            break
        ratio = np.abs(residuals) / (HUBER_K * scale)
        weights = np.where(ratio <= 1.0, 1.0, 1.0 / np.maximum(ratio, 1e-12))
        updated = _weighted_solution(design, y, weights)
        converged = np.max(np.abs(updated - beta)) < 1e-5
        beta = updated
        if converged:
            break
    return _Fit(beta, weights, y - design @ beta, float(scale))


def _weighted_solution(design: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Solve the weighted normal equations (design' W design) beta = design' W y."""
    weighted = design * weights[:, None]
    return np.linalg.solve(weighted.T @ design, weighted.T @ y)


def _cross_validated_rmse(
    design: np.ndarray, y: np.ndarray, blocks: np.ndarray, folds: int, start: _Fit
) -> float:
    """RMSE of predictions for held-out blocks (blocks dealt to folds in a fixed shuffle).

    Each fold's fit starts from `start`, the fit to all the data, and keeps its scale.
    """
    count = int(blocks.max()) + 1 if len(blocks) else 0
    if count < folds:
        return float("nan")
    fold_of_block = np.random.default_rng(0).permutation(count) % folds
    fold = fold_of_block[blocks]
    errors = np.full(len(y), np.nan)
    for held in range(folds):
        train = fold != held
        if np.ptp(design[train, 1]) == 0:  # one distance left: no slope to learn
            continue
        fit = _huber(design[train], y[train], start)
        errors[~train] = y[~train] - design[~train] @ fit.beta
    known = np.isfinite(errors)
    return float(np.sqrt(np.mean(errors[known] ** 2))) if known.any() else float("nan")
