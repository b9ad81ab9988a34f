"""A plan with co-location, upgrades and satellite terminals: a map layer per kind."""

from __future__ import annotations

import folium

from whitespot.coverage import gap_list
from whitespot.data import validate_villages
from whitespot.maps import plan_map
from whitespot.maps.explore import SITE_LAYER_NAMES
from whitespot.planning import Objective, OptionCosts, plan_sites

HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def test_a_layer_per_kind_of_site_with_text_escaped(province, layers):
    villages = province.villages.copy()
    villages["name"] = HOSTILE_NAME  # every served village, whatever option serves it
    gaps = gap_list(
        validate_villages(villages), layers["towers"], households=layers["households"],
        progress=False,
    )  # fmt: skip
    plan = plan_sites(
        gaps, Objective.cover_all(), towers=layers["towers"], options=OptionCosts(upgrade=100.0),
        curve_steps=0, progress=False,
    )  # fmt: skip
    kinds = set(plan.sites["option"])
    assert len(kinds) >= 2
    fmap = plan_map(plan, gaps)
    names = [
        child.layer_name
        for child in fmap._children.values()
        if isinstance(child, folium.FeatureGroup)
    ]
    expected = [name for kind, name in SITE_LAYER_NAMES.items() if kind in kinds]
    assert [n for n in names if n.startswith("Proposed sites")] == expected
    assert "Proposed sites" not in names
    html = fmap.get_root().render()
    assert HOSTILE_NAME not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
