"""The receiver's side of a setup: location probability, clutter and building entry loss.

What a tender states beside the threshold (a location probability, indoors or outdoors, the
clutter around the receiver) becomes, per tower, a constant number of dB taken from the
level the tower gives (:func:`tower_receiver_db`): the P.2108 terminal correction and the
P.2109 building entry loss depend on the tower's frequency and the receiver only, the
location margin on the variability of the tower's network. The P.2108 statistical loss
depends on the path length, and is added per pair by the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from whitespot.data._problems import format_ids
from whitespot.radio._errors import ModelRangeError, SetupError
from whitespot.radio.building_entry import (
    BUILDING_TYPES,
    P2109_RANGE,
    p2109_building_entry_loss_db,
)
from whitespot.radio.clutter import (
    CLUTTER_HEIGHTS_M,
    CLUTTER_TYPES,
    P2108_STATISTICAL_RANGE,
    P2108_TERMINAL_RANGE,
    STATISTICAL_LEAST_KM,
    p2108_terminal_loss_db,
)
from whitespot.radio.location import default_location_sigma_db, location_margin_db
from whitespot.radio.propagation import ValidityRange

if TYPE_CHECKING:
    from whitespot.radio.setup import SignalSetup

INDOOR_MODELS = ("p2109", "fixed")
"""How households are judged indoors: ITU-R P.2109-2, or the budget's fixed building loss."""


def check_receiver(setup: SignalSetup) -> None:
    """Refuse receiver options that cannot apply (:class:`SetupError` naming the option)."""
    if not 0.0 < setup.location_probability < 1.0:
        raise SetupError(
            f"location_probability={setup.location_probability} must lie strictly between 0 "
            "and 1 (0.5 is the median prediction, 0.9 a 90 % cell-edge probability)"
        )
    if setup.location_sigma_db is not None and not setup.location_sigma_db >= 0.0:
        raise SetupError(f"location_sigma_db={setup.location_sigma_db} must be >= 0 dB")
    if setup.clutter is not None and setup.clutter not in CLUTTER_TYPES:
        raise SetupError(
            f"clutter={setup.clutter!r} must be one of {', '.join(CLUTTER_TYPES)} "
            "(ITU-R P.2108-1 Table 3) or None"
        )
    if setup.clutter is not None and setup.clutter_percent is not None:
        raise SetupError(
            "clutter (P.2108 section 3.1) and clutter_percent (section 3.2) both correct the "
            "receiver's end for its clutter: choose one"
        )
    if setup.clutter_percent is not None and not 0.0 < setup.clutter_percent < 100.0:
        raise SetupError(f"clutter_percent={setup.clutter_percent} must lie within 0..100")
    if setup.indoor is not None and setup.indoor not in INDOOR_MODELS:
        raise SetupError(f"indoor={setup.indoor!r} must be one of {', '.join(INDOOR_MODELS)}")
    if not 0.0 < setup.indoor_percent < 100.0:
        raise SetupError(f"indoor_percent={setup.indoor_percent} must lie within 0..100")
    if setup.building not in BUILDING_TYPES:
        raise SetupError(f"building={setup.building!r} must be one of {', '.join(BUILDING_TYPES)}")


def moves_margin(setup: SignalSetup) -> bool:
    """Whether the location probability asks for a margin (it is not the median)."""
    return setup.location_probability != 0.5


def tower_sigma_db(setup: SignalSetup, operator: np.ndarray, technology: np.ndarray) -> np.ndarray:
    """Location variability of each tower's network, dB.

    The setup's `location_sigma_db` when given; else the calibration's residual spread of
    the tower's group; else the model's default (:data:`~whitespot.radio.location.
    LOCATION_SIGMA_DB`).
    """
    if setup.location_sigma_db is not None:
        return np.full(len(operator), float(setup.location_sigma_db))
    sigma = np.full(len(operator), default_location_sigma_db(setup.model, setup.environment)[0])
    if setup.calibration is not None:
        spread = setup.calibration.residual_sigma_db(operator, technology)
        sigma = np.where(np.isnan(spread), sigma, spread)
    return sigma


def tower_receiver_db(
    setup: SignalSetup,
    tower_ids: np.ndarray,
    operator: np.ndarray,
    technology: np.ndarray,
    frequency_mhz: np.ndarray,
    *,
    indoors: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Return what the receiver takes from each tower's level, dB, and its network's sigma.

    Parameters
    ----------
    setup : SignalSetup
        The setup (its outdoor budget, :meth:`SignalSetup.outdoors`, is the engine's).
    tower_ids, operator, technology, frequency_mhz : numpy.ndarray
        The towers, in the engine's order.
    indoors : bool, default False
        Add the building entry loss of ``setup.indoor``.

    Returns
    -------
    loss_db : numpy.ndarray
        P.2108-1 section 3.1 terminal correction + location margin (+ building entry
        loss indoors), dB, per tower.
    sigma_db : numpy.ndarray
        Location variability of each tower's network, dB.

    Raises
    ------
    ModelRangeError
        Towers whose frequency lies outside a recommendation's range, naming them.
    """
    loss = np.zeros(len(tower_ids))
    sigma = tower_sigma_db(setup, operator, technology)
    if moves_margin(setup):
        loss += location_margin_db(setup.location_probability, sigma)
    if setup.clutter is not None:
        _refuse_towers(
            "ITU-R P.2108-1 section 3.1", P2108_TERMINAL_RANGE[0], tower_ids, frequency_mhz
        )
        loss += p2108_terminal_loss_db(
            frequency_mhz,
            setup.budget.mobile_height_m,
            setup.clutter,
            street_width_m=setup.street_width_m,
            clutter_height_m=setup.clutter_height_m,
        )
    if setup.clutter_percent is not None:  # the per-pair loss is the engine's; check here
        _refuse_towers(
            "ITU-R P.2108-1 section 3.2", P2108_STATISTICAL_RANGE[0], tower_ids, frequency_mhz
        )
    if indoors:
        loss += indoor_loss_db(setup, tower_ids, frequency_mhz)
    return loss, sigma


def indoor_loss_db(
    setup: SignalSetup, tower_ids: np.ndarray, frequency_mhz: np.ndarray
) -> np.ndarray:
    """Return the building entry loss from each tower, dB: P.2109-2 at elevation 0, or fixed."""
    if setup.indoor == "fixed":
        return np.full(len(tower_ids), float(setup.budget.building_loss_db))
    _refuse_towers("ITU-R P.2109-2", P2109_RANGE[0], tower_ids, frequency_mhz)
    return np.broadcast_to(
        p2109_building_entry_loss_db(frequency_mhz, 0.0, setup.indoor_percent, setup.building),
        len(tower_ids),
    ).astype(float)


def _refuse_towers(
    recommendation: str,
    valid: ValidityRange,
    tower_ids: np.ndarray,
    frequency_mhz: np.ndarray,
) -> None:
    """Refuse towers whose frequency lies outside the recommendation's range, naming them."""
    low, high = valid.low, valid.high
    frequency_ghz = np.asarray(frequency_mhz, dtype=float) / 1000.0
    outside = (frequency_ghz < low) | (frequency_ghz > high)
    if outside.any():
        found = ", ".join(f"{v:g}" for v in np.unique(frequency_ghz[outside] * 1000.0)[:5])
        raise ModelRangeError(
            f"{recommendation} is valid for {low:g}-{high:g} GHz; {outside.sum():,} towers "
            f"(ids: {format_ids(list(tower_ids[outside]))}) transmit at {found} MHz: the "
            "recommendation gives no value there and whitespot does not extrapolate (leave "
            "the option off, or hear only other technologies)"
        )


def receiver_settings(setup: SignalSetup) -> dict[str, object]:
    """Return the receiver options as settings entries; none when all are at their defaults."""
    out: dict[str, object] = {}
    if setup.location_stated:
        out["location_probability"] = setup.location_probability
        out["location_sigma_db"] = (
            "" if setup.location_sigma_db is None else setup.location_sigma_db
        )
        out["location_sigma"] = _sigma_text(setup)
        sigma = setup.location_sigma_db
        if sigma is None:
            sigma = default_location_sigma_db(setup.model, setup.environment)[0]
        out["location_rule"] = (
            "a place is covered when its median margin is at least z(p) x sigma "
            f"({float(location_margin_db(setup.location_probability, sigma)):.2f} dB at "
            f"sigma {sigma:g} dB); area coverage of the serving cell by Jakes-Reudink "
            "(Rappaport, Wireless Communications, eq. 4.82)"
        )
    if setup.clutter is not None:
        height = setup.clutter_height_m or CLUTTER_HEIGHTS_M[setup.clutter]
        out["clutter_model"] = (
            f"ITU-R P.2108-1 section 3.1 height-gain terminal correction: {setup.clutter}, "
            f"clutter height {height:g} m, street width {setup.street_width_m:g} m, "
            f"receiver {setup.budget.mobile_height_m:g} m (0.03-3 GHz)"
        )
        out["clutter_type"] = setup.clutter
        out["clutter_height_m"] = "" if setup.clutter_height_m is None else setup.clutter_height_m
        out["street_width_m"] = setup.street_width_m
    if setup.clutter_percent is not None:
        out["clutter_model"] = (
            "ITU-R P.2108-1 section 3.2 terrestrial statistical clutter loss not exceeded at "
            f"{setup.clutter_percent:g} % of locations (0.5-67 GHz; paths under "
            f"{STATISTICAL_LEAST_KM:g} km take its value at {STATISTICAL_LEAST_KM:g} km)"
        )
        out["clutter_percent"] = setup.clutter_percent
    if setup.indoor is not None:
        out["receiver"] = "indoor"
        out["indoor"] = setup.indoor
        out["indoor_model"] = (
            f"ITU-R P.2109-2 building entry loss, {setup.building.replace('_', ' ')} "
            f"buildings, horizontal path (elevation 0), not exceeded at "
            f"{setup.indoor_percent:g} % (0.08-100 GHz)"
            if setup.indoor == "p2109"
            else f"fixed building entry loss of {setup.budget.building_loss_db:g} dB"
        )
        out["indoor_percent"] = setup.indoor_percent
        out["building_type"] = setup.building
    return out


def _sigma_text(setup: SignalSetup) -> str:
    if setup.location_sigma_db is not None:
        return f"{setup.location_sigma_db:g} dB (given)"
    sigma, source = default_location_sigma_db(setup.model, setup.environment)
    default = f"{sigma:g} dB ({source})"
    if setup.calibration is None:
        return default
    return (
        "the calibration's residual spread (RMSE after correction) per operator x "
        f"technology where a group is fitted, else {default}"
    )


def receiver_from_settings(settings: Mapping[str, object]) -> dict[str, object]:
    """Return the receiver options a gap list's settings record (as written or as text)."""

    def given(name: str) -> str:
        text = str(settings.get(name, "")).strip()
        return "" if text in ("nan", "None") else text

    out: dict[str, object] = {}
    if given("location_probability"):
        out["location_probability"] = float(given("location_probability"))
    if given("location_sigma_db"):
        out["location_sigma_db"] = float(given("location_sigma_db"))
    if given("clutter_type"):
        out["clutter"] = given("clutter_type")
        out["street_width_m"] = float(given("street_width_m") or 27.0)
        if given("clutter_height_m"):
            out["clutter_height_m"] = float(given("clutter_height_m"))
    if given("clutter_percent"):
        out["clutter_percent"] = float(given("clutter_percent"))
    if given("indoor"):
        out["indoor"] = given("indoor")
        out["indoor_percent"] = float(given("indoor_percent") or 50.0)
        out["building"] = given("building_type") or "traditional"
    return out
