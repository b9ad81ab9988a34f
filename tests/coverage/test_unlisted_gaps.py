"""A gap list made with footprints: estimate columns, and unlisted settlements counted apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from affine import Affine
from scipy.spatial import cKDTree

from whitespot.coverage import gap_list
from whitespot.coverage._unlisted import FOOTPRINT_COLUMNS
from whitespot.data import Population
from whitespot.data._crs import WGS84
from whitespot.data._labels import VIETNAMESE_HEADERS, counted


@pytest.fixture(scope="module")
def footprints(sample_footprints):
    return sample_footprints


@pytest.fixture(scope="module")
def with_buildings(layers, footprints):
    return gap_list(layers["villages"], layers["towers"], buildings=footprints[0], progress=False)


@pytest.fixture(scope="module")
def plain(layers):
    return gap_list(layers["villages"], layers["towers"], progress=False)


def test_the_three_hamlets_follow_the_villages_as_unlisted_rows(layers, footprints, with_buildings):
    _, chosen, crs = footprints
    rows = with_buildings.villages
    n = len(layers["villages"])
    assert len(rows) == n + 3
    assert not rows["unlisted"].iloc[:n].any()
    assert rows["unlisted"].iloc[n:].all()
    assert rows["village_id"].iloc[n:].str.match(r"unlisted-\d+-\d+$").all()
    assert (rows["households"].iloc[n:] == 8).all()
    centres = shapely.get_coordinates(rows.iloc[n:].to_crs(crs).geometry)
    assert cKDTree(chosen).query(centres)[0].max() < 60
    # judged like the listed villages
    assert (
        rows["signal_status"].iloc[n:].isin(["covered", "weak", "none", "beyond_model_range"]).all()
    )
    assert rows["households_estimated"].iloc[:n].notna().all()
    assert "households_estimate_basis" in rows


def test_unlisted_settlements_are_counted_apart(with_buildings, plain):
    assert with_buildings.totals() == plain.totals()
    unlisted = with_buildings.villages[with_buildings.villages["unlisted"]]
    without = int(
        unlisted.loc[
            unlisted["signal_status"].isin(["weak", "none"]), "households_without_signal"
        ].sum()
    )
    assert with_buildings.headline().startswith(plain.headline())
    assert with_buildings.headline().endswith(
        f"; and 3 settlements no list names: {counted(without, 'household')} without signal"
    )
    assert "household_size" in with_buildings.settings


def test_listed_columns_keep_their_types(with_buildings, plain):
    listed = with_buildings.villages
    for column in plain.villages.columns:
        assert listed[column].dtype == plain.villages[column].dtype, column


def test_a_population_raster_alone_estimates_households_and_adds_no_rows(layers, tmp_path):
    villages = layers["villages"]
    west, south, east, north = villages.total_bounds
    size = 0.01  # degrees, about 1 km
    columns, rows = int(np.ceil((east - west) / size)) + 2, int(np.ceil((north - south) / size)) + 2
    count = np.full((rows, columns), 7.0)
    population = Population(count, Affine(size, 0, west - size, 0, -size, north + size), WGS84)
    gaps = gap_list(villages, layers["towers"], population=population, progress=False)
    rows_out = gaps.villages
    assert len(rows_out) == len(villages)
    assert not rows_out["unlisted"].any()
    assert (rows_out["households_estimate_basis"] == "population").all()
    persons = rows_out["population_estimated"].to_numpy()
    households = rows_out["households_estimated"].to_numpy(dtype=float)
    np.testing.assert_array_equal(households, np.round(persons / 3.5))
    # the areas never overlap: the villages hold no more than the raster
    assert persons.sum() <= count.sum()
    assert "settlements no list names" not in gaps.headline()


def test_the_glossary_and_the_vietnamese_headers_name_the_new_columns():
    glossary = (Path(__file__).parents[2] / "docs" / "glossary.md").read_text(encoding="utf-8")
    for column in (*FOOTPRINT_COLUMNS, "commune_from"):
        assert f"`{column}`" in glossary, column
        assert column in VIETNAMESE_HEADERS, column
