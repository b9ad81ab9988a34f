"""The compiled Bullington kernel gives the numpy function's loss on the same profiles."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from affine import Affine
from pyproj import CRS

from whitespot.data import Terrain
from whitespot.radio import EARTH_RADIUS_KM, MEDIAN_K_FACTOR, bullington_loss_db
from whitespot.radio._terrain import terrain_profiles
from whitespot.radio._terrain_kernel import (
    _GROUPS,
    _STEPS,
    _WINDOWS_OF,
    PROFILE_SAMPLES,
    WINDOW_SIDES,
    _bullington_paths,
    _window_maxima_of,
    bullington_paths,
    dem_arrays,
    per_path,
    window_maxima,
)
from whitespot.radio.propagation import SPEED_OF_LIGHT_M_S


@pytest.fixture(scope="module")
def hills() -> Terrain:
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:400, 0:400]
    ground = 300.0 + 150.0 * np.sin(x / 37.0) * np.cos(y / 53.0) + rng.normal(0, 5, x.shape)
    ground[300:305, 50:60] = np.nan  # a no-data patch
    transform = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 1_812_000.0)
    return Terrain(ground, transform, CRS.from_epsg(32648))


def paths(terrain: Terrain, count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    west, north = terrain.transform.c, terrain.transform.f
    start = np.column_stack([west + rng.uniform(100, 11_900, count),
                             north - rng.uniform(100, 11_900, count)])  # fmt: skip
    end = np.column_stack([west + rng.uniform(-500, 12_500, count),
                           north - rng.uniform(-500, 12_500, count)])  # fmt: skip
    return start, end


def numpy_reference(terrain, start, end, tx_m, rx_m, mhz):
    """Profiles sampled as arrays, then bullington_loss_db (the numpy path)."""
    distance = np.hypot(*(end - start).T)
    profiles = terrain_profiles(terrain, start, end, PROFILE_SAMPLES)
    with np.errstate(invalid="ignore"):
        loss, los = bullington_loss_db(
            profiles, np.maximum(distance, 1.0) / 1000.0, tx_m, rx_m, mhz
        )
    missing = np.isnan(profiles).any(axis=1)
    loss[missing] = 0.0
    return loss, los, missing


def test_kernel_equals_numpy_on_the_same_profiles(hills):
    start, end = paths(hills, 4_000)
    rng = np.random.default_rng(2)
    tx_m = rng.uniform(10, 60, len(start))
    mhz = rng.choice([700.0, 1800.0, 3500.0], len(start))
    loss, los, missing = bullington_paths(
        hills, start, end, tx_m, 1.5, mhz, k_factor=MEDIAN_K_FACTOR
    )
    ref_loss, ref_los, ref_missing = numpy_reference(hills, start, end, tx_m, 1.5, mhz)
    np.testing.assert_array_equal(missing, ref_missing)
    assert missing.any() and not missing.all()  # paths off the DEM and through no-data
    known = ~missing
    np.testing.assert_array_equal(los[known], ref_los[known])
    assert los[known].any() and not los[known].all()
    np.testing.assert_allclose(loss, ref_loss, rtol=0, atol=1e-6)  # float order only
    assert (loss[known] > 0).mean() > 0.3  # diffraction happens on these hills


def test_flat_ground_without_obstacles_has_no_loss_far_from_the_ground():
    flat = Terrain(np.zeros((200, 200)), Affine(30.0, 0, 0, 0, -30.0, 6_000.0),
                   CRS.from_epsg(32648))  # fmt: skip
    start = np.array([[1_000.0, 3_000.0]])
    end = np.array([[2_000.0, 3_000.0]])
    loss, los, missing = bullington_paths(
        flat, start, end, np.array([200.0]), 200.0, np.array([1800.0]), k_factor=4 / 3
    )
    assert los[0] and not missing[0] and loss[0] == 0.0


def test_one_sites_raster_equals_reading_every_sample_and_skips_most(hills):
    """Every cell of a raster from one mast on hills: the loss of the numpy profiles.

    The kernel skips groups of samples that block maxima prove cannot raise a maximum
    (issue 45); the loss must be that of reading all 256 samples of every profile.
    """
    west, north = hills.transform.c, hills.transform.f
    site = np.array([west + 6_015.0, north - 5_985.0])
    offsets = np.arange(-5_000.0, 5_001.0, 90.0)
    x, y = np.meshgrid(site[0] + offsets, site[1] + offsets)
    end = np.column_stack([x.ravel(), y.ravel()])
    start = np.broadcast_to(site, end.shape).copy()
    tx_m = np.full(len(end), 30.0)
    mhz = np.full(len(end), 1800.0)
    loss, los, missing = bullington_paths(hills, start, end, tx_m, 1.5, mhz, k_factor=4 / 3)
    ref_loss, ref_los, ref_missing = numpy_reference(hills, start, end, tx_m, 1.5, mhz)
    np.testing.assert_array_equal(missing, ref_missing)
    np.testing.assert_array_equal(los, ref_los)
    np.testing.assert_allclose(loss, ref_loss, rtol=0, atol=0.01)
    assert missing.any() and los.any() and (loss > 6.0).mean() > 0.3
    elevation, inverse = dem_arrays(hills)
    distance_km = np.maximum(np.hypot(*(end - start).T), 1.0) / 1000.0
    *_, samples_read = _bullington_paths(
        elevation, inverse, start, end, distance_km, tx_m, per_path(1.5, len(end)),
        SPEED_OF_LIGHT_M_S / (mhz * 1e6), 1.0 / (4 / 3 * EARTH_RADIUS_KM), _STEPS, _GROUPS,
        window_maxima(elevation),
    )  # fmt: skip
    assert samples_read[~missing].mean() < 0.7 * (PROFILE_SAMPLES - 2)


def test_window_maxima_hold_every_cell_and_no_data():
    rng = np.random.default_rng(4)
    elevation = rng.uniform(0.0, 100.0, (37, 53))
    elevation[20, 41] = np.nan
    windows = window_maxima(elevation)
    for level, side in enumerate(WINDOW_SIDES):
        for row in range(37):
            for col in range(53):
                held = elevation[row : row + side, col : col + side]
                found = windows[level, row, col]
                if np.isnan(held).any():
                    assert np.isnan(found)
                else:  # float32, never below
                    assert held.max() <= found <= held.max() * (1 + 2.4e-7)


def test_window_maxima_are_kept_for_their_dem_and_dropped_with_it():
    first = np.random.default_rng(5).uniform(0.0, 100.0, (50, 60))
    kept = _window_maxima_of(first)
    assert _window_maxima_of(first) is kept  # every chunk of a raster reuses them
    second = first.copy()
    assert _window_maxima_of(second) is not kept
    del first
    gc.collect()
    assert _WINDOWS_OF[0] is not None  # the first DEM's end leaves the second's maxima
    del second
    gc.collect()
    assert _WINDOWS_OF == [None, None]
