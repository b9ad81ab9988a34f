"""Coordinates as departments type them: decimal degrees and degrees-minutes-seconds text.

A village list kept by hand mixes notations in one column: ``105.7583``, ``105,7583`` (comma
as the decimal separator), ``18°30'12.5"N``, ``105 45 30 E``, ``18°30.2'N``. This module
turns each cell into decimal degrees and says which notation it was read in, so that the
data-quality report can show what was converted.
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from whitespot.data._crs import EASTING_M, NORTHING_M

Axis = Literal["lon", "lat"]

NOTATIONS = ("decimal", "decimal_comma", "dms", "dm", "missing", "unreadable")
"""How a coordinate cell was read: decimal degrees (dot or comma), degrees-minutes-seconds,
degrees and decimal minutes, empty, or not a coordinate."""

_NUMBER = r"\d+(?:[.,]\d+)?"
_HEMISPHERE = r"[NSEW]|BẮC|NAM|ĐÔNG|TÂY|[BĐT]"
_DMS = (
    rf"^\s*(?P<sign>[-+])?\s*(?P<before>{_HEMISPHERE})?\s*"
    rf"(?P<deg>{_NUMBER})"
    r"(?:(?:\s*(?P<degsign>[°º˚])\s*|\s*:\s*|\s+)"
    rf"(?:(?P<min>{_NUMBER})"
    r"(?:(?:\s*['′’]\s*|\s*:\s*|\s+)"
    rf"(?:(?P<sec>{_NUMBER})\s*(?:\"|″|”|''|′′|’’)?)?)?)?)?"
    rf"\s*(?P<after>{_HEMISPHERE})?\s*$"
)
"""Degrees, then minutes and seconds each after a separator (degree sign, quote, colon or
space), with a hemisphere before or after."""
_SOUTH_WEST = {"S", "W", "NAM", "TÂY", "T"}
_NORTH_SOUTH = {"N", "S", "BẮC", "NAM", "B"}
_LIMIT = {"lon": 180.0, "lat": 90.0}


def parse_coordinates(values: pd.Series, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    r"""Read a column of coordinate cells as decimal degrees.

    Parameters
    ----------
    values : pandas.Series
        Cells: numbers, or text in decimal degrees (``.`` or ``,`` as the decimal
        separator), degrees-minutes-seconds (``18°30'12.5"N``, ``105 45 30 E``,
        ``105°45'30"Đ``) or degrees and decimal minutes (``18°30.2'N``). Hemisphere letters
        are English (N, S, E, W) or Vietnamese (B, Đ, T and the words Bắc, Nam, Đông, Tây);
        S, W, Nam and Tây make the value negative.
    axis : {"lon", "lat"}
        Which coordinate the column holds: a hemisphere of the other axis (``N`` in a
        longitude column) makes the cell unreadable, and so do values beyond 180 (lon) or
        90 (lat) degrees and minutes or seconds of 60 or more.

    Returns
    -------
    degrees : numpy.ndarray of float
        Decimal degrees, NaN where the cell is empty or unreadable.
    notation : numpy.ndarray of str
        One of :data:`NOTATIONS` per cell.

    Examples
    --------
    >>> import pandas as pd
    >>> degrees, notation = parse_coordinates(pd.Series(["18°30'12.5\"N", "18,5", 18.25]), "lat")
    >>> degrees.round(6).tolist(), notation.tolist()
    ([18.503472, 18.5, 18.25], ['dms', 'decimal_comma', 'decimal'])
    """
    text = values.astype("string").str.strip().str.upper().fillna("")
    degrees = np.full(len(text), np.nan)
    notation = np.full(len(text), "unreadable", dtype=object)
    notation[(text == "").to_numpy()] = "missing"

    dotted = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(dtype=float)
    is_dotted = np.isfinite(dotted)
    degrees[is_dotted], notation[is_dotted] = dotted[is_dotted], "decimal"

    single_comma = text.str.fullmatch(r"[-+]?\d+,\d+").fillna(False).to_numpy()
    comma = pd.to_numeric(text.str.replace(",", ".", regex=False).where(single_comma)).to_numpy(
        dtype=float
    )
    is_comma = single_comma & ~is_dotted
    degrees[is_comma], notation[is_comma] = comma[is_comma], "decimal_comma"

    rest = (notation == "unreadable") & (text != "").to_numpy()
    parts = text.where(rest).str.extract(_DMS)
    value, kind = _dms_degrees(parts, axis)
    ok = rest & np.isfinite(value)
    degrees[ok], notation[ok] = value[ok], kind[ok]

    beyond = np.abs(degrees) > _LIMIT[axis]
    degrees[beyond], notation[beyond] = np.nan, "unreadable"
    return degrees, notation


_DEGREES = r"[-+]?\d+(?:\.\d+)?"
_PAIR = (
    # a Google Maps link: .../@16.79,106.98,15z or ?q=16.79,106.98 (latitude first)
    rf"(?:@|[?&](?:q|query|ll|center|destination|daddr)=)(?P<a>{_DEGREES})\s*(?:,|%2C)\s*"
    rf"(?P<b>{_DEGREES})",
    r"^\s*(?P<a>[^;]+?)\s*;\s*(?P<b>[^;]+?)\s*$",  # 16.9; 106.6 (any notation)
    rf"^\s*\(?\s*(?P<a>{_DEGREES})\s*,\s*(?P<b>{_DEGREES})\s*\)?\s*$",  # 16.9, 106.6 or (...)
    # N16.79 E106.98: each hemisphere letter before its number
    r"^\s*(?P<a>[NSEW]\s*\d[\d.,°º'′’\"″\s]*?)\s*[,;/]?\s*(?P<b>[NSEW]\s*\d[\d.,°º'′’\"″\s]*?)\s*$",
    rf"^\s*(?P<a>.+?(?:{_HEMISPHERE}))\s*[,/]?\s*(?P<b>\S.*?)\s*$",  # 16°54'N 106°36'E
    r"^\s*(?P<a>[-+]?\d+(?:[.,]\d+)?)\s+(?P<b>[-+]?\d+(?:[.,]\d+)?)\s*$",  # 16,92 106,62
)
"""Ways one cell holds two coordinates, tried in order: a Google Maps link (``@lat,lon`` or
``q=lat,lon``); a semicolon between them; a comma between two numbers with a decimal point
(or none), in parentheses or not; a hemisphere letter before each number (``N16.79
E106.98``); the end of the first coordinate's hemisphere letter; a space between two
numbers (decimal point or comma)."""

MAPS_LINK = re.compile(r"https?://|\bmaps\.|goo\.gl", flags=re.IGNORECASE)
"""A cell that is a web link (a place copied from Google Maps)."""


def split_pairs(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split cells that hold both coordinates into their first and second part.

    A column titled *Tọa độ* often holds ``16.900000, 106.600000``, as Google Maps copies a
    place (latitude first), ``(16.9, 106.6)``, ``N16.9 E106.6``, ``16°54'36"N 106°36'36"E``
    or the place's link (``https://www.google.com/maps/place/.../@16.9,106.6,15z``,
    ``...?q=16.9,106.6``); each part is then read by :func:`parse_coordinates` like a cell
    of its own.

    Parameters
    ----------
    values : pandas.Series
        The cells.

    Returns
    -------
    first, second : pandas.Series of str
        The two parts as text, ``""`` where a cell is empty or does not split in two.

    Examples
    --------
    >>> import pandas as pd
    >>> first, second = split_pairs(pd.Series(["16.9, 106.6", "16°54'N 106°36'E", "16.9"]))
    >>> first.tolist(), second.tolist()
    (['16.9', "16°54'N", ''], ['106.6', "106°36'E", ''])
    >>> split_pairs(pd.Series(["https://www.google.com/maps?q=16.9,106.6"]))[1].tolist()
    ['106.6']
    """
    text = values.astype("string").str.strip().fillna("")
    first = pd.Series("", index=values.index, dtype="string")
    second = first.copy()
    left = (text != "").to_numpy()
    for pattern in _PAIR:
        parts = text.where(left).str.extract(pattern, flags=re.IGNORECASE)
        found = left & parts["a"].notna().to_numpy()
        first[found], second[found] = parts["a"][found], parts["b"][found]
        left &= ~found
    return first, second


def _dms_degrees(parts: pd.DataFrame, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """Decimal degrees and notation from the regex groups of :data:`_DMS` (NaN if invalid)."""

    def number(column: str) -> np.ndarray:
        return pd.to_numeric(
            parts[column].str.replace(",", ".", regex=False), errors="coerce"
        ).to_numpy(dtype=float)

    deg, minutes, seconds = number("deg"), number("min"), number("sec")
    before, after = parts["before"].fillna(""), parts["after"].fillna("")
    hemisphere = before.where(before != "", after)
    both = (before != "") & (after != "")
    has_min, has_sec = np.isfinite(minutes), np.isfinite(seconds)
    value = deg + np.nan_to_num(minutes) / 60.0 + np.nan_to_num(seconds) / 3600.0
    north_south = hemisphere.isin(_NORTH_SOUTH)
    other_axis = north_south if axis == "lon" else ~north_south & (hemisphere != "")
    invalid = (
        both.to_numpy()
        | other_axis.to_numpy()
        | (has_min & (minutes >= 60))
        | (has_sec & (seconds >= 60))
        | (has_sec & ~has_min)
        # degrees alone ("18.5°N") need a degree sign or a hemisphere to be a coordinate
        | (
            ~has_min
            & ~has_sec
            & parts["degsign"].isna().to_numpy(dtype=bool)
            & (hemisphere == "").to_numpy()
        )
    )
    negative = hemisphere.isin(_SOUTH_WEST).to_numpy() | (parts["sign"].fillna("") == "-").to_numpy(
        dtype=bool
    )
    value = np.where(negative, -value, value)
    value[invalid] = np.nan
    kind = np.select([has_sec, has_min], ["dms", "dm"], "decimal").astype(object)
    return value, kind


VN2000_ZONES = {
    5896: "102°00'", 9205: "103°00'", 9206: "104°00'", 9207: "104°30'", 9208: "104°45'",
    5897: "105°00'", 9209: "105°30'", 9210: "105°45'", 9211: "106°00'", 9212: "106°15'",
    9213: "106°30'", 9214: "107°00'", 9215: "107°15'", 9216: "107°30'", 5899: "107°45'",
    5898: "108°00'", 9217: "108°15'", 9218: "108°30'",
}  # fmt: skip
"""EPSG codes of the VN-2000 TM-3 zones by central meridian: a province's cadastral and
survey files are in the zone of its own meridian (Circular 973/2001/TT-TCĐC)."""


def metre_pairs(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Find coordinate pairs in metres (VN-2000 X/Y) and order them as easting, northing.

    Surveyors write X for the northing and Y for the easting, the other way round from
    lon/lat; either order is recognised by the size of the numbers.

    Returns
    -------
    easting, northing : numpy.ndarray of float
        Metres (NaN where the row is not a metre pair).
    metres : numpy.ndarray of bool
        Rows whose two cells are an easting and a northing in Viet Nam.
    """
    a = pd.to_numeric(first, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    b = pd.to_numeric(second, errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return (values >= bounds[0]) & (values <= bounds[1])

    x_north = within(a, NORTHING_M) & within(b, EASTING_M)
    y_north = within(b, NORTHING_M) & within(a, EASTING_M)
    easting = np.where(x_north, b, np.where(y_north, a, np.nan))
    northing = np.where(x_north, a, np.where(y_north, b, np.nan))
    return easting, northing, x_north | y_north


def metres_to_lonlat(
    easting: np.ndarray, northing: np.ndarray, crs: CRS
) -> tuple[np.ndarray, np.ndarray]:
    """Convert projected metres in `crs` (a VN-2000 zone) to WGS 84 degrees."""
    transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return transformer.transform(easting, northing)
