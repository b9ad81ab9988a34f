"""The compiled best-server kernel gives the numpy engine's answer, pair for pair."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whitespot.data import validate_households, validate_towers
from whitespot.radio import LinkBudget, SignalSetup, predict_signal
from whitespot.radio import _engine as signal_module
from whitespot.radio._kernel import TowerGrid

from .test_engine import points_at, towers_at

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


def both_engines(points, towers, setup, **options):
    """predict_signal through the compiled kernel, then through the numpy search."""
    compiled = predict_signal(points, towers, setup, progress=False, **options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signal_module._Engine, "compiled", property(lambda self: False))
        numpy_path = predict_signal(points, towers, setup, progress=False, **options)
    return compiled, numpy_path


def assert_same_answer(compiled, numpy_path):
    """Same servers, counts and classes; levels equal to the last bits of a float."""
    exact = ["best_tower_id", "best_operator", "best_technology", "towers_above_threshold"]
    pd.testing.assert_frame_equal(compiled[exact], numpy_path[exact])
    for column in ("best_signal_dbm", "best_margin_db", "nearest_tower_km"):
        np.testing.assert_allclose(compiled[column], numpy_path[column], rtol=0, atol=1e-9)


@pytest.mark.parametrize("model", ["hata", "cost231", "free_space", "rma", "rma_los"])
def test_kernel_equals_numpy_search_on_the_sample(province, model):
    towers = validate_towers(province.towers)
    if model in ("hata", "cost231"):
        band = (1500.0, 2000.0) if model == "cost231" else (150.0, 2000.0)
        towers = towers[towers["frequency_mhz"].between(*band)]
    points = validate_households(province.households)
    compiled, numpy_path = both_engines(points, towers, SignalSetup(model=model))
    assert compiled["best_tower_id"].notna().sum() > 0.3 * len(points)
    assert_same_answer(compiled, numpy_path)


@settings(max_examples=25, deadline=None)
@given(
    tower_xy=st.lists(st.tuples(st.floats(0, 25), st.floats(0, 25)), min_size=1, max_size=25),
    point_xy=st.lists(st.tuples(st.floats(-5, 30), st.floats(-5, 30)), min_size=1, max_size=40),
    sectors=st.booleans(),
    max_servers=st.sampled_from([1, 2, 8]),
    model=st.sampled_from(["hata", "rma", "rma_los"]),
    data=st.data(),
)
def test_kernel_equals_numpy_search_on_random_layouts(
    tower_xy, point_xy, sectors, max_servers, model, data
):
    """Any layout: co-sited towers (ties), sectors, several technologies, points far off."""
    tower_xy = tower_xy + tower_xy[: len(tower_xy) // 2]  # co-sited twins tie exactly
    count = len(tower_xy)
    technology = data.draw(st.lists(st.sampled_from(["2G", "4G"]), min_size=count, max_size=count))
    azimuth = [
        data.draw(st.sampled_from([0.0, 120.0, 240.0])) if sectors else np.nan for _ in range(count)
    ]
    towers = towers_at(tower_xy, technology=technology, azimuth_deg=azimuth, height_m=40.0)
    towers["frequency_mhz"] = np.where(towers["technology"] == "2G", 900.0, 1800.0)
    setup = SignalSetup(model=model, budget=LinkBudget(weak_band_db=10.0), extrapolate=True)
    compiled, numpy_path = both_engines(points_at(point_xy), towers, setup, max_servers=max_servers)
    assert_same_answer(compiled, numpy_path)


def test_points_beyond_every_reach_get_the_nearest_tower_from_the_tree():
    towers = towers_at([[0, 0], [1, 0]])
    result = predict_signal(points_at([[0.2, 0], [61, 0]]), towers, SignalSetup(model="hata"))
    assert result["best_tower_id"].isna().tolist() == [False, True]
    assert result["nearest_tower_km"].iloc[1] == pytest.approx(60.0, rel=1e-3)


def test_tower_grid_buckets_every_tower_once():
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 50_000, (500, 2))
    grid = TowerGrid.of(xy, np.full(500, 8_000.0))
    assert sorted(grid.order.tolist()) == list(range(500))
    assert grid.start[0] == 0 and grid.start[-1] == 500
    columns = grid.shape[0]
    cell = np.repeat(np.arange(len(grid.start) - 1), np.diff(grid.start))
    column, row = cell % columns, cell // columns
    origin = np.array(grid.origin_m)
    inside = np.floor((xy[grid.order] - origin) / grid.cell_m).astype(int)
    assert (inside[:, 0] == column).all() and (inside[:, 1] == row).all()


THREADS_SCRIPT = """
import warnings
from concurrent.futures import ThreadPoolExecutor
import pandas as pd
from whitespot.radio import SignalSetup, predict_signal
from whitespot.data import load_sample, validate_households, validate_towers
warnings.simplefilter("ignore")
province = load_sample()
towers = validate_towers(province.towers)
towers = towers[towers["frequency_mhz"] <= 2000.0]
points = validate_households(province.households)
setup = SignalSetup(model="hata")
alone = predict_signal(points, towers, setup, progress=False)
with ThreadPoolExecutor(4) as pool:
    results = list(pool.map(lambda _: predict_signal(points, towers, setup), range(4)))
for result in results:
    pd.testing.assert_frame_equal(result, alone)
print("same")
"""


def test_threads_calling_the_kernel_at_once_get_the_one_thread_answer(tmp_path):
    """A Dask worker with several threads calls the kernel from each of them.

    Under Numba's workqueue threading layer (where OpenMP and TBB are missing) two threads
    in one parallel function abort the process; whitespot holds a lock around the kernel.
    """
    environment = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue"}
    done = subprocess.run(
        [sys.executable, "-c", THREADS_SCRIPT], env=environment, cwd=tmp_path,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("same")
