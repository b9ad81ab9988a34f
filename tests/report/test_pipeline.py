"""The department pipeline: every row of the file once, with its units, status and criteria."""

from __future__ import annotations

import geopandas as gpd
import pytest

from whitespot.coverage import department_gap_list
from whitespot.data import GAP_TYPES, ValidationError, validate_households
from whitespot.data._vocabulary import LOCATION_UNKNOWN
from whitespot.data._words_vi import number as vietnamese_number
from whitespot.department import read_village_list
from whitespot.report import Submission, summary_html
from whitespot.report.progress import is_gap

from .conftest import FILES


def test_every_row_of_the_file_appears_once_in_file_order(submission):
    assert isinstance(submission, Submission)
    assert summary_html(submission, language="en").startswith("<!DOCTYPE html>")
    rows = read_village_list(FILES / "quang_tri_vi.xlsx").villages["source_row"].tolist()
    assert submission.gaps.villages["source_row"].tolist() == rows
    assert submission.gaps.villages["village_id"].is_unique


def test_every_village_carries_its_post_2025_commune(submission):
    villages = submission.gaps.villages
    assert (villages["province_code"] == "44").all()
    assert villages["commune_code"].str.fullmatch(r"\d{5}").all()
    assert villages["old_district"].str.startswith("Huyện").all()  # old names kept
    assert set(villages["gap_type"]) <= set(GAP_TYPES) - {LOCATION_UNKNOWN}
    assert villages["criteria"].str.len().gt(20).all()
    assert "vietnamadminunits" in submission.settings["admin_code_source"]


def test_broken_rows_are_kept_with_a_status(broken_submission):
    villages = broken_submission.gaps.villages.set_index("source_row")
    assert villages.index.tolist() == [4, 5, 7, 8, 9, 10, 11, 12, 13, 14]
    assert villages.loc[10, "gap_type"] == LOCATION_UNKNOWN  # no coordinates
    assert villages.loc[10, "signal_status"] == "unknown"
    assert "no usable coordinates (row 10" in villages.loc[10, "criteria"]
    assert villages.loc[9, "households"] == 0  # negative count, counted as 0 and said so
    assert "counted as 0" in villages.loc[9, "criteria"]
    assert villages.loc[11, "admin_status"] == "admin_unmatched"
    assert villages.loc[11, "commune_code"] == ""
    # the summary does not count a village without a location as without signal
    total = broken_submission.gaps.provinces[["villages", "villages_without_signal"]].sum()
    located = (villages["signal_status"] != "unknown").sum()
    assert total["villages"] == 9  # row 12 repeats row 4: listed, counted once (issue 41)
    assert villages.loc[12, "duplicate_of"] == "R4"
    assert total["villages_without_signal"] <= located


def test_progress_against_the_previous_round(previous_package, submission):
    before, _ = previous_package
    progress = submission.progress
    assert progress is not None
    # the same list read again: every village is matched (generated ids: by name or place)
    current = progress.villages[progress.villages["progress_status"] != "not_in_current"]
    assert (current["match"] != "none").all()
    assert set(current["match"]) <= {"name", "location"}
    total = progress.provinces.iloc[0]
    before_gaps = is_gap(before.gaps.villages["gap_type"]).sum()
    assert total["previous_gaps"] == before_gaps
    assert total["closed"] > 0  # twice the towers close gaps
    now_gaps = is_gap(submission.gaps.villages["gap_type"]).sum()
    assert total["current_gaps"] == now_gaps
    # beyond the model's range: neither a gap nor covered
    beyond = (submission.gaps.villages["gap_type"] == "beyond_model_range").sum()
    assert total["beyond_model_range"] == beyond
    covered = 100 - now_gaps - beyond
    assert progress.headline().startswith(f"{covered:,} of 100 locations now covered")


def test_headlines(submission):
    lines = submission.headlines()
    assert len(lines) == 3
    assert "without signal" in lines[0] and "locations now covered" in lines[1]
    assert lines[2].startswith("data quality")


def test_vietnamese_numbers_and_sentences(submission):
    assert vietnamese_number(1354) == "1.354"
    assert vietnamese_number(78.04, 1) == "78,0"
    assert vietnamese_number(2853000.5, 1) == "2.853.000,5"
    vi = submission.headlines("vi")
    en = submission.headlines("en")
    assert "chưa có cả sóng và điện" in vi[0] and "without signal" in en[0]
    assert vi[1].startswith("Đã phủ sóng") and "/100 địa điểm" in vi[1]


def test_households_of_a_row_without_location_are_kept_apart_and_unknown_ones_refused(layers):
    """Row 10 has no coordinates: its households are its row's (location_unknown), not
    orphans; a household of a village the list does not hold is refused, never dropped."""
    village_list = read_village_list(FILES / "broken.xlsx")
    located = village_list.villages[village_list.villages.geometry.notna()]
    points = [*located.geometry, located.geometry.iloc[0]]

    def households(last_village: str) -> gpd.GeoDataFrame:
        ids = [*located["village_id"], last_village]
        layer = gpd.GeoDataFrame({"village_id": ids}, geometry=points, crs=located.crs)
        return validate_households(layer, region=None)

    gaps, _ = department_gap_list(village_list, layers["towers"], households=households("R10"))
    assert gaps.villages.set_index("village_id").loc["R10", "gap_type"] == LOCATION_UNKNOWN
    with pytest.raises(ValidationError, match=r"1 household names 1 village absent.*\(R99\)"):
        department_gap_list(village_list, layers["towers"], households=households("R99"))
