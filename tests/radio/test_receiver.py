"""The receiver's side of a setup: location probability, P.2108 clutter, indoor judgement."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest

from whitespot.data import utm_crs, validate_households, validate_towers
from whitespot.data._crs import WGS84
from whitespot.radio import (
    Calibration,
    CalibrationGroup,
    LinkBudget,
    ModelRangeError,
    SetupError,
    SignalEngine,
    SignalSetup,
    area_coverage_probability,
    location_margin_db,
    p2108_statistical_loss_db,
    p2108_terminal_loss_db,
    p2109_building_entry_loss_db,
    predict_signal,
    signal_status,
)

from .test_kernel import assert_same_answer, both_engines

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")

CRS = utm_crs(106.9, 16.8)
ORIGIN = (700_000.0, 1_860_000.0)


def towers_at(xy_km, frequency_mhz, operator="Viettel", technology="4G", eirp_dbm=60.0):
    xy = np.asarray(xy_km, dtype=float).reshape(-1, 2) * 1000.0 + ORIGIN
    frame = gpd.GeoDataFrame(
        {
            "tower_id": [f"T{i:03d}" for i in range(len(xy))],
            "operator": operator,
            "technology": technology,
            "frequency_mhz": frequency_mhz,
            "height_m": 30.0,
            "eirp_dbm": eirp_dbm,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    ).to_crs(WGS84)
    return validate_towers(frame)


def points_on_a_line(count=60, far_km=6.0):
    x = np.linspace(0.05, far_km, count) * 1000.0 + ORIGIN[0]
    return gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(x, np.full(count, ORIGIN[1])), crs=CRS
    ).to_crs(WGS84)


ONE_TOWER = ([0.0, 0.0], 1800.0)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"location_probability": 1.0}, "location_probability=1.0 must lie strictly"),
        ({"location_probability": 0.0}, "location_probability"),
        ({"location_sigma_db": -1.0}, "location_sigma_db"),
        ({"clutter": "jungle"}, "trees_forest"),
        ({"clutter": "urban", "clutter_percent": 50.0}, "choose one"),
        ({"clutter_percent": 100.0}, "clutter_percent"),
        ({"indoor": "basement"}, "p2109, fixed"),
        ({"indoor": "p2109", "indoor_percent": 0.0}, "indoor_percent"),
        ({"building": "mud_brick"}, "thermally_efficient"),
    ],
)
def test_receiver_options_that_cannot_apply_are_refused_when_made(parts, message):
    with pytest.raises(SetupError, match=message):
        SignalSetup(**parts)


def test_the_default_setup_says_nothing_new_in_its_settings():
    # byte-identical outputs when no option is set: no receiver entry is written
    settings = SignalSetup().settings()
    for key in ("location_probability", "clutter_model", "indoor_model", "receiver"):
        assert key not in settings


@pytest.mark.parametrize(
    "parts",
    [
        {"location_probability": 0.9},
        {"location_probability": 0.75, "location_sigma_db": 6.0},
        {"clutter": "trees_forest", "clutter_height_m": 12.0, "street_width_m": 20.0},
        {"clutter_percent": 50.0},
        {"indoor": "p2109", "indoor_percent": 80.0, "building": "thermally_efficient"},
        {"indoor": "fixed", "budget": LinkBudget(building_loss_db=12.0)},
    ],
)
def test_receiver_options_round_trip_through_the_settings(parts):
    setup = SignalSetup(**parts)
    text = {key: str(value) for key, value in setup.settings().items()}  # as read from a CSV
    assert SignalSetup.from_settings(text) == setup


def _one_tower_against_the_median(column: str, **parts) -> tuple:
    """The median prediction and one with `parts`, along a line from one 1800 MHz tower."""
    towers = towers_at(*ONE_TOWER)
    points = points_on_a_line()
    median = predict_signal(points, towers, SignalSetup(), progress=False)
    other = predict_signal(points, towers, SignalSetup(**parts), progress=False)
    both = median[column].notna() & other[column].notna()
    assert both.sum() > 10
    return median, other, both


def test_clutter_takes_the_p2108_terminal_loss_from_every_level():
    open_area, trees, both = _one_tower_against_the_median(
        "best_signal_dbm", clutter="trees_forest"
    )
    loss = p2108_terminal_loss_db(1800.0, 1.5, "trees_forest")  # R 15 m, street 27 m
    np.testing.assert_allclose(
        (open_area["best_signal_dbm"] - trees["best_signal_dbm"])[both], loss, atol=1e-9
    )


def test_a_location_probability_asks_for_z_sigma_more_margin():
    median, tender, both = _one_tower_against_the_median("best_margin_db", location_probability=0.9)
    # RMa NLOS default sigma 8 dB (3GPP TR 38.901 Table 7.4.1-1): 10.25 dB
    np.testing.assert_allclose(
        (median["best_margin_db"] - tender["best_margin_db"])[both], 10.2524, atol=1e-4
    )
    # a place is covered when its median margin is at least location_margin_db(p, sigma)
    covered = tender["best_margin_db"] >= 0
    assert (covered == (median["best_margin_db"] >= location_margin_db(0.9, 8.0)))[both].all()


def _group(operator: str, rmse_after_db: float) -> CalibrationGroup:
    nan = math.nan
    return CalibrationGroup(
        operator, "4G", 0.0, 0.0, nan, nan, 100, 3, 100, 0.1, 5.0, 0.0, 9.0, 0.0,
        rmse_after_db, nan,
    )  # fmt: skip


def test_sigma_is_the_calibrations_residual_spread_where_a_group_is_fitted():
    towers = towers_at([[0.0, 0.0], [20.0, 0.0]], 1800.0, operator=["Viettel", "VNPT"])
    calibration = Calibration("rma", None, (_group("Viettel", 5.0),))
    setup = SignalSetup(calibration=calibration, location_probability=0.9)
    engine = SignalEngine.prepare(towers, setup.in_crs(CRS))
    # Viettel's group spread 5 dB; VNPT has no group: the model's default, 8 dB
    np.testing.assert_allclose(engine.towers.location_sigma_db, [5.0, 8.0])
    np.testing.assert_allclose(
        engine.towers.receiver_db, location_margin_db(0.9, np.array([5.0, 8.0]))
    )
    assert "residual spread" in setup.settings()["location_sigma"]


def test_the_statistical_clutter_loss_is_added_per_path():
    base, urban, both = _one_tower_against_the_median("best_signal_dbm", clutter_percent=50.0)
    distance_km = np.maximum(base["nearest_tower_km"].to_numpy(), 0.25)  # held from 0.25 km in
    expected = p2108_statistical_loss_db(1800.0, distance_km, 50.0)
    np.testing.assert_allclose(
        (base["best_signal_dbm"] - urban["best_signal_dbm"])[both], expected[both], atol=1e-6
    )


@pytest.mark.parametrize(
    ("parts", "frequency_mhz", "words"),
    [
        ({"clutter": "urban"}, 3500.0, "P.2108-1 section 3.1 is valid for 0.03-3 GHz"),
        ({"clutter_percent": 50.0}, 450.0, "P.2108-1 section 3.2 is valid for 0.5-67 GHz"),
    ],
)
def test_towers_outside_a_recommendations_range_are_refused_by_id(parts, frequency_mhz, words):
    towers = towers_at([[0.0, 0.0], [1.0, 0.0]], [1800.0, frequency_mhz])
    setup = SignalSetup(model="free_space", **parts)
    with pytest.raises(ModelRangeError, match=words) as error:
        predict_signal(points_on_a_line(5), towers, setup, progress=False)
    assert "T001" in str(error.value) and "T000" not in str(error.value)


def test_indoor_status_is_that_of_a_full_indoor_search():
    # towers on three frequencies: P.2109 differs per tower, so the best server can change
    xy = np.random.default_rng(4).uniform(0, 8, (12, 2))
    towers = towers_at(xy, np.resize([900.0, 1800.0, 2600.0], 12), eirp_dbm=30.0)
    grid = np.stack(np.meshgrid(np.linspace(0, 8, 40), np.linspace(0, 8, 40)), -1).reshape(-1, 2)
    setup = SignalSetup(indoor="p2109").in_crs(CRS)
    engine = SignalEngine.prepare(towers, setup)
    point_xy = grid * 1000.0 + ORIGIN
    outdoor, _ = engine.search_xy(point_xy, progress=False)
    status = engine.indoor_status(point_xy, outdoor["best_margin_db"], 10.0)
    indoor, _ = engine.indoors.search_xy(point_xy, progress=False)
    np.testing.assert_array_equal(status, signal_status(indoor["best_margin_db"], 10.0))
    assert len(set(status)) == 3  # covered, weak and none all occur
    # the indoor towers lose the P.2109 median of a horizontal path at their frequency
    frequency = engine.towers.frequency_mhz
    np.testing.assert_allclose(
        engine.indoors.towers.receiver_db, p2109_building_entry_loss_db(frequency, 0.0, 50.0)
    )


def test_the_serving_cells_area_coverage_is_jakes_reudink():
    towers = towers_at(*ONE_TOWER)
    setup = SignalSetup(model="hata", environment="open", location_probability=0.9)
    engine = SignalEngine.prepare(towers, setup.in_crs(CRS))
    area = engine.area_coverage(np.array(["T000", None], dtype=object))
    exponent = engine.towers.loss_per_decade_db[0] / 10.0  # Hata: (44.9 - 6.55 log10 30) / 10
    assert exponent == pytest.approx((44.9 - 6.55 * np.log10(30.0)) / 10.0)
    assert area[0] == pytest.approx(float(area_coverage_probability(0.9, 8.0, exponent)))
    assert np.isnan(area[1])


@pytest.mark.parametrize("model", ["rma", "hata"])
def test_the_compiled_kernel_adds_the_statistical_clutter_loss_as_numpy_does(province, model):
    towers = validate_towers(province.towers)
    towers = towers[towers["frequency_mhz"].between(500.0, 1500.0 if model == "hata" else 3000.0)]
    points = validate_households(province.households).iloc[::5]
    setup = SignalSetup(model=model, clutter_percent=70.0, location_probability=0.8)
    compiled, numpy_path = both_engines(points, towers, setup)
    assert compiled["best_tower_id"].notna().sum() > 0.2 * len(points)
    assert_same_answer(compiled, numpy_path)
