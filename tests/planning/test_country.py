"""Planning a country by province groups: groups are independent, optima add up."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from whitespot._parallel import closing_cluster, connect
from whitespot.coverage import gap_list
from whitespot.data import ValidationError, make_country, validate_towers, validate_villages
from whitespot.planning import (
    candidates_from_gaps,
    demand_points,
    plan_country,
    plan_sites,
    write_country_plan,
)
from whitespot.planning.country import planning_groups, province_gaps
from whitespot.planning.matrix import new_site_towers
from whitespot.radio import SignalSetup
from whitespot.radio._engine import covering_pairs

pytestmark = pytest.mark.filterwarnings(
    "ignore::whitespot.data.DefaultAppliedWarning", "ignore::UserWarning"
)


@pytest.fixture(scope="module")
def country_gaps():
    provinces = list(make_country(provinces=3, households=9_000, towers=24, seed=11))
    villages = validate_villages(pd.concat([p.villages for p in provinces], ignore_index=True))
    towers = validate_towers(pd.concat([p.towers for p in provinces], ignore_index=True))
    return gap_list(villages, towers, SignalSetup(model="hata", extrapolate=True), progress=False)


def test_provinces_in_different_groups_share_no_demand(country_gaps):
    """Brute force: no candidate of one group covers a household of another."""
    gaps = country_gaps
    groups = planning_groups(gaps)
    group_of = dict(zip(groups["province_code"], groups["group"], strict=True))
    province_of = dict(
        zip(gaps.villages["village_id"], gaps.villages["province_code"], strict=True)
    )
    candidates = candidates_from_gaps(gaps)
    demand = demand_points(gaps)
    pairs = covering_pairs(demand, new_site_towers(candidates), gaps.setup.replace(technology=None))
    assert len(pairs)
    site_province = pairs["tower_id"].str[1:3].to_numpy()  # P01-V0001-3
    point_province = demand["village_id"].map(province_of).to_numpy()[pairs["point"]]
    for site, point in zip(site_province, point_province, strict=True):
        assert group_of[site] == group_of[point]
    assert len(groups) == 3


def test_cover_all_by_groups_equals_the_whole_country_optimum(country_gaps, tmp_path):
    by_groups = plan_country(country_gaps, cover_all=True, method="exact", curve_steps=0)
    whole = plan_sites(country_gaps, cover_all=True, method="exact", curve_steps=0)
    national = by_groups.summary.iloc[-1]
    assert whole.selection.status == "optimal" and national["status"] == "optimal"
    assert national["objective"] == pytest.approx(whole.selection.objective)
    assert national["households_covered"] == pytest.approx(whole.selection.covered)
    assert len(by_groups.sites) == national["sites"]
    assert by_groups.sites["national_rank"].tolist() == list(range(1, len(by_groups.sites) + 1))
    for name, part in by_groups.sites.groupby("group"):
        assert np.all(np.diff(part["rank"].to_numpy()) > 0), name  # each group keeps its order
    written = write_country_plan(by_groups, tmp_path / "country.xlsx")
    sheets = pd.read_excel(written[0], sheet_name=None)
    assert {"sites", "summary", "groups"} <= set(sheets)
    assert len(sheets["sites"]) == len(by_groups.sites)


def test_groups_on_a_local_cluster_equal_groups_here(country_gaps):
    pytest.importorskip("distributed")
    here = plan_country(country_gaps, sites=3, method="exact", curve_steps=0)
    with closing_cluster(connect(workers=2)) as client:
        there = plan_country(country_gaps, sites=3, method="exact", curve_steps=0, client=client)
    pd.testing.assert_frame_equal(here.summary, there.summary)
    pd.testing.assert_frame_equal(
        pd.DataFrame(here.sites.drop(columns="geometry")),
        pd.DataFrame(there.sites.drop(columns="geometry")),
    )


def test_a_province_subset_keeps_only_its_villages(country_gaps):
    part = province_gaps(country_gaps, ["02"])
    assert set(part.villages["province_code"]) == {"02"}
    assert part.provinces["villages"].sum() == len(part.villages)


def test_provinces_whose_gaps_meet_at_the_border_are_planned_together(layers):
    """Villages 1 km apart across a border join their provinces; a far province stays apart."""
    villages = validate_villages(
        gpd.GeoDataFrame(
            {
                "village_id": ["A1", "A2", "B1", "C1"],
                "province_code": ["01", "01", "02", "03"],
                "commune_code": ["00001", "00001", "00002", "00003"],
                "households": [40, 30, 50, 20],
            },
            geometry=gpd.points_from_xy([106.790, 106.600, 106.800, 107.300], [16.8] * 4),
            crs="EPSG:4326",
        )
    )
    gaps = gap_list(villages, layers["towers"].iloc[:0], SignalSetup(model="hata"))
    groups = planning_groups(gaps)
    assert groups["group"].tolist() == ["01+02", "01+02", "03"]
    by_groups = plan_country(gaps, cover_all=True, method="exact", curve_steps=0)
    whole = plan_sites(gaps, cover_all=True, method="exact", curve_steps=0)
    assert list(by_groups.plans) == ["01+02", "03"]
    assert by_groups.summary.iloc[-1]["objective"] == pytest.approx(whole.selection.objective)


def test_households_of_villages_absent_from_the_gap_list_are_refused_not_dropped():
    """A province's villages filtered out, its households kept: named, never planned as
    if they were not there (today: a KeyError)."""
    provinces = list(make_country(provinces=2, households=1_500, towers=8, seed=3))
    villages = validate_villages(pd.concat([p.villages for p in provinces], ignore_index=True))
    towers = validate_towers(pd.concat([p.towers for p in provinces], ignore_index=True))
    households = pd.concat([p.households for p in provinces], ignore_index=True)
    setup = SignalSetup(model="hata", extrapolate=True)
    gaps = gap_list(villages, towers, setup, households=households, progress=False)
    kept = gaps.villages["province_code"] == "01"
    filtered = replace(gaps, villages=gaps.villages[kept])
    dropped = gaps.households["village_id"].isin(gaps.villages.loc[~kept, "village_id"])
    with pytest.raises(ValidationError, match=f"{dropped.sum():,} households name") as error:
        plan_country(filtered, sites=1, method="exact", curve_steps=0)
    assert "absent from the gap list's villages" in str(error.value)
    assert sorted(gaps.villages.loc[~kept, "village_id"])[0] in str(error.value)
