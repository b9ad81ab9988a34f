"""Gap lists at a location probability, outdoors and indoors (issue 42, items 1 and 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whitespot.coverage import gap_list, read_gap_list, write_gap_list
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE
from whitespot.radio import LinkBudget, SignalSetup, area_coverage_probability

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _gaps(layers, setup):
    return gap_list(
        layers["villages"],
        layers["towers"],
        setup,
        households=layers["households"],
        grid=layers["grid"],
        progress=False,
    )


@pytest.fixture(scope="module")
def indoor_fixed(layers):
    return _gaps(layers, SignalSetup(indoor="fixed", budget=LinkBudget(building_loss_db=12.0)))


def test_a_default_gap_list_carries_no_indoor_or_probability_column(gaps):
    columns = set(gaps.villages.columns)
    assert not {"indoor_signal_status", "area_coverage_probability"} & columns
    assert "without signal outdoors;" in gaps.headline()


def test_indoors_a_fixed_loss_judges_as_the_same_loss_outdoors(layers, gaps, indoor_fixed):
    # the outdoor status is the outdoor receiver's: the fixed building loss left out
    np.testing.assert_array_equal(
        indoor_fixed.villages["signal_status"], gaps.villages["signal_status"]
    )
    # the indoor status is that of the same loss applied to every receiver
    lossy = _gaps(layers, SignalSetup(budget=LinkBudget(building_loss_db=12.0))).villages
    indoor = indoor_fixed.villages
    judged = (lossy["signal_status"] != BEYOND_MODEL_RANGE) & (
        indoor["signal_status"] != BEYOND_MODEL_RANGE
    )
    assert judged.sum() > 200
    np.testing.assert_array_equal(
        indoor["indoor_signal_status"][judged], lossy["signal_status"][judged]
    )
    np.testing.assert_array_equal(
        indoor["households_without_indoor_signal"][judged],
        lossy["households_without_signal"][judged],
    )


def test_households_judged_indoors_fill_the_summary_and_the_headline(gaps, indoor_fixed):
    villages = indoor_fixed.villages
    no_signal = villages["indoor_signal_status"].isin(["weak", "none"])
    total = indoor_fixed.totals()
    assert total["villages_without_signal"] == no_signal.sum()
    assert total["villages_without_signal"] > gaps.totals()["villages_without_signal"]
    assert (
        total["households_without_signal"]
        == villages.loc[
            villages["indoor_signal_status"] != BEYOND_MODEL_RANGE,
            "households_without_indoor_signal",
        ].sum()
    )
    assert "without signal indoors;" in indoor_fixed.headline()
    assert (villages["gap_type"] != "ok").sum() >= (gaps.villages["gap_type"] != "ok").sum()
    assert indoor_fixed.settings["indoor_model"] == "fixed building entry loss of 12 dB"
    assert "; indoors " in villages["criteria"].iloc[0]


def test_indoors_is_never_better_than_outdoors(layers):
    villages = _gaps(layers, SignalSetup(indoor="p2109")).villages
    rank = {"none": 0, "weak": 1, "covered": 2, BEYOND_MODEL_RANGE: 3}
    outdoor = villages["signal_status"].map(rank)
    indoor = villages["indoor_signal_status"].map(rank)
    assert (indoor <= outdoor).all() and (indoor < outdoor).any()
    assert (
        villages["households_without_indoor_signal"] >= villages["households_without_signal"]
    ).all()


def test_a_stated_probability_reports_the_serving_cells_area_coverage(layers, tmp_path):
    setup = SignalSetup(location_probability=0.9)
    gaps = _gaps(layers, setup)
    area = gaps.villages["area_coverage_probability"]
    served = gaps.villages["best_tower_id"].notna()
    assert area[served].notna().all() and area[~served].isna().all()
    # RMa NLOS: sigma 8 dB, n = loss per decade / 10 (about 3.9): Jakes-Reudink above 0.96
    assert area[served].between(0.96, 0.975).all()
    assert area[served].iloc[0] == pytest.approx(
        float(area_coverage_probability(0.9, 8.0, 3.9)), abs=0.005
    )
    assert "at 90 % of locations" in gaps.headline()
    write_gap_list(gaps, tmp_path / "gaps.csv")
    back = read_gap_list(tmp_path / "gaps.csv")
    assert back.setup.location_probability == 0.9
    assert "location_sigma" in back.settings


def test_tiles_judged_indoors_give_the_one_piece_gap_list(layers, monkeypatch):
    setup = SignalSetup(indoor="p2109", clutter_percent=50.0, location_probability=0.8)
    whole = _gaps(layers, setup)
    monkeypatch.setattr("whitespot.coverage.gaps.HOUSEHOLDS_PER_TILE", 997)
    tiled = _gaps(layers, setup)
    pd.testing.assert_frame_equal(whole.villages, tiled.villages)
    pd.testing.assert_frame_equal(whole.households, tiled.households)
    assert whole.households["indoor_signal_status"].isin(["covered", "weak", "none"]).all()
