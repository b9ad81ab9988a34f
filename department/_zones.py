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
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files

import numpy as np
from pyproj import CRS, Geod, Transformer
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


UTM_ZONES = (3405, 3406)
"""EPSG codes of VN-2000 / UTM zones 48N and 49N: the national grid of topographic maps and
many GIS files, the other common way a list holds metres."""

PROVINCE_MARGIN_DEG = 0.05
"""Margin around a province's bounds, degrees (about 5 km), when judging whether a reading
of metres falls in the province."""


@cache
def _legacy_bounds() -> dict[str, tuple[float, float, float, float]]:
    """Bounds (min lon, min lat, max lon, max lat) of each pre-2025 province, by key."""
    bounds = {}
    with as_file(files("vietnamadminunits").joinpath("data/dataset.db")) as path:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT DISTINCT provinceKey, provinceBounds FROM admin_units_legacy"
            ).fetchall()
        finally:
            connection.close()
    for key, text in rows:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text or "")]
        if len(numbers) == 4:  # "lat,lon – lat,lon"
            lat1, lon1, lat2, lon2 = numbers
            bounds[_bare(key)] = (
                min(lon1, lon2),
                min(lat1, lat2),
                max(lon1, lon2),
                max(lat1, lat2),
            )
    return bounds


def province_bounds(province: str) -> tuple[float, float, float, float] | None:
    """Return a province's bounds, degrees (min lon, min lat, max lon, max lat).

    A 2025 province name spans the pre-2025 provinces merged into it; None if not known.
    """
    key = province_key(province)
    boxes = [_legacy_bounds()[old] for old in _merged().get(key, [key]) if old in _legacy_bounds()]
    if not boxes:
        return None
    west, south, east, north = zip(*boxes, strict=True)
    return min(west), min(south), max(east), max(north)


def inside_bounds(
    lon: np.ndarray, lat: np.ndarray, bounds: tuple[float, float, float, float]
) -> np.ndarray:
    """Whether each point lies in `bounds` widened by :data:`PROVINCE_MARGIN_DEG`."""
    west, south, east, north = bounds
    margin = PROVINCE_MARGIN_DEG
    with np.errstate(invalid="ignore"):
        return (
            (lon >= west - margin) & (lon <= east + margin)
            & (lat >= south - margin) & (lat <= north + margin)
        )  # fmt: skip


def _readings(
    easting: np.ndarray, northing: np.ndarray, epsg: int
) -> tuple[np.ndarray, np.ndarray]:
    transformer = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    return transformer.transform(easting, northing)


def _apart_km(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """Median distance between two readings of the same rows, km."""
    distance_m = Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2]
    return float(np.median(distance_m)) / 1000.0


def fitting_zone(
    easting: np.ndarray, northing: np.ndarray, zone: int, province: str
) -> tuple[int, str]:
    """Choose the zone of metres that puts the rows in their province.

    A list in metres may be in the province's TM-3 zone (cadastral surveys) or in VN-2000 /
    UTM 48N or 49N (topographic maps, GIS files): the readings differ by about 130 km. Each
    is tried; the province's zone is kept unless a UTM zone puts more rows inside the
    province (:func:`province_bounds`).

    Returns
    -------
    (int, str)
        The EPSG code chosen, and what to say when it is not the province's zone.
    """
    bounds = province_bounds(province)
    if bounds is None:
        return zone, ""
    readings = {epsg: _readings(easting, northing, epsg) for epsg in (zone, *UTM_ZONES)}
    inside = {epsg: inside_bounds(*xy, bounds).mean() for epsg, xy in readings.items()}
    best = max(UTM_ZONES, key=inside.get)
    if inside[best] <= inside[zone]:
        return zone, ""
    return best, (
        f"{inside[best]:.0%} of these rows fall in {province} so; read in {province}'s TM-3 "
        f"zone (EPSG:{zone}) {inside[zone]:.0%} would, "
        f"{_apart_km(readings[zone], readings[best]):,.0f} km away"
    )


def zone_disagreement(
    easting: np.ndarray, northing: np.ndarray, given: int, zone: int, province: str
) -> str:
    """Say that a TM-3 zone given (``--crs``) is not the zone of the rows' province.

    Returns ``""`` when `given` is the province's zone or not a TM-3 zone (UTM is national).
    """
    if given == zone or given in UTM_ZONES or not zone:
        return ""
    apart = _apart_km(_readings(easting, northing, given), _readings(easting, northing, zone))
    return (
        f"--crs EPSG:{given} ({CRS.from_epsg(given).name}) is not the zone of these rows' "
        f"province {province}: its VN-2000 TM-3 zone is EPSG:{zone} "
        f"({CRS.from_epsg(zone).name}), which would put them {apart:,.1f} km from where "
        f"EPSG:{given} does; check --crs (EPSG:{zone} for {province})"
    )
