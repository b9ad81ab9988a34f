"""Evidence: surveys and measurements beside the prediction, conflicts both ways."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from whitespot.coverage import EVIDENCE_CLASSES, GapCriteria, gap_list
from whitespot.data import ValidationError, validate_measurements, validate_villages

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


@pytest.fixture(scope="module")
def plain(layers):
    """The sample's gap list at the village points, without evidence."""
    return gap_list(layers["villages"], layers["towers"], progress=False)


def at_villages(villages, rows, level_dbm, technology, copies=5):
    """`copies` measurements at each village of `rows`, all at `level_dbm`."""
    points = villages.geometry.representative_point().iloc[np.repeat(rows, copies)].to_numpy()
    return validate_measurements(
        gpd.GeoDataFrame(
            {
                "signal_dbm": np.full(len(points), level_dbm),
                "technology": technology,
                "operator": "Viettel",
            },
            geometry=points,
            crs=villages.crs,
        )
    )


def test_without_evidence_the_prediction_stands(plain):
    table = plain.villages
    assert (table["evidence"] == "no_evidence").all()
    assert (table["signal_status"] == table["predicted_signal_status"]).all()
    assert not table["check_in_field"].any()
    assert "evidence" not in plain.headline()


def test_survey_conflicts_both_ways(layers, plain):
    predicted = plain.villages["signal_status"].to_numpy()
    covered = np.flatnonzero(predicted == "covered")[:3]
    dark = np.flatnonzero(predicted == "none")[:2]
    villages = layers["villages"].copy()
    villages["survey_signal"] = pd.Series(pd.NA, index=villages.index, dtype="string")
    villages.loc[covered, "survey_signal"] = ["Không", "yếu", "có"]
    villages.loc[dark, "survey_signal"] = ["Có sóng", "0"]
    gaps = gap_list(validate_villages(villages), layers["towers"], progress=False)
    table = gaps.villages
    first, second, third = covered
    assert table.loc[first, "signal_status"] == "none"  # the field overrules toward a gap
    assert table.loc[first, "households_without_signal"] == table.loc[first, "households"]
    assert table.loc[second, "signal_status"] == "weak"
    assert table.loc[second, "households_weak_signal"] == table.loc[second, "households"]
    assert table.loc[third, "evidence"] == "agrees"
    assert table.loc[[first, second], "evidence"].eq("survey_contradicts_prediction").all()
    assert table.loc[[first, second], "evidence_finding"].eq("no_signal_found").all()
    assert table.loc[dark[0], "evidence_finding"] == "signal_found"
    assert table.loc[dark[0], "signal_status"] == "none"  # a predicted gap stays on the list
    assert table.loc[dark[1], "evidence"] == "agrees"
    assert table["check_in_field"].sum() == 3
    assert "check in the field" in table.loc[first, "criteria"]
    assert "predicted covered" in table.loc[first, "criteria"]
    totals = gaps.totals()
    assert totals["villages_survey_contradicts_prediction"] == 3
    assert totals["villages_agrees"] == 2
    assert totals["villages_to_check"] == 3
    assert sum(totals[f"villages_{kind}"] for kind in EVIDENCE_CLASSES) == len(table)
    assert totals["villages_without_signal"] == plain.totals()["villages_without_signal"] + 2
    assert "3 contradicted by the survey" in gaps.headline()
    assert gaps.communes["villages_to_check"].sum() == 3


def test_measurements_conflict_both_ways(layers, plain):
    table = plain.villages
    covered = np.flatnonzero(
        (table["signal_status"] == "covered") & (table["best_technology"] == "4G")
    )[:2]
    dark = np.flatnonzero(table["signal_status"] == "none")[:2]
    measurements = pd.concat(
        [
            at_villages(layers["villages"], covered[:1], -125.0, "4G"),  # 4G found absent
            at_villages(layers["villages"], covered[1:], -80.0, "4G"),  # agrees
            at_villages(layers["villages"], dark[:1], -70.0, "2G"),  # signal where none
            at_villages(layers["villages"], dark[1:], -70.0, "2G", copies=2),  # too few
        ],
        ignore_index=True,
    )
    gaps = gap_list(layers["villages"], layers["towers"], measurements=measurements, progress=False)
    out = gaps.villages
    assert out.loc[covered[0], "evidence"] == "measurements_contradict_prediction"
    assert out.loc[covered[0], "evidence_finding"] == "no_signal_found"
    assert out.loc[covered[0], "signal_status"] == "none"
    assert out.loc[covered[0], "measured_signal_dbm"] == -125.0
    assert out.loc[covered[1], "evidence"] == "agrees"
    assert out.loc[dark[0], "evidence_finding"] == "signal_found"
    assert out.loc[dark[0], "measured_technology"] == "2G"
    assert out.loc[dark[1], "evidence"] == "no_evidence"
    assert out.loc[dark[1], "measurements"] == 2
    assert "too few to judge" in out.loc[dark[1], "criteria"]
    assert "median of 5 samples within 500 m" in out.loc[covered[0], "criteria"]
    assert "2 by measurements" in gaps.headline()


def test_measurements_of_another_technology_do_not_judge_a_covered_village(layers, plain):
    table = plain.villages
    covered_2g = np.flatnonzero(
        (table["signal_status"] == "covered") & (table["best_technology"] == "2G")
    )[:1]
    weak_4g = at_villages(layers["villages"], covered_2g, -125.0, "4G")
    out = gap_list(
        layers["villages"], layers["towers"], measurements=weak_4g, progress=False
    ).villages
    assert out.loc[covered_2g[0], "evidence"] == "no_evidence"
    assert out.loc[covered_2g[0], "signal_status"] == "covered"


def test_the_evidence_radius_decides_which_samples_count(layers, plain):
    covered = np.flatnonzero(plain.villages["signal_status"] == "covered")[:1]
    technology = plain.villages.loc[covered[0], "best_technology"]
    samples = at_villages(layers["villages"], covered, -130.0, technology)
    shifted = samples.to_crs(samples.estimate_utm_crs())
    shifted.geometry = shifted.geometry.translate(xoff=700.0)
    shifted = validate_measurements(shifted.to_crs("EPSG:4326"))
    near = gap_list(layers["villages"], layers["towers"], measurements=shifted, progress=False)
    assert near.villages.loc[covered[0], "measurements"] == 0
    wide = gap_list(
        layers["villages"],
        layers["towers"],
        measurements=shifted,
        criteria=GapCriteria(evidence_radius_m=1_000.0),
        progress=False,
    )
    assert wide.villages.loc[covered[0], "evidence"] == "measurements_contradict_prediction"
    assert wide.settings["evidence_radius_m"] == 1_000.0


def test_a_survey_column_is_read_by_its_header_and_bad_answers_are_named(province):
    villages = province.villages.iloc[:4].copy()
    villages["Có sóng?"] = ["Có", "KHÔNG", "Sóng yếu", None]
    read = validate_villages(villages)
    assert read["survey_signal"].tolist()[:3] == ["yes", "no", "weak"]
    assert read["survey_signal"].isna().tolist()[3]
    villages["Có sóng?"] = ["Có", "maybe", "1", "0"]
    with pytest.raises(ValidationError) as error:
        validate_villages(villages)
    text = str(error.value)
    assert "column 'survey_signal'" in text and villages["village_id"].iloc[1] in text
