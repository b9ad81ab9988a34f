"""The map in a real headless Chromium: renders, lists its layers, escapes, no JS errors.

Uses Debian's chromium and chromium-driver (``.ci/run`` installs them) through Selenium;
never a downloaded browser.
"""

from __future__ import annotations

import pytest

HAS_MAP = "return Object.keys(window).some(k => window[k] instanceof L.Map);"


@pytest.fixture(scope="module")
def browser(chromium, map_file):
    from selenium.webdriver.common.by import By  # noqa: PLC0415 only when a browser is installed
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    chromium.get(map_file[0].as_uri())
    WebDriverWait(chromium, 60).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers")
    )
    return chromium


def test_leaflet_renders_the_data(browser):
    assert browser.execute_script(HAS_MAP) is True
    drawn = browser.execute_script(
        "const m = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);"
        "let n = 0; m.eachLayer(l => { if (l.feature) n += 1; }); return n;"
    )
    assert drawn > 300  # villages, towers, lines and zones
    assert browser.find_elements(
        "css selector", ".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg"
    )


def test_scale_bar_is_metric_only(browser):
    scales = browser.find_elements("css selector", ".leaflet-control-scale-line")
    texts = [s.text for s in scales]
    assert len(texts) == 1 and texts[0].endswith(("m", "km"))
    assert not any(t.endswith(("mi", "ft")) for t in texts)


def test_layer_control_lists_every_layer(browser, expected_layers):
    labels = browser.find_element("css selector", ".leaflet-control-layers-overlays").text
    for name in expected_layers:
        assert name in labels


def test_popup_shows_the_hostile_name_as_text(browser, map_file):
    village_id = map_file[1]
    text = browser.execute_script(
        "const m = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);"
        "let target = null;"
        "m.eachLayer(l => { if (l.feature && l.feature.properties.village_id === arguments[0])"
        " target = l; });"
        "target.fire('click', {latlng: target.getLatLng()}, true);"
        "const box = document.querySelector('.leaflet-popup-content');"
        "return [box.innerText, box.querySelectorAll('script').length];",
        village_id,
    )
    assert "<script>alert(1)</script>" in text[0]
    assert text[1] == 0
    assert browser.execute_script("return document.querySelectorAll('script').length") > 0


def test_no_javascript_errors(browser):
    severe = [
        entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
    ]
    # offline test machines cannot load the background tiles: that is the network
    errors = [m for m in severe if "Failed to load resource" not in m and "net::" not in m]
    assert errors == []


def test_screenshot(browser, tmp_path):
    path = tmp_path / "map.png"
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000


def test_clustered_villages_open_escaped_popups(browser, cluster_map_file):
    browser.get(cluster_map_file[0].as_uri())
    text = browser.execute_script(
        "const m = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);"
        "let group = null, target = null;"
        "m.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) group = l; });"
        "group.getLayers().forEach(c => {"
        " if (c.feature.properties.village_id === arguments[0]) target = c; });"
        "L.popup().setLatLng(target.getLatLng()).setContent(target.getPopup().getContent())"
        " .openOn(m);"
        "const box = document.querySelector('.leaflet-popup-content');"
        "return [box.innerText, box.querySelectorAll('script').length, group.getLayers().length];",
        cluster_map_file[1],
    )
    assert text[2] == 300  # every village is a clustered marker
    assert "<script>alert(1)</script>" in text[0] and text[1] == 0
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [m for m in severe if "Failed to load resource" not in m and "net::" not in m] == []


def test_measurements_residuals_and_checks_render_escaped(browser, measured_map_file):
    path, pairs = measured_map_file
    browser.get(path.as_uri())
    labels = browser.find_element("css selector", ".leaflet-control-layers-overlays").text
    for name in ("Measurements (dBm)", "Model error: measured - predicted",
                 "Villages to check in the field"):  # fmt: skip
        assert name in labels
    text = browser.execute_script(
        "const m = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);"
        "let group = null;"
        "m.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) group = l; });"
        "const first = group.getLayers().find("
        " l => l.getPopup().getContent().textContent.includes('alert(1)'));"
        "L.popup().setLatLng(first.getLatLng()).setContent(first.getPopup().getContent())"
        " .openOn(m);"
        "const box = document.querySelector('.leaflet-popup-content');"
        "return [box.innerText, box.querySelectorAll('script').length, group.getLayers().length];"
    )
    assert text[2] == len(pairs)  # every measurement is a marker
    assert "<script>alert(1)</script>" in text[0] and text[1] == 0
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [m for m in severe if "Failed to load resource" not in m and "net::" not in m] == []
