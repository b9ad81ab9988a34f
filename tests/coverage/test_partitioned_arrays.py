"""Partitions read, classified and written as arrays give the files of the GeoDataFrame way.

Issue 45 (item 2): a partition in whitespot's own form is read without building geometries
and written with pyarrow; every file must be the one that validation, ``household_signal``
and ``write_layer`` write, byte for byte, and the gap list the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whitespot.coverage import partitioned, partitioned_gap_list, write_partitions
from whitespot.radio import SignalSetup

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


def households_of(layers, case: str):
    """A third of the sample's households in 3 partitions, shaped for `case`."""
    households = layers["households"].iloc[:9000].copy()
    households["part"] = households.index // 3000
    if case == "gaps":  # electrified unknown here and there, and households nobody hears
        households.loc[households.index[::7], "electrified"] = np.nan
        far = households.index[:40]
        households.loc[far, "geometry"] = households.loc[far].geometry.translate(xoff=1.2)
    if case == "extra":  # columns validation passes through: kept, as pandas writes them
        households["note"] = "hộ " + households["household_id"].astype(str)
        households["weight"] = np.where(households.index % 5 == 0, np.nan, 1.5)
    return households


def both_ways(layers, tmp_path, monkeypatch, setup, case="plain", encoding="WKB"):
    """The gap lists and the written files, as arrays and the GeoDataFrame way."""
    households = households_of(layers, case)
    for part, group in households.groupby("part"):
        path = tmp_path / "in" / f"part={part}" / "households.parquet"
        path.parent.mkdir(parents=True)
        kept = group if case == "extra" else group.drop(columns="part")
        kept.to_parquet(path, index=False, geometry_encoding=encoding)
    calls = []
    array_tally = partitioned._array_tally
    monkeypatch.setattr(partitioned, "_array_tally", lambda *a: calls.append(1) or array_tally(*a))
    run = {}
    for way in ("arrays", "frames"):
        if way == "frames":
            monkeypatch.setattr(partitioned, "clean_households", lambda path: None)
        run[way] = partitioned_gap_list(
            layers["villages"], layers["towers"], tmp_path / "in", tmp_path / way, setup,
            progress=False,
        )  # fmt: skip
    assert len(calls) == 3  # every partition went the array way, then none
    return run


def assert_same_files(tmp_path):
    arrays = sorted((tmp_path / "arrays").rglob("*.parquet"))
    frames = sorted((tmp_path / "frames").rglob("*.parquet"))
    assert [p.relative_to(tmp_path / "arrays") for p in arrays] == [
        p.relative_to(tmp_path / "frames") for p in frames
    ]
    assert len(arrays) == 3
    for left, right in zip(arrays, frames, strict=True):
        assert left.read_bytes() == right.read_bytes(), left


@pytest.mark.parametrize(
    ("setup", "case", "encoding"),
    [
        (SignalSetup(model="hata", extrapolate=True), "plain", "WKB"),
        (SignalSetup(model="hata", extrapolate=True), "gaps", "WKB"),
        (SignalSetup(model="hata", extrapolate=True), "plain", "geoarrow"),
        (SignalSetup(model="hata", extrapolate=True), "extra", "WKB"),
        (SignalSetup(), "gaps", "WKB"),
        (SignalSetup(model="hata", extrapolate=True, indoor="p2109"), "plain", "WKB"),
    ],
    ids=["hata", "unknown-power-unheard", "geoarrow", "extra-columns", "rma", "indoors"],
)
def test_partitions_as_arrays_write_the_files_of_the_geodataframe_way(
    layers, tmp_path, monkeypatch, setup, case, encoding
):
    run = both_ways(layers, tmp_path, monkeypatch, setup, case, encoding)
    assert_same_files(tmp_path)
    pd.testing.assert_frame_equal(run["arrays"].villages, run["frames"].villages)
    pd.testing.assert_frame_equal(run["arrays"].communes, run["frames"].communes)
    if case == "gaps":
        written = pd.read_parquet(tmp_path / "arrays" / "part=0" / "households.parquet")
        assert written["best_tower_id"].isna().any() and written["electrified"].isna().any()


def test_a_partition_that_validation_would_repair_is_read_the_geodataframe_way(
    layers, tmp_path, monkeypatch
):
    """Ids with spaces around them are stripped by validation: that file is not read as arrays."""
    households = layers["households"].iloc[:6000].assign(part=lambda h: h.index // 3000)
    households["household_id"] = households["household_id"].astype(str)
    households.loc[households.index[3000:3005], "household_id"] += " "
    write_partitions(households, tmp_path / "in", by="part")
    calls = []
    array_tally = partitioned._array_tally
    monkeypatch.setattr(partitioned, "_array_tally", lambda *a: calls.append(1) or array_tally(*a))
    gaps = partitioned_gap_list(
        layers["villages"], layers["towers"], tmp_path / "in", tmp_path / "out",
        SignalSetup(model="hata", extrapolate=True), progress=False,
    )  # fmt: skip
    assert len(calls) == 1  # part=0 only
    assert gaps.villages["household_points"].sum() == len(households)
    written = pd.read_parquet(tmp_path / "out" / "part=1" / "households.parquet")
    assert not written["household_id"].str.endswith(" ").any()


def test_a_partition_copied_twice_is_refused_the_array_way_too(layers, tmp_path):
    households = layers["households"].iloc[:6000].assign(part=lambda h: h.index // 3000)
    written = write_partitions(households, tmp_path / "in", by="part")
    copy = tmp_path / "in" / "copy" / "households.parquet"
    copy.parent.mkdir()
    copy.write_bytes(written[1].read_bytes())
    with pytest.raises(partitioned.ValidationError, match="in more than one partition"):
        partitioned_gap_list(
            layers["villages"], layers["towers"], tmp_path / "in", tmp_path / "out",
            SignalSetup(model="hata", extrapolate=True), progress=False,
        )  # fmt: skip
