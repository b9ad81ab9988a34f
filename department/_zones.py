"""The VN-2000 TM-3 zone of a village list's rows, from the province they name.

A province's cadastral and survey files are in the TM-3 zone of its own central meridian
(Circular 973/2001/TT-TCĐC). The zones are taken from the EPSG dataset that ``pyproj`` ships:
each provincial VN-2000 / TM-3 CRS gives, as its area of use, the pre-2025 provinces that
use it (EPSG:9212, "Binh Phuoc and Quang Tri provinces"). A list names a pre-2025 province;
where the name is also that of a province merged in July 2025 over provinces of several
zones (Quảng Trị now holds Quảng Bình, 106°00', and Quảng Trị, 106°15'), the row's district
decides, as a district belongs to one pre-2025 province; without one the zone stays unknown.
The merger table and the districts come from ``vietnamadminunits``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from pyproj.database import query_crs_info

from whitespot.department._headers import normalize_text

_UNIT_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp)\s+")
_AREA_WORDS = re.compile(r"\b(?:provinces?|city|cities|municipality)\b")
_RENAMED = {"hue": "thuathienhue"}
"""Provinces renamed since the EPSG dataset named them (Huế city, January 2025)."""


@dataclass(frozen=True)
class Zone:
    """The zone of a row, or why there is none.

    Attributes
    ----------
    epsg : int or None
        EPSG code of the VN-2000 TM-3 zone; None when not known.
    reason : str
        How it was found (``"zone of Quang Tri province"``) or why not.
    """

    epsg: int | None
    reason: str


def province_key(name: object) -> str:
    """Key of a province name: ``"Tỉnh Thừa Thiên - Huế"`` -> ``"thuathienhue"``."""
    key = _UNIT_PREFIX.sub("", normalize_text(name)).replace(" ", "")
    return _RENAMED.get(key, key)


@cache
def zones_by_province() -> dict[str, int]:
    """EPSG code of the VN-2000 TM-3 zone of each pre-2025 province, by :func:`province_key`."""
    zones: dict[str, int] = {}
    for info in query_crs_info(auth_name="EPSG"):
        area = info.area_of_use.name if info.area_of_use else ""
        if not info.name.startswith("VN-2000 / TM-3") or "onshore" in area:
            continue  # the zones 481/482/491 also name their whole band of longitude
        for name in re.split(r",|;|\band\b", area.removeprefix("Vietnam - ").rstrip(".")):
            key = province_key(_AREA_WORDS.sub(" ", name))
            if key:
                zones[key] = int(info.code)
    return zones


@cache
def _legacy() -> dict:
    text = files("vietnamadminunits").joinpath("data/parser_legacy.json").read_text("utf-8")
    return json.loads(text)


@cache
def _merged() -> dict[str, list[str]]:
    """Old province keys of each 2025 province, both by :func:`province_key`."""
    text = files("vietnamadminunits").joinpath("data/converter_2025.json").read_text("utf-8")
    provinces = json.loads(text)["DICT_PROVINCE"]
    return {_bare(new): [_bare(old) for old in olds] for new, olds in provinces.items()}


@cache
def _districts() -> dict[str, frozenset[str]]:
    """District keywords of each pre-2025 province."""
    return {
        _bare(province): frozenset(
            word for district in districts.values() for word in district["districtKeywords"]
        )
        for province, districts in _legacy()["DICT_PROVINCE_DISTRICT"].items()
    }


def _bare(key: str) -> str:
    bare = re.sub(r"^(?:tinh|thanhpho)", "", key)
    return _RENAMED.get(bare, bare)


def row_zone(province: str, district: str) -> Zone:
    """Find the VN-2000 TM-3 zone of a row naming `province` (pre-2025) and `district`.

    Returns
    -------
    Zone
        The zone and how it was found, or None and why not.
    """
    key = province_key(province)
    if not key:
        return Zone(None, "the row names no province")
    zones = zones_by_province()
    merged = _merged().get(key, [key])
    spanned = sorted({zones[old] for old in merged if old in zones})
    if key in zones and len(spanned) <= 1:
        return Zone(zones[key], f"the zone of {province}")
    district_key = normalize_text(district).replace(" ", "")
    olds = [old for old in merged if district_key and district_key in _districts().get(old, ())]
    if len(olds) == 1 and olds[0] in zones:
        return Zone(zones[olds[0]], f"the zone of district {district}'s pre-2025 province")
    if len(spanned) == 1:
        return Zone(spanned[0], f"the zone of every province merged into {province}")
    if spanned:
        codes = ", ".join(f"EPSG:{code}" for code in spanned)
        return Zone(
            None,
            f"{province} names provinces of several zones ({codes}) since July 2025, and "
            "no district tells which",
        )
    return Zone(None, f"{province} is not a province the EPSG dataset gives a zone for")
