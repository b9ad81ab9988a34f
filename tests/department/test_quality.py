"""The data-quality report: every problem by row, right / sufficient / clean / live scores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from whitespot.data._labels import VIETNAMESE_FIXES, VIETNAMESE_VALUES
from whitespot.department import (
    QualityConfig,
    QualityReport,
    assign_admin_units,
    quality_report,
    read_village_list,
)
from whitespot.department.quality import CHECK_DIMENSION

FILES = Path(__file__).parents[1] / "report" / "data"


@pytest.fixture(scope="module")
def broken():
    listed = read_village_list(FILES / "broken.xlsx")
    villages = assign_admin_units(listed.villages)
    report = quality_report(villages, listed.issues, config=QualityConfig(today=date(2026, 6, 1)))
    assert isinstance(report, QualityReport)
    return report


def checks_at(report, row):
    problems = report.problems
    return set(problems.loc[(problems["layer"] == "villages") & (problems["row"] == row), "check"])


def test_every_problem_of_the_broken_file_is_listed_by_row(broken):
    assert {"duplicate_name", "duplicate_location"} <= checks_at(broken, 4)
    assert {"duplicate_name", "duplicate_location"} <= checks_at(broken, 12)
    assert "text_in_number" in checks_at(broken, 5)
    assert checks_at(broken, 6) == {"empty_row"}
    assert "swapped_lonlat" in checks_at(broken, 7)
    assert "negative_households" in checks_at(broken, 9)
    assert "missing_coordinates" in checks_at(broken, 10)
    assert "admin_unmatched" in checks_at(broken, 11)
    assert "outside_province" in checks_at(broken, 13)  # Hà Nội coordinates, Quảng Trị row
    assert {"no_households", "not_a_share"} <= checks_at(broken, 14)
    assert checks_at(broken, 15) == {"subtotal_mismatch"}  # "Cộng 999" is not the sum above
    # the clean row has nothing but its duplicate
    assert checks_at(broken, 4) == {"duplicate_name", "duplicate_location"}


def test_errors_come_first_and_carry_their_commune(broken):
    severity = broken.problems["severity"].tolist()
    assert severity == sorted(severity, key=["error", "warning", "info"].index)
    swapped = broken.problems[broken.problems["check"] == "swapped_lonlat"].iloc[0]
    assert swapped["commune_code"] != "" and swapped["dimension"] == "right"


def test_scores_per_commune(broken):
    communes = broken.communes
    assert communes["villages"].sum() == 10
    for column in ("right_pct", "sufficient_pct", "clean_pct", "live_pct", "score"):
        assert communes[column].between(0, 100).all()
    unmatched = communes[communes["commune_code"] == ""]
    assert unmatched["right_pct"].tolist() == [0.0]  # the only village there is unmatched
    expected = communes[["right_pct", "sufficient_pct", "clean_pct", "live_pct"]].mean(axis=1)
    assert communes["score"].tolist() == pytest.approx(expected.round(1).tolist())
    assert "errors" in broken.headline()


def test_a_clean_list_scores_100():
    listed = read_village_list(FILES / "quang_tri_en.csv")
    villages = assign_admin_units(listed.villages)
    report = quality_report(
        villages,
        listed.issues,
        config=QualityConfig(duplicate_distance_m=10, today=date(2026, 6, 1)),
    )
    # the sample's synthetic names repeat in some communes; nothing else is wrong here
    assert set(report.problems["check"]) <= {"duplicate_name", "outside_province"}
    clean = report.communes[~report.communes["commune_code"].isin(report.problems["commune_code"])]
    assert (clean["score"] == 100).all() and len(clean)


def test_stale_survey_dates():
    listed = read_village_list(FILES / "quang_tri_vi.xlsx")
    villages = assign_admin_units(listed.villages)
    report = quality_report(
        villages, listed.issues, config=QualityConfig(max_age_days=365, today=date(2026, 6, 1))
    )
    stale = report.problems[report.problems["check"] == "stale"]
    surveyed = villages.set_index("source_row")["surveyed"]
    assert set(stale["row"]) == set(surveyed[surveyed < pd.Timestamp(2025, 6, 1)].index)
    assert len(stale) >= 4 and (stale["dimension"] == "live").all()
    assert report.layers.loc[0, "oldest_survey"] == "2023-03-01"


def test_towers_without_technology():
    towers = pd.DataFrame({"tower_id": ["T1", "T2", "T3"], "technology": ["LTE", "", "6G"]})
    listed = read_village_list(FILES / "quang_tri_en.csv")
    report = quality_report(assign_admin_units(listed.villages), listed.issues, towers=towers)
    tower_problems = report.problems[report.problems["layer"] == "towers"]
    assert tower_problems.set_index("row")["check"].to_dict() == {
        3: "missing_technology",
        4: "unknown_technology",
    }
    assert report.layers["layer"].tolist() == ["villages", "towers"]


def test_config_is_checked():
    with pytest.raises(ValueError, match="duplicate_distance_m"):
        QualityConfig(duplicate_distance_m=-1)


def test_errors_outside_the_villages_lower_the_score():
    """A clean village list with two tower errors never reads 100/100 (issue 26, item 9)."""
    listed = read_village_list(FILES / "quang_tri_en.csv")
    villages = assign_admin_units(listed.villages)
    config = QualityConfig(duplicate_distance_m=0, today=date(2026, 6, 1))
    clean = quality_report(villages, listed.issues, config=config)
    towers = pd.DataFrame({"tower_id": [f"T{i}" for i in range(10)], "technology": "4G"})
    towers.loc[[2, 5], "technology"] = "6G"
    report = quality_report(villages, listed.issues, towers=towers, config=config)
    assert (report.problems["severity"] == "error").sum() == 2
    assert report.score() < clean.score() and report.points() <= 99
    assert report.headline().startswith(f"data quality {report.points()}/100: 2 errors")
    assert report.headline("vi").startswith(f"Chất lượng dữ liệu {report.points()}/100: 2 lỗi")


def test_every_check_has_a_vietnamese_name_and_fix():
    checks = set(CHECK_DIMENSION) | set(VIETNAMESE_VALUES["check"])
    assert checks <= set(VIETNAMESE_FIXES)
    assert checks <= set(VIETNAMESE_VALUES["check"])


def test_households_far_from_the_footprints_estimate_are_flagged_with_both_numbers():
    listed = read_village_list(FILES / "quang_tri_en.csv")
    villages = assign_admin_units(listed.villages)
    villages["households_estimated"] = pd.array(villages["households"], dtype="Int64")
    villages["households_estimate_basis"] = "buildings"
    far = villages.index[:2]
    villages.loc[far, "households_estimated"] = villages.loc[far, "households"] * 3 + 10
    report = quality_report(villages, listed.issues, config=QualityConfig(today=date(2026, 6, 1)))
    flagged = report.problems[report.problems["check"] == "households_disagree"]
    assert flagged["village_id"].tolist() == villages.loc[far, "village_id"].tolist()
    first = villages.loc[far[0]]
    assert (
        f"{first['households']:,} households listed, about "
        f"{first['households'] * 3 + 10:,} estimated from building footprints"
    ) in flagged["message"].iloc[0]
    assert (flagged["dimension"] == "right").all()
