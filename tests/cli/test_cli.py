"""The whitespot command: demo, validate, sample; exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pytest

from whitespot.cli import main
from whitespot.data import read_layer, read_province

BAD_VILLAGES = """village_id,name,households,lon,lat
V1,Thôn A,10,106.7,16.8
V2,Thôn B,20,16.8,106.7
V3,Thôn C,-5,106.8,16.9
V3,Thôn D,12,106.9,16.7
"""


def test_demo_writes_readable_files(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "villages 300, households 25,924" in output
    province = read_province(tmp_path / "sample")
    assert len(province.villages) == 300
    table = read_layer(tmp_path / "gaps.csv")
    assert len(table) == 300 and {"lon", "lat"}.isdisjoint(table.columns)
    assert "synthetic" in (tmp_path / "summary.txt").read_text(encoding="utf-8")


def test_validate_reports_every_problem_and_exits_1(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_VILLAGES, encoding="utf-8")
    assert main(["validate", "villages", str(path)]) == 1
    error = capsys.readouterr().err
    assert "villages (bad.csv): 3 problems" in error
    assert "(ids: V2): longitude and latitude look swapped" in error
    assert "column 'village_id', 2 rows (ids: V3): duplicate id" in error
    assert "column 'households', 1 row (ids: V3): negative" in error
    assert "Traceback" not in error


def test_validate_good_file(tmp_path, capsys, province):
    path = tmp_path / "towers.geojson"
    province.towers.to_file(path)
    assert main(["validate", "towers", str(path)]) == 0
    assert "towers (towers.geojson): OK, 100 rows, CRS EPSG:4326" in capsys.readouterr().out


def test_validate_region_options(tmp_path, capsys):
    path = tmp_path / "paris.csv"
    path.write_text("village_id,households,lon,lat\nP1,3,2.35,48.85\n", encoding="utf-8")
    assert main(["validate", "villages", str(path)]) == 1
    assert main(["validate", "villages", str(path), "--anywhere"]) == 0
    assert main(["validate", "villages", str(path), "--region", "2,48,3,49"]) == 0


def test_missing_file_exits_3(tmp_path, capsys):
    assert main(["validate", "villages", str(tmp_path / "none.csv")]) == 3
    assert "file not found" in capsys.readouterr().err


def test_debug_shows_traceback(tmp_path, capsys):
    assert main(["--debug", "validate", "villages", str(tmp_path / "none.csv")]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "hamlets", "x.csv"])
    assert exit_info.value.code == 2


def test_bad_region_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "villages", "x.csv", "--region", "3,1,2"])
    assert "MINLON,MINLAT,MAXLON,MAXLAT" in capsys.readouterr().err


def test_sample_command(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path), "--villages", "30", "--seed", "4"]) == 0
    assert len(gpd.read_file(tmp_path / "province.gpkg", layer="villages")) == 30


def test_terrain_and_opencellid_validation(tmp_path, capsys):
    main(["demo", "--out", str(tmp_path)])
    assert main(["validate", "terrain", str(tmp_path / "sample" / "dem.tif")]) == 0
    assert "280 x 360 cells" in capsys.readouterr().out


def test_console_script_and_module_entry_points(tmp_path):
    for command in (["whitespot"], [sys.executable, "-m", "whitespot.cli"]):
        done = subprocess.run([*command, "--help"], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "demo" in done.stdout
