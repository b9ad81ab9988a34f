"""A department's list is assembled by the same code as every gap list (issue 40, item 4)."""

from __future__ import annotations

import numpy as np
import pytest

from whitespot.coverage import GapCriteria, department_gap_list
from whitespot.coverage.gaps import power_rule
from whitespot.department import read_village_list


@pytest.fixture
def department_list(tmp_path):
    """Three hamlets, 70 % electrified; the third without coordinates."""
    path = tmp_path / "danh_sach.csv"
    path.write_text(
        "Tỉnh,Xã,Thôn/Bản,Số hộ,Tỷ lệ hộ có điện,Kinh độ,Vĩ độ\n"
        "Quảng Trị,Hướng Lập,Bản Một,40,0.7,106.60,16.90\n"
        "Quảng Trị,Hướng Lập,Bản Hai,30,0.7,106.62,16.91\n"
        "Quảng Trị,Hướng Lập,Bản Ba,20,0.7,,\n",
        encoding="utf-8",
    )
    return read_village_list(path)


@pytest.mark.parametrize(("share", "status"), [(0.5, "ok"), (0.9, "none")])
def test_rows_without_a_location_follow_the_criteria_power_rule(
    department_list, province, share, status
):
    criteria = GapCriteria(min_electrified_share=share)
    gaps, _ = department_gap_list(department_list, province.towers, criteria=criteria)
    rows = gaps.villages.set_index("name")
    assert rows.loc["Bản Ba", "gap_type"] == "location_unknown"
    assert (rows["power_status"] == status).all()  # located or not, one rule
    assert rows.loc["Bản Ba", "households_without_power"] == 6


def test_the_power_rule_on_its_own():
    status, without = power_rule(
        np.array([0.7, np.nan, np.nan, np.nan]),
        np.array([np.nan, 9.0, 1.0, np.nan]),
        np.array([10.0, 10.0, 10.0, 10.0]),
        GapCriteria(min_electrified_share=0.8, max_grid_distance_km=5.0),
    )
    assert status.tolist() == ["none", "none", "ok", "unknown"]
    assert np.array_equal(without, [3.0, 10.0, np.nan, np.nan], equal_nan=True)
