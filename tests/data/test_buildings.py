"""Reading building footprints and population rasters as users download them."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine

from whitespot.data import (
    FootprintsLeftOutWarning,
    ValidationError,
    read_buildings,
    read_population,
)

LON, LAT = 106.70, 16.80
SIDE_DEG = 1e-4  # about 11 m


def _squares(n: int, confidence: list[float]) -> tuple[np.ndarray, list[float]]:
    x = LON + np.arange(n) * 1e-3
    boxes = shapely.box(x, LAT, x + SIDE_DEG, LAT + SIDE_DEG)
    return boxes, confidence


def _open_buildings_csv(path, boxes, confidence) -> None:
    centroids = shapely.centroid(boxes)
    table = pd.DataFrame(
        {
            "latitude": shapely.get_y(centroids),
            "longitude": shapely.get_x(centroids),
            "area_in_meters": 120.0,
            "confidence": confidence,
            "geometry": shapely.to_wkt(boxes),
            "full_plus_code": "7P00XXXX+XX",
        }
    )
    table.to_csv(path, index=False)


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_open_buildings_csv_reads_centroids_and_leaves_out_low_confidence(tmp_path, suffix):
    boxes, confidence = _squares(5, [0.9, 0.95, 0.55, 0.8, 0.6])
    path = tmp_path / f"open_buildings{suffix}"
    _open_buildings_csv(path, boxes, confidence)
    with pytest.warns(FootprintsLeftOutWarning, match=r"2 of 5 footprints left out.*0\.7"):
        buildings = read_buildings(path, min_confidence=0.7, chunk_rows=2)
    assert len(buildings) == 3
    assert (buildings.geom_type == "Point").all()
    assert buildings.crs.to_epsg() == 4326
    np.testing.assert_allclose(buildings.confidence, [0.9, 0.95, 0.8], rtol=1e-6)
    np.testing.assert_allclose(buildings.area_m2, 120.0)
    expected = shapely.centroid(boxes[[0, 1, 3]])
    np.testing.assert_allclose(buildings.geometry.x, shapely.get_x(expected))


def test_open_buildings_wkt_only_gets_area_in_metres(tmp_path):
    boxes, _ = _squares(3, [0.9] * 3)
    path = tmp_path / "wkt.csv"
    pd.DataFrame({"geometry": shapely.to_wkt(boxes), "confidence": 0.9}).to_csv(path, index=False)
    buildings = read_buildings(path)
    # 1e-4 degree is 11.1 m north-south and 11.1 * cos(16.8°) = 10.65 m east-west
    np.testing.assert_allclose(buildings.area_m2, 11.06 * 10.65, rtol=0.01)


def _microsoft_lines(boxes, confidence) -> str:
    rows = [
        json.dumps(
            {
                "type": "Feature",
                "properties": {"height": 6.5 if i == 0 else -1.0, "confidence": c},
                "geometry": shapely.geometry.mapping(box),
            }
        )
        for i, (box, c) in enumerate(zip(boxes, confidence, strict=True))
    ]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("name", ["part.geojsonl", "part.geojsonl.gz", "121.csv.gz"])
def test_microsoft_geojson_lines(tmp_path, name):
    boxes, confidence = _squares(4, [0.9, -1.0, 0.3, 0.8])
    path = tmp_path / name
    text = _microsoft_lines(boxes, confidence)
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    with pytest.warns(FootprintsLeftOutWarning) as said:
        buildings = read_buildings(path, chunk_rows=3)
    messages = " ".join(str(w.message) for w in said)
    assert "1 of 4 footprints left out" in messages
    assert "1 footprints have no confidence score and were kept" in messages
    assert len(buildings) == 3
    assert np.isnan(buildings.confidence.iloc[1])
    assert buildings.height_m.iloc[0] == pytest.approx(6.5)
    assert np.isnan(buildings.height_m.iloc[1])
    np.testing.assert_allclose(buildings.area_m2, 11.06 * 10.65, rtol=0.01)


def test_a_folder_of_tiles_reads_as_the_files_one_after_another(tmp_path):
    """Open Buildings ships a country as .csv.gz tiles, Microsoft as .geojsonl files."""
    boxes, confidence = _squares(9, [0.9, 0.95, 0.55, 0.8, 0.6, 0.99, -1.0, 0.3, 0.75])
    folder = tmp_path / "footprints"
    (folder / "microsoft").mkdir(parents=True)
    _open_buildings_csv(folder / "2a1_buildings.csv.gz", boxes[:3], confidence[:3])
    _open_buildings_csv(folder / "2a3_buildings.csv.gz", boxes[3:6], confidence[3:6])
    (folder / "microsoft" / "part.geojsonl").write_text(_microsoft_lines(boxes[6:], confidence[6:]))
    (folder / "README.txt").write_text("not footprints")
    with pytest.warns(FootprintsLeftOutWarning) as said:
        buildings = read_buildings(folder, chunk_rows=2)
    messages = [str(w.message) for w in said]
    assert messages[0].startswith("buildings (footprints): 3 of 9 footprints left out")
    assert "1 footprints have no confidence score" in messages[1]
    np.testing.assert_allclose(
        buildings.confidence, [0.9, 0.95, 0.8, 0.99, np.nan, 0.75], rtol=1e-6
    )
    expected = shapely.centroid(boxes[[0, 1, 3, 5, 6, 8]])
    np.testing.assert_allclose(buildings.geometry.x, shapely.get_x(expected))
    assert buildings.index.tolist() == list(range(6))


def test_files_of_a_folder_in_other_crss_come_in_the_first_files_crs(tmp_path):
    boxes, _ = _squares(4, [0.9] * 4)
    metric = gpd.GeoDataFrame({"confidence": [0.9, 0.9]}, geometry=boxes[:2], crs=4326)
    metric.to_crs(32648).to_file(tmp_path / "a_metric.gpkg")
    _open_buildings_csv(tmp_path / "b_open_buildings.csv", boxes[2:], [0.9, 0.9])
    buildings = read_buildings(tmp_path)
    assert buildings.crs.to_epsg() == 32648
    back = buildings.to_crs(4326)
    np.testing.assert_allclose(back.geometry.x, shapely.get_x(shapely.centroid(boxes)), atol=1e-7)


def test_a_folder_without_footprint_files_is_named(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(ValidationError, match="the folder holds no footprint file"):
        read_buildings(tmp_path)


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg"])
def test_geoparquet_and_geopackage_of_polygons_in_a_metric_crs(tmp_path, suffix):
    layer = gpd.GeoDataFrame(
        {"confidence": [0.9, 0.5, 0.99]},
        geometry=shapely.box(
            np.array([0, 100, 200]) + 500_000.0,
            1_800_000.0,
            np.array([10, 120, 230]) + 500_000.0,
            1_800_010.0,
        ),
        crs=32648,
    )
    path = tmp_path / f"footprints{suffix}"
    if suffix == ".parquet":
        layer.to_parquet(path)
    else:
        layer.to_file(path)
    with pytest.warns(FootprintsLeftOutWarning, match="1 of 3"):
        buildings = read_buildings(path, min_area_m2=0, chunk_rows=2)
    assert buildings.crs.to_epsg() == 32648
    np.testing.assert_allclose(buildings.area_m2, [100.0, 300.0])
    np.testing.assert_allclose(buildings.geometry.x, [500_005.0, 500_215.0])


@pytest.mark.filterwarnings("ignore:.*no confidence score")
def test_min_area_leaves_out_small_footprints(tmp_path):
    layer = gpd.GeoDataFrame(
        geometry=shapely.box(500_000.0, 1_800_000.0, [500_003.0, 500_010.0], 1_800_010.0),
        crs=32648,
    )
    path = tmp_path / "small.gpkg"
    layer.to_file(path)
    with pytest.warns(FootprintsLeftOutWarning, match=r"smaller than 50 m² \(min_area_m2\)"):
        buildings = read_buildings(path, min_area_m2=50)
    assert buildings.area_m2.tolist() == [100.0]


def test_csv_without_coordinates_names_the_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValidationError, match=r"buildings \(bad.csv\).*latitude"):
        read_buildings(path)


def _write_raster(path, count, transform, crs="EPSG:4326", nodata=None) -> None:
    profile = {
        "driver": "GTiff",
        "height": count.shape[0],
        "width": count.shape[1],
        "count": 1,
        "dtype": "float32",
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
    }
    with rasterio.open(path, "w", **profile) as target:
        target.write(count.astype(np.float32), 1)


def test_read_population_counts_nodata_as_nobody(tmp_path):
    count = np.array([[1.5, 2.0], [-99999.0, 4.0]])
    path = tmp_path / "worldpop.tif"
    _write_raster(path, count, Affine(0.001, 0, LON, 0, -0.001, LAT), nodata=-99999.0)
    population = read_population(path)
    assert population.total == pytest.approx(7.5)
    assert population.crs.to_epsg() == 4326


def test_read_population_refuses_negative_counts(tmp_path):
    path = tmp_path / "bad.tif"
    _write_raster(path, np.array([[1.0, -3.0]]), Affine(0.001, 0, LON, 0, -0.001, LAT))
    with pytest.raises(ValidationError, match=r"population \(bad.tif\).*1 cells"):
        read_population(path)
