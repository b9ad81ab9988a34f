"""ITM (Longley-Rice) against NTIA/ITS's published outputs, to 0.1 dB.

References:

- QKPFL tests 1 and 2 ("path 2200" and "path 1979", Crystal Palace to Mursley, England):
  the sample output of NTIA/ITS's ITM distribution (qkpfldat.txt / qkpflanx.txt): 77.8 km,
  156 intervals, N_s = 314 (no elevation scaling), climate 5, horizontal polarization,
  mode of variability 12, quantiles of reliability 1-99 % at confidence 50/90/10 %.
- The point-to-point example of NTIA's C++ release 1.4 (github.com/NTIA/itm,
  tests/cmd_examples: pfl.txt, o_p2ptls.txt, o_p2pcr_tbl.txt): 3.635 km at 3,500 MHz.
- Its area-mode examples (o_areatls.txt, o_areacr_tbl.txt): 10 km over Delta h = 20 m,
  and 3 m antennas at 10 GHz from 10 to 1,000 km (line of sight, diffraction and
  troposcatter).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from whitespot._errors import InputError
from whitespot.data import metric_crs, validate_households, validate_towers
from whitespot.data._crs import projected_xy
from whitespot.radio import ItmParameters, SetupError, SignalSetup, predict_signal
from whitespot.radio import itm as itm_module
from whitespot.radio._terrain import sample_terrain
from whitespot.radio.itm import itm_area_loss_db, itm_p2p_loss_db, itm_paths

CRYSTAL_PALACE_TO_MURSLEY = [
    96, 84, 65, 46, 46, 46, 61, 41, 33, 27, 23, 19, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 17, 19, 21, 23, 25, 27, 29, 35, 46, 41, 35, 30, 33, 35, 37, 40, 35, 30, 51, 62,
    76, 46, 46, 46, 46, 46, 46, 50, 56, 67, 106, 83, 95, 112, 137, 137, 76, 103, 122, 122,
    83, 71, 61, 64, 67, 71, 74, 77, 79, 86, 91, 83, 76, 68, 63, 76, 107, 107, 107, 119, 127,
    133, 135, 137, 142, 148, 152, 152, 107, 137, 104, 91, 99, 120, 152, 152, 137, 168, 168,
    122, 137, 137, 170, 183, 183, 187, 194, 201, 192, 152, 152, 166, 177, 198, 156, 127, 116,
    107, 104, 101, 98, 95, 103, 91, 97, 102, 107, 107, 107, 103, 98, 94, 91, 105, 122, 122,
    122, 122, 122, 137, 137, 137, 137, 137, 137, 137, 137, 140, 144, 147, 150, 152, 159,
]  # fmt: skip
QKPFL = {
    "path 2200, 41.5 MHz": (41.5, 143.9, 8.5, [
        [128.6, 137.6, 119.6], [132.2, 140.8, 123.5], [135.8, 144.3, 127.2],
        [138.0, 146.5, 129.4], [139.7, 148.4, 131.0]]),
    "path 1979, 573.3 MHz": (573.3, 194.0, 9.1, [
        [144.3, 154.1, 134.4], [150.9, 159.5, 142.3], [157.6, 165.7, 149.4],
        [161.6, 169.9, 153.3], [164.9, 173.6, 156.2]]),
}  # fmt: skip
"""Rows: reliability 1, 10, 50, 90, 99 %; columns: confidence 50, 90, 10 %."""

NTIA_PFL = [1692, 1692] + [1693] * 6 + [1694] * 9 + [1695] * 8 + [1696] * 6 + [1697] * 10 + \
    [1698] * 10 + [1699] * 6 + [1700] * 7 + [1701] * 6 + [1702] * 8 + [1703] * 9 + \
    [1704] * 8 + [1705] * 10 + [1706] * 9 + [1707] * 7 + [1708] * 8 + [1709] * 5 + \
    [1710] * 8 + [1709]  # fmt: skip
"""NTIA's tests/cmd_examples/pfl.txt: 142 intervals of 25.6 m."""

TEMPERATE = {"climate": "continental_temperate", "refractivity_n": 301.0}


def test_the_ntia_profile_is_the_published_one():
    assert len(NTIA_PFL) == 143 and NTIA_PFL[0] == 1692 and NTIA_PFL[-2:] == [1710, 1709]
    assert len(CRYSTAL_PALACE_TO_MURSLEY) == 157


@pytest.mark.parametrize("path", list(QKPFL))
def test_qkpfl_paths_match_the_published_quantiles(path):
    frequency, tx_m, rx_m, table = QKPFL[path]
    profile = np.array(CRYSTAL_PALACE_TO_MURSLEY, dtype=float)
    got = np.empty((5, 3))
    for r, reliability in enumerate((1, 10, 50, 90, 99)):
        for c, confidence in enumerate((50, 90, 10)):
            parameters = ItmParameters(
                climate="continental_temperate",
                refractivity_n=314.0,
                polarization="horizontal",
                variability="mobile",
                time_pct=reliability,
                situation_pct=confidence,
            )
            codes = list(parameters.codes())
            codes[5] = 12  # mobile + 10: point to point, no location variability
            got[r, c], _, error = itm_module._p2p_db(
                profile, 156, 77_800.0 / 156, tx_m, rx_m, frequency, tuple(codes), 0.0,
                itm_module._TABLES,
            )  # fmt: skip
            assert error == 0
    np.testing.assert_allclose(got, table, atol=0.1)


def test_ntia_point_to_point_example():
    parameters = ItmParameters(**TEMPERATE, variability="accidental")
    loss, mode = itm_p2p_loss_db(np.array(NTIA_PFL, float), 25.6, 15.0, 3.0, 3500.0, parameters)
    assert abs(loss - 114.5) <= 0.1 and mode == 1  # line of sight


def test_ntia_point_to_point_confidence_reliability_table():
    published = {10: [110.9, 117.2, 129.1], 65: [110.9, 117.4, 129.2], 90: [110.9, 117.5, 129.3]}
    for reliability, row in published.items():
        got = [
            itm_p2p_loss_db(
                np.array(NTIA_PFL, float), 25.6, 15.0, 3.0, 3500.0,
                ItmParameters(**TEMPERATE, variability="accidental", time_pct=reliability,
                              situation_pct=confidence),
            )[0]
            for confidence in (10, 60, 90)
        ]  # fmt: skip
        np.testing.assert_allclose(got, row, atol=0.1)


def test_ntia_area_example():
    parameters = ItmParameters(**TEMPERATE, variability="accidental")
    loss, _ = itm_area_loss_db(10.0, 15.0, 3.0, 20.0, 3500.0, parameters)
    assert abs(loss - 134.5) <= 0.1


def test_ntia_area_table_from_line_of_sight_to_troposcatter():
    published = {
        10: [147.0, 151.7, 155.9], 20: [174.9, 179.2, 183.1], 30: [198.7, 202.9, 206.7],
        40: [213.0, 217.3, 221.0], 50: [215.8, 220.0, 223.8], 60: [218.1, 222.4, 226.1],
        70: [220.1, 224.4, 228.1], 80: [221.9, 226.1, 229.9], 90: [223.4, 227.7, 231.4],
        100: [224.8, 229.0, 232.7], 200: [234.6, 238.5, 241.9], 300: [243.6, 247.2, 250.4],
        400: [252.0, 255.6, 258.7], 500: [260.0, 263.5, 266.6], 600: [267.5, 271.0, 274.1],
        700: [274.8, 278.3, 281.4], 800: [281.9, 285.3, 288.4], 900: [288.8, 292.3, 295.4],
        1000: [295.6, 299.1, 302.2],
    }  # fmt: skip
    modes = set()
    for distance_km, row in published.items():
        got = []
        for confidence in (50, 75, 90):
            parameters = ItmParameters(**TEMPERATE, variability="broadcast", time_pct=90,
                                       location_pct=90, situation_pct=confidence)  # fmt: skip
            loss, mode = itm_area_loss_db(distance_km, 3.0, 3.0, 0.0, 10_000.0, parameters)
            got.append(loss)
            modes.add(mode)
        np.testing.assert_allclose(got, row, atol=0.1, err_msg=f"{distance_km} km")
    assert modes == {1, 2, 3}  # every region of the model is exercised


def test_many_paths_at_once_give_the_single_path_answer():
    profile = np.array(CRYSTAL_PALACE_TO_MURSLEY, dtype=float)
    short = np.array(NTIA_PFL, dtype=float)
    profiles = np.full((2, len(profile)), np.nan)
    profiles[0], profiles[1, : len(short)] = profile, short
    parameters = ItmParameters()
    loss, _ = itm_paths(
        profiles,
        np.array([157, 143]),
        np.array([77_800 / 156, 25.6]),
        np.array([143.9, 15.0]),
        1.5,
        np.array([900.0, 1800.0]),
        parameters,
    )
    assert loss[0] == pytest.approx(
        itm_p2p_loss_db(profile, 77_800 / 156, 143.9, 1.5, 900.0, parameters)[0], abs=1e-9
    )
    assert loss[1] == pytest.approx(
        itm_p2p_loss_db(short, 25.6, 15.0, 1.5, 1800.0, parameters)[0], abs=1e-9
    )


def test_parameters_are_checked_and_read_back():
    with pytest.raises(ValueError, match="climate"):
        ItmParameters(climate="tropical")
    with pytest.raises(ValueError, match="time_pct"):
        ItmParameters(time_pct=100)
    parameters = ItmParameters(climate="maritime_subtropical", time_pct=90.0)
    settings = {k: str(v) for k, v in parameters.settings().items()}
    assert ItmParameters.from_settings(settings) == parameters


# --- ITM as the signal setup's model ------------------------------------------------------


def test_itm_model_predicts_what_itm_gives_over_the_dem_profile(province):
    towers = validate_towers(province.towers).iloc[[0]]
    households = validate_households(province.households)
    crs = metric_crs(households)
    away = np.hypot(*(projected_xy(households, crs) - projected_xy(towers, crs)[0]).T)
    points = households.iloc[np.argsort(away)[::50][:40]]  # 40 households, near to far
    setup = SignalSetup(model="itm", terrain=province.terrain)
    got = predict_signal(points, towers, setup.replace(crs=crs), progress=False)
    ground = setup.in_crs(crs).terrain
    tower_xy = projected_xy(towers, crs)[0]
    heard = got["best_tower_id"].notna().to_numpy()
    assert heard.sum() >= 5
    for point_xy, level in zip(projected_xy(points, crs)[heard],
                               got["best_signal_dbm"][heard], strict=True):  # fmt: skip
        distance = float(np.hypot(*(point_xy - tower_xy)))
        intervals = int(min(max(np.ceil(distance / abs(ground.transform.a)), 10), 600))
        t = np.arange(intervals + 1) / intervals
        xy = tower_xy + (point_xy - tower_xy) * t[:, None]
        profile = sample_terrain(ground, xy[:, 0], xy[:, 1])
        loss, _ = itm_p2p_loss_db(profile, distance / intervals, towers["height_m"].iloc[0],
                                  1.5, towers["frequency_mhz"].iloc[0], setup.itm)  # fmt: skip
        assert level == pytest.approx(towers["eirp_dbm"].iloc[0] - loss, abs=1e-6)
    with pytest.raises(SetupError, match="needs a DEM"):
        SignalSetup(model="itm")


def test_itm_setup_is_described_and_read_back(province):
    setup = SignalSetup(
        model="itm", terrain=province.terrain, itm=ItmParameters(climate="maritime_subtropical")
    )
    settings = {k: str(v) for k, v in setup.settings().items()}
    assert "maritime subtropical climate" in settings["model_description"]
    assert settings["itm_climate"] == "maritime_subtropical"
    again = SignalSetup.from_settings(settings, terrain=province.terrain)
    assert again.model == "itm" and again.itm == setup.itm


def test_a_nan_reference_attenuation_is_zero_as_ntias_max_macro_makes_it():
    """Vertical polarization over sea-like ground at 20 MHz: Vogler's log10 of a negative
    distance is NaN, and NTIA's ``MAX(A_ref, 0)`` (``x > y ? x : y``) returns 0, so ITM
    gives free space plus variability, not NaN (issue 27, item 13)."""
    sea = ItmParameters(polarization="vertical", conductivity_s_m=100.0, permittivity=80.0)
    free_space = 32.45 + 20 * math.log10(20.0) + 20 * math.log10(50.0)
    area, _ = itm_area_loss_db(50.0, 30.0, 10.0, 90.0, 20.0, sea)
    p2p, _ = itm_p2p_loss_db(np.linspace(0.0, 100.0, 101), 500.0, 30.0, 10.0, 20.0, sea)
    for loss in (area, p2p):
        assert math.isfinite(loss) and abs(loss - free_space) < 3.0


@pytest.mark.parametrize(
    ("heights", "frequency", "match"),
    [
        ((0.4, 10.0), 900.0, "tx_height_m=0.4"),
        ((30.0, 3001.0), 900.0, "rx_height_m=3001"),
        ((30.0, 10.0), 19.0, "frequency_mhz=19"),
        ((30.0, 10.0), 20001.0, "frequency_mhz=20001"),
    ],
)
def test_itm_refuses_inputs_outside_ntias_limits(heights, frequency, match):
    profile = np.linspace(0.0, 100.0, 101)
    with pytest.raises(InputError, match=match):
        itm_p2p_loss_db(profile, 500.0, *heights, frequency)
    with pytest.raises(InputError, match=match):
        itm_area_loss_db(10.0, *heights, 90.0, frequency)


@pytest.mark.parametrize(
    ("distance_km", "delta_h_m", "siting", "match"),
    [(0.0, 90.0, (0, 0), "distance_km"), (10.0, -1.0, (0, 0), "delta_h_m"),
     (10.0, 90.0, (0, 3), "siting")],
)  # fmt: skip
def test_itm_area_mode_refuses_what_ntia_refuses(distance_km, delta_h_m, siting, match):
    with pytest.raises(InputError, match=match):
        itm_area_loss_db(distance_km, 30.0, 10.0, delta_h_m, 900.0, siting=siting)
