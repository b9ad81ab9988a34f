"""Terrain: knife-edge loss, Bullington diffraction over profiles, DEM sampling."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from pyproj import Transformer
from scipy.special import fresnel

from whitespot.coverage import dead_zones, gap_list, signal_raster
from whitespot.data import Terrain, utm_crs
from whitespot.data._crs import WGS84
from whitespot.radio import (
    SignalSetup,
    TerrainCoverageError,
    bullington_loss_db,
    knife_edge_loss_db,
    terrain_coverage,
)
from whitespot.radio._terrain import (
    fresnel_parameter,
    reproject_terrain,
    sample_terrain,
    terrain_profiles,
)


@pytest.mark.parametrize(
    ("height_m", "expected_v", "expected_db"),
    [(25.0, 2.74, 22.0), (0.0, 0.0, 6.0), (-25.0, -2.74, 0.0)],
)
def test_knife_edge_rappaport_example_4_8(height_m, expected_v, expected_db):
    # T. S. Rappaport, Wireless Communications, 2nd ed., Example 4.8: lambda = 1/3 m,
    # d1 = d2 = 1 km; losses read from the knife-edge graph (Fig. 4.14)
    v = fresnel_parameter(height_m, 1000.0, 1000.0, 1.0 / 3.0)
    assert v == pytest.approx(expected_v, abs=0.005)
    assert knife_edge_loss_db(v) == pytest.approx(expected_db, abs=0.5)


@pytest.mark.parametrize("v", [-0.7, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0])
def test_knife_edge_approximation_follows_the_fresnel_integral(v):
    # ITU-R P.526-15 eq. (30): J(v) = -20 log10(|(1 + j)/2 * int_v^inf exp(-j pi t^2 / 2) dt|),
    # evaluated with scipy's Fresnel integrals; eq. (31) approximates it
    s, c = fresnel(v)
    exact = -20.0 * np.log10(abs((1 + 1j) / 2 * ((0.5 - c) - 1j * (0.5 - s))))
    assert knife_edge_loss_db(v) == pytest.approx(exact, abs=0.15)


def test_knife_edge_zero_at_v_0_is_6_db():
    assert knife_edge_loss_db(0.0) == pytest.approx(6.03, abs=0.01)
    assert knife_edge_loss_db(-0.79) == 0.0


PROFILES = {
    "ridge": (10.0, 201, lambda d: 100 + 200 * np.exp(-(((d - 4) / 0.4) ** 2))),
    "two_ridges": (
        8.0,
        161,
        lambda d: (
            50 + 120 * np.exp(-(((d - 2.5) / 0.3) ** 2)) + 150 * np.exp(-(((d - 5.5) / 0.3) ** 2))
        ),
    ),
    "grazing": (6.0, 121, lambda d: 20 + 45 * np.exp(-(((d - 3) / 0.5) ** 2))),
    "hill_near_rx": (12.0, 241, lambda d: 300 - 10 * d + 180 * np.exp(-(((d - 10.5) / 0.6) ** 2))),
    "valley_los": (5.0, 101, lambda d: 400 - 60 * np.sin(np.pi * d / 5)),
}

# pycraf 2.1.0 (PyPI), pycraf.pathprof.loss_diffraction (ITU-R P.452-16 delta-Bullington,
# median L_d_50 with delta_N = 39.25 /km, i.e. k = 4/3), h_tg = 35 m, h_rg = 1.5 m, run on
# 2026-11-24 over the profiles above; on these paths the smooth-earth term is zero, so
# L_d_50 is the Bullington loss of the terrain
PYCRAF_DIFFRACTION = {
    900.0: {
        "ridge": 42.0798,
        "two_ridges": 43.0913,
        "grazing": 27.5173,
        "hill_near_rx": 44.7189,
        "valley_los": 0.0,
    },
    1800.0: {
        "ridge": 45.1247,
        "two_ridges": 46.1327,
        "grazing": 30.5238,
        "hill_near_rx": 47.7557,
        "valley_los": 0.0,
    },
}


@pytest.mark.parametrize("frequency_mhz", [900.0, 1800.0])
@pytest.mark.parametrize("name", list(PROFILES))
def test_bullington_matches_pycraf_p452(frequency_mhz, name):
    length_km, samples, shape = PROFILES[name]
    ground = shape(np.linspace(0.0, length_km, samples))[None, :]
    loss, line_of_sight = bullington_loss_db(ground, length_km, 35.0, 1.5, frequency_mhz)
    assert loss[0] == pytest.approx(PYCRAF_DIFFRACTION[frequency_mhz][name], abs=1.0)
    assert line_of_sight[0] == (name == "valley_los")


def test_bullington_single_edge_equals_knife_edge_plus_correction():
    # a flat path with one sharp edge: L_uc is J(v) of that edge (P.526-15 eqs. 55-57)
    ground = np.zeros((1, 101))
    ground[0, 40] = 60.0
    d_km, f_mhz = 10.0, 900.0
    loss, los = bullington_loss_db(ground, d_km, 30.0, 30.0, f_mhz, k_factor=1e9)
    v = fresnel_parameter(30.0, 4000.0, 6000.0, 299_792_458.0 / 900e6)
    j = knife_edge_loss_db(v)
    assert not los[0]
    assert loss[0] == pytest.approx(j + (1 - np.exp(-j / 6)) * (10 + 0.02 * d_km), abs=1e-6)


def test_bullington_is_vectorized_row_by_row():
    rows = [PROFILES[name][2](np.linspace(0, 6.0, 121)) for name in ("grazing", "valley_los")]
    together, _ = bullington_loss_db(np.array(rows), 6.0, 35.0, 1.5, 900.0)
    alone = [bullington_loss_db(row[None, :], 6.0, 35.0, 1.5, 900.0)[0][0] for row in rows]
    assert together.tolist() == pytest.approx(alone)


def plane_terrain():
    """A tilted plane z = 2x + 3y (x, y in cells) in metres, 1 m cells."""
    rows, cols = np.mgrid[0:50, 0:60]
    elevation = 2.0 * (cols + 0.5) + 3.0 * (49.5 - rows)
    return Terrain(elevation, Affine(1.0, 0, 0, 0, -1.0, 50.0), utm_crs(106.7, 16.8))


def test_bilinear_sampling_is_exact_on_a_plane():
    terrain = plane_terrain()
    x = np.array([0.5, 10.25, 33.3, 59.5])
    y = np.array([0.5, 20.75, 41.1, 49.5])
    assert sample_terrain(terrain, x, y) == pytest.approx(2 * x + 3 * y)


def test_profiles_run_from_start_to_end():
    terrain = plane_terrain()
    profile = terrain_profiles(terrain, np.array([[1.0, 1.0]]), np.array([[41.0, 31.0]]), 5)
    assert profile[0] == pytest.approx(2 * np.linspace(1, 41, 5) + 3 * np.linspace(1, 31, 5))


def test_no_ground_is_invented_outside_the_dem_or_in_holes():
    terrain = plane_terrain()
    assert np.isnan(sample_terrain(terrain, np.array([-20.0]), np.array([10.0]))[0])
    holed = terrain.elevation_m.copy()
    holed[20, 10] = np.nan
    hole = Terrain(holed, terrain.transform, terrain.crs)
    assert np.isnan(sample_terrain(hole, np.array([10.5]), np.array([29.5]))[0])
    assert sample_terrain(hole, np.array([40.5]), np.array([10.5]))[0] == pytest.approx(
        2 * 40.5 + 3 * 10.5
    )


def _cut(terrain: Terrain, rows: slice, cols: slice, fallback=None) -> Terrain:
    elevation = terrain.elevation_m.copy()
    elevation[rows, cols] = np.nan
    return Terrain(elevation, terrain.transform, terrain.crs, fallback)


def test_dem_that_misses_towers_is_refused_naming_them(layers, province):
    half = _cut(province.terrain, slice(None), slice(province.terrain.shape[1] // 2, None))
    with pytest.raises(TerrainCoverageError, match=r"towers stand outside the DEM .*ids: "):
        gap_list(
            layers["villages"], layers["towers"], setup=SignalSetup(terrain=half, model="terrain")
        )


def test_dem_that_misses_villages_is_refused_naming_them(layers, province):
    terrain = province.terrain
    village = layers["villages"].iloc[[0]]
    col, row = ~terrain.transform @ (village.geometry.x.iloc[0], village.geometry.y.iloc[0])
    holed = _cut(terrain, slice(int(row) - 2, int(row) + 3), slice(int(col) - 2, int(col) + 3))
    with pytest.raises(TerrainCoverageError, match=village["village_id"].iloc[0]):
        gap_list(
            layers["villages"], layers["towers"], setup=SignalSetup(terrain=holed, model="terrain")
        )


def test_hole_between_tower_and_village_is_refused_or_flagged(layers, province):
    terrain = province.terrain
    rows, _cols = terrain.shape
    # a band of no data across the middle of the province, towers and villages on either side
    band = slice(rows // 2 - 2, rows // 2 + 2)
    on_band = layers["towers"].geometry.y.between(
        *sorted(
            (terrain.transform @ (0, rows // 2 - 3))[1:]
            + (terrain.transform @ (0, rows // 2 + 3))[1:]
        )
    )
    towers = layers["towers"][~on_band.to_numpy()]
    villages = layers["villages"]
    off = villages.geometry.y.between(
        *sorted(
            (terrain.transform @ (0, rows // 2 - 3))[1:]
            + (terrain.transform @ (0, rows // 2 + 3))[1:]
        )
    )
    villages = villages[~off.to_numpy()]
    with pytest.raises(TerrainCoverageError, match="cross no-data cells"):
        gap_list(
            villages,
            towers,
            setup=SignalSetup(terrain=_cut(terrain, band, slice(None)), model="terrain"),
        )
    flat = _cut(terrain, band, slice(None), fallback="flat")
    gaps = gap_list(villages, towers, setup=SignalSetup(terrain=flat, model="terrain"))
    flagged = gaps.villages["terrain_fallback"]
    assert 0 < flagged.sum() < len(villages)
    assert f"{int(flagged.sum()):,} villages" in gaps.settings["terrain_fallback"]
    full = gap_list(villages, towers, setup=SignalSetup(terrain=terrain, model="terrain"))
    assert not full.villages["terrain_fallback"].any()
    assert full.settings["terrain_fallback"].startswith("none")
    # villages whose every path lies on the DEM get exactly the full DEM's answer
    clean = ~flagged.to_numpy()
    assert gaps.villages["best_signal_dbm"].to_numpy()[clean] == pytest.approx(
        full.villages["best_signal_dbm"].to_numpy()[clean], nan_ok=True
    )


def test_raster_leaves_cells_off_the_dem_unknown_not_dead(layers, province):
    half = _cut(province.terrain, slice(None), slice(province.terrain.shape[1] // 2, None))
    raster = signal_raster(
        layers["towers"],
        layers["villages"],
        resolution_m=2000.0,
        setup=SignalSetup(model="terrain", terrain=half),
    )
    assert raster.unknown is not None and 0 < raster.unknown.mean() < 1
    assert np.isnan(raster.signal_dbm[raster.unknown]).all()
    zones = dead_zones(raster, layers["households"])
    cells = ~raster.transform @ (
        zones.to_crs(raster.crs).representative_point().x.to_numpy(),
        zones.to_crs(raster.crs).representative_point().y.to_numpy(),
    )
    assert not raster.unknown[cells[1].astype(int), cells[0].astype(int)].any()


def test_terrain_coverage_reports_each_layer(layers, province):
    half = _cut(province.terrain, slice(None), slice(province.terrain.shape[1] // 2, None))
    table = terrain_coverage(half, {"villages": layers["villages"], "towers": layers["towers"]})
    assert table["layer"].tolist() == ["villages", "towers"]
    assert ((table["share_on_dem"] > 0) & (table["share_on_dem"] < 1)).all()
    full = terrain_coverage(province.terrain, {"villages": layers["villages"]})
    assert full["share_on_dem"].iloc[0] == 1.0 and full["off_dem_ids"].iloc[0] == ""


def test_unknown_fallback_is_refused(province):
    with pytest.raises(ValueError, match="fallback 'sea'"):
        Terrain(province.terrain.elevation_m, province.terrain.transform, WGS84, "sea")


def test_reprojected_dem_keeps_heights(province):
    metric = reproject_terrain(province.terrain, utm_crs(106.9, 16.75))
    lon, lat = np.array([106.6, 107.0, 107.2]), np.array([16.9, 16.6, 16.8])
    x, y = Transformer.from_crs(WGS84, metric.crs, always_xy=True).transform(lon, lat)
    original = sample_terrain(province.terrain, lon, lat)
    assert sample_terrain(metric, x, y) == pytest.approx(original, abs=0.05 * original.max())
