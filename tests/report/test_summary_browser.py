"""The summary page in a real headless Chromium: renders, draws its chart, runs no script."""

from __future__ import annotations

import pytest

from .conftest import HOSTILE_NAME


@pytest.fixture(scope="module")
def summary_page(chromium, hostile_package):
    _, folder, _ = hostile_package
    chromium.get((folder / "summary.html").as_uri())
    return chromium


def test_summary_renders_with_its_chart(summary_page):
    assert summary_page.find_element("css selector", "h1").text
    bars = summary_page.find_elements("css selector", "svg.chart rect")
    assert len(bars) >= 1
    rows = summary_page.find_elements("css selector", "table tbody tr")
    assert len(rows) > 5


def test_hostile_names_show_as_text(summary_page):
    assert summary_page.execute_script("return document.querySelectorAll('script').length") == 0
    text = summary_page.find_element("css selector", "body").text
    assert HOSTILE_NAME in text  # the row's problem is listed, its name shown as text


def test_fits_one_screen_width(summary_page):
    width = summary_page.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1280
