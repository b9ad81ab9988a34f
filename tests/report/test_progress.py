"""Progress between two submissions: matching by id, name and location; the headline."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from whitespot.coverage import GapList, summarize
from whitespot.data._crs import WGS84
from whitespot.report import compare_gap_lists


def gap_list(rows):
    """A gap list from (id, name, commune, lon, lat, households, gap_type) rows."""
    villages = gpd.GeoDataFrame(
        {
            "village_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "province_code": "44",
            "commune_code": [r[2] for r in rows],
            "commune_name": [f"Xã {r[2]}" for r in rows],
            "households": [r[5] for r in rows],
            "households_without_signal": [r[5] if "signal" in r[6] else 0 for r in rows],
            "households_without_power": 0,
            "signal_status": ["none" if "signal" in r[6] else "covered" for r in rows],
            "power_status": ["none" if "power" in r[6] else "ok" for r in rows],
            "gap_type": [r[6] for r in rows],
        },
        geometry=shapely.points([(r[3], r[4]) for r in rows]),
        crs=WGS84,
    )
    return GapList(
        villages,
        summarize(villages, ["province_code", "commune_code"]),
        summarize(villages, ["province_code"]),
        None,
    )


PREVIOUS = gap_list(
    [
        ("A1", "Thôn Ra Ly", "19435", 106.60, 16.90, 40, "no_signal"),
        ("A2", "Bản Pa Tầng", "19435", 106.62, 16.91, 25, "no_signal"),
        ("A3", "Thôn Xa Bai", "19441", 106.70, 16.80, 60, "no_signal_no_power"),
        ("A4", "Thôn Mai Xá", "19441", 106.72, 16.82, 30, "ok"),
        ("A5", "Bản Cù Bai", "19441", 106.74, 16.84, 18, "no_signal"),
        ("A6", "Thôn Đông", "19483", 106.80, 16.70, 12, "no_power"),
    ]
)


def test_statuses_and_matching_survive_renamed_ids():
    current = gap_list(
        [
            # same id: closed
            ("A1", "Thôn Ra Ly", "19435", 106.60, 16.90, 42, "ok"),
            # ids renamed in the new round, names kept: matched by name, still open
            ("QT-002", "Bản Pa Tầng", "19435", 106.62, 16.91, 25, "no_signal"),
            ("QT-003", "Thôn Xa Bai", "19441", 106.70, 16.80, 61, "no_power"),
            # id and spelling changed, moved 60 m: matched by location, now a gap
            ("QT-004", "Thon Mai Xa (xom moi)", "19441", 106.7205, 16.8203, 30, "no_signal"),
            # a village never listed before
            ("QT-007", "Bản Mới", "19483", 106.90, 16.60, 9, "no_signal"),
            ("A6", "Thôn Đông", "19483", 106.80, 16.70, 12, "ok"),
        ]
    )
    progress = compare_gap_lists(PREVIOUS, current, match_distance_m=300)
    table = progress.villages.set_index(
        progress.villages["village_id"].where(
            progress.villages["village_id"] != "", progress.villages["previous_village_id"]
        )
    )
    assert table.loc["A1", ["match", "progress_status"]].tolist() == ["id", "closed"]
    assert table.loc["QT-002", ["match", "previous_village_id", "progress_status"]].tolist() == [
        "name", "A2", "still_open"]  # fmt: skip
    assert table.loc["QT-003", "progress_status"] == "still_open"  # power gap remains
    assert table.loc["QT-003", "households_change"] == 1
    assert table.loc["QT-004", ["match", "previous_village_id", "progress_status"]].tolist() == [
        "location", "A4", "reopened"]  # fmt: skip
    assert table.loc["QT-007", ["match", "progress_status"]].tolist() == ["none", "newly_found"]
    assert table.loc["A6", "progress_status"] == "closed"
    # A5 is gone from the current list: listed, never dropped
    assert table.loc["A5", "progress_status"] == "not_in_current"
    assert len(progress.villages) == 7

    total = progress.provinces.iloc[0]
    assert (total["previous_gaps"], total["closed"], total["still_open"]) == (5, 2, 2)
    assert (total["newly_found"], total["reopened"], total["current_gaps"]) == (1, 1, 4)
    assert progress.headline() == (
        "2 of 5 locations now covered, 3 left; 2 newly found (4 gaps in the current list)"
    )
    assert total["households_changed"] == 2  # A1 40 -> 42, QT-003 60 -> 61
    communes = progress.communes.set_index("commune_code")
    assert communes.loc["19441", "not_in_current"] == 1
    assert communes["closed"].sum() == 2


def test_headline_against_a_target():
    # a province that set out to cover 2,853 locations and has 620 left
    rows = [
        (f"G{i}", f"Thôn {i}", "19435", 106 + i * 1e-3, 16.5, 10, "no_signal") for i in range(620)
    ]
    current = gap_list(rows)
    progress = compare_gap_lists(current, current, target=2853)
    assert progress.headline().startswith(
        "2,233 of 2,853 locations now covered (78.3% of the target), 620 left"
    )


def test_location_match_needs_mutual_nearest_within_distance():
    before = gap_list([("X1", "A", "1", 106.0, 16.0, 5, "no_signal")])
    far = gap_list([("Y1", "B", "1", 106.01, 16.0, 5, "no_signal")])  # about 1 km away
    progress = compare_gap_lists(before, far, match_distance_m=300)
    assert set(progress.villages["progress_status"]) == {"newly_found", "not_in_current"}
    near = compare_gap_lists(before, far, match_distance_m=2000)
    assert near.villages.loc[0, "match"] == "location"


def test_target_must_be_positive():
    with pytest.raises(ValueError, match="target"):
        compare_gap_lists(PREVIOUS, PREVIOUS, target=0)
