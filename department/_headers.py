"""The header map: which column of a department's spreadsheet holds which field.

Departments name their columns in Vietnamese or English, with or without diacritics, in any
case (``Thôn/Bản``, ``THON BAN``, ``Số hộ``, ``so ho``, ``households``). Each field of
:data:`HEADER_ALIASES` lists the names it is known by; a header matches a field when its
normalised form (:func:`normalize_text`) equals the normalised form of one alias. Users add
their own names with ``columns={"households": "Tổng số hộ dân"}`` (``--columns KEY=HEADER``
on the command line).
"""

from __future__ import annotations

from collections.abc import Mapping

from whitespot._errors import InputError
from whitespot.data import COLUMN_ALIASES
from whitespot.data._cells import normalize_text
from whitespot.data._table import COORDINATE_HEADERS

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "village_id": ("village_id", "mã thôn", "mã thôn/bản", "mã thôn bản", "mã địa bàn", "id"),
    "province": ("tỉnh", "tỉnh/thành phố", "tỉnh/tp", "province", "tên tỉnh"),
    "district": ("huyện", "quận/huyện", "huyện/thị xã", "huyện/thị xã/thành phố", "district"),
    "commune": (
        "xã",
        "xã/phường",
        "xã/phường/thị trấn",
        "phường/xã",
        "xã, phường, thị trấn",
        "commune",
        "ward",
        "tên xã",
    ),
    "name": (
        "thôn/bản",
        "thôn, bản",
        "thôn bản",
        "thôn",
        "bản",
        "tên thôn",
        "tên thôn/bản",
        "thôn/bản/tổ dân phố",
        "village",
        "name",
        "hamlet",
        "village name",
    ),
    "households": ("số hộ", "số hộ gia đình", "số hộ dân", "tổng số hộ", "households", "hộ"),
    "population": ("số dân", "dân số", "số nhân khẩu", "số khẩu", "population"),
    "lon": ("kinh độ", "lon", "lng", "longitude", "long", "x"),
    "lat": ("vĩ độ", "lat", "latitude", "y"),
    "coordinates": COORDINATE_HEADERS,
    "electrified": (
        "có điện",
        "có điện lưới",
        "điện lưới",
        "tỷ lệ hộ có điện",
        "electrified",
        "electricity",
    ),
    "province_code": ("province_code", "mã tỉnh"),
    "commune_code": ("commune_code", "mã xã", "ward_code"),
    "survey_signal": ("survey_signal", *COLUMN_ALIASES["villages"]["survey_signal"]),
    "surveyed": ("ngày khảo sát", "ngày cập nhật", "cập nhật", "surveyed", "updated", "date"),
    "note": ("ghi chú", "note", "notes", "remarks"),
}
"""Known names of each field of a department's village list (before normalisation)."""

FIELDS = tuple(HEADER_ALIASES)


def header_map(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Normalised header -> field, from :data:`HEADER_ALIASES` plus the user's own names.

    Parameters
    ----------
    extra : mapping of field -> header, optional
        The user's names; they win over the built-in aliases.

    Raises
    ------
    ValueError
        If a key of `extra` is not one of :data:`FIELDS`.
    """
    unknown = sorted(set(extra or {}) - set(FIELDS))
    if unknown:
        raise InputError(
            f"unknown column key(s) {', '.join(unknown)}; use one of {', '.join(FIELDS)}"
        )
    lookup = {
        normalize_text(alias): field
        for field, aliases in HEADER_ALIASES.items()
        for alias in aliases
    }
    lookup.update({normalize_text(header): field for field, header in (extra or {}).items()})
    return lookup
