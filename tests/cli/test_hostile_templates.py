"""Template payloads in every text column, through every command that writes HTML.

Issue 38, item 1: a village called ``Thon {{ 7*7 }} Moi`` once showed as "Thon 49 Moi" in the
map, and ``{{ cycler.__init__.__globals__.os ... }}`` ran Python. Every payload goes into the
text columns of villages, towers, KML placemarks and a gap list read back; ``gaps``, ``map``,
``plan`` and ``report`` run on them; every output shows the text as written (HTML-escaped in
HTML, as it is in CSV, GeoJSON and the workbook) and nothing ran.
"""

from __future__ import annotations

import socket
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import openpyxl
import pandas as pd
import pytest

from whitespot.cli import main
from whitespot.data import make_province, write_layer

PAYLOADS = {
    # text as written -> what it would become if it were run as a Jinja or JS template
    "Thon {{ 7*7 }} Moi": "Thon 49 Moi",
    "Ban {% for x in range(3) %}x{% endfor %} Y": "Ban xxx Y",
    "Lang {# hidden #} Z": "Lang  Z",
    "Xom ${7*7} Q": "Xom 49 Q",
}
RUN_OS = "Ban {{ cycler.__init__.__globals__.os.mkdir(cycler.__name__) }} Y"
"""Would make a folder ``Cycler`` in the working directory if it ran (no quotes: HTML escaping
of quotes cannot stop it compiling)."""
TEXTS = [*PAYLOADS, RUN_OS]


@pytest.fixture(scope="module")
def small():
    return make_province(villages=40, seed=7)


@pytest.fixture
def hostile_files(small, tmp_path, monkeypatch):
    """Villages and towers with a payload in every text column; run from their folder."""
    monkeypatch.chdir(tmp_path)
    villages = small.villages.copy()
    for k, text in enumerate(TEXTS):
        row = villages.index[k]
        villages.loc[row, ["village_id", "name"]] = [f"v{k} {text}", text]
    towers = small.towers.copy()
    towers["operator"] = towers["operator"].astype(str)
    for k, text in enumerate(TEXTS):
        row = towers.index[k]
        towers.loc[row, ["tower_id", "operator", "power_source"]] = [f"t{k} {text}", text, text]
    return {
        "villages": write_layer(villages, tmp_path / "villages.csv"),
        "towers": write_layer(towers, tmp_path / "towers.csv"),
        "grid": write_layer(small.grid, tmp_path / "grid.geojson"),
    }


def run(*argv: object) -> None:
    assert main([str(a) for a in argv]) == 0


def assert_nothing_ran(folder: Path) -> None:
    """No output holds a payload's evaluated form, and no payload made a folder."""
    assert not (folder / "Cycler").exists() and not Path("Cycler").exists()
    for path in folder.rglob("*"):
        if path.suffix in {".html", ".csv", ".geojson"}:
            page = path.read_text(encoding="utf-8-sig")
            for text, evaluated in PAYLOADS.items():
                assert evaluated not in page, (path.name, text)


def assert_shown(shown, page: str, texts: list[str], where: str) -> None:
    for text in texts:
        assert shown(page, text), (where, text)


def cells(path: Path) -> set[str]:
    """Every text cell of every sheet of a workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    return {
        value for sheet in book for row in sheet.iter_rows(values_only=True)
        for value in row if isinstance(value, str)
    }  # fmt: skip


def test_gaps_map_and_plan_show_every_payload_as_written(hostile_files, tmp_path, shown_in_html):
    run("gaps", "--villages", hostile_files["villages"], "--towers", hostile_files["towers"],
        "--out", "gaps/gap_list.csv")  # fmt: skip
    table = pd.read_csv("gaps/gap_list.csv", dtype=str, encoding="utf-8-sig")
    assert set(TEXTS) <= set(table["name"])
    run("plan", "--gaps", "gaps/gap_list.csv", "--sites", 3, "--towers",
        hostile_files["towers"], "--out", "plan/sites.geojson")  # fmt: skip
    run("map", "--gaps", "gaps/gap_list.csv", "--sites", "plan/sites.geojson", "--towers",
        hostile_files["towers"], "--grid", hostile_files["grid"], "--out", "map.html")  # fmt: skip
    page = Path("map.html").read_text(encoding="utf-8")
    assert_shown(shown_in_html, page, TEXTS, "village names and tower operators")
    assert_shown(
        shown_in_html, page, [f"v{k} {text}" for k, text in enumerate(TEXTS)], "village ids"
    )
    assert_nothing_ran(tmp_path)


def test_a_gap_list_read_back_with_payloads_is_drawn_as_written(
    hostile_files, small, tmp_path, shown_in_html
):
    run("gaps", "--villages", hostile_files["villages"], "--towers", hostile_files["towers"],
        "--out", "gaps/gap_list.csv")  # fmt: skip
    table = pd.read_csv("gaps/gap_list.csv", dtype=str, keep_default_na=False)
    text_columns = [c for c in ("commune_code", "criteria", "evidence") if c in table]
    for k, text in enumerate(TEXTS):  # a hand edit in the list's own text columns
        table.loc[k, text_columns] = text
    table.to_csv("gaps/gap_list.csv", index=False)
    run("map", "--gaps", "gaps/gap_list.csv", "--out", "map.html")
    page = Path("map.html").read_text(encoding="utf-8")
    assert_shown(shown_in_html, page, TEXTS, "gap list read back")
    assert_nothing_ran(tmp_path)


def kml_with_payloads(small, path: Path) -> Path:
    """A Google Earth file whose names, descriptions, folders and attributes are payloads."""
    marks = []
    for k, (_, village) in enumerate(small.villages.to_crs(4326).head(12).iterrows()):
        text = TEXTS[k % len(TEXTS)]
        marks.append(
            f"<Placemark><name>{xml_escape(text)} {k}</name>"
            f"<description><![CDATA[<b>{text}</b>]]></description>"
            f'<ExtendedData><Data name="Số hộ"><value>{village["households"]}</value></Data>'
            f'<Data name="Ghi chú"><value>{xml_escape(text)}</value></Data></ExtendedData>'
            f"<Point><coordinates>{village.geometry.x:.6f},{village.geometry.y:.6f},0"
            "</coordinates></Point></Placemark>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><name>{xml_escape(RUN_OS)}</name><Folder><name>{xml_escape(RUN_OS)}</name>"
        f"{''.join(marks)}</Folder></Document></kml>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("language", ["en", "vi"])
def test_report_on_a_kml_list_shows_every_payload_as_written(
    hostile_files, small, tmp_path, language, shown_in_html
):
    kml = kml_with_payloads(small, tmp_path / "thon.kml")
    run("report", "--villages", kml, "--towers", hostile_files["towers"], "--lang", language,
        "--out", "nop")  # fmt: skip
    names = [f"{TEXTS[k % len(TEXTS)]} {k}" for k in range(12)]
    page = Path("nop/map.html").read_text(encoding="utf-8")
    assert_shown(shown_in_html, page, names, "KML names in the map")
    assert_shown(shown_in_html, page, TEXTS, "tower operators in the map")
    assert set(names) <= cells(Path("nop/gap_list.xlsx"))
    table = pd.read_csv("nop/gap_list.csv", dtype=str, encoding="utf-8-sig")
    assert set(names) <= {str(v) for v in table.to_numpy().ravel()}
    assert_nothing_ran(tmp_path)


def test_no_command_opens_a_network_connection(
    hostile_files, small, tmp_path, monkeypatch, shown_in_html
):
    """whitespot downloads nothing: every connection is refused and every command still runs."""
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network connections are refused in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    test_gaps_map_and_plan_show_every_payload_as_written(hostile_files, tmp_path, shown_in_html)
    run("report", "--villages", kml_with_payloads(small, tmp_path / "thon.kml"), "--towers",
        hostile_files["towers"], "--out", "nop_offline")  # fmt: skip
    assert attempts == []
