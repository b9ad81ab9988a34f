"""Text from input files is printed by the map, never run as a template (issue 38, item 1)."""

from __future__ import annotations

import ast
import html
from pathlib import Path

import pytest

from whitespot.coverage import gap_list
from whitespot.data import validate_towers, validate_villages
from whitespot.maps import gap_map, save_map, self_contained_html

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ("base", "cli", "coverage", "data", "department", "evidence", "maps", "planning",
          "radio", "report")  # fmt: skip

PAYLOADS = {
    # text as written -> what it would become if it were run as a Jinja or JS template
    "Thon {{ 7*7 }} Moi": "Thon 49 Moi",
    "Ban {% for x in range(3) %}x{% endfor %} Y": "Ban xxx Y",
    "Lang {# hidden #} Z": "Lang  Z",
    "Xom ${7*7} Q": "Xom 49 Q",
    "Na {% if %} unclosed": None,  # a template that does not even compile
}
RUN_OS = "Ban {{ cycler.__init__.__globals__.os.mkdir(cycler.__name__) }} Y"


def payload_layers(province):
    """Villages and towers whose every text column carries a payload."""
    texts = [*PAYLOADS, RUN_OS]
    villages = province.villages.copy()
    for k, text in enumerate(texts):
        villages.loc[villages.index[k], "name"] = text
        villages.loc[villages.index[k], "village_id"] = f"v-{text}"
        villages.loc[villages.index[k], "commune_code"] = f"c-{text}"
    towers = province.towers.copy()
    towers["operator"] = towers["operator"].astype(str)
    for k, text in enumerate(texts):
        towers.loc[towers.index[k], "operator"] = f"op-{text}"
        towers.loc[towers.index[k], "tower_id"] = f"t-{text}"
    return validate_villages(villages), validate_towers(towers), texts


@pytest.fixture(scope="module")
def hostile_map(province):
    villages, towers, texts = payload_layers(province)
    gaps = gap_list(villages, towers, progress=False)
    return gap_map(gaps, towers=towers, title=f"Tỉnh {RUN_OS}"), texts


@pytest.mark.parametrize("render", ["save", "repr_html", "folium_save"])
def test_every_payload_is_printed_as_written_and_nothing_runs(
    hostile_map, render, tmp_path, monkeypatch, shown_in_html
):
    fmap, texts = hostile_map
    monkeypatch.chdir(tmp_path)
    if render == "save":
        page = save_map(fmap, tmp_path / "map.html").read_text(encoding="utf-8")
    elif render == "repr_html":  # a notebook shows the map
        page = html.unescape(fmap._repr_html_())
    else:  # a user saves it with folium's own method
        fmap.save(str(tmp_path / "folium.html"))
        page = (tmp_path / "folium.html").read_text(encoding="utf-8")
    assert not (tmp_path / "Cycler").exists()
    for text in texts:
        for column in ("v-", "op-"):
            assert shown_in_html(page, column + text), (render, column + text)
    for text, evaluated in PAYLOADS.items():
        if evaluated is not None:
            assert evaluated not in page, (render, text)


def test_the_heading_and_legend_carry_the_payload_as_text(hostile_map):
    page = self_contained_html(hostile_map[0])
    assert html.escape(f"Tỉnh {RUN_OS}") in page  # the heading
    assert html.escape(f"op-{RUN_OS}") in page  # the towers' legend


def test_an_unbalanced_template_in_a_name_still_draws_the_map(province):
    villages = province.villages.copy()
    villages.loc[villages.index[0], "name"] = "{% endfor %}{{"
    gaps = gap_list(validate_villages(villages), province.towers, progress=False)
    assert "{% endfor %}{{" in self_contained_html(gap_map(gaps))


def _template_built_from_run_time_text(tree: ast.AST) -> list[int]:
    """Lines where a Jinja/branca template or element is made from anything but a literal."""
    makers = {"Template", "Element", "from_string"}
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        name = name or (node.func.id if isinstance(node.func, ast.Name) else None)
        if name not in makers:
            continue
        source = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg in {"template", "source"}), None
        )  # fmt: skip
        if source is not None and not (
            isinstance(source, ast.Constant) and isinstance(source.value, str)
        ):
            lines.append(node.lineno)
    return lines


def test_no_template_is_built_from_text_put_together_at_run_time():
    """By construction: every template whitespot makes is a literal of its source."""
    found = {}
    for floor in FLOORS:
        for path in sorted((ROOT / floor).rglob("*.py")):
            lines = _template_built_from_run_time_text(ast.parse(path.read_text("utf-8")))
            if lines:
                found[str(path.relative_to(ROOT))] = lines
    assert found == {}


def test_the_source_check_sees_a_template_made_from_text():
    tree = ast.parse(
        "folium.Element(f'<div>{name}</div>')\nbranca.element.Template(text)\n"
        "Template('{{ this.markup }}')\n"
    )
    assert _template_built_from_run_time_text(tree) == [1, 2]


def test_a_browser_shows_the_payloads_exactly_as_written(chromium, hostile_map, tmp_path):
    """In headless Chromium: the heading, the legend and a village's popup show the text."""
    fmap, texts = hostile_map
    chromium.get(save_map(fmap, tmp_path / "map.html").as_uri())
    shown_text = chromium.execute_script(
        "const m = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);"
        "const out = {page: document.body.innerText, popups: []};"
        "m.eachLayer(l => { if (l.feature && l.feature.properties.popup) {"
        " l.fire('click', {latlng: l.getLatLng()}, true);"
        " const boxes = document.querySelectorAll('.leaflet-popup-content');"
        " out.popups.push(boxes[boxes.length - 1].innerText); m.closePopup(); } });"
        "return out;"
    )
    assert f"Tỉnh {RUN_OS}" in shown_text["page"]  # the heading
    for text in texts:
        assert f"op-{text}" in shown_text["page"]  # the towers' legend
        assert any(text in popup for popup in shown_text["popups"]), text
    for evaluated in filter(None, PAYLOADS.values()):
        assert evaluated not in shown_text["page"]
        assert not any(evaluated in popup for popup in shown_text["popups"])
