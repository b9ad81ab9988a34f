"""Gap lists: every village once, statuses and criteria, power gaps, summaries."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from whitespot.coverage import GAP_LIST_COLUMNS, SUMMARY_COLUMNS, GapCriteria, gap_list, summarize
from whitespot.data import GAP_TYPES
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE
from whitespot.radio import LinkBudget, SignalSetup, signal_status


def test_every_village_once_in_input_order(gaps, layers):
    assert gaps.villages["village_id"].tolist() == layers["villages"]["village_id"].tolist()
    assert list(gaps.villages.columns[: len(GAP_LIST_COLUMNS)]) == list(GAP_LIST_COLUMNS)
    assert gaps.villages.crs == layers["villages"].crs
    assert gaps.villages["gap_type"].isin(GAP_TYPES).all()


def test_village_counts_follow_household_predictions(gaps, layers):
    households = gaps.households
    per_village = households.groupby("village_id")["signal_status"].apply(
        lambda s: (s != "covered").sum()
    )
    table = gaps.villages.set_index("village_id")
    # the sample's villages hold exactly their household points
    assert (
        table.loc[per_village.index, "households_without_signal"].tolist() == per_village.tolist()
    )
    covered = table["signal_status"] == "covered"
    assert (table.loc[covered, "covered_share"] >= 0.8).all()
    assert (table.loc[~covered, "covered_share"] < 0.8).all()


def test_signal_and_power_statuses_explain_the_gap_type(gaps):
    v = gaps.villages
    no_signal = v["signal_status"].isin(["weak", "none"])
    no_power = v["power_status"] == "none"
    beyond = v["signal_status"] == BEYOND_MODEL_RANGE
    expected = np.select(
        [no_signal & no_power, no_signal, no_power, beyond],
        ["no_signal_no_power", "no_signal", "no_power", BEYOND_MODEL_RANGE],
        "ok",
    )
    assert v["gap_type"].tolist() == expected.tolist()
    assert (
        v["criteria"].str.contains("signal ").all() and v["criteria"].str.contains("power ").all()
    )


def test_power_rules(gaps):
    v = gaps.villages
    unelectrified = v["electrified"] < 0.5
    assert (v.loc[unelectrified, "power_status"] == "none").all()
    assert (v.loc[~unelectrified, "power_status"] == "ok").all()
    assert v["grid_distance_km"].notna().all()
    assert (
        v.loc[v["electrified"] == 0, "households_without_power"].tolist()
        == v.loc[v["electrified"] == 0, "households"].tolist()
    )


def test_unknown_electrification_uses_grid_distance(layers):
    villages = layers["villages"].assign(electrified=np.nan)
    gaps = gap_list(
        villages,
        layers["towers"],
        grid=layers["grid"],
        criteria=GapCriteria(max_grid_distance_km=3.0),
        progress=False,
    )
    far = gaps.villages["grid_distance_km"] > 3.0
    assert (gaps.villages.loc[far, "power_status"] == "none").all()
    assert (gaps.villages.loc[~far, "power_status"] == "ok").all()
    no_grid = gap_list(villages, layers["towers"], progress=False)
    assert (no_grid.villages["power_status"] == "unknown").all()
    assert no_grid.villages["households_without_power"].isna().all()


def test_summaries_add_up(gaps):
    beyond = gaps.villages["signal_status"] == BEYOND_MODEL_RANGE
    totals = gaps.villages.loc[~beyond, ["households", "households_without_signal"]].sum()
    assert gaps.communes["households"].sum() == gaps.villages["households"].sum()
    # villages beyond the model's range are counted apart, not as without signal
    assert gaps.provinces["households_without_signal"].sum() == totals["households_without_signal"]
    assert gaps.provinces["villages_beyond_model_range"].sum() == beyond.sum()
    assert (
        gaps.provinces["households_beyond_model_range"].sum()
        == gaps.villages.loc[beyond, "households"].sum()
    )
    assert gaps.communes["villages"].sum() == len(gaps.villages)
    assert list(gaps.communes.columns) == ["province_code", "commune_code", *SUMMARY_COLUMNS]
    assert "households) without signal" in gaps.headline()


def test_without_households_the_village_point_decides(layers):
    gaps = gap_list(layers["villages"], layers["towers"], progress=False)
    v = gaps.villages
    covered = v["signal_status"] == "covered"
    assert (v.loc[covered, "households_without_signal"] == 0).all()
    assert (v.loc[~covered, "households_without_signal"] == v.loc[~covered, "households"]).all()
    assert gaps.households is None


def test_technology_filter_and_thresholds(layers):
    only_2g = gap_list(
        layers["villages"], layers["towers"], progress=False, setup=SignalSetup(technology="2G")
    )
    assert set(only_2g.villages["best_technology"].dropna()) == {"2G"}
    strict = gap_list(
        layers["villages"],
        layers["towers"],
        progress=False,
        setup=SignalSetup(
            budget=LinkBudget(thresholds_dbm={t: 10 for t in ("2G", "3G", "4G", "5G")})
        ),
    )
    assert (strict.villages["signal_status"] != "covered").all()


def test_villages_outside_every_tower_reach_are_listed(layers):
    far = layers["villages"].iloc[:3]
    gaps = gap_list(far, layers["towers"].iloc[:0], progress=False)
    assert gaps.villages["signal_status"].tolist() == ["none"] * 3
    assert "no tower in reach" in gaps.villages["criteria"].iloc[0]


def test_signal_status_bands():
    assert signal_status(np.array([1.0, 0.0, -5.0, -10.0, -10.1, np.nan]), 10.0).tolist() == [
        "covered",
        "covered",
        "weak",
        "weak",
        "none",
        "none",
    ]


def test_criteria_validation():
    with pytest.raises(ValueError, match=r"covered_share=1\.5 must be within 0\.\.1"):
        GapCriteria(covered_share=1.5)


def test_summarize_by_province(gaps):
    by_province = summarize(gaps.villages, ["province_code"])
    assert by_province["province_code"].tolist() == ["44"]
    assert isinstance(gaps.villages, gpd.GeoDataFrame)
