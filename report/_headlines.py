"""The sentences a department reports, in Vietnamese or English.

English comes from the objects' own ``headline()``; Vietnamese writes the same numbers the
way the ministry's reports do (``1.354`` hộ, ``78,0%``).
"""

from __future__ import annotations

from whitespot.coverage import GapList
from whitespot.data._labels import Language
from whitespot.department import QualityReport
from whitespot.report.progress import Progress


def vietnamese_number(value: float, decimals: int = 0) -> str:
    """Format a number with ``.`` between thousands and ``,`` before decimals: 1.354,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def gaps_sentence(gaps: GapList, language: Language) -> str:
    """Return the villages and households without signal, without power, without both."""
    if language == "en":
        return gaps.headline()
    total = gaps.totals()
    n = vietnamese_number
    return (
        f"{n(total['villages_without_signal'])}/{n(total['villages'])} thôn, bản "
        f"({n(total['households_without_signal'])}/{n(total['households'])} hộ) chưa có sóng; "
        f"{n(total['villages_without_power'])} thôn, bản "
        f"({n(total['households_without_power'])} hộ) chưa có điện; "
        f"{n(total['villages_without_both'])} thôn, bản chưa có cả sóng và điện"
        + _vietnamese_beyond(total)
        + _vietnamese_evidence(total)
        + _vietnamese_unlisted(gaps)
    )


def _vietnamese_unlisted(gaps: GapList) -> str:
    """Say the settlements no list names in Vietnamese; nothing when there are none."""
    settlements, households = gaps.unlisted_counts()
    if not settlements:
        return ""
    n = vietnamese_number
    return (
        f"; và {n(settlements)} cụm dân cư chưa có trong danh sách: {n(households)} hộ chưa có sóng"
    )


def _vietnamese_beyond(total: dict[str, int]) -> str:
    """Villages not judged in Vietnamese (beyond the model's range, without a location)."""
    n = vietnamese_number
    text = ""
    if total["villages_beyond_model_range"]:
        text += (
            f"; {n(total['villages_beyond_model_range'])} thôn, bản "
            f"({n(total['households_beyond_model_range'])} hộ) ngoài cự ly áp dụng của mô "
            "hình, chưa đánh giá được sóng (xem thiết lập: model_range)"
        )
    if total["villages_location_unknown"]:
        text += (
            f"; {n(total['villages_location_unknown'])} thôn, bản chưa có tọa độ dùng được, "
            "chưa dự báo được sóng"
        )
    return text


def _vietnamese_evidence(total: dict[str, int]) -> str:
    """Evidence counts in Vietnamese; nothing when no village was surveyed or measured."""
    if total["villages_no_evidence"] == total["villages"]:
        return ""
    n = vietnamese_number
    return (
        f"; đối chiếu thực tế: {n(total['villages_agrees'])} thôn khớp dự báo, "
        f"{n(total['villages_survey_contradicts_prediction'])} thôn khảo sát khác dự báo, "
        f"{n(total['villages_measurements_contradict_prediction'])} thôn đo đạc khác dự báo "
        f"({n(total['villages_to_check'])} thôn cần kiểm tra thực địa)"
    )


def progress_sentence(progress: Progress, language: Language) -> str:
    """Return the progress headline: covered of the target (or of the previous list), left, new."""
    if language == "en":
        return progress.headline()
    t = progress.totals()
    n = vietnamese_number
    unjudged = (
        f"; {n(t['not_judged'])} địa điểm chưa đánh giá được (chưa có tọa độ hoặc ngoài cự "
        "ly mô hình)"
        if t["not_judged"]
        else ""
    )
    if progress.target:
        return (
            f"Đã phủ sóng {n(t['covered'])}/{n(progress.target)} địa điểm "
            f"({n(100 * t['covered'] / progress.target, 1)}% kế hoạch), còn {n(t['current'])} "
            f"địa điểm; so với kỳ trước: {n(t['closed'])} địa điểm đã xóa lõm, {n(t['new'])} "
            "địa điểm mới phát hiện" + unjudged
        )
    return (
        f"Đã phủ sóng {n(t['closed'])}/{n(t['previous'])} địa điểm của danh sách kỳ trước, "
        f"còn {n(t['previous'] - t['closed'])}; {n(t['new'])} địa điểm mới phát hiện "
        f"({n(t['current'])} vùng lõm trong danh sách này)" + unjudged
    )


def quality_sentence(quality: QualityReport, language: Language) -> str:
    """Return the data-quality score and the errors and warnings to fix."""
    if language == "en":
        return quality.headline()
    counts = quality.problems["severity"].value_counts()
    n = vietnamese_number
    return (
        f"Chất lượng dữ liệu {quality.points()}/100: {n(counts.get('error', 0))} lỗi và "
        f"{n(counts.get('warning', 0))} cảnh báo cần sửa trong "
        f"{n(quality.communes['villages'].sum())} thôn, bản"
    )
