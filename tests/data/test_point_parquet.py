"""GeoParquet points as arrays, households validated as arrays, ids hashed from Arrow."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from whitespot.data._household_table import clean_households
from whitespot.data._point_parquet import point_wkb, read_point_table
from whitespot.data._text_hash import text_hash


@pytest.fixture
def points():
    xy = np.array([[106.5, 16.25], [107.125, 16.5], [105.0, 21.0]])
    return gpd.GeoDataFrame(
        {"household_id": ["H1", "H2", "H3"], "village_id": ["V1", "V1", "V2"],
         "electrified": [1.0, np.nan, 0.0]},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:4326",
    )  # fmt: skip


@pytest.mark.parametrize("encoding", ["WKB", "geoarrow"])
def test_points_are_read_as_the_coordinates_shapely_reads(points, tmp_path, encoding):
    points.to_parquet(tmp_path / "h.parquet", geometry_encoding=encoding)
    table = read_point_table(tmp_path / "h.parquet")
    expected = shapely.get_coordinates(points.geometry.array)
    assert np.array_equal(np.column_stack([table.x, table.y]), expected)
    assert table.first_row().crs == points.crs


def test_point_wkb_is_the_wkb_shapely_writes(points):
    x, y = shapely.get_x(points.geometry.array), shapely.get_y(points.geometry.array)
    assert point_wkb(x, y).to_pylist() == list(shapely.to_wkb(points.geometry.array))


@pytest.mark.parametrize(
    "shape",
    [shapely.Point(106, 16, 5), shapely.box(106, 16, 106.1, 16.1), shapely.Point()],
    ids=["z", "polygon", "empty"],
)
def test_other_geometry_is_left_to_read_layer(points, tmp_path, shape):
    points.loc[1, "geometry"] = shape
    points.to_parquet(tmp_path / "h.parquet")
    assert read_point_table(tmp_path / "h.parquet") is None


def test_big_endian_wkb_is_left_to_read_layer(points, tmp_path):
    points.to_parquet(tmp_path / "h.parquet")
    table = pq.read_table(tmp_path / "h.parquet")
    where = table.column_names.index("geometry")
    wkb = pa.array(shapely.to_wkb(points.geometry.array, byte_order=0), pa.binary())
    pq.write_table(table.set_column(where, table.schema.field(where), wkb), tmp_path / "b.parquet")
    assert read_point_table(tmp_path / "h.parquet") is not None
    assert read_point_table(tmp_path / "b.parquet") is None


def test_clean_households_are_the_arrays_validation_returns(points, tmp_path):
    points.to_parquet(tmp_path / "h.parquet")
    clean = clean_households(tmp_path / "h.parquet")
    assert clean.columns["household_id"].to_pylist() == ["H1", "H2", "H3"]
    assert clean.columns["electrified"].to_pylist() == [1.0, None, 0.0]
    assert clean.id_hash[0] != clean.id_hash[1]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda h: h.assign(household_id=["H1 ", "H2", "H3"]),  # validation strips it
        lambda h: h.assign(household_id=["H1", "\u00a0H2", "H3"]),  # a no-break space
        lambda h: h.assign(household_id=["H1", "H1", "H3"]),  # duplicate
        lambda h: h.assign(household_id=["H1", "", "H3"]),  # empty: made from the row
        lambda h: h.drop(columns="household_id"),
        lambda h: h.assign(village_id=["V1", None, "V2"]),
        lambda h: h.assign(electrified=[1.0, 2.0, 0.0]),
        lambda h: h.assign(electrified=[True, None, False]),
        lambda h: h.assign(Village_ID="V1"),  # another spelling of a column
        lambda h: h.assign(note=[{"a": 1}, {"a": 2}, {"a": 3}]),
        lambda h: h.set_geometry(gpd.points_from_xy([16.5, 16.5, 21.0], [106.5, 107.1, 105.0]),
                                 crs="EPSG:4326"),  # swapped
        lambda h: h.set_geometry(gpd.points_from_xy([2.35, 106.5, 105.0], [48.85, 16.5, 21.0]),
                                 crs="EPSG:4326"),  # outside the region
    ],
    ids=["space", "nbsp", "duplicate", "empty", "no-id", "no-village", "share", "bool-gap",
         "spelling", "struct", "swapped", "outside"],
)  # fmt: skip
def test_households_validation_would_act_on_are_left_to_it(points, tmp_path, spoil):
    spoil(points).to_parquet(tmp_path / "h.parquet")
    assert clean_households(tmp_path / "h.parquet") is None


def test_a_corrupt_file_is_left_to_validation(tmp_path):
    (tmp_path / "h.parquet").write_bytes(b"PAR1 not a parquet file")
    assert clean_households(tmp_path / "h.parquet") is None


def test_equal_texts_hash_equal_whatever_their_array():
    texts = ["a", "", None, "abc", "a", "ab", "ba", "\x00", "\x00\x00", "é", "abcdefghij"]
    hashed = text_hash(pa.array(texts))
    assert hashed[0] == hashed[4] and hashed[1] == hashed[2]  # a missing text hashes as ""
    assert len(set(hashed[[0, 1, 3, 5, 6, 7, 8, 9, 10]])) == 9
    chunked = pa.chunked_array([pa.array(texts[3:]), pa.array(texts[:3])])
    assert np.array_equal(text_hash(chunked), np.concatenate([hashed[3:], hashed[:3]]))
    assert np.array_equal(text_hash(pa.array(texts, pa.large_string()).slice(3, 4)), hashed[3:7])
