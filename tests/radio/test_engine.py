"""Signal prediction: best server, KD-tree pruning against brute force, and properties."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whitespot import InputError
from whitespot.data import metric_crs, utm_crs, validate_towers
from whitespot.data._crs import WGS84
from whitespot.radio import (
    MODELS,
    LinkBudget,
    ModelRangeError,
    SignalEngine,
    SignalSetup,
    predict_signal,
)
from whitespot.radio import _engine as signal_module
from whitespot.radio._antenna import sector_gain_db
from whitespot.radio._engine import tower_reach_m

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")

CRS = utm_crs(106.9, 16.8)
ORIGIN = (700_000.0, 1_860_000.0)


def towers_at(xy_km, technology="4G", **columns):
    xy = np.asarray(xy_km, dtype=float).reshape(-1, 2) * 1000.0 + ORIGIN
    frame = gpd.GeoDataFrame(
        {
            "tower_id": [f"T{i:03d}" for i in range(len(xy))],
            "operator": "Viettel",
            "technology": technology,
            **columns,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    ).to_crs(WGS84)
    return validate_towers(frame)


def points_at(xy_km):
    xy = np.asarray(xy_km, dtype=float).reshape(-1, 2) * 1000.0 + ORIGIN
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS).to_crs(WGS84)


def brute_force_best(points, towers, model_name, budget):
    """Signal of every (point, tower) pair through the same model, no KD-tree, no pruning."""
    model = MODELS[model_name]
    p = np.column_stack([points.to_crs(CRS).geometry.x, points.to_crs(CRS).geometry.y])
    t = np.column_stack([towers.to_crs(CRS).geometry.x, towers.to_crs(CRS).geometry.y])
    distance_km = np.hypot(p[:, None, 0] - t[None, :, 0], p[:, None, 1] - t[None, :, 1]) / 1000
    loss = model.loss_db(
        towers["frequency_mhz"].to_numpy()[None, :],
        np.maximum(distance_km, model.min_distance_km),
        towers["height_m"].to_numpy()[None, :],
        budget.mobile_height_m,
        None,
    )
    signal = towers["eirp_dbm"].to_numpy()[None, :] - loss - budget.margin_db
    signal[distance_km > model.max_distance_km] = -np.inf
    return signal


@pytest.mark.parametrize("model", ["rma", "hata", "free_space", "rma_los"])
@pytest.mark.parametrize("max_servers", [1, 4, 32])
def test_pruned_search_equals_brute_force(model, max_servers):
    rng = np.random.default_rng(3)
    towers = towers_at(
        rng.uniform(0, 30, (60, 2)),
        technology="2G",
        eirp_dbm=rng.uniform(30, 60, 60),
        height_m=rng.uniform(30, 60, 60),
    )
    points = points_at(rng.uniform(0, 30, (400, 2)))
    budget = LinkBudget()
    result = predict_signal(
        points,
        towers,
        max_servers=max_servers,
        progress=False,
        setup=SignalSetup(model=model, budget=budget),
    )
    expected = brute_force_best(points, towers, model, budget)
    heard = expected.max(axis=1) >= -95.0 - budget.weak_band_db
    assert result["best_signal_dbm"].notna().to_numpy().tolist() == heard.tolist()
    assert result["best_signal_dbm"].to_numpy()[heard] == pytest.approx(expected.max(axis=1)[heard])
    best = np.asarray(towers["tower_id"])[expected.argmax(axis=1)]
    assert result["best_tower_id"].to_numpy()[heard].tolist() == best[heard].tolist()
    above = np.minimum((expected >= -95.0).sum(axis=1), max_servers)
    assert result["towers_above_threshold"].tolist() == above.tolist()
    # pruning works: far fewer pairs than points x towers when few servers are counted
    if max_servers == 1:
        assert result.attrs["pairs_evaluated"] < 0.5 * len(points) * len(towers)


def test_chunks_do_not_change_results(monkeypatch, province):
    towers = validate_towers(province.towers)
    points = province.households.iloc[:3000]
    whole = predict_signal(points, towers, progress=False)
    monkeypatch.setattr(signal_module, "POINT_CHUNK", 700)
    chunked = predict_signal(points, towers, progress=False)
    pd.testing.assert_frame_equal(whole, chunked)


def test_best_server_columns_and_nearest_tower():
    towers = towers_at([[0, 0], [3, 0]], technology=["4G", "2G"], operator=["A", "B"])
    result = predict_signal(points_at([[0.5, 0], [2.8, 0], [60, 60]]), towers, progress=False)
    assert result["best_tower_id"].tolist()[:2] == ["T000", "T001"]
    assert result["best_operator"].tolist()[:2] == ["A", "B"]
    assert result["best_technology"].tolist()[:2] == ["4G", "2G"]
    assert result["nearest_tower_km"].tolist()[:2] == pytest.approx([0.5, 0.2], abs=1e-6)
    assert np.isnan(result["best_signal_dbm"].iloc[2]) and result["best_tower_id"].isna().iloc[2]
    margin = result["best_signal_dbm"] - result["best_technology"].map({"4G": -110, "2G": -95})
    assert result["best_margin_db"].tolist()[:2] == pytest.approx(margin.tolist()[:2])


def test_towers_above_threshold_counts_every_server():
    towers = towers_at([[0, 0], [0.2, 0], [0.4, 0], [30, 30]])
    result = predict_signal(points_at([[0.1, 0.1]]), towers, progress=False)
    assert result["towers_above_threshold"].iloc[0] == 3


def test_sector_pattern_points_the_signal():
    towers = towers_at([[0, 0]], azimuth_deg=[90.0], beamwidth_deg=[65.0])
    result = predict_signal(points_at([[0.1, 0], [-0.1, 0], [0, 0.1]]), towers, progress=False)
    east, west, north = result["best_signal_dbm"]
    assert east - west == pytest.approx(30.0, abs=1e-6)  # front-to-back A_m
    assert east - north == pytest.approx(min(12 * (90 / 65) ** 2, 30), abs=1e-6)
    assert sector_gain_db(np.nan, 65.0, 123.0) == 0.0


def test_margin_lowers_signal_and_thresholds_override():
    towers = towers_at([[0, 0]])
    plain = predict_signal(points_at([[0.3, 0.3]]), towers, progress=False)
    indoor = predict_signal(
        points_at([[0.3, 0.3]]),
        towers,
        progress=False,
        setup=SignalSetup(budget=LinkBudget(building_loss_db=12, thresholds_dbm={"4G": -100})),
    )
    assert plain["best_signal_dbm"].iloc[0] - indoor["best_signal_dbm"].iloc[0] == pytest.approx(12)
    assert indoor["best_margin_db"].iloc[0] == pytest.approx(
        indoor["best_signal_dbm"].iloc[0] + 100
    )


def test_model_range_names_the_towers():
    towers = towers_at([[0, 0], [1, 1]], frequency_mhz=[2100.0, 900.0])
    with pytest.raises(ModelRangeError, match=r"model 'hata'.*1 towers \(ids: T000\) have 2100"):
        predict_signal(points_at([[2, 2]]), towers, progress=False, setup=SignalSetup(model="hata"))
    assert (
        predict_signal(
            points_at([[2, 2]]),
            towers,
            progress=False,
            setup=SignalSetup(model="hata", extrapolate=True),
        )["best_tower_id"]
        .notna()
        .all()
    )


def test_terrain_model_needs_a_dem():
    with pytest.raises(ValueError, match="needs a DEM"):
        predict_signal(points_at([[1, 1]]), towers_at([[0, 0]]), setup=SignalSetup(model="terrain"))


def test_terrain_only_adds_loss(province):
    towers = validate_towers(province.towers)
    points = province.households.iloc[::20]
    base = predict_signal(points, towers, progress=False, setup=SignalSetup(model="rma_los"))
    terrain = predict_signal(
        points, towers, progress=False, setup=SignalSetup(model="terrain", terrain=province.terrain)
    )
    both = base["best_signal_dbm"].notna() & terrain["best_signal_dbm"].notna()
    assert (terrain["best_signal_dbm"][both] <= base["best_signal_dbm"][both] + 1e-9).all()
    assert (terrain["best_signal_dbm"][both] < base["best_signal_dbm"][both] - 1).any()


# --- properties (hypothesis) ----------------------------------------------------------------

coordinates = st.lists(st.tuples(st.floats(0, 20), st.floats(0, 20)), min_size=1, max_size=6)


@settings(max_examples=30, deadline=None)
@given(coordinates, coordinates, st.floats(0, 15), st.sampled_from(["hata", "free_space"]))
def test_raising_height_or_eirp_never_removes_coverage(tower_xy, point_xy, extra, model):
    towers = towers_at(tower_xy, technology="2G", height_m=30.0)
    points = points_at(point_xy)
    before = predict_signal(points, towers, progress=False, setup=SignalSetup(model=model))
    taller = towers.assign(height_m=towers["height_m"] + extra)
    stronger = towers.assign(eirp_dbm=towers["eirp_dbm"] + extra)
    for changed in (taller, stronger):
        after = predict_signal(points, changed, progress=False, setup=SignalSetup(model=model))
        covered = before["best_margin_db"] >= 0
        assert (after["best_margin_db"][covered] >= 0).all()
        assert (after["towers_above_threshold"] >= before["towers_above_threshold"]).all()


@settings(max_examples=30, deadline=None)
@given(
    coordinates,
    coordinates,
    st.tuples(st.floats(0, 20), st.floats(0, 20)),
    st.sampled_from(["rma", "hata", "rma_los"]),
)
def test_adding_a_tower_never_lowers_the_best_signal(tower_xy, point_xy, new_xy, model):
    towers = towers_at(tower_xy, technology="2G")
    points = points_at(point_xy)
    before = predict_signal(points, towers, progress=False, setup=SignalSetup(model=model))
    grown = towers_at([*tower_xy, new_xy], technology="2G")
    after = predict_signal(points, grown, progress=False, setup=SignalSetup(model=model))
    had = before["best_margin_db"].notna()
    assert (after["best_margin_db"][had] >= before["best_margin_db"][had] - 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(coordinates, coordinates, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(tower_xy, point_xy, random):
    towers = towers_at(tower_xy + tower_xy[:1], technology="2G")  # a duplicate site: a tie
    points = points_at(point_xy)
    before = predict_signal(points, towers, progress=False)
    tower_order = list(range(len(towers)))
    point_order = list(range(len(points)))
    random.shuffle(tower_order)
    random.shuffle(point_order)
    after = predict_signal(points.iloc[point_order], towers.iloc[tower_order], progress=False)
    pd.testing.assert_frame_equal(after.loc[before.index], before)


def test_tower_reach_follows_the_rows_not_the_ids():
    towers = towers_at([[0, 0], [5, 5]], technology=["2G", "4G"]).iloc[::-1]  # ids descending
    setup = SignalSetup(model="hata").in_crs(CRS)
    reach = tower_reach_m(towers, setup)
    by_id = tower_reach_m(towers.iloc[::-1], setup)
    assert reach.tolist() == by_id[::-1].tolist()
    assert reach[1] > reach[0]  # the 2G tower (55 dBm at 900 MHz) reaches farther than 4G


def test_a_subset_searches_as_an_engine_of_those_towers_alone(province):
    """SignalEngine.subset(members) equals an engine prepared from the members' rows, and
    pair_levels gives the level of the pair the search found."""
    towers = validate_towers(province.towers)
    setup = SignalSetup().in_crs(metric_crs(towers))
    engine = SignalEngine.prepare(towers, setup, subsets=True)
    viettel = np.flatnonzero(engine.towers.operator == "Viettel")
    alone = SignalEngine.prepare(towers[towers["tower_id"].isin(engine.towers.ids[viettel])], setup)
    points = province.villages.to_crs(setup.crs)
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    part, _ = engine.subset(viettel).search_xy(xy, progress=False)
    whole, _ = alone.search_xy(xy, progress=False)
    np.testing.assert_array_equal(part["best_tower"], whole["best_tower"])
    np.testing.assert_allclose(part["best_signal_dbm"], whole["best_signal_dbm"])
    heard = part["best_tower"] >= 0
    tower = viettel[part["best_tower"][heard]]
    distance_m = np.hypot(*(xy[heard] - engine.towers.xy[tower]).T)
    level, _ = engine.pair_levels(xy[heard], tower, distance_m)
    np.testing.assert_allclose(level, part["best_signal_dbm"][heard])
    with pytest.raises(InputError, match="subsets=True"):
        SignalEngine.prepare(towers, setup).subset(viettel)


def test_the_envelope_taken_a_few_towers_at_a_time_is_the_whole_one(layers, monkeypatch):
    """Issue 45: a country's envelope is taken in chunks of towers; the maximum is exact."""
    towers = signal_module.resolve_towers(layers["towers"], SignalSetup().in_crs("EPSG:32648"))[1]
    members = [np.arange(len(towers.ids)), np.arange(len(towers.ids))[::3]]
    whole = [signal_module._envelope(towers, m) for m in members]
    monkeypatch.setattr(signal_module, "ENVELOPE_CHUNK", 7)
    for chosen, expected in zip(members, whole, strict=True):
        assert np.array_equal(signal_module._envelope(towers, chosen), expected)
    assert np.isfinite(whole[0]).any()
