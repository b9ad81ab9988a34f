"""Path-loss models: pure, vectorized functions of numpy arrays returning loss in dB.

Each model is implemented as its standard prints it, with the equation named in the
docstring, and refuses inputs outside its validity range with a :class:`ModelRangeError`
unless ``extrapolate=True`` is passed. All arguments broadcast against each other.

Constants
---------
Free-space loss uses the exact constant 20 log10(4 pi 10^9 / c) = 32.4478 dB for f in MHz
and d in km (ITU-R P.525-4 eq. 4 rounds it to 32.4 dB; other texts use 32.44 or 32.45).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from whitespot._errors import InputError
from whitespot.radio._errors import ModelRangeError

SPEED_OF_LIGHT_M_S = 299_792_458.0
FREE_SPACE_CONSTANT_DB = 20.0 * np.log10(4.0 * np.pi * 1e9 / SPEED_OF_LIGHT_M_S)
"""20 log10(4 pi / c) for f in MHz and d in km: 32.4478 dB."""

HATA_ENVIRONMENTS = ("urban_large", "urban", "suburban", "open")
"""Okumura-Hata environments: large city, small/medium city, suburban, open (rural) area."""
COST231_ENVIRONMENTS = ("metropolitan", "medium")
"""COST-231 Hata environments: metropolitan centres (C = 3 dB), medium cities (C = 0 dB)."""


@dataclass(frozen=True)
class ValidityRange:
    """The range of one parameter over which a model is defined.

    Attributes
    ----------
    parameter : str
        Name of the argument, with its unit.
    low, high : float
        Inclusive bounds.
    """

    parameter: str
    low: float
    high: float


HATA_RANGE = (
    ValidityRange("frequency_mhz", 150.0, 1500.0),
    ValidityRange("distance_km", 1.0, 20.0),
    ValidityRange("base_height_m", 30.0, 200.0),
    ValidityRange("mobile_height_m", 1.0, 10.0),
)
"""Validity of Okumura-Hata (Hata 1980, section IV)."""

COST231_RANGE = (
    ValidityRange("frequency_mhz", 1500.0, 2000.0),
    ValidityRange("distance_km", 1.0, 20.0),
    ValidityRange("base_height_m", 30.0, 200.0),
    ValidityRange("mobile_height_m", 1.0, 10.0),
)
"""Validity of COST-231 Hata (COST 231 Final Report, section 4.4.3)."""

RMA_LOS_RANGE = (
    ValidityRange("frequency_mhz", 500.0, 30_000.0),
    ValidityRange("distance_km", 0.01, 10.0),
    ValidityRange("base_height_m", 10.0, 150.0),
    ValidityRange("mobile_height_m", 1.0, 10.0),
)
"""Validity of 3GPP TR 38.901 RMa LOS (Table 7.4.1-1, notes)."""

RMA_NLOS_RANGE = (
    ValidityRange("frequency_mhz", 500.0, 30_000.0),
    ValidityRange("distance_km", 0.01, 5.0),
    ValidityRange("base_height_m", 10.0, 150.0),
    ValidityRange("mobile_height_m", 1.0, 10.0),
)
"""Validity of 3GPP TR 38.901 RMa NLOS: as LOS but only up to 5 km."""


def check_range(
    model: str,
    ranges: tuple[ValidityRange, ...],
    values: dict[str, ArrayLike],
    *,
    hint: str = "choose another model or pass extrapolate=True",
) -> None:
    """Raise :class:`ModelRangeError` if any value lies outside its validity range.

    Parameters
    ----------
    model : str
        Model name for the message.
    ranges : tuple of ValidityRange
        The model's validity ranges.
    values : dict
        Argument name -> value(s).
    hint : str, optional
        What would fix it, ending the message.
    """
    for valid in ranges:
        value = np.asarray(values[valid.parameter], dtype=float)
        outside = (value < valid.low) | (value > valid.high)
        if np.any(outside):
            found = value[outside] if value.ndim else value
            raise ModelRangeError(
                f"{model}: {valid.parameter} must be within {valid.low:g}..{valid.high:g}; "
                f"got {np.size(found)} value(s) outside, from {np.min(found):g} to "
                f"{np.max(found):g}; {hint}"
            )


def _checked_inputs(
    model: str,
    ranges: tuple[ValidityRange, ...],
    extrapolate: bool,
    frequency_mhz: ArrayLike,
    distance_km: ArrayLike,
    base_height_m: ArrayLike,
    mobile_height_m: ArrayLike,
) -> tuple[np.ndarray, ...]:
    """Broadcast the inputs of an empirical model and check its validity unless extrapolating."""
    values = np.broadcast_arrays(
        *(
            np.asarray(v, dtype=float)
            for v in (frequency_mhz, distance_km, base_height_m, mobile_height_m)
        )
    )
    if not extrapolate:
        names = ("frequency_mhz", "distance_km", "base_height_m", "mobile_height_m")
        check_range(model, ranges, dict(zip(names, values, strict=True)))
    return tuple(values)


def free_space_loss_db(frequency_mhz: ArrayLike, distance_km: ArrayLike) -> np.ndarray:
    """Free-space basic transmission loss between isotropic antennas.

    L_bf = 20 log10(4 pi d / lambda) (ITU-R P.525-4, eq. 4), here with the exact constant
    :data:`FREE_SPACE_CONSTANT_DB` = 32.4478 dB for f in MHz and d in km.

    Parameters
    ----------
    frequency_mhz : array_like
        Frequency in MHz (> 0).
    distance_km : array_like
        Path length in km (> 0).

    Returns
    -------
    numpy.ndarray
        Loss in dB.

    References
    ----------
    ITU-R P.525-4 (2019), Calculation of free-space attenuation, eq. (4).

    Examples
    --------
    >>> round(float(free_space_loss_db(1000.0, 1.0)), 2)
    92.45
    """
    frequency_mhz = np.asarray(frequency_mhz, dtype=float)
    distance_km = np.asarray(distance_km, dtype=float)
    return FREE_SPACE_CONSTANT_DB + 20.0 * np.log10(frequency_mhz) + 20.0 * np.log10(distance_km)


def hata_mobile_correction_db(
    frequency_mhz: ArrayLike, mobile_height_m: ArrayLike, *, large_city: bool
) -> np.ndarray:
    """Hata's mobile antenna height correction a(h_m).

    Small and medium cities: a(h_m) = (1.1 log f - 0.7) h_m - (1.56 log f - 0.8).
    Large cities: 8.29 (log 1.54 h_m)^2 - 1.1 for f <= 300 MHz and 3.2 (log 11.75 h_m)^2
    - 4.97 above (Hata gives f <= 200 and f >= 400 MHz; the gap is split at 300 MHz).

    Returns
    -------
    numpy.ndarray
        a(h_m) in dB; near zero at h_m = 1.5 m for both city sizes.

    References
    ----------
    M. Hata, "Empirical formula for propagation loss in land mobile radio services",
    IEEE Trans. Veh. Technol. 29(3), 1980, eqs. (4a), (4b), (4b').
    """
    log_f = np.log10(np.asarray(frequency_mhz, dtype=float))
    hm = np.asarray(mobile_height_m, dtype=float)
    if large_city:
        low = 8.29 * np.log10(1.54 * hm) ** 2 - 1.1
        high = 3.2 * np.log10(11.75 * hm) ** 2 - 4.97
        return np.where(log_f <= np.log10(300.0), low, high)
    return (1.1 * log_f - 0.7) * hm - (1.56 * log_f - 0.8)


def _hata_core_db(f: np.ndarray, d: np.ndarray, hb: np.ndarray) -> np.ndarray:
    """Hata's urban loss without a(h_m): the distance, frequency and base-height terms."""
    return (
        69.55
        + 26.16 * np.log10(f)
        - 13.82 * np.log10(hb)
        + (44.9 - 6.55 * np.log10(hb)) * np.log10(d)
    )


def hata_loss_db(
    frequency_mhz: ArrayLike,
    distance_km: ArrayLike,
    base_height_m: ArrayLike,
    mobile_height_m: ArrayLike = 1.5,
    *,
    environment: str = "open",
    extrapolate: bool = False,
) -> np.ndarray:
    """Okumura-Hata median path loss.

    Urban: L_u = 69.55 + 26.16 log f - 13.82 log h_b - a(h_m) + (44.9 - 6.55 log h_b) log d
    (Hata eq. 4). Suburban: L_u - 2 (log(f/28))^2 - 5.4 (eq. 5). Open area: L_u - 4.78
    (log f)^2 + 18.33 log f - 40.94 (eq. 6). Suburban and open areas use the small/medium
    city a(h_m), as Hata defines them; ``"urban_large"`` uses the large-city a(h_m).

    Parameters
    ----------
    frequency_mhz : array_like
        Carrier frequency, 150..1500 MHz.
    distance_km : array_like
        Distance between base and mobile, 1..20 km.
    base_height_m : array_like
        Effective base antenna height, 30..200 m.
    mobile_height_m : array_like, default 1.5
        Mobile antenna height above ground, 1..10 m.
    environment : {"open", "suburban", "urban", "urban_large"}, default "open"
        ``"urban"`` is a small or medium city, ``"urban_large"`` a large city.
    extrapolate : bool, default False
        Compute outside the validity range instead of raising.

    Returns
    -------
    numpy.ndarray
        Median loss in dB.

    Raises
    ------
    ModelRangeError
        If an input is outside its range and `extrapolate` is False.

    References
    ----------
    M. Hata, IEEE Trans. Veh. Technol. 29(3), 317-325, 1980, eqs. (4)-(6); ITU-R P.529-3.
    """
    if environment not in HATA_ENVIRONMENTS:
        raise InputError(f"environment={environment!r} must be one of {HATA_ENVIRONMENTS}")
    f, d, hb, hm = _checked_inputs(
        "Okumura-Hata",
        HATA_RANGE,
        extrapolate,
        frequency_mhz,
        distance_km,
        base_height_m,
        mobile_height_m,
    )
    urban = _hata_core_db(f, d, hb) - hata_mobile_correction_db(
        f, hm, large_city=environment == "urban_large"
    )
    log_f = np.log10(f)
    if environment == "suburban":
        return urban - 2.0 * np.log10(f / 28.0) ** 2 - 5.4
    if environment == "open":
        return urban - 4.78 * log_f**2 + 18.33 * log_f - 40.94
    return urban


def cost231_loss_db(
    frequency_mhz: ArrayLike,
    distance_km: ArrayLike,
    base_height_m: ArrayLike,
    mobile_height_m: ArrayLike = 1.5,
    *,
    environment: str = "medium",
    extrapolate: bool = False,
) -> np.ndarray:
    """COST-231 Hata median path loss (1500-2000 MHz).

    L = 46.3 + 33.9 log f - 13.82 log h_b - a(h_m) + (44.9 - 6.55 log h_b) log d + C_m,
    with C_m = 0 dB for medium-sized cities and suburban centres and 3 dB for metropolitan
    centres. a(h_m) is Hata's: the small/medium-city formula for ``"medium"``, the
    large-city one (3.2 (log 11.75 h_m)^2 - 4.97) for ``"metropolitan"``.

    Parameters
    ----------
    frequency_mhz : array_like
        1500..2000 MHz.
    distance_km : array_like
        1..20 km.
    base_height_m : array_like
        30..200 m.
    mobile_height_m : array_like, default 1.5
        1..10 m.
    environment : {"medium", "metropolitan"}, default "medium"
    extrapolate : bool, default False
        Compute outside the validity range instead of raising.

    Returns
    -------
    numpy.ndarray
        Median loss in dB.

    References
    ----------
    COST Action 231, "Digital mobile radio towards future generation systems", Final
    Report, EUR 18957, 1999, section 4.4.3, eq. (4.4.3).
    """
    if environment not in COST231_ENVIRONMENTS:
        raise InputError(f"environment={environment!r} must be one of {COST231_ENVIRONMENTS}")
    f, d, hb, hm = _checked_inputs(
        "COST-231 Hata",
        COST231_RANGE,
        extrapolate,
        frequency_mhz,
        distance_km,
        base_height_m,
        mobile_height_m,
    )
    metropolitan = environment == "metropolitan"
    return (
        46.3
        + 33.9 * np.log10(f)
        - 13.82 * np.log10(hb)
        - hata_mobile_correction_db(f, hm, large_city=metropolitan)
        + (44.9 - 6.55 * np.log10(hb)) * np.log10(d)
        + (3.0 if metropolitan else 0.0)
    )


RMA_BUILDING_HEIGHT_M = 5.0
"""Average building height h of TR 38.901 RMa (default of its 5..50 m range), m."""
RMA_STREET_WIDTH_M = 20.0
"""Average street width W of TR 38.901 RMa (default of its 5..50 m range), m."""


def rma_breakpoint_m(
    frequency_mhz: ArrayLike, base_height_m: ArrayLike, mobile_height_m: ArrayLike
) -> np.ndarray:
    """RMa breakpoint distance d_BP = 2 pi h_BS h_UT f_c / c (TR 38.901 Table 7.4.1-1, note 5).

    c is 3.0e8 m/s, as TR 38.901 takes it. Returns metres.
    """
    f_hz = np.asarray(frequency_mhz, dtype=float) * 1e6
    return 2.0 * np.pi * np.asarray(base_height_m) * np.asarray(mobile_height_m) * f_hz / 3.0e8


def rma_pl1_db(d3d_m: np.ndarray, fc_ghz: np.ndarray, building_m: float) -> np.ndarray:
    """PL1 of TR 38.901 RMa LOS, dB, d_3D in m and f_c in GHz (arrays or scalars, as above)."""
    h = building_m
    return (
        20.0 * np.log10(40.0 * np.pi * d3d_m * fc_ghz / 3.0)
        + min(0.03 * h**1.72, 10.0) * np.log10(d3d_m)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * np.log10(h) * d3d_m
    )


def rma_los_loss_db(
    frequency_mhz: ArrayLike,
    distance_km: ArrayLike,
    base_height_m: ArrayLike = 35.0,
    mobile_height_m: ArrayLike = 1.5,
    *,
    building_height_m: float = RMA_BUILDING_HEIGHT_M,
    extrapolate: bool = False,
) -> np.ndarray:
    """3GPP TR 38.901 rural macro (RMa) line-of-sight path loss.

    PL1 = 20 log10(40 pi d_3D f_c / 3) + min(0.03 h^1.72, 10) log10(d_3D)
    - min(0.044 h^1.72, 14.77) + 0.002 log10(h) d_3D for 10 m <= d_2D <= d_BP;
    PL2 = PL1(d_BP) + 40 log10(d_3D / d_BP) for d_BP <= d_2D <= 10 km (f_c in GHz, d in m).

    Parameters
    ----------
    frequency_mhz : array_like
        500..30000 MHz.
    distance_km : array_like
        2-D (ground) distance, 0.01..10 km.
    base_height_m : array_like, default 35
        10..150 m.
    mobile_height_m : array_like, default 1.5
        1..10 m.
    building_height_m : float, default 5
        Average building height h, 5..50 m.
    extrapolate : bool, default False
        Compute outside the validity range instead of raising.

    Returns
    -------
    numpy.ndarray
        Loss in dB (without shadow fading).

    References
    ----------
    3GPP TR 38.901 V17.0.0 (2022-03), Table 7.4.1-1, RMa LOS.
    """
    f, d, hb, hm = _checked_inputs(
        "3GPP RMa LOS",
        RMA_LOS_RANGE,
        extrapolate,
        frequency_mhz,
        distance_km,
        base_height_m,
        mobile_height_m,
    )
    fc_ghz = f / 1000.0
    d2d = d * 1000.0
    d3d = np.hypot(d2d, hb - hm)
    breakpoint_m = rma_breakpoint_m(f, hb, hm)
    pl1 = rma_pl1_db(d3d, fc_ghz, building_height_m)
    # Table 7.4.1-1 evaluates PL1 at d_BP itself (not at a 3-D distance), as ns-3 and sionna
    pl2 = rma_pl1_db(breakpoint_m, fc_ghz, building_height_m) + 40.0 * np.log10(d3d / breakpoint_m)
    return np.where(d2d <= breakpoint_m, pl1, pl2)


def rma_nlos_loss_db(
    frequency_mhz: ArrayLike,
    distance_km: ArrayLike,
    base_height_m: ArrayLike = 35.0,
    mobile_height_m: ArrayLike = 1.5,
    *,
    building_height_m: float = RMA_BUILDING_HEIGHT_M,
    street_width_m: float = RMA_STREET_WIDTH_M,
    extrapolate: bool = False,
) -> np.ndarray:
    """3GPP TR 38.901 rural macro (RMa) non-line-of-sight path loss.

    PL = max(PL_RMa-LOS, PL'_RMa-NLOS) with PL'_RMa-NLOS = 161.04 - 7.1 log10(W)
    + 7.5 log10(h) - (24.37 - 3.7 (h / h_BS)^2) log10(h_BS) + (43.42 - 3.1 log10(h_BS))
    (log10(d_3D) - 3) + 20 log10(f_c) - (3.2 (log10(11.75 h_UT))^2 - 4.97),
    for 10 m <= d_2D <= 5 km (f_c in GHz, d in m).

    Parameters
    ----------
    frequency_mhz, distance_km, base_height_m, mobile_height_m, building_height_m
        As :func:`rma_los_loss_db`, but distance only up to 5 km.
    street_width_m : float, default 20
        Average street width W, 5..50 m.
    extrapolate : bool, default False
        Compute outside the validity range instead of raising.

    Returns
    -------
    numpy.ndarray
        Loss in dB (without shadow fading).

    References
    ----------
    3GPP TR 38.901 V17.0.0 (2022-03), Table 7.4.1-1, RMa NLOS.
    """
    f, d, hb, hm = _checked_inputs(
        "3GPP RMa NLOS",
        RMA_NLOS_RANGE,
        extrapolate,
        frequency_mhz,
        distance_km,
        base_height_m,
        mobile_height_m,
    )
    h, w = building_height_m, street_width_m
    d3d = np.hypot(d * 1000.0, hb - hm)
    nlos = rma_nlos_prime_db(d3d, f / 1000.0, hb, hm, h, w)
    los = rma_los_loss_db(f, d, hb, hm, building_height_m=h, extrapolate=True)
    return np.maximum(los, nlos)


def rma_nlos_prime_db(d3d_m, fc_ghz, base_height_m, mobile_height_m, building_m, street_m):
    """PL'_RMa-NLOS of TR 38.901 Table 7.4.1-1, dB, d_3D in m and f_c in GHz.

    Written with arithmetic and ``np.log10`` only, so the same function serves numpy arrays
    here and scalars in the compiled kernel (:mod:`whitespot.radio._kernel`).
    """
    h, w, hb, hm = building_m, street_m, base_height_m, mobile_height_m
    return (
        161.04
        - 7.1 * np.log10(w)
        + 7.5 * np.log10(h)
        - (24.37 - 3.7 * (h / hb) ** 2) * np.log10(hb)
        + (43.42 - 3.1 * np.log10(hb)) * (np.log10(d3d_m) - 3.0)
        + 20.0 * np.log10(fc_ghz)
        - (3.2 * np.log10(11.75 * hm) ** 2 - 4.97)
    )
