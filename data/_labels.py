"""Vietnamese headers and sheet names of whitespot's tables.

The ministry reads Vietnamese; planners and code read the English column names. Tables are
computed with the English names and translated on the way out (:func:`localize`); a
translated table read back is turned into the English names again (:func:`delocalize`).
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

Language = Literal["vi", "en"]
LANGUAGES: tuple[str, ...] = ("vi", "en")

VIETNAMESE_HEADERS: dict[str, str] = {
    "village_id": "Mã thôn",
    "name": "Thôn/Bản",
    "province_code": "Mã tỉnh",
    "province_name": "Tỉnh (sau 7/2025)",
    "commune_code": "Mã xã",
    "commune_name": "Xã (sau 7/2025)",
    "old_province": "Tỉnh (cũ)",
    "old_district": "Huyện (cũ)",
    "old_commune": "Xã (cũ)",
    "admin_status": "Tình trạng đối chiếu ĐVHC",
    "admin_note": "Ghi chú ĐVHC",
    "commune_code_vietnam_provinces": "Mã xã theo vietnam-provinces",
    "lon": "Kinh độ",
    "lat": "Vĩ độ",
    "households": "Số hộ",
    "population": "Số dân",
    "households_without_signal": "Số hộ chưa có sóng",
    "households_weak_signal": "Số hộ sóng yếu",
    "best_signal_dbm": "Mức thu tốt nhất (dBm)",
    "best_tower_id": "Trạm phục vụ tốt nhất",
    "best_operator": "Doanh nghiệp",
    "best_technology": "Công nghệ",
    "nearest_tower_km": "Trạm gần nhất (km)",
    "signal_status": "Tình trạng sóng",
    "predicted_signal_status": "Tình trạng sóng theo mô hình",
    "evidence": "Đối chiếu thực tế",
    "evidence_finding": "Thực tế cho thấy",
    "check_in_field": "Cần kiểm tra thực địa",
    "survey_signal": "Khảo sát: có sóng?",
    "measured_signal_dbm": "Mức thu đo được (dBm)",
    "measured_operator": "Nhà mạng đo",
    "measured_technology": "Công nghệ đo",
    "measurements": "Số mẫu đo",
    "villages_no_evidence": "Số thôn chưa đối chiếu",
    "villages_agrees": "Số thôn khớp thực tế",
    "villages_survey_contradicts_prediction": "Số thôn khảo sát khác dự báo",
    "villages_measurements_contradict_prediction": "Số thôn đo đạc khác dự báo",
    "villages_measurements_partly_contradict": "Số thôn đo đạc khác một phần",
    "villages_measured_other_network": "Số thôn chỉ đo mạng khác",
    "villages_field_only": "Số thôn theo thực địa (ngoài cự ly mô hình)",
    "villages_beyond_model_range": "Số thôn ngoài cự ly mô hình",
    "households_beyond_model_range": "Số hộ ngoài cự ly mô hình",
    "villages_location_unknown": "Số thôn chưa có tọa độ",
    "villages_to_check": "Số thôn cần kiểm tra thực địa",
    "electrified": "Tỷ lệ hộ có điện",
    "households_without_power": "Số hộ chưa có điện",
    "grid_distance_km": "Khoảng cách lưới điện (km)",
    "power_status": "Tình trạng điện",
    "gap_type": "Loại vùng lõm",
    "criteria": "Tiêu chí",
    "buildings_counted": "Số nhà trên ảnh vệ tinh",
    "households_estimated": "Số hộ ước tính",
    "population_estimated": "Số dân ước tính",
    "households_estimate_basis": "Cơ sở ước tính",
    "unlisted": "Chưa có trong danh sách",
    "commune_from": "Xác định xã theo",
    "source_row": "Dòng trong tệp gốc",
    "id_generated": "Mã thôn tự sinh",
    "coordinate_notation": "Cách ghi tọa độ",
    "covered_share": "Tỷ lệ hộ có sóng",
    "villages": "Số thôn",
    "villages_without_signal": "Số thôn chưa có sóng",
    "villages_without_power": "Số thôn chưa có điện",
    "villages_without_both": "Số thôn chưa có sóng và điện",
    "households_without_both": "Số hộ chưa có sóng và điện",
    "layer": "Lớp dữ liệu",
    "row": "Dòng",
    "column": "Cột",
    "check": "Kiểm tra",
    "severity": "Mức độ",
    "value": "Giá trị",
    "message": "Cần sửa",
    "detail": "Chi tiết",
    "dimension": "Tiêu chí chất lượng",
    "errors": "Số lỗi",
    "warnings": "Số cảnh báo",
    "right_pct": "Đúng (%)",
    "sufficient_pct": "Đủ (%)",
    "clean_pct": "Sạch (%)",
    "live_pct": "Sống (%)",
    "score": "Điểm",
    "previous_village_id": "Mã thôn kỳ trước",
    "match": "Cách đối chiếu",
    "previous_gap_type": "Loại vùng lõm kỳ trước",
    "was_gap": "Kỳ trước là vùng lõm",
    "is_gap": "Nay là vùng lõm",
    "previous_households": "Số hộ kỳ trước",
    "previous_households_without_signal": "Số hộ chưa có sóng kỳ trước",
    "households_change": "Thay đổi số hộ",
    "progress_status": "Tiến độ",
    "previous_gaps": "Vùng lõm kỳ trước",
    "closed": "Đã xóa",
    "still_open": "Còn lại",
    "reopened": "Lõm trở lại",
    "newly_found": "Mới phát hiện",
    "not_in_current": "Không còn trong danh sách",
    "location_unknown": "Chưa có tọa độ",
    "beyond_model_range": "Ngoài cự ly mô hình",
    "current_gaps": "Vùng lõm hiện nay",
    "households_changed": "Số thôn thay đổi số hộ",
    "setting": "Thiết lập",
    "file": "Tệp",
    "rows": "Số dòng",
    "notes": "Ghi chú",
    "file_date": "Ngày tệp",
    "age_days": "Tuổi dữ liệu (ngày)",
    "oldest_survey": "Khảo sát cũ nhất",
    "surveyed": "Ngày khảo sát",
    "note": "Ghi chú",
}
"""Vietnamese header of each English column name."""

VIETNAMESE_VALUES: dict[str, dict[str, str]] = {
    "signal_status": {"covered": "có sóng", "weak": "sóng yếu", "none": "không có sóng",
                      "unknown": "chưa xác định",
                      "beyond_model_range": "ngoài cự ly mô hình"},
    "predicted_signal_status": {"covered": "có sóng", "weak": "sóng yếu",
                                "none": "không có sóng", "unknown": "chưa xác định",
                                "beyond_model_range": "ngoài cự ly mô hình"},
    "evidence": {"no_evidence": "chưa có đối chiếu", "agrees": "khớp dự báo",
                 "survey_contradicts_prediction": "khảo sát khác dự báo",
                 "measurements_contradict_prediction": "đo đạc khác dự báo",
                 "measurements_partly_contradict": "đo đạc khác một phần",
                 "measured_other_network": "chỉ đo mạng khác",
                 "field_only": "theo thực địa (ngoài cự ly mô hình)"},
    "evidence_finding": {"no_signal_found": "không có sóng dù dự báo có sóng",
                         "signal_found": "có sóng dù dự báo lõm"},
    "survey_signal": {"yes": "có", "weak": "yếu", "no": "không"},
    "power_status": {"ok": "có điện", "none": "chưa có điện", "unknown": "chưa rõ"},
    "gap_type": {
        "ok": "không lõm",
        "no_signal": "lõm sóng",
        "no_power": "lõm điện",
        "no_signal_no_power": "lõm sóng và điện",
        "location_unknown": "chưa có tọa độ",
        "beyond_model_range": "ngoài cự ly mô hình",
    },
    "severity": {"error": "lỗi", "warning": "cảnh báo", "info": "ghi nhận"},
    "check": {
        "empty_row": "dòng trống (bỏ qua)",
        "numbering_row": "dòng đánh số cột (bỏ qua)",
        "total_row": "dòng tổng cộng (bỏ qua)",
        "heading_row": "dòng tiêu đề nhóm (bỏ qua)",
        "text_in_number": "chữ trong cột số",
        "not_a_number": "không phải số",
        "not_whole": "không phải số nguyên",
        "negative_households": "số hộ âm",
        "negative_population": "số dân âm",
        "missing_households": "thiếu số hộ",
        "missing_population": "thiếu số dân",
        "no_households": "thôn không có hộ",
        "households_disagree": "số hộ khác ước tính từ ảnh vệ tinh",
        "missing_province": "thiếu tên tỉnh",
        "missing_commune": "thiếu tên xã",
        "filled_from_above": "ô trống, lấy theo dòng trên",
        "missing_id": "thiếu mã thôn",
        "duplicate_id": "trùng mã thôn",
        "missing_coordinates": "thiếu tọa độ",
        "unreadable_coordinates": "tọa độ không đọc được",
        "coordinate_notation": "tọa độ đã quy đổi",
        "swapped_lonlat": "kinh độ và vĩ độ bị đảo",
        "outside_region": "tọa độ ngoài Việt Nam",
        "outside_province": "tọa độ ngoài tỉnh",
        "not_a_share": "cột có điện không hợp lệ",
        "percent_without_sign": "tỷ lệ thiếu dấu %",
        "not_a_date": "ngày không hợp lệ",
        "stale": "số liệu đã cũ",
        "duplicate_name": "trùng tên trong cùng xã",
        "duplicate_location": "trùng vị trí",
        "admin_unmatched": "không đối chiếu được ĐVHC",
        "matched_approximate": "ĐVHC đối chiếu gần đúng",
        "split_unresolved": "xã cũ bị chia, chưa xác định xã mới",
        "missing_technology": "trạm thiếu công nghệ",
        "unknown_technology": "công nghệ không rõ",
        "not_a_survey_answer": "khảo sát sóng không hợp lệ",
        "code_disagrees": "mã xã khác tên xã",
        "code_unknown": "mã xã không có trong danh mục",
        "encoding": "bảng mã của tệp phải đoán",
        "implausible": "giá trị không thể có",
        "unusual": "giá trị bất thường",
        "subtotal_mismatch": "dòng cộng xã không khớp",
        "total_mismatch": "dòng tổng không khớp",
        "towers_far": "trạm ở xa các thôn",
        "unread_column": "cột chưa được đọc",
        "repeated_column": "nhiều cột cho một trường",
        "lost_letters": "mất chữ do bảng mã",
        "file_format": "định dạng tệp khác tên tệp",
        "sheet_chosen": "trang tính được đọc",
        "empty_tail": "vùng ô trống cuối trang tính",
    },
    "dimension": {"right": "đúng", "sufficient": "đủ", "clean": "sạch", "live": "sống",
                  "note": "ghi nhận"},
    "progress_status": {
        "closed": "đã xóa lõm",
        "still_open": "còn lõm",
        "reopened": "lõm trở lại",
        "newly_found": "mới phát hiện",
        "covered": "không lõm",
        "added_covered": "mới, không lõm",
        "location_unknown": "chưa có tọa độ",
        "beyond_model_range": "ngoài cự ly mô hình",
        "not_in_current": "không còn trong danh sách",
    },
}  # fmt: skip
"""Vietnamese words for the codes of status columns (the codes stay in English outputs)."""

VIETNAMESE_FIXES: dict[str, str] = {
    "empty_row": "Không cần sửa: dòng trống đã bỏ qua.",
    "numbering_row": "Không cần sửa: dòng đánh số cột đã bỏ qua.",
    "total_row": "Không cần sửa: dòng tổng cộng đã bỏ qua.",
    "heading_row": "Không cần sửa: dòng tiêu đề nhóm đã bỏ qua.",
    "coordinate_notation": "Không cần sửa: tọa độ đã quy đổi sang độ thập phân; kiểm tra lại.",
    "text_in_number": "Chỉ ghi số trong cột số (bỏ chữ, đơn vị).",
    "not_a_number": "Ghi giá trị bằng số.",
    "not_whole": "Số hộ, số dân phải là số nguyên.",
    "negative_households": "Số hộ không được âm: sửa lại số hộ.",
    "negative_population": "Số dân không được âm: sửa lại số dân.",
    "missing_households": "Điền số hộ của thôn (đang tính là 0).",
    "missing_population": "Điền số dân của thôn.",
    "no_households": "Thôn có 0 hộ: kiểm tra thôn còn người ở hay thiếu số liệu.",
    "households_disagree": (
        "Số hộ trong danh sách khác xa số hộ ước tính từ nhà trên ảnh vệ tinh hoặc bản đồ dân "
        "số: kiểm tra lại số hộ tại thực địa."
    ),
    "missing_province": "Điền tên tỉnh.",
    "missing_commune": "Điền tên xã.",
    "filled_from_above": "Ô trống đã lấy theo dòng trên: kiểm tra và điền đủ.",
    "missing_id": "Điền mã thôn (mã tạm đã được tự sinh).",
    "duplicate_id": "Mỗi thôn một mã: sửa mã bị trùng.",
    "missing_coordinates": "Điền kinh độ, vĩ độ của thôn.",
    "unreadable_coordinates": "Ghi tọa độ dạng độ thập phân (ví dụ 105,8412 và 21,0245).",
    "swapped_lonlat": "Đổi chỗ hai cột kinh độ và vĩ độ.",
    "outside_region": "Tọa độ nằm ngoài Việt Nam: kiểm tra kinh độ, vĩ độ.",
    "outside_province": "Tọa độ nằm ngoài tỉnh của dòng: kiểm tra kinh độ, vĩ độ.",
    "not_a_share": "Cột có điện: ghi có/không, 0-1 hoặc phần trăm.",
    "percent_without_sign": "Tỷ lệ ghi kèm dấu % (đã hiểu là phần trăm).",
    "not_a_date": "Ghi ngày theo dạng ngày/tháng/năm.",
    "stale": "Cập nhật số liệu mới.",
    "duplicate_name": "Hai thôn cùng tên trong một xã: kiểm tra có trùng dòng không.",
    "duplicate_location": "Hai thôn gần như cùng vị trí: kiểm tra có trùng dòng không.",
    "admin_unmatched": "Sửa tên tỉnh, huyện, xã cũ cho đúng danh mục, hoặc ghi mã xã mới.",
    "matched_approximate": "Tên xã đối chiếu gần đúng: kiểm tra xã mới đã chọn.",
    "split_unresolved": "Xã cũ bị chia: ghi mã xã mới hoặc bổ sung tọa độ.",
    "code_disagrees": "Mã xã và tên xã không khớp: kiểm tra mã xã.",
    "code_unknown": "Mã xã không có trong danh mục sau 7/2025: kiểm tra mã xã.",
    "missing_technology": "Ghi công nghệ của trạm (2G, 3G, 4G, 5G); đang tính là 4G.",
    "unknown_technology": "Ghi công nghệ là 2G, 3G, 4G hoặc 5G.",
    "not_a_survey_answer": "Cột khảo sát sóng: ghi có, yếu hoặc không.",
    "encoding": "Lưu tệp dạng UTF-8 (hoặc Excel .xlsx) để tên tiếng Việt không bị lỗi.",
    "implausible": "Giá trị không thể có: sửa lại.",
    "unusual": "Giá trị bất thường: kiểm tra lại.",
    "subtotal_mismatch": "Dòng cộng của xã khác tổng các thôn: kiểm tra số liệu.",
    "total_mismatch": "Dòng tổng khác tổng các thôn: kiểm tra số liệu.",
    "towers_far": "Trạm ở xa các thôn: kiểm tra tệp trạm có đúng tỉnh không.",
    "file_format": "Không cần sửa: tệp được đọc theo định dạng thật của nó; nên lưu lại đúng đuôi.",
    "sheet_chosen": "Không cần sửa: đã đọc trang tính có các cột thôn, bản (xem chi tiết).",
    "lost_letters": "Tệp lưu bằng bảng mã không có chữ tiếng Việt nên mất chữ ('?'): "
    "lưu lại từ Excel dạng CSV UTF-8 và sửa các tên bị mất chữ.",
    "repeated_column": "Nhiều cột cùng tên (có cột ẩn): xóa cột cũ, chỉ giữ một cột.",
    "empty_tail": "Không cần sửa: các dòng trống có định dạng cuối trang tính đã bỏ qua.",
    "unread_column": "Cột giống một trường đã biết nhưng tên cột lạ nên chưa được đọc: "
    "đổi tên cột theo mẫu hoặc chỉ rõ bằng --columns (xem chi tiết).",
}
"""What to fix for each check, in Vietnamese (the English message stays as the detail)."""


def vietnamese_fixes(problems: pd.DataFrame) -> pd.DataFrame:
    """Return a problem table whose ``message`` says what to fix in Vietnamese.

    The English message, which names the values and rows found, moves to ``detail``.
    """
    out = problems.copy()
    english = out["message"].astype("string").fillna("")
    out["message"] = out["check"].map(VIETNAMESE_FIXES).fillna(english)
    position = list(out.columns).index("message") + 1
    out.insert(position, "detail", english)
    return out


SHEET_NAMES: dict[str, dict[str, str]] = {
    "villages": {"vi": "Thôn bản", "en": "villages"},
    "communes": {"vi": "Xã", "en": "communes"},
    "province": {"vi": "Tỉnh", "en": "province"},
    "quality": {"vi": "Chất lượng dữ liệu", "en": "data quality"},
    "inputs": {"vi": "Dữ liệu đầu vào", "en": "inputs"},
    "progress": {"vi": "Tiến độ", "en": "progress"},
    "settings": {"vi": "Thiết lập", "en": "settings"},
}
"""Sheet names of the submission workbook per language."""


def counted(count: float, singular: str, plural: str | None = None) -> str:
    """Return ``"1 village"``, ``"2 villages"``, ``"1,354 households"`` (English).

    Parameters
    ----------
    count : int or float
        The number; shown with thousands separators.
    singular : str
        The noun for one.
    plural : str, optional
        The noun for any other count; default `singular` + ``"s"``.
    """
    word = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,.0f} {word}"


def localize(table: pd.DataFrame, language: Language) -> pd.DataFrame:
    """Return `table` with headers and status words in `language` (English: unchanged)."""
    if language == "en":
        return table
    out = table.copy()
    for column, words in VIETNAMESE_VALUES.items():
        if column in out:
            out[column] = out[column].map(
                lambda v, w=words: w.get(v, v) if isinstance(v, str) else v
            )
    return out.rename(columns=VIETNAMESE_HEADERS)


def delocalize(table: pd.DataFrame) -> pd.DataFrame:
    """Return `table` with Vietnamese headers and status words turned back into the codes."""
    back = {vi: en for en, vi in VIETNAMESE_HEADERS.items()}
    out = table.rename(columns={c: back[c] for c in table.columns if c in back})
    for column, words in VIETNAMESE_VALUES.items():
        if column in out:
            codes = {vi: en for en, vi in words.items()}
            out[column] = out[column].map(
                lambda v, c=codes: c.get(v, v) if isinstance(v, str) else v
            )
    return out
