"""Village lists drawn in Google Earth, as offices hand them in (issue 41, items 10, 11, 15).

Each file is made by the test as a province's office would save it; each is read through
``whitespot validate villages`` or :func:`read_village_list`, which the commands call.
"""

from __future__ import annotations

import unicodedata
import zipfile

import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.coverage import read_gap_list
from whitespot.data._words import words
from whitespot.department import read_village_list
from whitespot.planning import demand_points

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" '
HEAD += 'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>'
TAIL = "</Document></kml>"


def placemark(name: str, households: int | None, geometry: str) -> str:
    data = (
        ""
        if households is None
        else f'<ExtendedData><Data name="Số hộ"><value>{households}</value></Data></ExtendedData>'
    )
    return f"<Placemark><name>{name}</name>{data}{geometry}</Placemark>"


def point(lon: float, lat: float, separator: str = ",") -> str:
    return f"<Point><coordinates>{lon}{separator}{lat},0</coordinates></Point>"


def folder(name: str, *placemarks: str) -> str:
    return f"<Folder><name>{name}</name>{''.join(placemarks)}</Folder>"


VILLAGES = [
    placemark("Bản Một", 40, point(106.60, 16.90)),
    placemark("Bản Hai", 30, point(106.62, 16.91)),
    placemark("Bản Ba", 25, point(106.64, 16.92)),
]


def kml(*parts: str) -> str:
    return HEAD + "".join(parts) + TAIL


def names(path) -> list[str]:
    return read_village_list(path).villages["name"].tolist()


# --- item 10 ------------------------------------------------------------------------------


def test_coordinates_with_a_space_after_the_comma_are_read(tmp_path, capsys):
    path = tmp_path / "thon.kml"
    path.write_text(
        kml(placemark("Bản Một", 40, point(106.98, 16.79, ", ")), *VILLAGES[1:]), "utf-8"
    )
    assert main(["validate", "villages", str(path)]) == 0  # exit 4 before
    villages = read_village_list(path).villages
    assert villages.geometry.iloc[0].x == pytest.approx(106.98)
    assert villages.geometry.iloc[0].y == pytest.approx(16.79)


def kmz(path, documents: dict[str, str]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in documents.items():
            archive.writestr(name, text)
    return path


def test_every_document_of_a_kmz_is_read_and_said(tmp_path):
    second = [placemark(f"Thôn {k}", 10 + k, point(106.7 + k / 100, 16.8)) for k in range(15)]
    path = kmz(
        tmp_path / "hai.kmz",
        {"huong_hoa.kml": kml(*VILLAGES), "dakrong.kml": kml(folder("Đakrông", *second))},
    )
    read = read_village_list(path)
    assert len(read.villages) == 18  # the second document's 15 villages vanished before
    assert read.villages["name"].iloc[-1] == "Thôn 14"
    said = read.issues[read.issues["check"] == "kml_documents"]["message"].iloc[0]
    assert "huong_hoa.kml (3 placemarks), dakrong.kml (15 placemarks)" in said


def test_an_empty_legend_before_the_document_is_passed_over_and_said(tmp_path):
    path = kmz(tmp_path / "legend.kmz", {"files/legend.kml": "", "data/doc.kml": kml(*VILLAGES)})
    read = read_village_list(path)
    assert read.villages["name"].tolist() == ["Bản Một", "Bản Hai", "Bản Ba"]
    assert read.issues["message"].str.contains("files/legend.kml is not readable KML").any()


def test_a_kml_that_only_links_to_another_says_so(tmp_path, capsys):
    path = tmp_path / "link.kml"
    href = "https://www.google.com/maps/d/kml?mid=1AbC&amp;forcekml=1"
    path.write_text(
        kml(f"<NetworkLink><name>Thôn bản</name><Link><href>{href}</href></Link></NetworkLink>"),
        "utf-8",
    )
    assert main(["validate", "villages", str(path)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "only links to https://www.google.com/maps/d/kml?mid=1AbC" in text
    assert "download it" in text and "no column for households" not in text


def test_a_wrong_encoding_declaration_is_said_and_the_bytes_decide(tmp_path, capsys):
    text = kml(*VILLAGES)
    declared_latin = tmp_path / "latin.kml"  # UTF-8 bytes declared windows-1252
    declared_latin.write_bytes(text.replace("UTF-8", "windows-1252").encode("utf-8"))
    read = read_village_list(declared_latin)
    assert read.villages["name"].tolist() == ["Bản Một", "Bản Hai", "Bản Ba"]  # not "BαΊ£n"
    said = read.issues[read.issues["check"] == "kml_encoding"]["message"].iloc[0]
    assert "declares encoding='windows-1252' but holds UTF-8" in said
    declared_utf8 = tmp_path / "cp1258.kml"  # Windows-1258 bytes declared UTF-8
    declared_utf8.write_bytes(cp1258(text))
    assert main(["validate", "villages", str(declared_utf8)]) == 0  # refused before
    assert "declares encoding='UTF-8' but holds Windows-1258" in capsys.readouterr().out
    assert names(declared_utf8) == ["Bản Một", "Bản Hai", "Bản Ba"]


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: letters with their vowel marks, tones apart."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


# --- item 11 ------------------------------------------------------------------------------


def test_a_placemark_is_never_a_header_row(tmp_path):
    path = tmp_path / "thon_ban.kml"
    path.write_text(kml(folder("Thôn bản", *VILLAGES)), "utf-8")
    read = read_village_list(path)
    assert read.villages["name"].tolist() == ["Bản Một", "Bản Hai", "Bản Ba"]  # lost one
    assert read.villages["households"].tolist() == [40, 30, 25]
    assert read.source["header_rows"] == "0"


ROAD = "<LineString><coordinates>106.60,16.90,0 106.62,16.91,0</coordinates></LineString>"
SQUARE = "106.5,16.8,0 106.7,16.8,0 106.7,17.0,0 106.5,17.0,0 106.5,16.8,0"
BOUNDARY = f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{SQUARE}</coordinates>"
BOUNDARY += "</LinearRing></outerBoundaryIs></Polygon>"
OUTLINE = BOUNDARY.replace(SQUARE, "106.65,16.95 106.66,16.95 106.66,16.96 106.65,16.95")
TRACK = (
    "<gx:Track><when>2025-03-01T08:00:00Z</when><when>2025-03-01T08:01:00Z</when>"
    "<gx:coord>106.60 16.90 120</gx:coord><gx:coord>106.61 16.91 130</gx:coord></gx:Track>"
)


def test_roads_boundaries_and_tracks_are_left_out_and_said(tmp_path, capsys):
    path = tmp_path / "ban_do.kml"
    path.write_text(
        kml(
            folder(
                "Hướng Lập",
                *VILLAGES,
                placemark("Đường tỉnh 586", None, ROAD),
                placemark("Ranh giới xã Hướng Lập", None, BOUNDARY),
                placemark("Bản Bốn", 12, OUTLINE),  # a village drawn as its outline
                placemark("Lộ trình khảo sát", None, TRACK),
            )
        ),
        "utf-8",
    )
    read = read_village_list(path)
    assert read.villages["name"].tolist() == ["Bản Một", "Bản Hai", "Bản Ba", "Bản Bốn"]
    assert read.villages["source_row"].tolist() == [1, 2, 3, 6]  # the file's placemarks
    left = read.issues[read.issues["check"] == "not_a_village"]
    assert left["row"].tolist() == [4, 5, 7]
    assert "a line (a road" in left["message"].iloc[0]
    assert "a boundary polygon" in left["message"].iloc[1]
    assert "gx:Track" in left["message"].iloc[2]
    assert main(["validate", "villages", str(path)]) == 0
    out = capsys.readouterr().out
    assert "4 villages" in out and "Ranh giới xã Hướng Lập" in out


# --- item 15 ------------------------------------------------------------------------------


def test_a_folder_pasted_twice_is_listed_but_counted_once(tmp_path, capsys):
    path = tmp_path / "dan_hai_lan.kml"
    path.write_text(
        kml(folder("Hướng Lập", *VILLAGES), folder("Hướng Lập", *VILLAGES[:2])), "utf-8"
    )
    towers = tmp_path / "towers.csv"
    towers.write_text("tower_id,lon,lat,technology\nT1,105.2,21.0,4G\n", encoding="utf-8")
    out = tmp_path / "gaps.csv"
    code = main(["gaps", "--villages", str(path), "--towers", str(towers), "--out", str(out)])
    assert code == 0
    headline = capsys.readouterr().out
    assert "3 of 3 villages (95 of 95 households) without signal" in headline  # 5 and 165
    gaps = pd.read_csv(out, dtype={"duplicate_of": str}, keep_default_na=False)
    assert len(gaps) == 5  # every row of the file, once each
    assert gaps["duplicate_of"].tolist() == ["", "", "", "R1", "R2"]
    assert (
        gaps["criteria"]
        .iloc[3]
        .endswith("a copy of R1 (the same village pasted twice): not counted in the totals")
    )
    read_back = read_gap_list(out)
    vietnamese = words("vi").criteria(read_back.villages, read_back.settings)
    assert vietnamese.iloc[3].endswith(
        "bản sao của R1 (cùng một thôn dán hai lần): không tính vào tổng"
    )
    assert read_back.totals()["households"] == 95  # read back: still once
    demand = demand_points(read_back)  # what a plan serves: each village once
    assert demand["village_id"].tolist() == ["R1", "R2", "R3"]
    read = read_village_list(path)
    copies = read.issues[read.issues["check"] == "duplicate_row"]
    assert copies["row"].tolist() == [4, 5]
