"""The criteria behind each row of the gap list, in Vietnamese.

The gap list's ``criteria`` column says in English why a village is on the list. The
Vietnamese package writes the same facts in Vietnamese, from the same typed fields
(statuses, levels, the threshold of the best server, ``households_unknown``) and the rules
in the gap list's settings; no sentence or formatted number is parsed back.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from whitespot.data._labels import VIETNAMESE_VALUES
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE, LOCATION_UNKNOWN
from whitespot.report._headlines import vietnamese_number

BEYOND_TEXT_VI = (
    " - chỉ có sóng khi kéo dài mô hình quá cự ly áp dụng: mô hình chưa đánh giá được "
    "(cần khảo sát, đo đạc hoặc mô hình áp dụng được ở cự ly xa hơn)"
)
"""Added to the criteria of a village beyond the model's range."""


def vietnamese_criteria(villages: pd.DataFrame, settings: dict[str, object]) -> pd.Series:
    """Return the criteria of each row of a gap list as a Vietnamese sentence.

    Parameters
    ----------
    villages : pandas.DataFrame
        Gap-list rows (:data:`whitespot.coverage.gaps.GAP_LIST_COLUMNS`, ``threshold_dbm``,
        ``threshold_measure``, ``source_row`` and ``households_unknown``).
    settings : dict
        The gap list's settings: ``covered_share``, ``min_electrified_share`` and
        ``max_grid_distance_km``.

    Returns
    -------
    pandas.Series of str
        Same index as `villages`.
    """

    def number(values: pd.Series, decimals: int = 0) -> pd.Series:
        return values.map(lambda v: "" if pd.isna(v) else vietnamese_number(float(v), decimals))

    def setting(name: str, default: float) -> float:
        return float(settings.get(name, default))

    status = villages["signal_status"].map(VIETNAMESE_VALUES["signal_status"]).fillna("")
    covered = number(
        100
        * pd.to_numeric(
            villages.get("covered_share", pd.Series(float("nan"), index=villages.index)),
            errors="coerce",
        )
    )
    technology = villages["best_technology"].astype("string").fillna("")
    threshold = (
        number(villages["threshold_dbm"]) + " dBm "
        + villages["threshold_measure"].astype("string").fillna("")
    ).where(technology != "", "")  # fmt: skip
    server = (
        "tốt nhất " + number(villages["best_signal_dbm"], 1) + " dBm từ trạm "
        + villages["best_tower_id"].astype("string").fillna("") + " (" + technology
        + ", ngưỡng " + threshold + ")"
    ).where(technology != "", "không có trạm trong tầm phủ")  # fmt: skip
    distance = number(villages["nearest_tower_km"], 1)
    nearest = ("trạm gần nhất " + distance + " km").where(distance != "", "không có trạm")
    need = vietnamese_number(100 * setting("covered_share", 0.8))
    signal = (
        "Sóng: " + status + ", " + covered + "% hộ có sóng (yêu cầu " + need + "%); "
        + server + ", " + nearest
    )  # fmt: skip
    predicted = villages.get("predicted_signal_status", villages["signal_status"])
    signal = signal.where(predicted != BEYOND_MODEL_RANGE, signal + BEYOND_TEXT_VI)
    share = pd.to_numeric(villages["electrified"], errors="coerce")
    electrified = (
        number(100 * share) + "% hộ có điện (yêu cầu "
        + vietnamese_number(100 * setting("min_electrified_share", 0.5)) + "%)"
    ).where(share.notna(), "chưa rõ tỷ lệ hộ có điện")  # fmt: skip
    grid = number(villages["grid_distance_km"], 1)
    limit = vietnamese_number(setting("max_grid_distance_km", 5.0), 1)
    grid_text = (", cách lưới điện " + grid + " km (giới hạn " + limit + " km)").where(
        grid != "", ""
    )
    power = villages["power_status"].map(VIETNAMESE_VALUES["power_status"]).fillna("")
    text = signal + ". Điện: " + power + ", " + electrified + grid_text
    unlocated = (villages["gap_type"] == LOCATION_UNKNOWN).to_numpy()
    rows = villages.get("source_row", pd.Series("", index=villages.index)).astype(str)
    text = text.where(
        ~unlocated,
        "Không có tọa độ dùng được (dòng " + rows + " của tệp): chưa dự báo được sóng; "
        "cần sửa kinh độ, vĩ độ. Điện: " + power + ", " + electrified,
    )
    if "evidence" in villages:
        text = text + _vietnamese_evidence(villages, settings, number)
    counted_zero = villages.get("households_unknown", pd.Series(False, index=villages.index))
    text = text.where(
        ~counted_zero.fillna(False).astype(bool).to_numpy(),
        text + "; số hộ thiếu hoặc không đọc được trong tệp: tính là 0",
    )
    return text.astype(object)


FINDINGS_VI = {
    "no_signal_found": " - thực tế không có sóng dù mô hình dự báo có sóng: giữ trong danh sách, "
    "cần kiểm tra thực địa",
    "signal_found": " - thực tế có sóng dù mô hình dự báo lõm: cần kiểm tra thực địa",
}


def _vietnamese_evidence(
    villages: pd.DataFrame, settings: dict[str, object], number: Callable
) -> pd.Series:
    """Write the survey answer, the measured level and any contradiction in Vietnamese."""
    index = villages.index
    survey = villages["survey_signal"].astype("string").map(VIETNAMESE_VALUES["survey_signal"])
    survey_part = ("; khảo sát: " + survey.astype("string")).fillna("")
    count = pd.to_numeric(villages["measurements"], errors="coerce").fillna(0).astype(int)
    level = pd.to_numeric(villages["measured_signal_dbm"], errors="coerce")
    technology = villages["measured_technology"].astype("string").fillna("")
    radius = vietnamese_number(float(settings.get("evidence_radius_m", 500.0)))
    within = f" trong bán kính {radius} m"
    measured = (
        "; đo được " + number(level, 1) + " dBm (" + technology + ", trung vị của "
        + count.astype(str) + " mẫu" + within + ")"
    )  # fmt: skip
    few = "; " + count.astype(str) + " mẫu" + within + " (chưa đủ để đánh giá)"
    measured = measured.where(level.notna(), few.where(count > 0, ""))
    finding = pd.Series(villages["evidence_finding"], index=index).map(FINDINGS_VI).fillna("")
    return survey_part + measured + finding
