"""KML and KMZ from Google Earth and Google My Maps: every placemark, attributes by name."""

from __future__ import annotations

import zipfile

import pytest
import shapely

from whitespot._errors import InputError
from whitespot.data import (
    ArchiveLimitError,
    ValidationError,
    read_kml,
    read_layer,
    validate_villages,
)
from whitespot.data._kml import KMZ_MAX_RATIO_VARIABLE

MY_MAPS = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Thôn bản lõm sóng</name>
    <Placemark>
      <name>Trạm cũ</name>
    </Placemark>
    <Folder>
      <name>Hướng Lập</name>
      <Placemark>
        <name>Bản Một</name>
        <description><![CDATA[<b>Số hộ</b>: 40<br>Ghi chú: <i>xa</i>]]></description>
        <ExtendedData>
          <Data name="Số hộ"><value>40</value></Data>
          <Data name="Mã thôn"><value>00007</value></Data>
        </ExtendedData>
        <Point><coordinates>106.600000,16.900000,0</coordinates></Point>
      </Placemark>
      <Folder>
        <name>Hướng Phùng</name>
        <Placemark>
          <name>Bản Hai</name>
          <ExtendedData><SchemaData schemaUrl="#s">
            <SimpleData name="Số hộ">30</SimpleData>
          </SchemaData></ExtendedData>
          <Polygon><outerBoundaryIs><LinearRing><coordinates>
            106.61,16.91,0 106.62,16.91,0 106.62,16.92,0 106.61,16.91,0
          </coordinates></LinearRing></outerBoundaryIs></Polygon>
        </Placemark>
      </Folder>
    </Folder>
  </Document>
</kml>
"""


@pytest.fixture
def my_maps(tmp_path):
    path = tmp_path / "thon.kml"
    path.write_text(MY_MAPS, encoding="utf-8")
    return path


def test_every_placemark_of_every_folder_with_its_attributes_by_name(my_maps):
    placemarks = read_kml(my_maps)
    assert list(placemarks.columns) == [
        "name", "description", "folder", "Số hộ", "Mã thôn", "geometry",
    ]  # fmt: skip
    assert placemarks["name"].tolist() == ["Trạm cũ", "Bản Một", "Bản Hai"]
    assert placemarks["folder"].tolist() == ["", "Hướng Lập", "Hướng Phùng"]
    assert placemarks["Số hộ"].tolist() == ["", "40", "30"]  # Data and SimpleData
    assert placemarks["Mã thôn"].tolist() == ["", "00007", ""]  # text, zeros kept
    assert placemarks["description"].iloc[1] == "Số hộ: 40\nGhi chú: xa"
    assert placemarks.geometry.iloc[0] is None
    assert placemarks.geometry.iloc[1].equals(shapely.Point(106.6, 16.9))
    assert placemarks.geometry.iloc[2].geom_type == "Polygon"
    assert placemarks.crs.to_epsg() == 4326


def test_a_kmz_is_read_as_its_document(my_maps, tmp_path):
    kmz = tmp_path / "thon.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.writestr("files/readme.txt", "ảnh")
        archive.writestr("doc.kml", my_maps.read_bytes())
    assert read_kml(kmz).drop(columns="geometry").equals(read_kml(my_maps).drop(columns="geometry"))


def test_a_file_that_is_not_kml_is_named(tmp_path):
    path = tmp_path / "broken.kml"
    path.write_text("<kml><Placemark>", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"villages \(broken.kml\).*cannot be read as KML"):
        read_kml(path, "villages (broken.kml)")
    empty = tmp_path / "empty.kmz"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("photo.jpg", b"")
    with pytest.raises(ValidationError, match=r"holds no \.kml document"):
        read_kml(empty)


def test_a_kml_in_whitespots_form_is_a_layer_like_any_other(small_villages, tmp_path):
    path = tmp_path / "villages.kml"
    small_villages[["village_id", "name", "households", "geometry"]].to_file(path, driver="KML")
    villages = validate_villages(read_layer(path, "villages"))
    assert villages["village_id"].tolist() == small_villages["village_id"].tolist()
    assert villages["households"].tolist() == small_villages["households"].tolist()


@pytest.fixture
def small_villages(province):
    return province.villages.head(5)


def test_an_entity_bomb_is_refused_not_expanded(tmp_path):
    """A KML from anywhere is untrusted: nested entities (billion laughs) are refused."""
    levels = ['<!ENTITY e0 "lol">'] + [
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10)
    ]
    path = tmp_path / "bomb.kml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE kml [{"".join(levels)}]><kml>&e9;</kml>')
    with pytest.raises(ValidationError, match="cannot be read as KML"):
        read_kml(path)


def test_attributes_only_in_an_arcgis_description_table_are_read(tmp_path):
    path = tmp_path / "arcgis.kml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>thon</name>'
        "<Placemark><name>Bản Một</name><description><![CDATA[<html><body><table>"
        '<tr style="text-align:center"><td>Bản Một</td></tr><tr><td><table>'
        "<tr><td>Số hộ</td><td>40</td></tr>"
        '<tr bgcolor="#D4E4F3"><td>Xã</td><td>Hướng Lập &amp; Hướng Phùng</td></tr>'
        "</table></td></tr></table></body></html>]]></description>"
        '<ExtendedData><Data name="Xã"><value>Hướng Lập</value></Data></ExtendedData>'
        "<Point><coordinates>106.6,16.9,0</coordinates></Point></Placemark>"
        "</Folder></Document></kml>",
        encoding="utf-8",
    )
    placemark = read_kml(path).iloc[0]
    assert placemark["Số hộ"] == "40"
    assert placemark["Xã"] == "Hướng Lập"  # ExtendedData first; the table only adds


# --- a KMZ is inflated within limits ------------------------------------------------------


def padded_kmz(path, padding_bytes: int) -> object:
    """A KMZ whose doc.kml is MY_MAPS with `padding_bytes` of spaces in a comment.

    Written in chunks, so that the test never holds the inflated document; spaces deflate
    about 1,000 times, as a zip bomb does.
    """
    head, tail = MY_MAPS.encode("utf-8").split(b"<Document>", 1)
    chunk = b" " * (1 << 16)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("doc.kml", "w") as doc,
    ):
        doc.write(head + b"<Document><!--")
        for _ in range(padding_bytes // len(chunk)):
            doc.write(chunk)
        doc.write(b"-->" + tail)
    return path


def refuse_inflating(monkeypatch) -> None:
    """From now on, inflating any zip member fails the test: refusals must come first."""

    def inflate(*args, **kwargs):
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", inflate)


def test_a_kmz_that_inflates_beyond_the_size_limit_is_refused_before_inflating(
    tmp_path, monkeypatch
):
    path = padded_kmz(tmp_path / "bomb.kmz", 3 << 20)
    assert path.stat().st_size < 20_000
    names = read_kml(path, max_ratio=1e6)["name"].tolist()
    assert names == ["Trạm cũ", "Bản Một", "Bản Hai"]
    refuse_inflating(monkeypatch)
    with pytest.raises(ArchiveLimitError, match=r"bomb\.kmz.*doc\.kml.*limit of 2 MB") as error:
        read_kml(path, "villages (bomb.kmz)", max_inflated_mb=2, max_ratio=1e6)
    assert isinstance(error.value, ValidationError) and error.value.checks == ("archive_limit",)
    assert "villages (bomb.kmz)" in str(error.value) and "WHITESPOT_KMZ_MAX_MB" in str(error.value)
    monkeypatch.setenv("WHITESPOT_KMZ_MAX_MB", "2")  # the setting a command line run reads
    monkeypatch.setenv(KMZ_MAX_RATIO_VARIABLE, "1e6")
    with pytest.raises(ArchiveLimitError, match=r"villages \(bomb\.kmz\).*limit of 2 MB"):
        read_layer(path, "villages")


def test_a_kmz_compressed_beyond_the_ratio_limit_is_refused_unless_the_limit_is_raised(
    tmp_path, monkeypatch
):
    path = padded_kmz(tmp_path / "dense.kmz", 2 << 20)  # 2 MB in about 2 kB
    with monkeypatch.context() as inflating:
        refuse_inflating(inflating)
        with pytest.raises(
            ArchiveLimitError, match=r"dense\.kmz.*inflate [\d,]+ times.*limit of 100"
        ):
            read_kml(path)
    monkeypatch.setenv(KMZ_MAX_RATIO_VARIABLE, "5000")
    assert len(read_kml(path)) == 3
    assert len(read_kml(path, max_ratio=1e4)) == 3


def test_a_kmz_limit_that_is_not_a_positive_number_is_named(tmp_path, monkeypatch, my_maps):
    path = tmp_path / "thon.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", my_maps.read_bytes())
    monkeypatch.setenv("WHITESPOT_KMZ_MAX_MB", "lots")
    with pytest.raises(InputError, match="WHITESPOT_KMZ_MAX_MB='lots'"):
        read_layer(path, "villages")
    with pytest.raises(InputError, match="max_ratio=0"):
        read_kml(path, max_ratio=0, max_inflated_mb=1)
