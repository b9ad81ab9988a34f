"""whitespot gaps and the demo pipeline: files written, every village once, clear errors."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.coverage import gap_list, signal_raster, write_partitions
from whitespot.data import read_layer, write_terrain
from whitespot.maps import gap_map, save_map
from whitespot.radio import SignalSetup


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory, province):
    folder = tmp_path_factory.mktemp("sample")
    paths = {}
    for name in ("villages", "households", "towers", "grid"):
        paths[name] = folder / f"{name}.gpkg"
        getattr(province, name).to_file(paths[name])
    paths["dem"] = folder / "dem.tif"
    write_terrain(province.terrain, paths["dem"])
    return paths


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "geojson", "gpkg"])
def test_gaps_writes_every_format_with_every_village(sample_files, tmp_path, capsys, suffix):
    out = tmp_path / f"gaps.{suffix}"
    code = main(
        [
            "gaps",
            "--villages",
            str(sample_files["villages"]),
            "--towers",
            str(sample_files["towers"]),
            "--grid",
            str(sample_files["grid"]),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "villages" in capsys.readouterr().out
    villages = read_layer(out, "villages")
    assert len(villages) == 300 and villages["village_id"].is_unique
    if suffix == "xlsx":
        book = openpyxl.load_workbook(out)
        assert book.sheetnames == ["villages", "communes", "province", "settings"]
    else:
        communes = pd.read_csv(tmp_path / "gaps_communes.csv", encoding="utf-8-sig")
        assert communes["villages"].sum() == 300
        settings = pd.read_csv(tmp_path / "gaps_settings.csv", encoding="utf-8-sig")
        assert "model" in settings["setting"].tolist()


def test_gaps_with_households_and_dem_uses_terrain(sample_files, tmp_path, capsys):
    out = tmp_path / "gaps.csv"
    code = main(
        [
            "gaps",
            "--villages",
            str(sample_files["villages"]),
            "--towers",
            str(sample_files["towers"]),
            "--households",
            str(sample_files["households"]),
            "--dem",
            str(sample_files["dem"]),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    settings = pd.read_csv(tmp_path / "gaps_settings.csv", encoding="utf-8-sig")
    values = dict(zip(settings["setting"], settings["value"], strict=True))
    assert values["model"] == "terrain" and values["signal_evaluated_at"] == "households"


def test_bad_villages_file_gets_the_validation_error(sample_files, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("village_id,households,lon,lat\nV1,-2,106.7,16.8\n", encoding="utf-8")
    code = main(
        [
            "gaps",
            "--villages",
            str(bad),
            "--towers",
            str(sample_files["towers"]),
            "--out",
            str(tmp_path / "g.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "villages (bad.csv): column 'households', 1 row (ids: V1)" in err
    assert "Traceback" not in err


def test_model_out_of_range_is_a_clear_error(sample_files, tmp_path, capsys):
    code = main(
        [
            "gaps",
            "--villages",
            str(sample_files["villages"]),
            "--towers",
            str(sample_files["towers"]),
            "--model",
            "hata",
            "--out",
            str(tmp_path / "g.csv"),
        ]
    )
    assert code == 1
    assert "model 'hata' is valid for frequency_mhz 150..2000" in capsys.readouterr().err


def test_bad_share_is_a_usage_error(sample_files, capsys):
    with pytest.raises(SystemExit):
        main(["gaps", "--villages", "v", "--towers", "t", "--covered-share", "1.5", "--out", "x"])
    assert "not a share between 0 and 1" in capsys.readouterr().err


def test_demo_writes_the_pipeline(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "without signal" in output
    for name in (
        "gaps.xlsx",
        "gaps.geojson",
        "gaps.csv",
        "signal.tif",
        "dead_zones.geojson",
        "summary.txt",
        "sample/province.gpkg",
    ):
        assert (tmp_path / name).exists(), name
    zones = gpd.read_file(tmp_path / "dead_zones.geojson")
    assert (zones["households"] > 0).all()


def test_gaps_from_partitions_on_a_local_cluster_equal_one_file(sample_files, tmp_path, capsys):
    """A folder of household partitions, two Dask workers: the same files, byte for byte."""
    pytest.importorskip("distributed")
    households = read_layer(sample_files["households"])
    write_partitions(households.assign(part=households.index // 9000), tmp_path / "hh", by="part")
    common = [
        "gaps", "--villages", str(sample_files["villages"]), "--towers",
        str(sample_files["towers"]), "--grid", str(sample_files["grid"]), "--model", "hata",
        "--extrapolate",
    ]  # fmt: skip
    one = tmp_path / "one" / "gaps.csv"
    spread = tmp_path / "spread" / "gaps.csv"
    assert main([*common, "--households", str(sample_files["households"]), "--out", str(one)]) == 0
    code = main(
        [*common, "--households", str(tmp_path / "hh"), "--workers", "2", "--out", str(spread)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "dask: 2 workers" in printed and "wrote 3 household partitions" in printed
    for name in ("gaps.csv", "gaps_communes.csv", "gaps_province.csv"):
        assert (one.parent / name).read_bytes() == (spread.parent / name).read_bytes()
    written = sorted((spread.parent / "gaps_households").rglob("*.parquet"))
    assert sum(len(read_layer(path)) for path in written) == len(households)


def test_a_crs_that_is_not_metric_is_refused_by_the_parser(sample_files, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(
            ["gaps", "--villages", str(sample_files["villages"]), "--towers",
             str(sample_files["towers"]), "--crs", "EPSG:4326", "--out", str(tmp_path / "g.csv")]
        )  # fmt: skip
    assert exit_info.value.code == 2
    assert "not a projected CRS in metres" in capsys.readouterr().err


def test_gaps_join_an_existing_cluster_by_its_scheduler_address(sample_files, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    common = [
        "gaps", "--villages", str(sample_files["villages"]), "--towers",
        str(sample_files["towers"]), "--households", str(sample_files["households"]),
        "--model", "hata", "--extrapolate",
    ]  # fmt: skip
    here, there = tmp_path / "here" / "gaps.csv", tmp_path / "there" / "gaps.csv"
    assert main([*common, "--out", str(here)]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c:
        assert main([*common, "--scheduler", c.scheduler_address, "--out", str(there)]) == 0
        assert len(c.scheduler_info["workers"]) == 2  # the run left the cluster up
    assert f"dask: 2 workers at {c.scheduler_address}" in capsys.readouterr().out
    assert here.read_bytes() == there.read_bytes()


def test_gaps_with_itm_names_the_model_and_its_parameters(sample_files, tmp_path, capsys):
    out = tmp_path / "gaps.csv"
    code = main(["gaps", "--villages", str(sample_files["villages"]), "--towers",
                 str(sample_files["towers"]), "--dem", str(sample_files["dem"]), "--model", "itm",
                 "--itm-climate", "maritime_subtropical", "--itm-reliability", "90",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    settings = pd.read_csv(tmp_path / "gaps_settings.csv", encoding="utf-8-sig")
    values = dict(zip(settings["setting"], settings["value"], strict=True))
    assert values["model"] == "itm" and values["itm_climate"] == "maritime_subtropical"
    assert float(values["itm_time_pct"]) == 90.0 == float(values["itm_location_pct"])
    assert "Longley-Rice" in values["model_description"]


def test_a_raster_map_says_which_model_made_it(layers, province, tmp_path):
    setup = SignalSetup(model="itm", terrain=province.terrain)
    villages = layers["villages"].iloc[:5]
    raster = signal_raster(layers["towers"], villages, setup, resolution_m=2_000.0)
    gaps = gap_list(villages, layers["towers"], setup, progress=False)
    page = save_map(gap_map(gaps, raster=raster), tmp_path / "map.html").read_text("utf-8")
    assert "Predicted best signal (itm)" in page and "model: Longley-Rice" in page
