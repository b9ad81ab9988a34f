"""The Longley-Rice Irregular Terrain Model (ITM), point-to-point and area mode, compiled.

An implementation of NTIA/ITS's ITM version 1.4 (the algorithm of Hufford, "The ITS
Irregular Terrain Model, version 1.2.2: the Algorithm", 1995, with the structure of NTIA's
C++ release 1.4): the terrain profile gives the horizons, the effective antenna heights
and the terrain irregularity Delta h; the reference attenuation below free space comes
from the line-of-sight (two-ray and extended diffraction), diffraction (knife edge and
Vogler's three-radii smooth earth, weighted by the terrain) and troposcatter regions; the
variability adds the quantiles of time, location and situation for the radio climate.
Tests (``tests/radio/test_itm.py``) hold it to NTIA's published outputs: the QKPFL test
paths (Crystal Palace to Mursley), the point-to-point example of the C++ release and its
area-mode table from 10 to 1,000 km.

Every function here is compiled (Numba) and works on one path; :func:`itm_paths` runs
many paths in parallel.
"""

from __future__ import annotations

import cmath
import math
from dataclasses import dataclass

import numpy as np

from whitespot._errors import InputError
from whitespot._numba import KERNEL_LOCK, njit, prange
from whitespot.data import Terrain
from whitespot.radio._terrain_kernel import _ground_m, _segment_on_dem, dem_arrays, per_path

CLIMATES: dict[str, int] = {
    "equatorial": 1,
    "continental_subtropical": 2,
    "maritime_subtropical": 3,
    "desert": 4,
    "continental_temperate": 5,
    "maritime_temperate_land": 6,
    "maritime_temperate_sea": 7,
}
"""ITM's radio climates and their codes."""

VARIABILITY_MODES: dict[str, int] = {
    "single_message": 0,
    "accidental": 1,
    "mobile": 2,
    "broadcast": 3,
}
"""ITM's modes of variability (``mdvar``); +10 drops location variability (point to point),
+20 situation variability (interference)."""

POLARIZATIONS: dict[str, int] = {"horizontal": 0, "vertical": 1}

ERRORS: dict[int, str] = {
    1: "surface refractivity below 150 N-units",
    2: "surface refractivity above 400 N-units",
    3: "effective earth radius outside 4,000-13,333 km",
    4: "ground impedance out of range (real part <= |imaginary part|)",
}
"""Why ITM returns no loss for a path (its code)."""

_A_0_M = 6370e3
_A_9000_M = 9000e3
_THIRD = 1.0 / 3.0
_AREA, _P2P = 1, 0


@dataclass(frozen=True)
class ItmParameters:
    """ITM's parameters beyond the path, with defaults for Viet Nam.

    Attributes
    ----------
    climate : str, default "equatorial"
        Radio climate (:data:`CLIMATES`). Viet Nam's humid tropical monsoon (8-23 N, mostly
        within a few tens of km of the sea) is closest to ITM's equatorial climate;
        ``"maritime_subtropical"`` is the alternative for the northern coast.
    refractivity_n : float, default 360
        Surface refractivity at sea level N_0, N-units: ITU-R P.453 gives about 350-380
        over Viet Nam (hot, humid air); ITM scales it with the path's mean elevation.
    permittivity : float, default 15
        Relative permittivity of the ground (average ground).
    conductivity_s_m : float, default 0.005
        Ground conductivity, S/m (average ground).
    polarization : str, default "vertical"
        Antenna polarization (:data:`POLARIZATIONS`): mobile networks transmit vertical or
        slant; ITM knows only the two.
    variability : str, default "mobile"
        Mode of variability (:data:`VARIABILITY_MODES`): mobile service.
    time_pct, location_pct, situation_pct : float, default 50
        Quantiles, % (0 < q < 100): 50 gives the median loss. A planner asking for 90 %
        of time and locations sets ``time_pct=90, location_pct=90``.
    """

    climate: str = "equatorial"
    refractivity_n: float = 360.0
    permittivity: float = 15.0
    conductivity_s_m: float = 0.005
    polarization: str = "vertical"
    variability: str = "mobile"
    time_pct: float = 50.0
    location_pct: float = 50.0
    situation_pct: float = 50.0

    def __post_init__(self) -> None:
        for name, table in (
            ("climate", CLIMATES),
            ("polarization", POLARIZATIONS),
            ("variability", VARIABILITY_MODES),
        ):
            if getattr(self, name) not in table:
                raise InputError(
                    f"{name}={getattr(self, name)!r} must be one of {', '.join(table)}"
                )
        for name in ("time_pct", "location_pct", "situation_pct"):
            if not 0.0 < getattr(self, name) < 100.0:
                raise InputError(f"{name}={getattr(self, name)} must be within 0..100 (exclusive)")
        if not 250.0 <= self.refractivity_n <= 400.0:
            raise InputError(f"refractivity_n={self.refractivity_n} must be within 250..400")
        if self.permittivity < 1.0 or self.conductivity_s_m <= 0.0:
            raise InputError("permittivity must be >= 1 and conductivity_s_m > 0")

    def codes(self) -> tuple:
        """Return the parameters as the compiled functions take them."""
        return (
            CLIMATES[self.climate],
            self.refractivity_n,
            POLARIZATIONS[self.polarization],
            self.permittivity,
            self.conductivity_s_m,
            VARIABILITY_MODES[self.variability],
            self.time_pct,
            self.location_pct,
            self.situation_pct,
        )

    def settings(self) -> dict[str, object]:
        """Return the parameters for a settings sheet (read back by :meth:`from_settings`)."""
        return {f"itm_{name}": getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> ItmParameters:
        """Read the parameters :meth:`settings` wrote (missing ones take the defaults)."""
        values: dict[str, object] = {}
        for name, spec in cls.__dataclass_fields__.items():
            text = str(settings.get(f"itm_{name}", "")).strip()
            if text and text != "nan":
                values[name] = text if spec.type == "str" else float(text)
        return cls(**values)


# --- terrain analysis of a profile ------------------------------------------------------


@njit(cache=True)
def _fdim(a: float, b: float) -> float:
    return a - b if a > b else 0.0


@njit(cache=True)
def _least_squares_ends(
    z: np.ndarray, intervals: int, spacing: float, d_start: float, d_end: float
) -> tuple[float, float]:
    """Heights at both ends of the profile of the line fitted to z between two distances."""
    i_start = int(_fdim(d_start / spacing, 0.0))
    i_end = intervals - int(_fdim(intervals, d_end / spacing))
    if i_end <= i_start:
        i_start = int(_fdim(i_start, 1.0))
        i_end = intervals - int(_fdim(intervals, i_end + 1.0))
    length = i_end - i_start
    middle = -0.5 * length
    middle_end = i_end + middle
    total = 0.5 * (z[i_start] + z[i_end])
    scaled = 0.5 * (z[i_start] - z[i_end]) * middle
    for _ in range(2, int(length) + 1):
        i_start += 1
        middle += 1.0
        total += z[i_start]
        scaled += z[i_start] * middle
    total /= length
    scaled = scaled * 12.0 / ((length * length + 2.0) * length)
    return total - scaled * middle_end, total + scaled * (intervals - middle_end)


@njit(cache=True)
def _delta_h_m(z: np.ndarray, intervals: int, spacing: float, d_start: float, d_end: float):
    """Terrain irregularity Delta h: interdecile range of the profile about its fitted line."""
    x_start = d_start / spacing
    x_end = d_end / spacing
    if x_end - x_start < 2.0:
        return 0.0
    p10 = min(max(4, int(0.1 * (x_end - x_start + 8.0))), 25)
    n = 10 * p10 - 5
    p90 = n - p10
    steps = n - 1
    s = np.empty(n)
    x_end = (x_end - x_start) / steps
    i = int(x_start)
    x_start -= float(i + 1.0)
    for j in range(n):
        while x_start > 0.0 and (i + 1) < intervals:
            x_start -= 1.0
            i += 1
        s[j] = z[i + 1] + (z[i + 1] - z[i]) * x_start
        x_start += x_end
    fit_1, fit_2 = _least_squares_ends(s, steps, 1.0, 0.0, float(steps))
    fit_2 = (fit_2 - fit_1) / steps
    diffs = np.empty(n)
    for j in range(n):
        diffs[j] = s[j] - fit_1
        fit_1 += fit_2
    descending = np.sort(diffs)[::-1]
    spread = descending[p10 - 1] - descending[p90]
    return spread / (1.0 - 0.8 * math.exp(-(d_end - d_start) / 50e3))


@njit(cache=True)
def _horizons(z: np.ndarray, intervals: int, spacing: float, a_e: float, h0: float, h1: float):
    """Horizon angles (rad) and distances (m) seen from each terminal."""
    d = intervals * spacing
    z_tx = z[0] + h0
    z_rx = z[intervals] + h1
    theta0 = (z_rx - z_tx) / d - d / (2.0 * a_e)
    theta1 = -(z_rx - z_tx) / d - d / (2.0 * a_e)
    d0 = d
    d1 = d
    d_tx = 0.0
    d_rx = d
    for i in range(1, intervals):
        d_tx += spacing
        d_rx -= spacing
        t_tx = (z[i] - z_tx) / d_tx - d_tx / (2.0 * a_e)
        t_rx = -(z_rx - z[i]) / d_rx - d_rx / (2.0 * a_e)
        if t_tx > theta0:
            theta0, d0 = t_tx, d_tx
        if t_rx > theta1:
            theta1, d1 = t_rx, d_rx
    return theta0, theta1, d0, d1


@njit(cache=True)
def _profile_geometry(z, intervals, spacing, gamma_e, h0, h1):
    """ITM's QuickPfl: horizons, effective heights and Delta h of a profile."""
    d = intervals * spacing
    a_e = 1.0 / gamma_e
    th0, th1, dl0, dl1 = _horizons(z, intervals, spacing, a_e, h0, h1)
    d_start = min(15.0 * h0, 0.1 * dl0)
    d_end = d - min(15.0 * h1, 0.1 * dl1)
    dh = _delta_h_m(z, intervals, spacing, d_start, d_end)
    if dl0 + dl1 > 1.5 * d:
        fit_tx, fit_rx = _least_squares_ends(z, intervals, spacing, d_start, d_end)
        he0 = h0 + _fdim(z[0], fit_tx)
        he1 = h1 + _fdim(z[intervals], fit_rx)
        dl0 = math.sqrt(2.0 * he0 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he0, 5.0)))
        dl1 = math.sqrt(2.0 * he1 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he1, 5.0)))
        combined = dl0 + dl1
        if combined <= d:
            q = (d / combined) ** 2
            he0 *= q
            he1 *= q
            dl0 = math.sqrt(2.0 * he0 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he0, 5.0)))
            dl1 = math.sqrt(2.0 * he1 * a_e) * math.exp(-0.07 * math.sqrt(dh / max(he1, 5.0)))
        q0 = math.sqrt(2.0 * he0 * a_e)
        q1 = math.sqrt(2.0 * he1 * a_e)
        th0 = (0.65 * dh * (q0 / dl0 - 1.0) - 2.0 * he0) / q0
        th1 = (0.65 * dh * (q1 / dl1 - 1.0) - 2.0 * he1) / q1
    else:
        fit_tx, _ = _least_squares_ends(z, intervals, spacing, d_start, 0.9 * dl0)
        he0 = h0 + _fdim(z[0], fit_tx)
        _, fit_rx = _least_squares_ends(z, intervals, spacing, d - 0.9 * dl1, d_end)
        he1 = h1 + _fdim(z[intervals], fit_rx)
    return th0, th1, dl0, dl1, he0, he1, dh


# --- the reference attenuation ----------------------------------------------------------


@njit(cache=True)
def _ground(f_mhz, n_s, pol, eps, sigma):
    """Effective earth curvature (1/m) and the complex ground impedance."""
    gamma_e = 157e-9 * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    ep_r = complex(eps, 18000.0 * sigma / f_mhz)
    z_g = cmath.sqrt(ep_r - 1.0)
    if pol == 1:
        z_g = z_g / ep_r
    return gamma_e, z_g


@njit(cache=True)
def _roughness(d, dh):
    return dh * (1.0 - 0.8 * math.exp(-d / 50e3))


@njit(cache=True)
def _sigma_h(dh):
    return 0.78 * dh * math.exp(-0.5 * dh**0.25)


@njit(cache=True)
def _fresnel(v2):
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(v2) - 1.27 * v2
    return 12.953 + 10.0 * math.log10(v2)


@njit(cache=True)
def _height_gain(x_km, k):
    if x_km < 200.0:
        w = -math.log(k)
        if k < 1e-5 or x_km * w**3 > 5495.0:
            result = -117.0
            if x_km > 1.0:
                result += 17.372 * math.log(x_km)
            return result
        return 2.5e-5 * x_km**2 / k - 8.686 * w - 15.0
    result = 0.05751 * x_km - 4.343 * math.log(x_km)
    if x_km < 2000.0:
        w = 0.0134 * x_km * math.exp(-0.005 * x_km)
        result = (1.0 - w) * result + w * (17.372 * math.log(x_km) - 117.0)
    return result


@njit(cache=True)
def _smooth_earth_db(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    d, f_mhz, a_e, theta_los, dl0, dl1, he0, he1, z_g
):
    """Vogler's three-radii smooth-earth diffraction."""
    theta_nlos = d / a_e - theta_los
    d_ml = dl0 + dl1
    radii = ((d - d_ml) / (d / a_e - theta_los), 0.5 * dl0**2 / he0, 0.5 * dl1**2 / he1)
    lengths_km = (radii[0] * theta_nlos / 1000.0, dl0 / 1000.0, dl1 / 1000.0)
    x = np.empty(3)
    k = np.empty(3)
    for i in range(3):
        c0 = ((4.0 / 3.0) * _A_0_M / radii[i]) ** _THIRD
        k[i] = 0.017778 * c0 * f_mhz ** (-_THIRD) / abs(z_g)
        x[i] = (1.607 - k[i]) * c0**2 * f_mhz**_THIRD * lengths_km[i]
    x[0] += x[1] + x[2]
    g_x = 0.05751 * x[0] - 10.0 * math.log10(x[0])
    return g_x - _height_gain(x[1], k[1]) - _height_gain(x[2], k[2]) - 20.0


@njit(cache=True)
def _diffraction_db(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    d, dl0, dl1, he0, he1, z_g, a_e, dh, h0, h1, mode, theta_los, d_sml, f
):
    """Diffraction loss: knife edge and smooth earth weighted by the terrain, plus clutter."""
    theta_nlos = d / a_e - theta_los
    d_nlos = d - dl0 - dl1
    v1 = 0.0795775 * (f / 47.7) * theta_nlos**2 * dl0 * d_nlos / (d_nlos + dl0)
    v2 = 0.0795775 * (f / 47.7) * theta_nlos**2 * dl1 * d_nlos / (d_nlos + dl1)
    a_k = _fresnel(v1) + _fresnel(v2)
    a_se = _smooth_earth_db(d, f, a_e, theta_los, dl0, dl1, he0, he1, z_g)
    sigma_h = _sigma_h(_roughness(d_sml, dh))
    a_fo = min(15.0, 5.0 * math.log10(1.0 + 1e-5 * h0 * h1 * f * sigma_h))
    q = h0 * h1
    qk = he0 * he1 - q
    if mode == _P2P:
        q += 10.0
    term = math.sqrt(1.0 + qk / q)
    q = (term + (-theta_los * a_e + dl0 + dl1) / d) * min(_roughness(d, dh) * f / 47.7, 6283.2)
    w = 25.1 / (25.1 + math.sqrt(q))
    return w * a_se + (1.0 - w) * a_k + a_fo


@njit(cache=True)
def _line_of_sight_db(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    d, he0, he1, z_g, dh, m_d, a_d0, d_sml, f
):
    """Two-ray loss blended with the extended diffraction line."""
    sigma_h = _sigma_h(_roughness(d, dh))
    wn = f / 47.7
    sin_psi = (he0 + he1) / math.sqrt(d**2 + (he0 + he1) ** 2)
    r_e = (sin_psi - z_g) / (sin_psi + z_g) * math.exp(-min(10.0, wn * sigma_h * sin_psi))
    q = r_e.real**2 + r_e.imag**2
    if q < 0.25 or q < sin_psi:
        r_e = r_e * math.sqrt(sin_psi / q)
    delta_phi = wn * 2.0 * he0 * he1 / d
    if delta_phi > math.pi / 2.0:
        delta_phi = math.pi - (math.pi / 2.0) ** 2 / delta_phi
    rr = complex(math.cos(delta_phi), -math.sin(delta_phi)) + r_e
    a_t = -10.0 * math.log10(rr.real**2 + rr.imag**2)
    a_d = m_d * d + a_d0
    w = 1.0 / (1.0 + f * dh / max(10e3, d_sml))
    return w * a_t + (1.0 - w) * a_d


@njit(cache=True)
def _h0_curve(j, r):
    a = (25.0, 80.0, 177.0, 395.0, 705.0)
    b = (24.0, 45.0, 68.0, 80.0, 105.0)
    return 10.0 * math.log10(1.0 + a[j] * (1.0 / r) ** 4 + b[j] * (1.0 / r) ** 2)


@njit(cache=True)
def _h0(r, eta_s):
    eta_s = min(max(eta_s, 1.0), 5.0)
    i = int(eta_s)
    q = eta_s - i
    result = _h0_curve(i - 1, r)
    if q != 0.0:
        result = (1.0 - q) * result + q * _h0_curve(i, r)
    return result


@njit(cache=True)
def _attenuation_f(td):
    if td <= 10e3:
        return 133.4 + 0.332e-3 * td - 10.0 * math.log10(td)
    if td <= 70e3:
        return 104.6 + 0.212e-3 * td - 2.5 * math.log10(td)
    return 71.8 + 0.157e-3 * td + 5.0 * math.log10(td)


@njit(cache=True)
def _troposcatter_db(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    d, th0, th1, dl0, dl1, he0, he1, a_e, n_s, f, theta_los, h0_prev
):
    """Troposcatter loss and the frequency gain H_0 it used (passed on to the next call)."""
    wn = f / 47.7
    if h0_prev > 15.0:
        h_0 = h0_prev
    else:
        ad = dl0 - dl1
        rr = he1 / he0
        if ad < 0.0:
            ad = -ad
            rr = 1.0 / rr
        theta = th0 + th1 + d / a_e
        r1 = 2.0 * wn * theta * he0
        r2 = 2.0 * wn * theta * he1
        if r1 < 0.2 and r2 < 0.2:
            return 1001.0, h0_prev
        s = (d - ad) / (d + ad)
        q = min(max(0.1, rr / s), 10.0)
        s = max(0.1, s)
        h_cross = (d - ad) * (d + ad) * theta * 0.25 / d
        eta_s = (h_cross / 1.7556e3) * (
            1.0
            + (0.031 - n_s * 2.32e-3 + n_s**2 * 5.67e-6)
            * math.exp(-(min(1.7, h_cross / 8.0e3) ** 6))
        )
        h_00 = (_h0(r1, eta_s) + _h0(r2, eta_s)) / 2.0
        delta = min(h_00, 6.0 * (0.6 - math.log10(max(eta_s, 1.0))) * math.log10(s) * math.log10(q))
        h_0 = max(h_00 + delta, 0.0)
        if eta_s < 1.0:
            root2 = math.sqrt(2.0)
            h_0 = eta_s * h_0 + (1.0 - eta_s) * 10.0 * math.log10(
                ((1.0 + root2 / r1) * (1.0 + root2 / r2)) ** 2 * (r1 + r2) / (r1 + r2 + 2 * root2)
            )
        if h_0 > 15.0 and h0_prev >= 0.0:
            h_0 = h0_prev
    th = d / a_e - theta_los
    loss = (
        _attenuation_f(th * d)
        + 10.0 * math.log10(wn * 47.7 * th**4)
        - 0.1 * (n_s - 301.0) * math.exp(-th * d / 40e3)
        + h_0
    )
    return loss, h_0


@njit(cache=True)
def _c_max(x, y):
    """NTIA's ``MAX(x, y)`` macro, ``x > y ? x : y``: with a NaN it returns `y`, as C does."""
    return x if x > y else y


@njit(cache=True)
def _c_min(x, y):
    """NTIA's ``MIN(x, y)`` macro, ``x < y ? x : y`` (NaN: `y`)."""
    return x if x < y else y


@njit(cache=True)
def _reference_attenuation(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    th0, th1, f, z_g, dl0, dl1, he0, he1, gamma_e, n_s, dh, h0, h1, d, mode
):
    """Longley-Rice reference attenuation below free space (dB), its mode and an error code.

    Modes: 1 line of sight, 2 diffraction, 3 troposcatter.
    """
    a_e = 1.0 / gamma_e
    ds0 = math.sqrt(2.0 * he0 * a_e)
    ds1 = math.sqrt(2.0 * he1 * a_e)
    d_sml = ds0 + ds1
    d_ml = dl0 + dl1
    theta_los = -max(th0 + th1, -d_ml / a_e)
    if n_s < 150.0:
        return math.nan, 0, 1
    if n_s > 400.0:
        return math.nan, 0, 2
    if a_e < 4000000.0 or a_e > 13333333.0:
        return math.nan, 0, 3
    if z_g.real <= abs(z_g.imag):
        return math.nan, 0, 4
    scale = (a_e**2 / f) ** _THIRD
    d3 = _c_max(d_sml, d_ml + 5.0 * scale)
    d4 = d3 + 10.0 * scale
    a3 = _diffraction_db(d3, dl0, dl1, he0, he1, z_g, a_e, dh, h0, h1, mode, theta_los, d_sml, f)
    a4 = _diffraction_db(d4, dl0, dl1, he0, he1, z_g, a_e, dh, h0, h1, mode, theta_los, d_sml, f)
    m_d = (a4 - a3) / (d4 - d3)
    a_d0 = a3 - m_d * d3
    if d < d_sml:
        a_ref = _line_of_sight_region(d, d_sml, d_ml, m_d, a_d0, he0, he1, z_g, dh, f)
        return _c_max(a_ref, 0.0), 1, 0
    a_ref, propagation = _beyond_horizon(
        d, d_sml, d_ml, m_d, a_d0, scale, th0, th1, dl0, dl1, he0, he1, a_e, n_s, f, theta_los
    )
    return _c_max(a_ref, 0.0), propagation, 0  # NaN (a smooth-earth log of < 0) gives 0


@njit(cache=True)
def _line_of_sight_region(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    d, d_sml, d_ml, m_d, a_d0, he0, he1, z_g, dh, f
):
    """Return the reference attenuation within the smooth-earth horizon (A_0 + k ln d)."""
    a_sml = d_sml * m_d + a_d0
    d0 = 0.04 * f * he0 * he1
    if a_d0 >= 0.0:
        d0 = _c_min(d0, 0.5 * d_ml)
        d1 = d0 + 0.25 * (d_ml - d0)
    else:
        d1 = _c_max(-a_d0 / m_d, 0.25 * d_ml)
    a1 = _line_of_sight_db(d1, he0, he1, z_g, dh, m_d, a_d0, d_sml, f)
    flag = False
    k1 = 0.0
    k2 = 0.0
    if d0 < d1:
        a0 = _line_of_sight_db(d0, he0, he1, z_g, dh, m_d, a_d0, d_sml, f)
        q = math.log(d_sml / d0)
        k2 = _c_max(
            0.0,
            ((d_sml - d0) * (a1 - a0) - (d1 - d0) * (a_sml - a0))
            / ((d_sml - d0) * math.log(d1 / d0) - (d1 - d0) * q),
        )
        flag = a_d0 > 0.0 or k2 > 0.0
        if flag:
            k1 = (a_sml - a0 - k2 * q) / (d_sml - d0)
            if k1 < 0.0:
                k1 = 0.0
                k2 = _fdim(a_sml, a0) / q
                if k2 == 0.0:
                    k1 = m_d
    if not flag:
        k1 = _fdim(a_sml, a1) / (d_sml - d1)
        k2 = 0.0
        if k1 == 0.0:
            k1 = m_d
    a_o = a_sml - k1 * d_sml - k2 * math.log(d_sml)
    return a_o + k1 * d + k2 * math.log(d)


@njit(cache=True)
def _beyond_horizon(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    d, d_sml, d_ml, m_d, a_d0, scale, th0, th1, dl0, dl1, he0, he1, a_e, n_s, f, theta_los
):
    """Return the reference attenuation beyond the horizon (diffraction or troposcatter)."""
    d5 = d_ml + 200e3
    d6 = d_ml + 400e3
    a6, h_0 = _troposcatter_db(d6, th0, th1, dl0, dl1, he0, he1, a_e, n_s, f, theta_los, -1.0)
    a5, h_0 = _troposcatter_db(d5, th0, th1, dl0, dl1, he0, he1, a_e, n_s, f, theta_los, h_0)
    if a5 < 1000.0:
        m_s = (a6 - a5) / 200e3
        d_x = _c_max(
            _c_max(d_sml, d_ml + 1.088 * scale * math.log(f)),
            (a5 - a_d0 - m_s * d5) / (m_d - m_s),
        )
        a_s0 = (m_d - m_s) * d_x + a_d0
    else:
        m_s = m_d
        a_s0 = a_d0
        d_x = 10e6
    if d > d_x:
        return m_s * d + a_s0, 3
    return m_d * d + a_d0, 2


# --- variability ------------------------------------------------------------------------


@njit(cache=True)
def _normal_quantile(q):
    """Inverse complementary normal distribution (Abramowitz and Stegun 26.2.23)."""
    x = 1.0 - q if q > 0.5 else q
    t = math.sqrt(-2.0 * math.log(x))
    zeta = ((0.010328 * t + 0.802853) * t + 2.515516) / (
        ((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0
    )
    return -(t - zeta) if q > 0.5 else t - zeta


@njit(cache=True)
def _curve(c1, c2, x1, x2, x3, d_e):
    return (c1 + c2 / (1.0 + ((d_e - x2) / x3) ** 2)) * (d_e / x1) ** 2 / (1.0 + (d_e / x1) ** 2)


_ALL_YEAR = np.array(
    [
        [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
        [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
        [144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3],
        [190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3],
        [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
    ]
)
"""The climates' median curves (Hufford, Algorithm, table 5.1 / TN101 fig. 10.13)."""
_SIGMA_MINUS = np.array(
    [
        [2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51],
        [159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8],
        [762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3],
        [123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3],
        [94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3],
    ]
)
_SIGMA_PLUS = np.array(
    [
        [2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43],
        [102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19],
        [636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3],
        [134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3],
        [95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3],
    ]
)
_DUCTING = np.array(
    [
        [1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518],  # C_D
        [1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282],  # z_D
    ]
)
_FREQUENCY_MINUS = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0],
        [0.0] * 4 + [0.25, 0.0, 0.0],
        [0.0] * 4 + [1.77, 0.0, 0.0],
    ]
)
_FREQUENCY_PLUS = np.array(
    [
        [1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0],
        [0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0],
        [0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0],
    ]
)
_TABLES = (_ALL_YEAR, _SIGMA_MINUS, _SIGMA_PLUS, _DUCTING, _FREQUENCY_MINUS, _FREQUENCY_PLUS)


@njit(cache=True)
def _time_sigma(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    z_t, c, wn, d_e, minus, plus, ducting, f_minus, f_plus
):
    """Return the deviation of time variability at the quantile z_t (with ducting), dB."""
    q = math.log(0.133 * wn)
    g_minus = f_minus[0, c] + f_minus[1, c] / ((f_minus[2, c] * q) ** 2 + 1.0)
    g_plus = f_plus[0, c] + f_plus[1, c] / ((f_plus[2, c] * q) ** 2 + 1.0)
    sigma_minus = _curve(minus[0, c], minus[1, c], minus[2, c], minus[3, c], minus[4, c], d_e)
    sigma_plus = _curve(plus[0, c], plus[1, c], plus[2, c], plus[3, c], plus[4, c], d_e)
    sigma_minus *= g_minus
    sigma_plus *= g_plus
    sigma_ducting = ducting[0, c] * sigma_plus
    if z_t < 0.0:
        return sigma_minus
    if z_t <= ducting[1, c]:
        return sigma_plus
    return sigma_ducting + (sigma_plus - sigma_ducting) * ducting[1, c] / z_t


@njit(cache=True)
def _variability_db(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    time, location, situation, he0, he1, dh, f, d, a_ref, climate, mdvar, tables
):
    """Loss below free space at the asked quantiles of time, location and situation, dB."""
    all_year, minus, plus, ducting, f_minus, f_plus = tables
    z_t = _normal_quantile(time / 100.0)
    z_l = _normal_quantile(location / 100.0)
    z_s = _normal_quantile(situation / 100.0)
    c = climate - 1
    wn = f / 47.7
    d_ex = (
        math.sqrt(2.0 * _A_9000_M * he0)
        + math.sqrt(2.0 * _A_9000_M * he1)
        + (575.7e12 / wn) ** _THIRD
    )
    d_e = 130e3 * d / d_ex if d < d_ex else 130e3 + d - d_ex
    plus20 = mdvar >= 20
    if plus20:
        mdvar -= 20
    sigma_s = 0.0 if plus20 else 5.0 + 3.0 * math.exp(-d_e / 100e3)
    plus10 = mdvar >= 10
    if plus10:
        mdvar -= 10
    v_med = _curve(all_year[0, c], all_year[1, c], all_year[2, c], all_year[3, c],
                   all_year[4, c], d_e)  # fmt: skip
    if mdvar == 0:
        z_t = z_s
        z_l = z_s
    elif mdvar == 1:
        z_l = z_s
    elif mdvar == 2:
        z_l = z_t
    if plus10:
        sigma_l = 0.0
    else:
        rough = _roughness(d, dh)
        sigma_l = 10.0 * wn * rough / (wn * rough + 13.0)
    y_l = sigma_l * z_l
    sigma_t = _time_sigma(z_t, c, wn, d_e, minus, plus, ducting, f_minus, f_plus)
    y_t = sigma_t * z_t
    y_s_sq = sigma_s**2 + y_t**2 / (7.8 + z_s**2) + y_l**2 / (24.0 + z_s**2)
    if mdvar == 0:
        y_r = 0.0
        y_s = math.sqrt(sigma_t**2 + sigma_l**2 + y_s_sq) * z_s
    elif mdvar == 1:
        y_r = y_t
        y_s = math.sqrt(sigma_l**2 + y_s_sq) * z_s
    elif mdvar == 2:
        y_r = math.sqrt(sigma_t**2 + sigma_l**2) * z_t
        y_s = math.sqrt(y_s_sq) * z_s
    else:
        y_r = y_t + y_l
        y_s = math.sqrt(y_s_sq) * z_s
    result = a_ref - v_med - y_r - y_s
    if result < 0.0:
        result = result * (29.0 - result) / (29.0 - 10.0 * result)
    return result


@njit(cache=True)
def _free_space_db(d, f):
    return 32.45 + 20.0 * math.log10(f) + 20.0 * math.log10(d / 1000.0)


# --- the two modes ----------------------------------------------------------------------


@njit(cache=True)
def _p2p_db(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    z, intervals, spacing, h0, h1, f, params, h_sys, tables
):
    """Return the loss over one profile (ITM_P2P_TLS), its mode and error code."""
    climate, n_0, pol, eps, sigma, mdvar, time, location, situation = params
    if math.isnan(h_sys):
        p10 = int(0.1 * intervals)
        h_sys = 0.0
        for i in range(p10, intervals - p10 + 1):
            h_sys += z[i]
        h_sys /= intervals - 2 * p10 + 1
    n_s = n_0 if h_sys == 0.0 else n_0 * math.exp(-h_sys / 9460.0)
    gamma_e, z_g = _ground(f, n_s, pol, eps, sigma)
    th0, th1, dl0, dl1, he0, he1, dh = _profile_geometry(z, intervals, spacing, gamma_e, h0, h1)
    d = intervals * spacing
    a_ref, mode, error = _reference_attenuation(
        th0, th1, f, z_g, dl0, dl1, he0, he1, gamma_e, n_s, dh, h0, h1, d, _P2P
    )
    if error:
        return math.nan, mode, error
    below = _variability_db(time, location, situation, he0, he1, dh, f, d, a_ref, climate,
                            mdvar, tables)  # fmt: skip
    return _free_space_db(d, f) + below, mode, 0


@njit(cache=True)
def _area_db(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    d, h0, h1, siting0, siting1, dh, f, params, tables
):
    """Return the loss in area mode (ITM_AREA_TLS), its mode and error code."""
    climate, n_0, pol, eps, sigma, mdvar, time, location, situation = params
    gamma_e, z_g = _ground(f, n_0, pol, eps, sigma)
    he = np.empty(2)
    dl = np.empty(2)
    th = np.empty(2)
    heights = (h0, h1)
    sitings = (siting0, siting1)
    for i in range(2):
        h = heights[i]
        siting = sitings[i]
        if siting == 0:
            he[i] = h
        else:
            b = 4.0 if siting == 1 else 9.0
            if h < 5.0:
                b *= math.sin(0.1 * math.pi * h)
            he[i] = h + (1.0 + b) * math.exp(-min(20.0, 2.0 * h / max(1e-3, dh)))
        d_ls = math.sqrt(2.0 * he[i] / gamma_e)
        dl[i] = d_ls * math.exp(-0.07 * math.sqrt(dh / max(he[i], 5.0)))
        th[i] = (0.65 * dh * (d_ls / dl[i] - 1.0) - 2.0 * he[i]) / d_ls
    a_ref, mode, error = _reference_attenuation(
        th[0], th[1], f, z_g, dl[0], dl[1], he[0], he[1], gamma_e, n_0, dh, h0, h1, d, _AREA
    )
    if error:
        return math.nan, mode, error
    below = _variability_db(time, location, situation, he[0], he[1], dh, f, d, a_ref, climate,
                            mdvar, tables)  # fmt: skip
    return _free_space_db(d, f) + below, mode, 0


HEIGHT_LIMITS_M = (0.5, 3000.0)
FREQUENCY_LIMITS_MHZ = (20.0, 20000.0)
"""ITM's input limits (NTIA ValidateInputs): outside them it returns an error, not a loss."""


def check_itm_inputs(tx_height_m: float, rx_height_m: float, frequency_mhz: float) -> None:
    """Refuse terminal heights and frequencies outside ITM's limits, as NTIA's code does.

    Raises
    ------
    InputError
        Naming the value and the limits (0.5-3,000 m, 20-20,000 MHz).
    """
    low, high = HEIGHT_LIMITS_M
    for name, value in (("tx_height_m", tx_height_m), ("rx_height_m", rx_height_m)):
        if not low <= value <= high:
            raise InputError(f"ITM: {name}={value} outside its limits, {low:g}-{high:,.0f} m")
    low, high = FREQUENCY_LIMITS_MHZ
    if not low <= frequency_mhz <= high:
        raise InputError(
            f"ITM: frequency_mhz={frequency_mhz} outside its limits, {low:g}-{high:,.0f} MHz"
        )


def itm_p2p_loss_db(
    profile_m: np.ndarray,
    spacing_m: float,
    tx_height_m: float,
    rx_height_m: float,
    frequency_mhz: float,
    parameters: ItmParameters | None = None,
    *,
    system_height_m: float | None = None,
) -> tuple[float, int]:
    """Return the basic transmission loss of a path over its profile (ITM point-to-point).

    Parameters
    ----------
    profile_m : numpy.ndarray
        Ground heights above sea level at equal steps from the transmitter (first) to the
        receiver (last), m; at least 3.
    spacing_m : float
        Distance between samples, m.
    tx_height_m, rx_height_m : float
        Antenna heights above ground, m.
    frequency_mhz : float
        Frequency, MHz (ITM: 20-20,000).
    parameters : ItmParameters, optional
        Climate, refractivity, ground, polarization, variability; default
        ``ItmParameters()`` (Viet Nam).
    system_height_m : float, optional
        Mean elevation of the path that scales the refractivity; default: ITM's, the mean
        of the profile without its first and last 10 %.

    Returns
    -------
    loss_db : float
        Basic transmission loss, dB.
    mode : int
        1 line of sight, 2 diffraction, 3 troposcatter.

    Raises
    ------
    ValueError
        When ITM returns an error for the path (:data:`ERRORS`).
    """
    parameters = parameters or ItmParameters()
    check_itm_inputs(tx_height_m, rx_height_m, frequency_mhz)
    profile = np.ascontiguousarray(profile_m, dtype=float)
    h_sys = math.nan if system_height_m is None else float(system_height_m)
    loss, mode, error = _p2p_db(profile, len(profile) - 1, float(spacing_m), float(tx_height_m),
                                float(rx_height_m), float(frequency_mhz), parameters.codes(),
                                h_sys, _TABLES)  # fmt: skip
    if error:
        raise InputError(f"ITM: {ERRORS[error]}")
    return float(loss), int(mode)


def itm_area_loss_db(
    distance_km: float,
    tx_height_m: float,
    rx_height_m: float,
    delta_h_m: float,
    frequency_mhz: float,
    parameters: ItmParameters | None = None,
    *,
    siting: tuple[int, int] = (0, 0),
) -> tuple[float, int]:
    """Return the basic transmission loss in ITM's area mode (terrain by its Delta h).

    Parameters
    ----------
    distance_km : float
        Path length, km.
    tx_height_m, rx_height_m : float
        Antenna heights above ground, m.
    delta_h_m : float
        Terrain irregularity, m (0 smooth earth, 90 hills, 200 mountains).
    frequency_mhz : float
        Frequency, MHz.
    parameters : ItmParameters, optional
        As :func:`itm_p2p_loss_db`.
    siting : tuple of 2 int, default (0, 0)
        Siting criteria of the terminals: 0 random, 1 careful, 2 very careful.

    Returns
    -------
    loss_db : float
        Basic transmission loss, dB.
    mode : int
        1 line of sight, 2 diffraction, 3 troposcatter.
    """
    parameters = parameters or ItmParameters()
    check_itm_inputs(tx_height_m, rx_height_m, frequency_mhz)
    if not distance_km > 0:
        raise InputError(f"ITM area mode: distance_km={distance_km} must be > 0")
    if not delta_h_m >= 0:
        raise InputError(f"ITM area mode: delta_h_m={delta_h_m} must be >= 0")
    if any(s not in (0, 1, 2) for s in siting):
        raise InputError(f"ITM area mode: siting={siting} must be 0, 1 or 2 for each terminal")
    loss, mode, error = _area_db(distance_km * 1000.0, float(tx_height_m), float(rx_height_m),
                                 int(siting[0]), int(siting[1]), float(delta_h_m),
                                 float(frequency_mhz), parameters.codes(), _TABLES)  # fmt: skip
    if error:
        raise InputError(f"ITM: {ERRORS[error]}")
    return float(loss), int(mode)


@njit(parallel=True, cache=True)
def _paths_db(profiles, lengths, spacing, h0, h1, f, params, tables):
    size = len(lengths)
    loss = np.full(size, np.nan)
    modes = np.zeros(size, dtype=np.int64)
    for p in prange(size):
        n = lengths[p]
        loss[p], modes[p], _ = _p2p_db(profiles[p, :n], n - 1, spacing[p], h0[p], h1[p], f[p],
                                       params, math.nan, tables)  # fmt: skip
    return loss, modes


def itm_paths(
    profiles_m: np.ndarray,
    samples: np.ndarray,
    spacing_m: np.ndarray,
    tx_height_m: np.ndarray,
    rx_height_m: np.ndarray,
    frequency_mhz: np.ndarray,
    parameters: ItmParameters,
) -> tuple[np.ndarray, np.ndarray]:
    """ITM point-to-point loss of many paths at once (compiled, in parallel).

    Parameters
    ----------
    profiles_m : numpy.ndarray, shape (n_paths, max_samples)
        Each row a profile from transmitter to receiver; only its first ``samples`` values
        count.
    samples : numpy.ndarray of int, shape (n_paths,)
        Samples of each profile (ends included).
    spacing_m, tx_height_m, rx_height_m, frequency_mhz : numpy.ndarray, shape (n_paths,)

    Returns
    -------
    loss_db : numpy.ndarray
        Basic transmission loss, dB (NaN where ITM refuses the path).
    mode : numpy.ndarray of int
        1 line of sight, 2 diffraction, 3 troposcatter (0 where refused).
    """
    count = len(samples)
    with KERNEL_LOCK:
        return _paths_db(
            np.ascontiguousarray(profiles_m, dtype=float),
            np.asarray(samples, dtype=np.int64),
            per_path(spacing_m, count),
            per_path(tx_height_m, count),
            per_path(rx_height_m, count),
            per_path(frequency_mhz, count),
            parameters.codes(),
            _TABLES,
        )


MIN_PROFILE_INTERVALS = 10
MAX_PROFILE_INTERVALS = 600
"""A path's profile has one interval per DEM cell of its length, within these bounds."""


@njit(parallel=True, cache=True)
def _dem_paths(  # noqa: PLR0913, PLR0917 - one flat signature for the compiler
    elevation, inverse, start_xy, end_xy, cell_m, h0, h1, f, params, tables
):
    size = len(h0)
    loss = np.full(size, np.nan)
    missing = np.zeros(size, dtype=np.bool_)
    for p in prange(size):
        on, row0, col0, row1, col1 = _segment_on_dem(elevation, inverse, start_xy, end_xy, p)
        if not on:
            missing[p] = True
            continue
        d = math.hypot(end_xy[p, 0] - start_xy[p, 0], end_xy[p, 1] - start_xy[p, 1])
        intervals = min(max(math.ceil(d / cell_m), MIN_PROFILE_INTERVALS), MAX_PROFILE_INTERVALS)
        z = np.empty(intervals + 1)
        for i in range(intervals + 1):
            t = i / intervals
            z[i] = _ground_m(elevation, row0 + (row1 - row0) * t, col0 + (col1 - col0) * t)
            if math.isnan(z[i]):
                missing[p] = True
        if missing[p]:
            continue
        loss[p], _, _ = _p2p_db(z, intervals, max(d, 1.0) / intervals, h0[p], h1[p], f[p],
                                params, math.nan, tables)  # fmt: skip
    return loss, missing


def itm_dem_paths(
    ground: Terrain,
    start_xy: np.ndarray,
    end_xy: np.ndarray,
    tx_height_m: np.ndarray,
    rx_height_m: float,
    frequency_mhz: np.ndarray,
    parameters: ItmParameters,
) -> tuple[np.ndarray, np.ndarray]:
    """ITM point-to-point loss of each path over the DEM, profiles read where they fall.

    Each path's profile has one interval per DEM cell of its length (10 to 600), read
    bilinearly as :func:`~whitespot.radio._terrain.sample_terrain` reads the DEM.

    Returns
    -------
    loss_db : numpy.ndarray
        Basic transmission loss, dB (NaN where the path leaves the DEM or ITM refuses it).
    missing : numpy.ndarray of bool
        Paths that leave the DEM or cross no-data cells.
    """
    count = len(start_xy)
    with KERNEL_LOCK:
        return _dem_paths(
            *dem_arrays(ground),
            np.ascontiguousarray(start_xy, dtype=float),
            np.ascontiguousarray(end_xy, dtype=float),
            abs(ground.transform.a),
            per_path(tx_height_m, count),
            per_path(rx_height_m, count),
            per_path(frequency_mhz, count),
            parameters.codes(),
            _TABLES,
        )
