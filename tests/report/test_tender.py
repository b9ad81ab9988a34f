"""The bid package: every gap village in one lot, totals to the household (issue 42, item 4)."""

from __future__ import annotations

import openpyxl
import pytest

from whitespot.cli import main
from whitespot.coverage import gap_list, write_gap_list
from whitespot.department import read_village_list
from whitespot.planning import plan_sites
from whitespot.report import Tender, tender_package, write_tender
from whitespot.report.tender import NOT_REACHED


@pytest.fixture(scope="module")
def planned(layers):
    gaps = gap_list(layers["villages"], layers["towers"], progress=False)
    plan = plan_sites(gaps, sites=6, towers=layers["towers"], grid=layers["grid"], curve_steps=0)
    return gaps, plan


def test_every_gap_village_is_in_exactly_one_lot_and_totals_add_up(planned):
    gaps, plan = planned
    tender = tender_package(plan, gaps, contingency=0.15)
    assert isinstance(tender, Tender)
    without = gaps.villages[gaps.villages["gap_type"].isin(["no_signal", "no_signal_no_power"])]
    assert sorted(tender.villages["village_id"]) == sorted(without["village_id"])
    listed = [v for ids in tender.lots["village_ids"] for v in ids.split("; ") if v]
    assert sorted(listed) == sorted(without["village_id"])  # once each
    lots = tender.lots
    assert lots["households_without_signal"].sum() == without["households_without_signal"].sum()
    assert lots["households_covered"].sum() == plan.sites["households_new"].sum()
    assert lots["sites"].sum() == len(plan.sites)
    assert lots["capex"].sum() == pytest.approx(plan.sites["capex"].sum())
    base = lots["capex"] + lots["power_cost"] + lots["backhaul_cost"]
    assert lots["max_subsidy"].to_numpy() == pytest.approx(1.15 * base.to_numpy())
    assert "area_coverage_probability" not in lots  # the median: nothing stated
    reached = set(tender.villages.loc[tender.villages["lot"] != NOT_REACHED, "village_id"])
    served = {v for ids in plan.sites["villages_served"] for v in ids.split("; ") if v}
    assert reached == served & set(without["village_id"])


def test_the_settings_declare_the_prediction_as_supporting_data(planned):
    gaps, plan = planned
    settings = tender_package(plan, gaps).settings
    for key in ("tool", "tool_version", "model", "model_description", "mobile_height_m",
                "threshold_4G_dbm", "location_probability", "location_sigma", "receiver",
                "indoor_model", "terrain", "calibration", "model_validity", "contingency",
                "max_subsidy_rule", "lot_rule"):  # fmt: skip
        assert key in settings, key


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_package_is_written_whole_in_both_languages(planned, tmp_path, language):
    gaps, plan = planned
    written = write_tender(tender_package(plan, gaps), tmp_path / "thau", language=language)
    assert {p.name for p in written} == {p.name for p in (tmp_path / "thau").iterdir()}
    sheets = openpyxl.load_workbook(tmp_path / "thau" / "tender.xlsx").sheetnames
    assert sheets == (["Gói thầu", "Thôn bản", "Vị trí", "Thiết lập"] if language == "vi"
                      else ["lots", "villages", "sites", "settings"])  # fmt: skip
    back = read_village_list(tmp_path / "thau" / "tender.kmz").villages
    assert len(back) == len(tender_package(plan, gaps).villages) + len(plan.sites)


def test_plan_writes_the_bid_package_with_tender(planned, tmp_path, capsys):
    gaps, _ = planned
    write_gap_list(gaps, tmp_path / "gaps.geojson")
    code = main(["plan", "--gaps", str(tmp_path / "gaps.geojson"), "--sites", "4",
                 "--out", str(tmp_path / "sites.xlsx"), "--tender", str(tmp_path / "thau"),
                 "--contingency", "0.2", "--lang", "en"])  # fmt: skip
    assert code == 0
    assert "bid lot" in capsys.readouterr().out
    assert (tmp_path / "thau" / "tender.xlsx").exists()
    with pytest.raises(SystemExit) as refused:
        main(["plan", "--gaps", str(tmp_path / "gaps.geojson"), "--sites", "4",
              "--out", str(tmp_path / "s.xlsx"), "--contingency", "1.5"])  # fmt: skip
    assert refused.value.code == 2


def test_a_stated_location_probability_gives_each_lot_its_area_coverage(layers):
    from whitespot.radio import SignalSetup  # noqa: PLC0415

    setup = SignalSetup(location_probability=0.9, location_sigma_db=8.0)
    gaps = gap_list(layers["villages"], layers["towers"], setup, progress=False)
    plan = plan_sites(gaps, sites=4, towers=layers["towers"], curve_steps=0)
    tender = tender_package(plan, gaps)
    coverage = tender.lots.loc[tender.lots["sites"] > 0, "area_coverage_probability"]
    assert coverage.notna().all() and (coverage > 0.9).all()  # Jakes-Reudink above the edge
    assert (coverage < 1.0).all()
    assert tender.settings["location_probability"] == 0.9
    assert "location_rule" in tender.settings
