"""Footprint files read one at a time, on Dask: the gap list of the footprints in memory."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from whitespot._parallel import closing_cluster, connect
from whitespot.coverage import gap_list
from whitespot.coverage.partitioned import partitioned_gap_list, write_partitions
from whitespot.data import Population, read_buildings
from whitespot.data._crs import WGS84
from whitespot.radio import SignalSetup

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with closing_cluster(connect(workers=2)) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def tiles(sample_footprints, tmp_path_factory):
    """The footprints as three Open Buildings .csv.gz tiles and a Microsoft .geojsonl file.

    The tiles are cut at the longitude of two hamlets' centres, so those two hamlets lie
    across two files each.
    """
    buildings, chosen, crs = sample_footprints
    centres = gpd.GeoSeries(shapely.points(chosen[:2]), crs=crs).to_crs(WGS84)
    cuts = np.sort(centres.x.to_numpy())
    lon, lat = buildings.geometry.x.to_numpy(), buildings.geometry.y.to_numpy()
    tile = np.searchsorted(cuts, lon)
    folder = tmp_path_factory.mktemp("footprints")
    for t in np.unique(tile):
        mine = tile == t
        table = pd.DataFrame(
            {
                "latitude": lat[mine],
                "longitude": lon[mine],
                "area_in_meters": buildings["area_m2"].to_numpy()[mine],
                "confidence": buildings["confidence"].to_numpy()[mine],
            }
        )
        table.iloc[: len(table) // 2].to_csv(folder / f"tile_{t}_buildings.csv.gz", index=False)
        rest = table.iloc[len(table) // 2 :]
        lines = [
            json.dumps(
                {
                    "type": "Feature",
                    "properties": {"confidence": float(c), "area_in_meters": float(a)},
                    "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
                }
            )
            for x, y, c, a in rest[
                ["longitude", "latitude", "confidence", "area_in_meters"]
            ].itertuples(index=False)
        ]
        (folder / f"tile_{t}.geojsonl").write_text("\n".join(lines) + "\n")
    return folder, tile


@pytest.fixture(scope="module")
def population(layers):
    west, south, east, north = layers["villages"].total_bounds
    size = 0.01
    columns = int(np.ceil((east - west) / size)) + 2
    rows = int(np.ceil((north - south) / size)) + 2
    count = np.random.default_rng(3).uniform(0, 20, (rows, columns))
    return Population(count, Affine(size, 0, west - size, 0, -size, north + size), WGS84)


def test_the_tiles_cut_two_hamlets(tiles, sample_footprints):
    _, t = tiles
    hamlets = t[-24:].reshape(3, 8)  # the fixture's last 24 footprints: 3 hamlets of 8
    assert sum(len(set(h)) > 1 for h in hamlets) == 2


def test_footprint_files_on_dask_give_the_in_memory_gap_list(
    layers, sample_footprints, tiles, population, client
):
    folder, _ = tiles
    setup = SignalSetup(model="hata", extrapolate=True)
    common = {"setup": setup, "population": population, "progress": False}
    in_memory = gap_list(
        layers["villages"], layers["towers"], buildings=sample_footprints[0], **common
    )
    read_first = gap_list(
        layers["villages"], layers["towers"], buildings=read_buildings(folder), **common
    )
    per_file = gap_list(
        layers["villages"], layers["towers"], buildings=folder, client=client, **common
    )
    assert in_memory.villages["unlisted"].sum() == 3
    pd.testing.assert_frame_equal(in_memory.villages, read_first.villages)
    pd.testing.assert_frame_equal(in_memory.villages, per_file.villages)
    assert in_memory.settings == per_file.settings


def test_households_and_footprints_of_the_country_on_dask(
    layers, sample_footprints, tiles, population, client, tmp_path
):
    folder, _ = tiles
    households = layers["households"].assign(part=lambda h: h.index // 7000)
    write_partitions(households, tmp_path / "households", by="part")
    setup = SignalSetup(model="hata", extrapolate=True)
    whole = gap_list(
        layers["villages"], layers["towers"], setup, households=households,
        grid=layers["grid"], buildings=sample_footprints[0], population=population,
        progress=False,
    )  # fmt: skip
    for run_on in (None, client):
        country = partitioned_gap_list(
            layers["villages"], layers["towers"], tmp_path / "households",
            tmp_path / f"out_{run_on is None}", setup, grid=layers["grid"], buildings=folder,
            population=population, client=run_on, progress=False,
        )  # fmt: skip
        pd.testing.assert_frame_equal(whole.villages, country.villages)
        pd.testing.assert_frame_equal(whole.communes, country.communes)
        assert whole.headline() == country.headline()
        assert "settlements no list names" in country.headline()
