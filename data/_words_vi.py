"""Every sentence whitespot writes, in Vietnamese, rendered from fields.

The same names as :mod:`._words_en` (see its docstring for why both live on the data
floor; ``tests/data/test_words.py`` checks that the two define the same functions with
the same parameters and the same keys). Numbers are written the way the ministry's
reports write them (``1.354`` hộ, ``78,0%``); status words come from
:data:`whitespot.data._labels.VIETNAMESE_VALUES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from whitespot.data._labels import VIETNAMESE_VALUES
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE, LOCATION_UNKNOWN

LANGUAGE = "vi"
"""The language of this module's sentences (ISO 639-1)."""


def number(value: float, decimals: int = 0) -> str:
    """Write a number with ``.`` between thousands and ``,`` before decimals: 1.354,5.

    Parameters
    ----------
    value : float
        The number.
    decimals : int, default 0
        Digits after the decimal point.

    Returns
    -------
    str
    """
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


_COUNTED_AS_ZERO = "; số hộ thiếu hoặc không đọc được trong tệp: tính là 0"
"""Added to the criteria of a village whose household count could not be read."""

_COPY = " (cùng một thôn dán hai lần): không tính vào tổng"
"""Added, after the id it copies, to the criteria of a row that repeats an earlier one."""

_BEYOND_TEXT = (
    " - chỉ có sóng khi kéo dài mô hình quá cự ly áp dụng: mô hình chưa đánh giá được "
    "(cần khảo sát, đo đạc hoặc mô hình áp dụng được ở cự ly xa hơn)"
)
"""Added to the criteria of a village beyond the model's range."""

_FINDINGS = {
    "no_signal_found": " - thực tế không có sóng dù mô hình dự báo có sóng: giữ trong danh sách, "
    "cần kiểm tra thực địa",
    "signal_found": " - thực tế có sóng dù mô hình dự báo lõm: cần kiểm tra thực địa",
}
"""Added to the criteria of a village where the field contradicts the model, per finding."""


def criteria(villages: pd.DataFrame, settings: Mapping[str, object]) -> pd.Series:
    """Write the rules behind each row of a gap list, from its fields.

    Parameters
    ----------
    villages : pandas.DataFrame
        Gap-list rows: statuses, ``gap_type``, ``covered_share``, ``best_signal_dbm``
        (dBm), ``best_tower_id``, ``best_technology``, ``threshold_dbm`` (dBm),
        ``threshold_measure``, ``nearest_tower_km`` (km), ``electrified`` (share 0..1),
        ``grid_distance_km`` (km), the evidence columns where measured or surveyed and,
        for a department's list, ``source_row``, ``households_unknown`` and
        ``duplicate_of``.
    settings : mapping
        The gap list's rules: ``covered_share``, ``min_electrified_share`` (shares 0..1),
        ``max_grid_distance_km`` (km) and ``evidence_radius_m`` (m); a list read from a
        file may lack them, and the defaults of :class:`whitespot.coverage.GapCriteria`
        are said.

    Returns
    -------
    pandas.Series of str
        Same index as `villages`.
    """

    def numbers(values: pd.Series, decimals: int = 0) -> pd.Series:
        return values.map(lambda v: "" if pd.isna(v) else number(float(v), decimals))

    def rule(name: str, default: float) -> float:
        return float(settings.get(name, default))  # type: ignore[arg-type]

    status = villages["signal_status"].map(VIETNAMESE_VALUES["signal_status"]).fillna("")
    covered = numbers(
        100
        * pd.to_numeric(
            villages.get("covered_share", pd.Series(float("nan"), index=villages.index)),
            errors="coerce",
        )
    )
    technology = villages["best_technology"].astype("string").fillna("")
    threshold = (
        numbers(villages["threshold_dbm"]) + " dBm "
        + villages["threshold_measure"].astype("string").fillna("")
    ).where(technology != "", "")  # fmt: skip
    server = (
        "tốt nhất " + numbers(villages["best_signal_dbm"], 1) + " dBm từ trạm "
        + villages["best_tower_id"].astype("string").fillna("") + " (" + technology
        + ", ngưỡng " + threshold + ")"
    ).where(technology != "", "không có trạm trong tầm phủ")  # fmt: skip
    distance = numbers(villages["nearest_tower_km"], 1)
    nearest = ("trạm gần nhất " + distance + " km").where(distance != "", "không có trạm")
    need = number(100 * rule("covered_share", 0.8))
    signal = (
        "Sóng: " + status + ", " + covered + "% hộ có sóng (yêu cầu " + need + "%); "
        + server + ", " + nearest
    )  # fmt: skip
    predicted = villages.get("predicted_signal_status", villages["signal_status"])
    signal = signal.where(predicted != BEYOND_MODEL_RANGE, signal + _BEYOND_TEXT)
    share = pd.to_numeric(villages["electrified"], errors="coerce")
    electrified = (
        numbers(100 * share) + "% hộ có điện (yêu cầu "
        + number(100 * rule("min_electrified_share", 0.5)) + "%)"
    ).where(share.notna(), "chưa rõ tỷ lệ hộ có điện")  # fmt: skip
    grid = numbers(villages["grid_distance_km"], 1)
    limit = number(rule("max_grid_distance_km", 5.0), 1)
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
        text = text + _evidence(villages, rule("evidence_radius_m", 500.0), numbers)
    counted_zero = villages.get("households_unknown", pd.Series(False, index=villages.index))
    text = text.where(~counted_zero.fillna(False).astype(bool).to_numpy(), text + _COUNTED_AS_ZERO)
    copy_of = villages.get("duplicate_of", pd.Series("", index=villages.index)).fillna("")
    copy = (copy_of.astype(str) != "").to_numpy()
    text = text.where(~copy, text + "; bản sao của " + copy_of.astype(str) + _COPY)
    return text.astype(object)


def _evidence(
    villages: pd.DataFrame, radius_m: float, numbers: Callable[..., pd.Series]
) -> pd.Series:
    """Write the survey answer, the measured level and any contradiction of each row."""
    index = villages.index
    survey = villages["survey_signal"].astype("string").map(VIETNAMESE_VALUES["survey_signal"])
    survey_part = ("; khảo sát: " + survey.astype("string")).fillna("")
    count = pd.to_numeric(villages["measurements"], errors="coerce").fillna(0).astype(int)
    level = pd.to_numeric(villages["measured_signal_dbm"], errors="coerce")
    technology = villages["measured_technology"].astype("string").fillna("")
    within = f" trong bán kính {number(radius_m)} m"
    measured = (
        "; đo được " + numbers(level, 1) + " dBm (" + technology + ", trung vị của "
        + count.astype(str) + " mẫu" + within + ")"
    )  # fmt: skip
    few = "; " + count.astype(str) + " mẫu" + within + " (chưa đủ để đánh giá)"
    measured = measured.where(level.notna(), few.where(count > 0, ""))
    finding = pd.Series(villages["evidence_finding"], index=index).map(_FINDINGS).fillna("")
    return survey_part + measured + finding


def gaps_headline(
    totals: Mapping[str, int], settings: Mapping[str, object], unlisted: tuple[int, int]
) -> str:
    """Write the totals a department reports about a gap list, in one sentence.

    Parameters
    ----------
    totals : mapping
        :meth:`whitespot.coverage.GapList.totals`.
    settings : mapping
        The gap list's settings (the Vietnamese headline does not say the receiver yet).
    unlisted : tuple of int
        The settlements no list names and their households without signal.

    Returns
    -------
    str
    """
    n = number
    return (
        f"{n(totals['villages_without_signal'])}/{n(totals['villages'])} thôn, bản "
        f"({n(totals['households_without_signal'])}/{n(totals['households'])} hộ) chưa có "
        f"sóng; {n(totals['villages_without_power'])} thôn, bản "
        f"({n(totals['households_without_power'])} hộ) chưa có điện; "
        f"{n(totals['villages_without_both'])} thôn, bản chưa có cả sóng và điện"
        + _not_judged(totals)
        + _evidence_counts(totals)
        + _unlisted(unlisted)
    )


def _unlisted(unlisted: tuple[int, int]) -> str:
    """Say the settlements no list names; nothing when there are none."""
    settlements, households = unlisted
    if not settlements:
        return ""
    return (
        f"; và {number(settlements)} cụm dân cư chưa có trong danh sách: "
        f"{number(households)} hộ chưa có sóng"
    )


def _not_judged(totals: Mapping[str, int]) -> str:
    """Say the villages not judged: beyond the model's range, without a location."""
    n = number
    text = ""
    if totals["villages_beyond_model_range"]:
        text += (
            f"; {n(totals['villages_beyond_model_range'])} thôn, bản "
            f"({n(totals['households_beyond_model_range'])} hộ) ngoài cự ly áp dụng của mô "
            "hình, chưa đánh giá được sóng (xem thiết lập: model_range)"
        )
    if totals["villages_location_unknown"]:
        text += (
            f"; {n(totals['villages_location_unknown'])} thôn, bản chưa có tọa độ dùng được, "
            "chưa dự báo được sóng"
        )
    return text


def _evidence_counts(totals: Mapping[str, int]) -> str:
    """Say the evidence counts; nothing when no village was surveyed or measured."""
    if totals["villages_no_evidence"] == totals["villages"]:
        return ""
    n = number
    return (
        f"; đối chiếu thực tế: {n(totals['villages_agrees'])} thôn khớp dự báo, "
        f"{n(totals['villages_survey_contradicts_prediction'])} thôn khảo sát khác dự báo, "
        f"{n(totals['villages_measurements_contradict_prediction'])} thôn đo đạc khác dự báo "
        f"({n(totals['villages_to_check'])} thôn cần kiểm tra thực địa)"
    )


def progress_headline(totals: Mapping[str, int], target: int | None) -> str:
    """Write the progress a department reports: covered of the target or of the last list.

    Parameters
    ----------
    totals : mapping
        :meth:`whitespot.report.Progress.totals`: ``previous`` and ``current`` gaps,
        ``closed``, ``new``, ``not_judged`` and ``covered`` (locations).
    target : int or None
        The locations the programme set out to cover, when given.

    Returns
    -------
    str
    """
    t = totals
    n = number
    unjudged = (
        f"; {n(t['not_judged'])} địa điểm chưa đánh giá được (chưa có tọa độ hoặc ngoài cự "
        "ly mô hình)"
        if t["not_judged"]
        else ""
    )
    if target:
        return (
            f"Đã phủ sóng {n(t['covered'])}/{n(target)} địa điểm "
            f"({n(100 * t['covered'] / target, 1)}% kế hoạch), còn {n(t['current'])} "
            f"địa điểm; so với kỳ trước: {n(t['closed'])} địa điểm đã xóa lõm, {n(t['new'])} "
            "địa điểm mới phát hiện" + unjudged
        )
    return (
        f"Đã phủ sóng {n(t['closed'])}/{n(t['previous'])} địa điểm của danh sách kỳ trước, "
        f"còn {n(t['previous'] - t['closed'])}; {n(t['new'])} địa điểm mới phát hiện "
        f"({n(t['current'])} vùng lõm trong danh sách này)" + unjudged
    )


def quality_headline(points: int, errors: int, warnings: int, villages: int) -> str:
    """Write the data-quality score and the problems to fix, in one sentence.

    Parameters
    ----------
    points : int
        The score, 0..100.
    errors, warnings : int
        Problems of each severity.
    villages : int
        Villages checked.

    Returns
    -------
    str
    """
    return (
        f"Chất lượng dữ liệu {points}/100: {number(errors)} lỗi và {number(warnings)} cảnh "
        f"báo cần sửa trong {number(villages)} thôn, bản"
    )


NO_PREVIOUS = "Chưa có danh sách kỳ trước (dùng --previous để so sánh tiến độ)"
"""The progress sheet of a package made without a previous list."""

BID_TITLE = "Hồ sơ mời thầu: các gói thầu"
"""The title of a bid package's map and KMZ."""

SUMMARY: dict[str, str] = {
    "title": "Danh sách vùng lõm sóng và điện",
    "villages": "Thôn, bản trong danh sách",
    "no_signal": "Thôn chưa có sóng",
    "households_no_signal": "Hộ chưa có sóng",
    "no_power": "Thôn chưa có điện",
    "households_no_power": "Hộ chưa có điện",
    "unknown": "Thôn chưa xác định được vị trí",
    "beyond": "Thôn ngoài cự ly mô hình (chưa đánh giá)",
    "quality": "Điểm chất lượng dữ liệu",
    "progress": "Tiến độ so với kỳ trước",
    "chart": "Số hộ chưa có sóng theo xã",
    "communes": "Theo xã",
    "commune": "Xã",
    "code": "Mã xã",
    "households": "Số hộ",
    "score": "Điểm dữ liệu",
    "closed": "Đã xóa lõm",
    "open": "Còn lõm",
    "fix": "Cần sửa trong dữ liệu",
    "fix_more": "Danh sách đầy đủ: trang tính «Chất lượng dữ liệu» của tệp Excel.",
    "row": "Dòng",
    "village": "Thôn/Bản",
    "problem": "Vấn đề",
    "sources": "Nguồn và thiết lập",
    "unmatched": "(chưa đối chiếu được)",
    "agrees": "Thôn thực tế khớp dự báo",
    "survey_contradicts": "Thôn khảo sát khác dự báo",
    "measurements_contradict": "Thôn đo đạc khác dự báo",
    "to_check": "Thôn cần kiểm tra thực địa",
}
"""The texts of the one-page summary of a submission, by key."""
