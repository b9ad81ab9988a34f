"""Administrative units after July 2025: old (province, district, commune) to new codes.

Since 1 July 2025 Viet Nam has two tiers: 34 provinces and 3,321 communes, wards and special
zones; districts are gone. Department lists still name the district-era units. Each row's
old names are converted with ``vietnamadminunits`` (MIT), whose converter data follow the
National Assembly Standing Committee's merger resolutions; the new codes are then checked
against ``vietnam-provinces`` (MIT). The two packages disagree on the codes of about a
hundred units (same names, other numbers). whitespot writes the converter's code, which for
the cases checked matches the Statistics Office's letter 1027/CTK-CSCL of 25 June 2025 (e.g.
Phường Cửa Nam, 00082), and shows the other package's code beside it wherever it differs.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib.metadata import version
from importlib.resources import files

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm.auto import tqdm

from whitespot.department._headers import normalize_text

ADMIN_COLUMNS = (
    "province_code",
    "province_name",
    "commune_code",
    "commune_name",
    "admin_status",
    "admin_note",
    "commune_code_vietnam_provinces",
)
"""Columns that :func:`assign_admin_units` adds (the old names stay in ``old_*``)."""

PROVINCE_MARGIN_DEG = 0.15
"""Margin around the hull of a province's commune centres, in degrees (about 15 km): a
village beyond it is outside its province."""


def code_sources() -> dict[str, str]:
    """Names and versions of the two sources, for every output's settings."""
    return {
        "admin_code_source": f"vietnamadminunits {version('vietnamadminunits')} "
        "(converter of pre-2025 units; codes as the Statistics Office's letter "
        "1027/CTK-CSCL of 25 June 2025)",
        "admin_code_check": f"vietnam-provinces {version('vietnam-provinces')} "
        "(its code is shown in commune_code_vietnam_provinces where it differs)",
    }


@cache
def _data(name: str) -> dict:
    return json.loads(files("vietnamadminunits").joinpath(f"data/{name}.json").read_text("utf-8"))


@cache
def _vietnam_provinces_codes() -> dict[tuple[int, str], str]:
    from vietnam_provinces import Ward  # noqa: PLC0415 large table, loaded on first use

    return {
        (int(w.province_code.value), normalize_text(w.name)): f"{int(w.code.value):05d}"
        for w in Ward.iter_all()
    }


def assign_admin_units(
    villages: gpd.GeoDataFrame,
    *,
    communes: gpd.GeoDataFrame | None = None,
    progress: bool | None = None,
) -> gpd.GeoDataFrame:
    """Give each village its post-2025 province and commune, keeping the old names.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        With ``old_province``, ``old_district`` (may be empty: the names are then read as
        post-2025 units) and ``old_commune`` (as :func:`read_village_list` gives them).
    communes : geopandas.GeoDataFrame, optional
        Post-2025 commune boundaries (Polygon) with a ``commune_code`` column; where an old
        commune was split between new ones, the polygon that holds the village decides.
    progress : bool, optional
        Show a progress bar (default: on a terminal, for more than 200 distinct units).

    Returns
    -------
    geopandas.GeoDataFrame
        `villages` with :data:`ADMIN_COLUMNS`, codes as text (``"44"``, ``"19435"``). No
        row is dropped: a row whose names are not found keeps its old names, gets
        ``admin_status = "admin_unmatched"`` and the closest candidates in ``admin_note``.
    """
    keys = villages[["old_province", "old_district", "old_commune"]].astype("string").fillna("")
    unique = keys.drop_duplicates().reset_index(drop=True)
    show = (len(unique) > 200) if progress is None else progress
    results = [
        _convert(*row)
        for row in tqdm(
            unique.itertuples(index=False, name=None),
            total=len(unique),
            desc="administrative units",
            disable=not show,
        )
    ]
    table = pd.concat([unique, pd.DataFrame(results, columns=[*ADMIN_COLUMNS, "_split"])], axis=1)
    merged = keys.merge(table, on=["old_province", "old_district", "old_commune"], how="left")
    out = villages.copy()
    given = _given_codes(villages)
    for column in ADMIN_COLUMNS:
        out[column] = merged[column].to_numpy()
    split = merged["_split"].to_numpy()
    if communes is not None and any(split):
        _decide_splits(out, split, communes)
    if given is not None:
        _keep_given_codes(out, *given)
    return out


def _given_codes(villages: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the province and commune codes the file supplies (zero-padded), or None."""
    if "commune_code" not in villages and "province_code" not in villages:
        return None
    codes = []
    for column, width in (("province_code", 2), ("commune_code", 5)):
        text = villages.get(column, pd.Series("", index=villages.index))
        text = text.astype("string").fillna("").str.strip()
        codes.append(text.where(~text.str.fullmatch(r"\d+"), text.str.zfill(width)).to_numpy())
    return codes[0], codes[1]


@cache
def _communes_by_code() -> dict[str, tuple[str, str]]:
    """Commune code -> (name, province code) in the converter's post-2025 data."""
    data = _data("parser_from_2025")
    out = {}
    for key, province in data["DICT_PROVINCE"].items():
        for ward in data["DICT_PROVINCE_WARD_NO_ACCENTED"][key].values():
            out[f"{int(ward['wardCode']):05d}"] = (
                ward["ward"],
                f"{int(province['provinceCode']):02d}",
            )
    return out


@cache
def _vietnam_provinces_by_code() -> dict[str, str]:
    return {code: name for (_, name), code in _vietnam_provinces_codes().items()}


def _keep_given_codes(out: gpd.GeoDataFrame, province: np.ndarray, commune: np.ndarray) -> None:
    """Keep the codes a department supplies; check them against both packages; flag."""
    known, other = _communes_by_code(), _vietnam_provinces_by_code()
    for row in np.flatnonzero(commune != ""):
        code = commune[row]
        converted = str(out["commune_code"].iat[row])
        name, code_province = known.get(code, ("", ""))
        if not name and code not in other:
            status = "code_unknown"
            note = (f"the file's commune code {code} is in neither vietnamadminunits nor "
                    "vietnam-provinces: check it")  # fmt: skip
        elif converted and converted != code:
            status = "code_disagrees"
            note = (f"the file's commune code {code} ({name or 'vietnam-provinces only'}) "
                    f"differs from {converted} ({out['commune_name'].iat[row]}), which the "
                    "names convert to; the file's code is kept: check which is right")  # fmt: skip
        else:
            status, note = "code_given", f"the file's commune code {code} is kept"
        if code in other and name and normalize_text(other[code]) != normalize_text(name):
            note += f"; vietnam-provinces gives {code} to {other[code]}"
        if province[row] and code_province and province[row] != code_province:
            status = "code_disagrees"
            note += (
                f"; the file's province code {province[row]} is not the commune's {code_province}"
            )
        out.iat[row, out.columns.get_loc("commune_code")] = code
        out.iat[row, out.columns.get_loc("commune_name")] = name or out["commune_name"].iat[row]
        out.iat[row, out.columns.get_loc("province_code")] = province[row] or code_province
        out.iat[row, out.columns.get_loc("admin_status")] = status
        out.iat[row, out.columns.get_loc("admin_note")] = note
        named = _vietnam_provinces_codes().get((int(code_province or 0), normalize_text(name)))
        elsewhere = "" if not name or named == code else (named or "not listed")
        out.iat[row, out.columns.get_loc("commune_code_vietnam_provinces")] = elsewhere
    only_province = (commune == "") & (province != "")
    codes = out["province_code"].to_numpy(dtype=object)
    codes[only_province] = province[only_province]
    out["province_code"] = codes


def _convert(province: str, district: str, commune: str) -> tuple:
    """One unit: new codes and names, status, note, the other package's code, split list."""
    from vietnamadminunits import ParseMode, convert_address, parse_address  # noqa: PLC0415

    if not commune:
        return ("", "", "", "", "admin_unmatched", "no commune name", "", None)
    try:
        if district:
            unit = convert_address(f"{commune}, {district}, {province}")
            old = unit.OldAdminUnit
            old_key = (old.province_key, old.district_key, old.ward_key)
            status = "matched"
        else:
            unit = parse_address(f"{commune}, {province}", mode=ParseMode.FROM_2025, level=2)
            old_key, status = None, "matched_new_units"
    except Exception as error:  # the converter raises bare Exceptions
        return ("", "", "", "", "admin_unmatched", f"not converted: {error}", "", None)
    province_code = f"{int(unit.province_code):02d}" if unit.province_code else ""
    if not unit.ward_code:
        note = "not found; closest: " + (", ".join(_closest(province, district, commune)) or "none")
        return (province_code, unit.province or "", "", "", "admin_unmatched", note, "", None)
    code = f"{int(unit.ward_code):05d}"
    split = _split_candidates(unit.province_key, old_key) if old_key else None
    notes = []
    if split:
        status = "split_unresolved"
        names = ", ".join(f"{name} ({c})" for c, name, _, _ in split)
        notes.append(f"old commune split between {names}; {unit.ward} is the converter's default")
    read_as = unit.OldAdminUnit if district else unit
    if _bare_name(read_as.short_ward or "") != _bare_name(commune):
        status = "matched_approximate" if not split else status
        notes.append(f"{commune!r} read as {read_as.ward}: check the name")
    note = "; ".join(notes)
    other = _vietnam_provinces_codes().get((int(province_code), normalize_text(unit.ward)), "")
    if other == code:
        other = ""
    elif not other:
        other = "not listed"
    return (province_code, unit.province, code, unit.ward, status, note, other, split)


def _bare_name(name: str) -> str:
    """Return a commune name without its unit word, unaccented: "Xã A Ngo" -> "a ngo"."""
    bare = normalize_text(name)
    for prefix in ("xa ", "phuong ", "thi tran ", "dac khu "):
        bare = bare.removeprefix(prefix)
    return bare


def _split_candidates(new_province_key: str, old_key: tuple) -> list[tuple] | None:
    """Return the new communes an old commune was split between: (code, name, lon, lat)."""
    divided = _data("converter_2025")["DICT_PROVINCE_WARD_DIVIDED"].get(new_province_key, {})
    entries = divided.get("_".join(k or "" for k in old_key))
    if not entries:
        return None
    wards = _data("parser_from_2025")["DICT_PROVINCE_WARD_NO_ACCENTED"][new_province_key]
    return [
        (
            f"{int(wards[e['newWardKey']]['wardCode']):05d}",
            wards[e["newWardKey"]]["ward"],
            e["newWardLon"],
            e["newWardLat"],
        )
        for e in entries
        if e["newWardKey"] in wards
    ]


def _closest(province: str, district: str, commune: str, n: int = 3) -> list[str]:
    """Old commune names of the province (and district) closest to a name not found."""
    legacy = _data("parser_legacy")
    wanted = normalize_text(province)
    province_key = next(
        (
            key
            for key, info in legacy["DICT_PROVINCE"].items()
            if wanted in {normalize_text(info["province"]), normalize_text(info["provinceShort"])}
        ),
        None,
    )
    if province_key is None:
        names = [info["province"] for info in legacy["DICT_PROVINCE"].values()]
        matches = difflib.get_close_matches(wanted, [normalize_text(x) for x in names], n, 0.6)
        return [f"province {names[[normalize_text(x) for x in names].index(m)]}" for m in matches]
    districts = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].get(province_key, {})
    district_names = legacy["DICT_PROVINCE_DISTRICT"].get(province_key, {})
    wanted_district = normalize_text(district).replace(" ", "")
    options = {
        f"{ward['ward']} ({district_names.get(key, {}).get('district', key)})": normalize_text(
            ward["wardShort"]
        )
        for key, wards in districts.items()
        if not wanted_district or wanted_district in key
        for ward in wards.values()
    }
    bare = _bare_name(commune)
    scored = sorted(options, key=lambda k: -difflib.SequenceMatcher(None, bare, options[k]).ratio())
    return scored[:n]


def _decide_splits(out: gpd.GeoDataFrame, split: np.ndarray, communes: gpd.GeoDataFrame) -> None:
    """Pick the new commune of split rows by the boundary polygon that holds the village."""
    codes = communes["commune_code"].astype("string").str.zfill(5).to_numpy()
    polygons = communes.to_crs(out.crs).geometry.to_numpy()
    has_split = np.array([s is not None for s in split], dtype=bool)
    rows = np.flatnonzero(has_split & out.geometry.notna().to_numpy())
    point_index, polygon_index = shapely.STRtree(polygons).query(
        out.geometry.to_numpy()[rows], predicate="within"
    )
    holder = dict(zip(rows[point_index], codes[polygon_index], strict=True))
    for row in rows:
        candidates = {code: name for code, name, _, _ in split[row]}
        code = holder.get(row)
        if code in candidates:
            out.iloc[row, out.columns.get_loc("commune_code")] = code
            out.iloc[row, out.columns.get_loc("commune_name")] = candidates[code]
            out.iloc[row, out.columns.get_loc("admin_status")] = "split_by_location"
            out.iloc[row, out.columns.get_loc("admin_note")] = (
                f"old commune split; the village lies in {candidates[code]} ({code})"
            )


def province_outline(province_code: str) -> shapely.Geometry | None:
    """Rough outline of a post-2025 province in degrees: hull of its commune centres + margin.

    Used to flag villages whose coordinates lie outside the row's province; returns None for
    an unknown code.
    """
    data = _data("parser_from_2025")
    key = next(
        (k for k, v in data["DICT_PROVINCE"].items() if v["provinceCode"] == province_code), None
    )
    if key is None:
        return None
    wards = data["DICT_PROVINCE_WARD_NO_ACCENTED"][key].values()
    points = shapely.points([(w["wardLon"], w["wardLat"]) for w in wards])
    return shapely.convex_hull(shapely.multipoints(points)).buffer(PROVINCE_MARGIN_DEG)
