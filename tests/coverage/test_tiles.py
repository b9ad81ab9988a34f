"""Gap lists from tiles and on a real Dask LocalCluster equal the one-piece answer."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from whitespot._parallel import closing_cluster, connect, worker_count
from whitespot.coverage import (
    gap_list,
    household_partitions,
    partitioned_gap_list,
    write_partitions,
)
from whitespot.coverage._tiles import household_signal, village_tally
from whitespot.data import ValidationError, read_layer, write_layer
from whitespot.radio import SignalEngine, SignalSetup

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with closing_cluster(connect(workers=2)) as dask_client:
        yield dask_client


def assert_same_gap_list(left, right):
    pd.testing.assert_frame_equal(left.villages, right.villages)
    pd.testing.assert_frame_equal(left.communes, right.communes)
    pd.testing.assert_frame_equal(left.households, right.households)
    assert left.settings == right.settings


@pytest.mark.parametrize("model", ["hata", "rma"])
def test_tiles_give_the_one_piece_gap_list(layers, model, monkeypatch):
    setup = SignalSetup(model=model, extrapolate=True)
    whole = gap_list(
        layers["villages"], layers["towers"], setup, households=layers["households"],
        grid=layers["grid"], progress=False,
    )  # fmt: skip
    monkeypatch.setattr("whitespot.coverage._tiles.HOUSEHOLDS_PER_TILE", 997)
    monkeypatch.setattr("whitespot.coverage.gaps.HOUSEHOLDS_PER_TILE", 997)
    tiled = gap_list(
        layers["villages"], layers["towers"], setup, households=layers["households"],
        grid=layers["grid"], progress=False,
    )  # fmt: skip
    assert_same_gap_list(whole, tiled)


def test_local_cluster_gives_the_one_process_gap_list(layers, client, monkeypatch):
    setup = SignalSetup(model="hata", extrapolate=True)
    monkeypatch.setattr("whitespot.coverage.gaps.HOUSEHOLDS_PER_TILE", 5_000)
    here = gap_list(
        layers["villages"], layers["towers"], setup, households=layers["households"],
        grid=layers["grid"], progress=False,
    )  # fmt: skip
    there = gap_list(
        layers["villages"], layers["towers"], setup, households=layers["households"],
        grid=layers["grid"], client=client, progress=False,
    )  # fmt: skip
    assert len(client.scheduler_info()["workers"]) == 2
    assert_same_gap_list(here, there)


def test_tallies_of_tiles_add_up_to_the_whole(layers):
    setup = SignalSetup(model="hata", extrapolate=True).in_crs("EPSG:32648")
    engine = SignalEngine.prepare(layers["towers"], setup)
    households = layers["households"]
    ids = layers["villages"]["village_id"]
    whole = village_tally(ids, household_signal(households, engine, setup.budget))
    halves = [
        village_tally(ids, household_signal(part, engine, setup.budget))
        for part in (
            households.iloc[: len(households) // 3],
            households.iloc[len(households) // 3 :],
        )
    ]
    pd.testing.assert_frame_equal(whole, halves[0] + halves[1])
    assert whole["household_points"].sum() == len(households)


def test_partitioned_households_give_the_in_memory_gap_list(layers, tmp_path, client):
    households = layers["households"].assign(part=lambda h: h.index // 7000)
    write_partitions(households, tmp_path / "in", by="part")
    setup = SignalSetup(model="hata", extrapolate=True)
    whole = gap_list(
        layers["villages"], layers["towers"], setup, households=households,
        grid=layers["grid"], progress=False,
    )  # fmt: skip
    for run_on in (None, client):
        on_disk = partitioned_gap_list(
            layers["villages"], layers["towers"], tmp_path / "in", tmp_path / "out", setup,
            grid=layers["grid"], client=run_on, progress=False,
        )  # fmt: skip
        pd.testing.assert_frame_equal(whole.villages, on_disk.villages)
        pd.testing.assert_frame_equal(whole.provinces, on_disk.provinces)
        written = household_partitions(tmp_path / "out")
        assert [p.relative_to(tmp_path / "out") for p in written] == [
            p.relative_to(tmp_path / "in") for p in household_partitions(tmp_path / "in")
        ]
        back = pd.concat([read_layer(p) for p in written], ignore_index=True)
        pd.testing.assert_frame_equal(
            pd.DataFrame(back.drop(columns="geometry")),
            pd.DataFrame(whole.households.drop(columns="geometry")),
            check_dtype=False,
        )
    assert on_disk.settings["household_partitions"] == len(written)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_an_empty_partition_folder_is_named(layers, tmp_path):
    (tmp_path / "in").mkdir()
    with pytest.raises(ValidationError, match=r"holds no \.parquet file"):
        partitioned_gap_list(layers["villages"], layers["towers"], tmp_path / "in", tmp_path / "o")


def refusal(layers, tmp_path) -> str:
    """The message of the gap list of the partitions in ``tmp_path / "in"``, refused."""
    with pytest.raises(ValidationError) as error:
        partitioned_gap_list(
            layers["villages"], layers["towers"], tmp_path / "in", tmp_path / "out",
            progress=False,
        )  # fmt: skip
    return str(error.value)


@pytest.mark.parametrize("with_ids", [True, False])
def test_a_partition_present_twice_is_refused_with_its_files(layers, tmp_path, with_ids):
    """The same households in two files would double the villages' counts (issue 30)."""
    households = layers["households"].assign(part=lambda h: h.index // 7000)
    if not with_ids:
        households = households.drop(columns="household_id")
    written = write_partitions(households, tmp_path / "in", by="part")
    copy = tmp_path / "in" / "copy" / "households.parquet"
    copy.parent.mkdir()
    shutil.copy(written[0], copy)
    text = refusal(layers, tmp_path)
    assert "in more than one partition" in text
    assert "copy/households.parquet" in text and "part=0/households.parquet" in text
    assert "every household of" in text
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.parquet"))


def test_a_partition_without_electrified_beside_others_with_it_is_refused(layers, tmp_path):
    """Missing means unknown, never electrified: mixed partitions are named (issue 30)."""
    households = layers["households"].assign(part=lambda h: h.index // 7000)
    written = write_partitions(households, tmp_path / "in", by="part")
    assert "electrified" in read_layer(written[1]).columns
    write_layer(read_layer(written[1]).drop(columns="electrified"), written[1])
    text = refusal(layers, tmp_path)
    assert f"{len(written) - 1} of {len(written)} partitions give electrified" in text
    assert "part=1/households.parquet" in text


def test_a_partition_of_villages_absent_from_the_villages_file_is_refused_naming_it(
    layers, tmp_path
):
    """Orphan households would be dropped from every count: the run is refused instead."""
    households = layers["households"].assign(part=lambda h: h.index // 7000)
    written = write_partitions(households, tmp_path / "in", by="part")
    orphans = read_layer(written[2])
    orphans["village_id"] = "X" + orphans["village_id"].astype(str)  # another file's codes
    write_layer(orphans, written[2])
    text = refusal(layers, tmp_path)
    villages = sorted(orphans["village_id"].unique())
    assert f"{len(orphans):,} households in 1 of {len(written)} partitions" in text
    assert f"part=2/households.parquet: {len(orphans):,} households name {len(villages):,}" in text
    assert villages[0] in text and "absent from the villages file" in text
    assert "column 'village_id'" in text
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.parquet"))


def test_households_of_villages_absent_from_the_villages_file_are_refused_in_memory(layers):
    households = layers["households"].copy()
    households.loc[households.index[:30], "village_id"] = "V-GONE"
    with pytest.raises(ValidationError, match="30 households name 1 village absent") as error:
        gap_list(layers["villages"], layers["towers"], households=households, progress=False)
    assert "V-GONE" in str(error.value) and error.value.checks == ("unknown_village",)


def test_local_workers_are_capped_at_the_cores_and_memory_and_it_is_said():
    """--workers 999 started 79 processes and grew past 4 GB (issue 30, item 6)."""
    count, reason = worker_count(999)
    assert 1 <= count <= (os.cpu_count() or 1)
    assert reason is not None and "--workers 999: starting" in reason and "cores" in reason
    assert worker_count(1) == (1, None)


def test_partitions_that_each_number_their_households_from_one_are_read(layers, tmp_path):
    """One file per province, each numbering from 1: same ids, other places (issue 41, 17)."""
    households = layers["households"].assign(part=lambda h: h.index // 7000)
    households["household_id"] = households.groupby("part").cumcount().add(1).astype(str)
    write_partitions(households, tmp_path / "in", by="part")
    gaps = partitioned_gap_list(
        layers["villages"], layers["towers"], tmp_path / "in", tmp_path / "out", progress=False
    )
    assert gaps.villages["households"].sum() == layers["villages"]["households"].sum()
