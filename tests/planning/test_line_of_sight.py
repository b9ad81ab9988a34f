"""Line of sight of microwave hops: Fresnel radius, earth bulge, clearance over a DEM."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from affine import Affine

from whitespot._errors import InputError
from whitespot.data import Terrain, utm_crs, write_terrain
from whitespot.planning import (
    HopClearance,
    earth_bulge_m,
    fresnel_radius_m,
    hop_clearance,
    hops_clearance,
)
from whitespot.planning.line_of_sight import effective_k_low, low_k_clearance_f1
from whitespot.radio import TerrainCoverageError

CELL_M = 30.0
HOP_M = 10_020.0  # 334 cells of 30 m: the midpoint falls on a cell centre
RIDGE_M = 100.0
FREQUENCY_MHZ = 6000.0


# Textbook values: a 10 km hop at 6 GHz. F1 = 17.32 sqrt(d1 d2 / (f D)) (km, GHz) = 11.18 m
# at mid-path (Freeman, "Radio System Design for Telecommunications", 3rd ed., eq. 2.13);
# bulge h = d1 d2 / (12.74 k) (km, m) = 1.47 m at k = 4/3 and 2.94 m at k = 2/3
# (Freeman, eq. 2.8; ITU-R P.452-17 eq. 61 with a = 6371 km).
def test_fresnel_radius_at_mid_path_of_a_10_km_hop_at_6_ghz():
    assert fresnel_radius_m(5000.0, 5000.0, 6000.0) == pytest.approx(11.18, abs=0.005)


def test_fresnel_zone_n_scales_with_the_square_root_of_n():
    first = fresnel_radius_m(2000.0, 8000.0, 6000.0)
    assert fresnel_radius_m(2000.0, 8000.0, 6000.0, zone=2) == pytest.approx(first * np.sqrt(2))
    assert fresnel_radius_m(0.0, 10_000.0, 6000.0) == 0.0


@pytest.mark.parametrize(("k", "bulge_m"), [(4.0 / 3.0, 1.47), (2.0 / 3.0, 2.94)])
def test_earth_bulge_at_mid_path_of_a_10_km_hop(k, bulge_m):
    assert earth_bulge_m(5000.0, 5000.0, k) == pytest.approx(bulge_m, abs=0.005)


def ridge_terrain() -> Terrain:
    """Flat ground at 0 m with a ridge of RIDGE_M, five cells wide, across mid-hop."""
    rows, cols = 41, 360
    elevation = np.zeros((rows, cols))
    mid_col = 5 + int(HOP_M / 2 / CELL_M)
    elevation[:, mid_col - 2 : mid_col + 3] = RIDGE_M
    transform = Affine(CELL_M, 0, 0, 0, -CELL_M, rows * CELL_M)
    return Terrain(elevation, transform, utm_crs(106.7, 16.8))


def hop_ends() -> tuple[shapely.Point, shapely.Point]:
    y = 20.5 * CELL_M  # a row of cell centres
    x0 = 5.5 * CELL_M
    return shapely.Point(x0, y), shapely.Point(x0 + HOP_M, y)


def limiting_height_m(climate: str = "tropical", obstruction: str = "extended") -> float:
    """Antenna height (both ends) at which the ridge top has exactly the P.530 clearance."""
    half = HOP_M / 2
    f1 = float(fresnel_radius_m(half, half, FREQUENCY_MHZ))
    step1 = RIDGE_M + float(earth_bulge_m(half, half, 4 / 3)) + 1.0 * f1
    low = float(low_k_clearance_f1(HOP_M / 1000, climate, obstruction))
    if np.isnan(low):
        return step1
    k_low = float(effective_k_low(HOP_M / 1000))
    return max(step1, RIDGE_M + float(earth_bulge_m(half, half, k_low)) + low * f1)


def clearance(height_m: float, **options) -> HopClearance:
    a, b = hop_ends()
    return hop_clearance(
        ridge_terrain(),
        a,
        b,
        height_a_m=height_m,
        height_b_m=height_m,
        frequency_mhz=FREQUENCY_MHZ,
        **options,
    )


@pytest.mark.parametrize(
    ("climate", "obstruction"),
    [("tropical", "extended"), ("temperate", "extended"), ("temperate", "isolated")],
)
def test_ridge_clears_just_above_its_limiting_height_and_not_just_below(climate, obstruction):
    height = limiting_height_m(climate, obstruction)
    above = clearance(height + 0.1, climate=climate, obstruction=obstruction)
    below = clearance(height - 0.1, climate=climate, obstruction=obstruction)
    assert above.passes and not below.passes
    assert above.at_m == pytest.approx(HOP_M / 2)
    assert below.raise_m == pytest.approx(0.1, abs=1e-6)


def test_tropical_hop_up_to_30_km_is_held_to_full_first_fresnel_clearance_only():
    height = limiting_height_m("tropical")
    result = clearance(height + 0.1)
    assert result.clearance_fraction == pytest.approx(1.0 + 0.1 / 11.18, abs=1e-3)
    assert np.isnan(result.low_k_required_fraction)


def test_blocked_ridge_has_negative_clearance_where_the_ridge_stands():
    result = clearance(RIDGE_M - 5.0)
    assert result.clearance_m < 0 and result.clearance_fraction < 0
    assert not result.passes
    assert abs(result.at_m - HOP_M / 2) <= 2 * CELL_M
    # raising b alone lifts the ray at mid-path by half as much (more near the ridge's a side)
    assert result.raise_b_m >= 2 * result.raise_m
    assert result.raise_a_m == pytest.approx(result.raise_b_m, abs=1.0)  # a symmetric ridge
    a, b = hop_ends()
    for extra_m, passes in [(0.01, True), (-0.1, False)]:
        raised = hop_clearance(
            ridge_terrain(),
            a,
            b,
            height_a_m=RIDGE_M - 5.0,
            height_b_m=RIDGE_M - 5.0 + result.raise_b_m + extra_m,
            frequency_mhz=FREQUENCY_MHZ,
        )
        assert raised.passes == passes


def test_low_k_criteria_as_p530_prints_them():
    assert np.isnan(low_k_clearance_f1(20.0, "tropical", "extended"))
    assert low_k_clearance_f1(40.0, "tropical", "extended") == 0.6
    assert low_k_clearance_f1(20.0, "temperate", "extended") == 0.3
    assert low_k_clearance_f1(20.0, "temperate", "isolated") == 0.0
    k = effective_k_low([5.0, 10.0, 50.0, 200.0, 400.0])
    assert np.all(np.diff(k) >= 0) and k[0] < 1.0 <= 4 / 3
    with pytest.raises(InputError, match="climate"):
        low_k_clearance_f1(20.0, "arctic", "extended")


def test_hops_at_once_equal_each_hop_alone_and_read_a_geotiff(tmp_path):
    terrain = ridge_terrain()
    a, b = hop_ends()
    heights = np.array([RIDGE_M - 5.0, 130.0, 112.0])
    together = hops_clearance(
        terrain,
        [a, a, b],
        [b, b, a],
        height_a_m=heights,
        height_b_m=heights,
        frequency_mhz=[6000.0, 6000.0, 15000.0],
    )
    path = write_terrain(terrain, tmp_path / "ridge.tif")
    for i, height in enumerate(heights):
        ends = (a, b) if i < 2 else (b, a)
        alone = hop_clearance(
            path,
            *ends,
            height_a_m=height,
            height_b_m=height,
            frequency_mhz=together["frequency_mhz"][i],
        )
        assert alone.clearance_m == pytest.approx(together["clearance_m"][i], abs=1e-3)
        assert alone.passes == together["passes"][i]
    assert together["passes"].tolist() == [False, True, True]


def test_hop_off_the_dem_is_not_judged():
    terrain = ridge_terrain()
    a, b = hop_ends()
    far = shapely.Point(b.x + 5000.0, b.y)
    table = hops_clearance(
        terrain, [a, a], [b, far], height_a_m=150.0, height_b_m=150.0, frequency_mhz=6000.0
    )
    assert table["on_dem"].tolist() == [True, False]
    assert not table["passes"][1] and np.isnan(table["clearance_m"][1])
    with pytest.raises(TerrainCoverageError, match="leaves the DEM"):
        hop_clearance(terrain, a, far, height_a_m=150.0, height_b_m=150.0, frequency_mhz=6000.0)


def test_geographic_dem_is_measured_in_metres():
    terrain = Terrain(np.zeros((50, 50)), Affine(0.001, 0, 106.0, 0, -0.001, 17.0), "EPSG:4326")
    result = hop_clearance(
        terrain,
        shapely.Point(106.005, 16.975),
        shapely.Point(106.045, 16.975),
        height_a_m=30.0,
        height_b_m=30.0,
        frequency_mhz=15000.0,
    )
    assert result.length_m == pytest.approx(4259.0, rel=0.01)  # 0.04 degree at 16.975 N
    assert result.passes
