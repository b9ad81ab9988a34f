"""The sample province: deterministic, valid, realistic, and the shipped files match."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from whitespot.data import (
    make_province,
    validate_grid,
    validate_households,
    validate_towers,
    validate_villages,
    write_province,
)
from whitespot.data.sample import PROVINCE_CODE


def frames_equal(a, b):
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.drop(columns="geometry")),
        pd.DataFrame(b.drop(columns="geometry")),
        check_dtype=False,
    )
    assert a.geometry.to_wkb().tolist() == b.geometry.to_wkb().tolist()


@pytest.fixture(scope="module")
def generated():
    return make_province()


def test_same_seed_same_bytes(tmp_path):
    small = make_province(villages=40, seed=7)
    first = write_province(small, tmp_path / "a")
    second = write_province(make_province(villages=40, seed=7), tmp_path / "b")
    for layer, path in first.items():
        assert path.read_bytes() == second[layer].read_bytes(), layer


def test_other_seed_other_province():
    a, b = make_province(villages=40, seed=1), make_province(villages=40, seed=2)
    assert not a.villages.geometry.geom_equals(b.villages.geometry).all()


def test_shipped_sample_equals_generator(province, generated):
    for name in ("villages", "households", "towers", "grid", "communes"):
        frames_equal(getattr(province, name), getattr(generated, name))
    assert np.array_equal(province.terrain.elevation_m, generated.terrain.elevation_m)


def test_layers_pass_validation_without_defaults(province):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        villages = validate_villages(province.villages)
        validate_households(province.households)
        validate_towers(province.towers)
        validate_grid(province.grid)
    assert len(villages) == 300


def test_households_belong_to_villages(province):
    counts = province.households.groupby("village_id").size()
    expected = province.villages.set_index("village_id")["households"]
    assert counts.reindex(expected.index).tolist() == expected.tolist()


def test_terrain_is_mountains_west_plain_and_sea_east(province):
    elevation = province.terrain.elevation_m
    west, east = elevation[:, :60], elevation[:, -60:]
    assert np.nanmedian(west) > 500 and np.nanmax(west) > 1200
    assert np.nanmedian(east) < 20 and (east == 0).any()  # the sea


def test_mountain_villages_are_smaller_and_some_lack_power(province):
    villages = province.villages
    mountain = villages["elevation_m"] > 250
    assert mountain.sum() >= 20
    assert (
        villages.loc[mountain, "households"].median()
        < villages.loc[~mountain, "households"].median()
    )
    assert (villages.loc[mountain, "electrified"] == 0).mean() > 0.25
    assert (villages.loc[~mountain, "electrified"] == 1).mean() > 0.85


def test_three_operators_where_people_are(province):
    towers = province.towers
    assert set(towers["operator"]) == {"Viettel", "VinaPhone", "MobiFone"}
    assert towers["ground_m"].median() < 50  # on the plain, where households are dense


def test_codes_are_post_2025(province):
    villages = province.villages
    assert set(villages["province_code"]) == {PROVINCE_CODE}
    assert villages["commune_code"].str.fullmatch(r"\d{5}").all()
    assert set(villages["commune_code"]) <= set(province.communes["commune_code"])
    names = villages.groupby("commune_code")["name"]
    assert names.apply(lambda n: n.is_unique).all()


def test_generator_scales():
    big = make_province(villages=3000, seed=3)
    assert len(big.villages) == 3000
    assert 150_000 < len(big.households) < 350_000
    assert len(big.towers) == 1000
    assert big.villages["village_id"].is_unique and big.households["household_id"].is_unique


def test_bad_size():
    with pytest.raises(ValueError, match="villages=0 must be >= 1"):
        make_province(villages=0)
