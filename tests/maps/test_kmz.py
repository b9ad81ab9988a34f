"""The gap list, the plan and the signal as a KMZ for Google Earth (issue 42, item 5)."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree

import numpy as np
import pytest
from pyproj import Transformer

from whitespot.coverage import gap_list, signal_raster
from whitespot.data import validate_villages
from whitespot.department import read_village_list
from whitespot.maps import write_kmz
from whitespot.planning import Objective, plan_sites

KML = "{http://www.opengis.net/kml/2.2}"
HOSTILE = 'Bản <b>&</b> {{ 7*7 }} "Ba"'


@pytest.fixture(scope="module")
def written(province, layers, tmp_path_factory):
    villages = province.villages.copy()
    villages.loc[0, "name"] = HOSTILE
    villages = validate_villages(villages)
    gaps = gap_list(villages, layers["towers"], progress=False)
    plan = plan_sites(gaps, Objective.sites(5), towers=layers["towers"], curve_steps=0)
    raster = signal_raster(layers["towers"], villages, resolution_m=2000.0, progress=False)
    path = write_kmz(gaps, tmp_path_factory.mktemp("kmz") / "gaps.kmz", plan=plan, raster=raster)
    return path, gaps, plan, raster


def document(path):
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[0] == "doc.kml"
        return ElementTree.fromstring(archive.read("doc.kml")), archive.namelist()


def test_whitespots_reader_reads_a_gap_lists_villages_back(written, tmp_path):
    _, gaps, _, _ = written
    path = write_kmz(gaps, tmp_path / "gap_list.kmz")
    back = read_village_list(path).villages.set_index("village_id")
    villages = gaps.villages.set_index("village_id")
    assert sorted(back.index) == sorted(villages.index)
    for column in ("name", "commune_code", "households"):
        assert (back.loc[villages.index, column].astype(str)
                == villages[column].astype(str)).all(), column  # fmt: skip
    assert back.loc[villages.index[0], "name"] == HOSTILE  # escaped, read as written


def test_a_folder_per_commune_and_per_lot(written):
    path, gaps, plan, _ = written
    root, _ = document(path)
    folders = {
        f.find(f"{KML}name").text: f for f in root.iter(f"{KML}Folder")
    }  # fmt: skip
    communes = set(gaps.villages["commune_code"])
    assert {f"Xã {code}" for code in communes} <= set(folders)
    lots = [name for name in folders if name.startswith("Gói thầu")]
    assert len(lots) == len(plan.lots)
    sites = [p for name in lots for p in folders[name].iter(f"{KML}Placemark")]
    assert len(sites) == len(plan.sites)


def test_the_signal_overlay_covers_the_rasters_bounds(written):
    path, _, _, raster = written
    root, names = document(path)
    assert {"files/signal.png", "files/signal_legend.png"} <= set(names)
    box = root.find(f".//{KML}GroundOverlay/{KML}LatLonBox")
    north, south, east, west = (float(box.find(KML + s).text)
                                for s in ("north", "south", "east", "west"))  # fmt: skip
    height, width = raster.signal_dbm.shape
    x0, y0 = raster.transform @ (0, 0)
    x1, y1 = raster.transform @ (width, height)
    to_degrees = Transformer.from_crs(raster.crs, 4326, always_xy=True)
    lon_min, lat_min, lon_max, lat_max = to_degrees.transform_bounds(
        min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    )
    cell = 0.05  # a reprojected cell is at most this many degrees
    assert west <= lon_min + cell and east >= lon_max - cell
    assert south <= lat_min + cell and north >= lat_max - cell
    assert np.isclose([west, east], [lon_min, lon_max], atol=cell).all()


def test_the_same_input_gives_the_same_bytes(written, tmp_path):
    path, gaps, plan, raster = written
    again = write_kmz(gaps, tmp_path / "again.kmz", plan=plan, raster=raster)
    assert again.read_bytes() == path.read_bytes()


def test_the_map_command_writes_a_kmz_with_the_plans_sites(written, tmp_path):
    from whitespot.cli import main  # noqa: PLC0415
    from whitespot.coverage import write_gap_list  # noqa: PLC0415
    from whitespot.planning import write_plan  # noqa: PLC0415

    _, gaps, plan, _ = written
    write_gap_list(gaps, tmp_path / "gaps.geojson")
    write_plan(plan, tmp_path / "sites.geojson")
    out = tmp_path / "map.kmz"
    assert main(["map", "--gaps", str(tmp_path / "gaps.geojson"), "--sites",
                 str(tmp_path / "sites.geojson"), "--out", str(out)]) == 0  # fmt: skip
    root, _ = document(out)
    names = [p.find(f"{KML}name").text for p in root.iter(f"{KML}Placemark")]
    assert HOSTILE in names  # the XML writer escaped it; the parser gives it back as written
    assert len(names) == len(gaps.villages) + len(plan.sites)
