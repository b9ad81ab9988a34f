"""Evidence: surveys and measurements beside the prediction, conflicts both ways."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from whitespot.coverage import GapCriteria, gap_list
from whitespot.data import ValidationError, metric_crs, validate_measurements, validate_villages
from whitespot.data._crs import projected_xy
from whitespot.evidence import EVIDENCE_CLASSES
from whitespot.radio import SignalEngine, SignalSetup

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


@pytest.fixture(scope="module")
def plain(layers):
    """The sample's gap list at the village points, without evidence."""
    return gap_list(layers["villages"], layers["towers"], progress=False)


def at_villages(villages, rows, level_dbm, technology, copies=5, operator="Viettel"):
    """`copies` measurements at each village of `rows`, all at `level_dbm`."""
    points = villages.geometry.representative_point().iloc[np.repeat(rows, copies)].to_numpy()
    return validate_measurements(
        gpd.GeoDataFrame(
            {
                "signal_dbm": np.full(len(points), level_dbm),
                "technology": technology,
                "operator": operator,
            },
            geometry=points,
            crs=villages.crs,
        )
    )


def covering_networks(layers, rows):
    """(operator, technology) of every network the model says covers each village of `rows`."""
    setup = SignalSetup().in_crs(metric_crs(layers["villages"], None))
    engine = SignalEngine.prepare(layers["towers"], setup)
    margins = engine.network_margins(projected_xy(layers["villages"].iloc[rows], setup.crs))
    covering = margins[margins["margin_db"] >= 0]
    spelling = {o.casefold(): o for o in layers["towers"]["operator"].unique()}
    return [
        [
            (spelling[o], t)
            for o, t in covering.loc[covering["point"] == i, ["operator", "technology"]].to_numpy()
        ]
        for i in range(len(rows))
    ]


def on_every_network(layers, rows, level_dbm, copies=5):
    """Samples at `level_dbm` of every network the model says covers each village."""
    parts = [
        at_villages(layers["villages"], [row], level_dbm, technology, copies, operator)
        for row, networks in zip(rows, covering_networks(layers, rows), strict=True)
        for operator, technology in networks
    ]
    joined = pd.concat(parts, ignore_index=True).drop(columns="measurement_id")
    return validate_measurements(gpd.GeoDataFrame(joined, geometry="geometry", crs=parts[0].crs))


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
            on_every_network(layers, covered[:1], -125.0),  # found absent on every network
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
    assert "samples within 500 m" in out.loc[covered[0], "criteria"]
    assert "2 contradicted by measurements" in gaps.headline()
    assert "partly" not in gaps.headline()  # a class no village is in is not said


def test_measurements_of_another_technology_do_not_judge_a_covered_village(layers, plain):
    table = plain.villages
    covered_2g = np.flatnonzero(
        (table["signal_status"] == "covered") & (table["best_technology"] == "2G")
    )[:1]
    weak_4g = at_villages(layers["villages"], covered_2g, -125.0, "4G")
    out = gap_list(
        layers["villages"], layers["towers"], measurements=weak_4g, progress=False
    ).villages
    # said, not silently no_evidence
    assert out.loc[covered_2g[0], "evidence"] == "measured_other_network"
    assert out.loc[covered_2g[0], "signal_status"] == "covered"


def test_the_evidence_radius_decides_which_samples_count(layers, plain):
    covered = np.flatnonzero(plain.villages["signal_status"] == "covered")[:1]
    samples = on_every_network(layers, covered, -130.0)
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


def test_one_operators_weak_samples_do_not_put_a_village_covered_by_another_on_the_list(
    layers, plain
):
    """A phone of one operator speaks for its network only (issue 26, item 1)."""
    table = plain.villages
    covered = np.flatnonzero(table["signal_status"] == "covered")
    networks = covering_networks(layers, covered)
    shared = [row for row, found in zip(covered, networks, strict=True) if len(found) >= 2][:2]
    assert len(shared) == 2
    first, second = (covering_networks(layers, [row])[0] for row in shared)
    weak_one = at_villages(layers["villages"], shared[:1], -125.0, first[0][1], 5, first[0][0])
    # the second village: one network found absent, another measured covered
    absent = at_villages(layers["villages"], shared[1:], -125.0, second[0][1], 5, second[0][0])
    strong = at_villages(layers["villages"], shared[1:], -70.0, second[1][1], 5, second[1][0])
    measurements = pd.concat([weak_one, absent, strong], ignore_index=True)
    out = gap_list(
        layers["villages"], layers["towers"], measurements=measurements, progress=False
    ).villages
    assert out.loc[shared[0], "evidence"] == "measurements_partly_contradict"
    assert out.loc[shared[0], "signal_status"] == "covered"  # not demoted
    assert bool(out.loc[shared[0], "check_in_field"])
    assert out.loc[shared[0], "evidence_finding"] == ""
    assert "was not measured" in out.loc[shared[0], "criteria"]
    assert out.loc[shared[1], "evidence"] == "agrees"
    assert out.loc[shared[1], "signal_status"] == "covered"
    assert out.loc[shared[1], "measured_signal_dbm"] == -70.0
    assert out.loc[shared[1], "measured_operator"] == second[1][0]


def test_a_survey_yes_is_never_overruled_by_weak_samples(layers, plain):
    covered = np.flatnonzero(plain.villages["signal_status"] == "covered")[:1]
    villages = layers["villages"].copy()
    villages["survey_signal"] = pd.Series(pd.NA, index=villages.index, dtype="string")
    villages.loc[covered, "survey_signal"] = "có"
    weak = on_every_network(layers, covered, -130.0)
    out = gap_list(
        validate_villages(villages), layers["towers"], measurements=weak, progress=False
    ).villages
    assert out.loc[covered[0], "signal_status"] == "covered"
    assert out.loc[covered[0], "evidence"] == "agrees"
    # without the survey the same samples demote it, and its covered share goes with it
    bare = gap_list(layers["villages"], layers["towers"], measurements=weak, progress=False)
    assert bare.villages.loc[covered[0], "signal_status"] == "none"
    assert bare.villages.loc[covered[0], "covered_share"] == 0.0


def test_samples_only_of_other_networks_are_said_not_silently_no_evidence(layers, plain):
    table = plain.villages
    covered = np.flatnonzero(table["signal_status"] == "covered")
    networks = covering_networks(layers, covered)
    all_networks = {tuple(pair) for pair in layers["towers"][["operator", "technology"]].to_numpy()}
    row, other = next(
        (row, sorted(all_networks - set(found))[0])
        for row, found in zip(covered, networks, strict=True)
        if all_networks - set(found)
    )
    samples = at_villages(layers["villages"], [row], -125.0, other[1], 22, other[0])
    gaps = gap_list(layers["villages"], layers["towers"], measurements=samples, progress=False)
    out = gaps.villages
    assert out.loc[row, "evidence"] == "measured_other_network"
    assert out.loc[row, "signal_status"] == "covered"
    assert "other operators or technologies" in out.loc[row, "criteria"]
    assert gaps.totals()["villages_measured_other_network"] == 1
    assert "1 measured only on other networks" in gaps.headline()
