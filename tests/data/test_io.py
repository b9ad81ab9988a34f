"""Readers and writers: round trips through every format, formula safety, atomic writes."""

from __future__ import annotations

import codecs
import os
import unicodedata
import warnings
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from whitespot.data import ValidationError, read_layer, validate_villages, write_layer
from whitespot.data._crs import WGS84
from whitespot.data._encoding import decode_text
from whitespot.data._io import neutralize_formulas, write_layers
from whitespot.department import read_village_list

VECTOR_FORMATS = ["gpkg", "geojson", "shp", "parquet"]
TABLE_FORMATS = ["csv", "xlsx"]


@pytest.mark.parametrize("suffix", VECTOR_FORMATS + TABLE_FORMATS)
def test_round_trip_keeps_ids_values_and_crs(villages, tmp_path, suffix):
    path = write_layer(villages, tmp_path / f"villages.{suffix}")
    back = validate_villages(path)
    assert back["village_id"].tolist() == villages["village_id"].tolist()
    assert back["households"].tolist() == villages["households"].tolist()
    assert back["name"].tolist() == villages["name"].tolist()
    assert back["commune_code"].tolist() == villages["commune_code"].tolist()
    assert back["electrified"].tolist() == villages["electrified"].tolist()
    assert back.crs == villages.crs
    assert np.allclose(back.geometry.x, villages.geometry.x, atol=1e-9)
    assert np.allclose(back.geometry.y, villages.geometry.y, atol=1e-9)


@pytest.mark.parametrize("suffix", VECTOR_FORMATS)
def test_projected_crs_survives_vector_formats(villages, tmp_path, suffix):
    metric = villages.to_crs(32648)
    back = read_layer(write_layer(metric, tmp_path / f"v.{suffix}"))
    assert back.crs.to_epsg() == 32648
    assert np.allclose(back.geometry.x, metric.geometry.x)


@pytest.mark.parametrize("suffix", TABLE_FORMATS)
def test_tables_get_lonlat_in_wgs84_from_any_crs(villages, tmp_path, suffix):
    path = write_layer(villages.to_crs(32648), tmp_path / f"v.{suffix}")
    back = read_layer(path)
    assert back.crs == WGS84
    assert np.allclose(back.geometry.x, villages.geometry.x, atol=1e-7)


def test_non_point_layers_go_to_tables_as_wkt(province, tmp_path):
    path = write_layer(province.grid, tmp_path / "grid.csv")
    back = read_layer(path)
    assert back.geom_type.unique().tolist() == ["LineString"]
    assert back.geometry.geom_equals_exact(province.grid.geometry, tolerance=1e-9).all()


@pytest.mark.parametrize(
    ("header", "lon", "lat"),
    [
        ("Longitude", "Latitude", "id"),
        ("LNG", "LAT", "id"),
        ("x", "Y", "id"),
        ("Long", "lat", "id"),
    ],
)
def test_coordinate_columns_are_detected_case_insensitively(tmp_path, header, lon, lat):
    path = tmp_path / "v.csv"
    path.write_text(f"village_id,households,{header},{lon}\nV1,3,106.7,16.8\n", encoding="utf-8")
    layer = read_layer(path)
    assert (layer.geometry.x[0], layer.geometry.y[0]) == (106.7, 16.8)


def test_missing_coordinate_columns_is_a_clear_error(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("village_id,households,east,north\nV1,3,106.7,16.8\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"no coordinate columns.*east, north"):
        read_layer(path, "villages")


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese software writes it: base letter + combining tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            composed = unicodedata.normalize("NFC", base + "".join(marks[:-1]))
            out += composed.encode("cp1258") + marks[-1].encode("cp1258")
    return out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_encodings_and_separators(tmp_path, encoding, separator):
    text = separator.join(["village_id", "name", "households", "lon", "lat"]) + "\n"
    text += separator.join(["007", "Bản Pa Tầng", "12", "106.7", "16.8"]) + "\n"
    path = tmp_path / "v.csv"
    path.write_bytes(encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    layer = validate_villages(path)
    assert layer["name"][0] == "Bản Pa Tầng"
    assert layer["village_id"][0] == "007"  # ids stay text, leading zeros kept


def test_unknown_format(tmp_path):
    path = tmp_path / "v.kml2"
    path.write_text("x")
    with pytest.raises(ValidationError, match=r"unknown file type '\.kml2'"):
        read_layer(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="villages: file not found"):
        read_layer(tmp_path / "nope.csv", "villages")


def test_formula_injection_is_neutralized_in_csv_and_xlsx(villages, tmp_path):
    villages["name"] = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "Thôn -A"]
    villages["elevation_m"] = [-1.0, 2.0, 3.0, 4.0, 5.0]
    csv = write_layer(villages, tmp_path / "v.csv")
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert table["name"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "Thôn -A",
    ]
    assert table["elevation_m"].tolist()[0] == -1.0  # numbers untouched
    xlsx = write_layer(villages, tmp_path / "v.xlsx")
    sheet = openpyxl.load_workbook(xlsx).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2)]
    # the text is kept as it is, in string cells: nothing runs, ids round-trip exactly
    assert [c.value for c in cells] == villages["name"].tolist()
    assert all(c.data_type == "s" for c in cells)
    assert "<f>" not in zipfile.ZipFile(xlsx).read("xl/worksheets/sheet1.xml").decode()


def test_neutralize_leaves_numbers_and_geometry():
    table = pd.DataFrame({"a": [-1, 2], "b": ["=1", "ok"]})
    out = neutralize_formulas(table)
    assert out["a"].tolist() == [-1, 2] and out["b"].tolist() == ["'=1", "ok"]


def test_failed_write_leaves_old_file_and_no_temporary(villages, tmp_path):
    path = write_layer(villages, tmp_path / "v.gpkg")
    before = path.read_bytes()
    broken = villages.copy()
    broken["impedance"] = np.ones(len(broken)) * 1j  # GeoPackage cannot store complex numbers
    with pytest.raises(Exception):  # noqa: B017 whatever the driver raises
        write_layer(broken, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["v.gpkg"]


@pytest.mark.parametrize("suffix", ["gpkg", "geojson", "csv", "xlsx", "parquet"])
def test_writes_are_byte_for_byte_deterministic(villages, tmp_path, suffix):
    first = write_layer(villages, tmp_path / f"a.{suffix}", layer="villages").read_bytes()
    second = write_layer(villages, tmp_path / f"b.{suffix}", layer="villages").read_bytes()
    assert first == second


def test_several_layers_in_one_geopackage_and_workbook(province, tmp_path):
    layers = {"villages": province.villages, "towers": province.towers}
    gpkg = write_layers(layers, tmp_path / "p.gpkg")
    assert len(read_layer(gpkg, "towers")) == len(province.towers)
    xlsx = write_layers(layers, tmp_path / "p.xlsx")
    assert openpyxl.load_workbook(xlsx).sheetnames == ["villages", "towers"]
    assert len(read_layer(xlsx, "towers")) == len(province.towers)
    with pytest.raises(ValidationError, match="no layer 'grid'"):
        read_layer(gpkg, "grid")


def test_one_layer_formats_refuse_several(province, tmp_path):
    with pytest.raises(ValueError, match="holds one layer"):
        write_layers({"a": province.villages, "b": province.towers}, tmp_path / "x.csv")


def test_rows_without_coordinates_become_empty_geometry(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("village_id,households,lon,lat\nV1,3,,16.8\nV2,3,106.7,16.8\n")
    layer = read_layer(path)
    assert layer.geometry.isna().tolist() == [True, False]


def test_polygon_to_xlsx_and_back(tmp_path):
    villages = gpd.GeoDataFrame(
        {"village_id": ["P1"], "households": [9]},
        geometry=[shapely.box(106.7, 16.7, 106.71, 16.71)],
        crs=WGS84,
    )
    back = validate_villages(write_layer(villages, tmp_path / "v.xlsx"))
    assert back.geometry[0].equals(villages.geometry[0])


@pytest.mark.parametrize(
    "text",
    [
        "id,name,lon,lat,code\nV1,Thôn 1,105.1,21.2,007\nV2,,105.2,21.3,\n",
        'id,name,lon,lat,code\nV1,"Bản A, xã B",105.1,21.2,007\n\nV2,x,105.2,21.3,08\n',
        'id, name, lon, lat\nV1, "Bản A, xã B", 105.1, 21.2\n',  # spaces: pandas' parser
        "id;name;lon;lat\nV1;Thôn 1;105,1;21,2\n",  # ';' and decimal commas: Excel's numbers
        "id,name,lon,lat\nV1,nan,105.1,21.2\nV2,N/A,105.2,21.3\n",
    ],
)
def test_the_fast_csv_path_reads_as_pandas_parser_does(tmp_path, text):
    """Arrow's parser and cast give the table pandas' own parser gives (issue 26, item 10)."""
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    fast = read_layer(path)
    separator = max((",", ";"), key=text.split("\n")[0].count)
    plain = pd.read_csv(
        path, sep=separator, dtype=str, keep_default_na=False, na_values=[""],
        skipinitialspace=True,
    )  # fmt: skip
    plain.columns = [c.strip() for c in plain.columns]
    comma_decimal = plain["lon"].str.replace(",", ".") if separator == ";" else plain["lon"]
    lon = pd.to_numeric(comma_decimal, errors="coerce")
    assert fast.geometry.x.tolist() == pytest.approx(lon.tolist(), nan_ok=True)
    for column in plain.columns.drop(["lon", "lat"]):
        careful = pd.to_numeric(plain[column].str.strip(), errors="coerce")
        if column not in ("id", "code") and careful[plain[column].notna()].notna().all():
            pd.testing.assert_series_equal(fast[column], careful.astype(float), check_index=False)
        else:
            assert fast[column].astype(object).where(fast[column].notna(), None).tolist() == (
                plain[column].astype(object).where(plain[column].notna(), None).tolist()
            )


def test_a_ragged_csv_is_named_by_pandas_parser(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("id,lon,lat\nV1,105.1,21.2\nV2,105.2,21.3,9,9\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"ragged\.csv"):
        read_layer(path)


def test_codes_under_a_zero_padding_format_are_read_as_excel_shows_them(tmp_path):
    """A planner's own workbook: village codes typed as numbers, formatted ``00000``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["village_id", "households", "lon", "lat"])
    sheet.append([7, 10, 106.6, 16.9])
    sheet.append([None, None, None, None])  # a blank row: pandas keeps it, rows still line up
    sheet.append([12, 11, 106.61, 16.91])
    sheet.append(["00031", 12, 106.62, 16.92])
    for row in (2, 4):
        sheet.cell(row, 1).number_format = "00000"
    path = tmp_path / "villages.xlsx"
    book.save(path)
    read = read_layer(path, "villages")
    assert read["village_id"].tolist()[:1] + read["village_id"].tolist()[2:] == [
        "00007", "00012", "00031",
    ]  # fmt: skip
    assert read["households"].tolist()[0] == 10  # a plain number stays a number


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_unicode_text_export_is_read_exactly_and_not_doubted(tmp_path, encoding):
    """Excel's "Unicode text" (UTF-16 with its mark, tabs) holds every Vietnamese letter."""
    text = (
        "Thôn/Bản\tSố hộ\tKinh độ\tVĩ độ\nBản Ngược Đường\t120\t106.6\t16.9\n"
        "Thôn Ươi\t45\t106.62\t16.91\n"
    )
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    decoded = decode_text(raw)
    assert decoded.text == text and decoded.sure
    assert "cannot hold" not in decoded.note
    path = tmp_path / "danh_sach.txt"
    path.write_bytes(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        villages = read_village_list(path).villages
    assert villages["name"].tolist() == ["Bản Ngược Đường", "Thôn Ươi"]
