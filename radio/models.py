"""The registry of path-loss models that the signal engine can use, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from whitespot._errors import InputError
from whitespot.radio.propagation import (
    COST231_RANGE,
    HATA_RANGE,
    RMA_LOS_RANGE,
    RMA_NLOS_RANGE,
    ValidityRange,
    cost231_loss_db,
    free_space_loss_db,
    hata_loss_db,
    rma_los_loss_db,
    rma_nlos_loss_db,
)

LossFunction = Callable[..., np.ndarray]
"""(frequency_mhz, distance_km, base_height_m, mobile_height_m, environment) -> loss dB."""


@dataclass(frozen=True)
class PathLossModel:
    """A path-loss model as the signal engine uses it.

    Attributes
    ----------
    name : str
        Registry name.
    loss_db : callable
        ``loss_db(frequency_mhz, distance_km, base_height_m, mobile_height_m,
        environment)`` -> dB, evaluated with ``extrapolate=True`` once ranges are checked.
    ranges : tuple of ValidityRange
        Validity of frequency and heights (distance is handled by the engine).
    min_distance_km, max_distance_km : float
        Distance validity: nearer pairs are evaluated at ``min_distance_km`` (the loss
        there bounds the loss nearer in), farther pairs are not evaluated unless the
        caller extrapolates.
    description : str
        One line for reports and the settings sheet.
    log_linear : bool
        Whether the loss is A + B log10(d) with A and B fixed per tower (Hata family, free
        space): the engine then evaluates pairs from two per-tower coefficients.
    """

    name: str
    loss_db: LossFunction
    ranges: tuple[ValidityRange, ...]
    min_distance_km: float
    max_distance_km: float
    description: str
    log_linear: bool = False


def _hata_family(f, d, hb, hm, environment):
    """Okumura-Hata up to 1500 MHz, COST-231 Hata from 1500 to 2000 MHz."""
    environment = environment or "open"
    cost_environment = "metropolitan" if environment == "urban_large" else "medium"
    hata = hata_loss_db(f, d, hb, hm, environment=environment, extrapolate=True)
    cost = cost231_loss_db(f, d, hb, hm, environment=cost_environment, extrapolate=True)
    return np.where(np.asarray(f) <= 1500.0, hata, cost)


def _cost231(f, d, hb, hm, environment):
    return cost231_loss_db(f, d, hb, hm, environment=environment or "medium", extrapolate=True)


def _free_space(f, d, hb, hm, environment):
    return free_space_loss_db(f, d)


def _rma_nlos(f, d, hb, hm, environment):
    return rma_nlos_loss_db(f, d, hb, hm, extrapolate=True)


def _rma_los(f, d, hb, hm, environment):
    return rma_los_loss_db(f, d, hb, hm, extrapolate=True)


_HATA_FAMILY_RANGE = (
    ValidityRange("frequency_mhz", HATA_RANGE[0].low, COST231_RANGE[0].high),
    *HATA_RANGE[2:],
)

ITM_ALLOWANCE_DB = 10.0
"""How far below free space ITM's median loss can fall (in-phase ground reflection, 6 dB,
and the climate's median adjustment, up to 3 dB, with a margin): the signal engine bounds
the reach of towers by free space minus this, then computes ITM over each profile."""


def _itm_bound(f, d, hb, hm, environment):
    return free_space_loss_db(f, d) - ITM_ALLOWANCE_DB


ITM_RANGE = (
    ValidityRange("frequency_mhz", 20.0, 20_000.0),
    ValidityRange("base_height_m", 0.5, 3_000.0),
)
"""ITM's frequency and antenna-height validity (NTIA)."""

MODELS: dict[str, PathLossModel] = {
    "free_space": PathLossModel(
        "free_space",
        _free_space,
        (),
        0.001,
        100.0,
        "free space, ITU-R P.525-4 eq. (4)",
        log_linear=True,
    ),
    "hata": PathLossModel(
        "hata",
        _hata_family,
        _HATA_FAMILY_RANGE,
        1.0,
        20.0,
        "Okumura-Hata (150-1500 MHz) and COST-231 Hata (1500-2000 MHz)",
        log_linear=True,
    ),
    "cost231": PathLossModel(
        "cost231",
        _cost231,
        COST231_RANGE[0:1] + COST231_RANGE[2:],
        1.0,
        20.0,
        "COST-231 Hata, COST 231 Final Report eq. (4.4.3)",
        log_linear=True,
    ),
    "rma": PathLossModel(
        "rma",
        _rma_nlos,
        RMA_NLOS_RANGE[0:1] + RMA_NLOS_RANGE[2:],
        0.01,
        5.0,
        "3GPP TR 38.901 rural macro, non-line-of-sight (Table 7.4.1-1)",
    ),
    "rma_los": PathLossModel(
        "rma_los",
        _rma_los,
        RMA_LOS_RANGE[0:1] + RMA_LOS_RANGE[2:],
        0.01,
        10.0,
        "3GPP TR 38.901 rural macro, line-of-sight (Table 7.4.1-1)",
    ),
    "itm": PathLossModel(
        "itm",
        _itm_bound,
        ITM_RANGE,
        0.05,
        20.0,
        "Longley-Rice Irregular Terrain Model (NTIA ITM 1.4), point to point over DEM profiles",
    ),
}
"""Models by name. The terrain model (``"terrain"``) is :data:`MODELS` ``["rma_los"]`` plus
Bullington diffraction over DEM profiles (ITU-R P.526-15 section 4.5.1); ``"itm"`` needs a
DEM too (its ``loss_db`` is only the bound the engine searches with)."""

TERRAIN_MODELS: tuple[str, ...] = ("terrain", "itm")
"""Models that read the DEM's profiles."""

TERRAIN_BASE_MODEL = "rma_los"
"""Base loss of the terrain model: free space is too optimistic near the ground, the RMa
LOS two-slope model carries the ground reflection; diffraction over the DEM is added."""

MODEL_NAMES: tuple[str, ...] = (*MODELS, "terrain")
"""Names accepted by the signal engine."""


def get_model(name: str) -> PathLossModel:
    """Return a model by name (``"terrain"`` returns its base model)."""
    if name not in MODEL_NAMES:
        raise InputError(f"model={name!r} must be one of {', '.join(MODEL_NAMES)}")
    return MODELS[TERRAIN_BASE_MODEL if name == "terrain" else name]
