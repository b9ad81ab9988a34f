"""Validation and normalization of input layers.

One function per layer takes a GeoDataFrame or a path and returns a validated, normalized
GeoDataFrame: canonical column names and types, defaults filled (and reported), rows in input
order. Every problem found is collected and raised together in one
:class:`~whitespot.data.ValidationError`, so a user fixes a file in one pass.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from whitespot._errors import InputError
from whitespot.data._cells import (
    local_numbers,
    normalize_text,
    operator_names,
    survey_answers,
    yes_no,
)
from whitespot.data._crs import WGS84, vn2000_metres
from whitespot.data._io import read_layer
from whitespot.data._labels import counted
from whitespot.data._levels import (
    mark_no_service,
    no_service_restored,
    read_level_text,
    read_phone_columns,
    screen_levels,
    stand_in_for_no_service,
)
from whitespot.data._lookalikes import lookalike_columns, lookalike_message
from whitespot.data._problems import (
    AmbiguousNumberWarning,
    ConvertedCellsWarning,
    DefaultAppliedWarning,
    DuplicateColumnWarning,
    ImplausibleValueWarning,
    MultiTechnologyWarning,
    OperatorCodeWarning,
    Problem,
    UnreadColumnWarning,
    ValidationError,
)
from whitespot.data._same_field import SET_ASIDE, merge_same_field
from whitespot.data._schema import (
    BY_TECHNOLOGY,
    COLUMN_ALIASES,
    GEOMETRY_TYPES,
    ID_COLUMNS,
    LAYER_COLUMNS,
    LAYERS,
    OPERATORS,
    TECHNOLOGIES,
    TECHNOLOGY_DEFAULTS,
    VIETNAM_BBOX,
    ColumnSpec,
    implausible_message,
    plausibility_masks,
    technologies,
    unusual_message,
)
from whitespot.data._table import numbers_with_units

Source = gpd.GeoDataFrame | str | PathLike
Region = tuple[float, float, float, float] | None


def validate_layer(
    layer: str,
    source: Source,
    *,
    region: Region = VIETNAM_BBOX,
    columns: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Validate and normalize one input layer.

    Parameters
    ----------
    layer : {"villages", "households", "towers", "grid", "candidates", "measurements"}
        Which layer `source` holds.
    source : geopandas.GeoDataFrame or path
        The layer, or a file that :func:`whitespot.data.read_layer` reads.
    region : tuple of 4 floats or None, default :data:`~whitespot.data._schema.VIETNAM_BBOX`
        Plausible (min lon, min lat, max lon, max lat) in degrees. Rows outside it are
        refused, and rows that fall inside it only with x and y exchanged are reported as
        swapped. ``None`` checks only that coordinates are valid degrees.
    columns : mapping of column -> header, optional
        Headers of the file for columns it names otherwise (``{"survey_signal": "Tình
        trạng sóng", "lon": "Kinh độ VN2000"}``); they win over the built-in aliases of
        :data:`~whitespot.data._schema.COLUMN_ALIASES`.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer with the columns of :data:`~whitespot.data._schema.LAYER_COLUMNS` first, in
        canonical types (ids as text, counts as int64, numbers as float64, shares as
        float64 0..1 with NaN for unknown), other columns after them, geometry last, and a
        fresh RangeIndex in input order. The CRS is the input CRS. Measurements are read
        as phone apps export them (levels per technology's column, ``-95 dBm``, a
        ``Network`` column of technologies, OpenCelliD's ``mcc``/``net``); rows where the
        phone found no network (an empty level, technology ``NONE``, ``-``, ``No
        service``) are kept with no level and no technology, marked in a ``no_service``
        column (present only then), said in a ``PhoneExportWarning``.

    Raises
    ------
    ValidationError
        Listing every problem: missing CRS or required column, empty, invalid or wrong-type
        geometry, swapped or out-of-range coordinates, rows outside `region`, missing or
        duplicate ids, text where a number is needed, missing required numbers, negative or
        non-integer counts, unknown technologies, shares outside 0..1, two columns of one
        field (a name and its alias) whose values disagree (naming both and the rows).

    Warns
    -----
    DefaultAppliedWarning
        Once per column where a default from :mod:`whitespot.data._schema` was filled in.
    UnreadColumnWarning
        Once per column that looks like a known column under a name not known (a yes/no
        column whose header says "sóng" or "signal"), with how to map it.
    DuplicateColumnWarning
        When two columns name one field and the one read first is empty in rows where the
        other has values (read from the other, naming both and the rows), or when
        `columns` names another header for a field whose canonical column is in the file
        (that column is not read).
    """
    if layer not in LAYERS:
        raise InputError(f"layer={layer!r} is not one of {', '.join(LAYERS)}")
    columns = dict(columns or {})
    label, gdf = _load(layer, source, columns)
    if layer == "measurements":
        gdf = read_phone_columns(gdf, label, columns)
    gdf, headers, others = _canonical_column_names(gdf, layer, columns, label)
    if others:
        specs = {spec.name: spec for spec in LAYER_COLUMNS[layer]}
        gdf, disagree = merge_same_field(
            gdf,
            others,
            specs,
            headers,
            read=_read_as_validated,
            label=label,
            ids=_row_labels(gdf, ID_COLUMNS[layer]),
        )
        if disagree:
            raise ValidationError(disagree)
    aside = [c for c in gdf.columns if str(c).startswith(SET_ASIDE)]
    if aside:
        names = ", ".join(f"'{str(c)[len(SET_ASIDE) :]}'" for c in aside)
        warnings.warn(
            f"{label}: column(s) {names} not read: the columns given name other headers for them",
            DuplicateColumnWarning,
            stacklevel=2,
        )
        gdf = gdf.drop(columns=aside)
    lookalikes = _lookalikes(gdf, layer)
    _check_crs_and_required_columns(gdf, layer, label, lookalikes)
    for header, field in lookalikes:
        warnings.warn(f"{label}: {lookalike_message(header, field)}", UnreadColumnWarning, 2)
    gdf = _layer_rows(gdf, layer, label, headers)

    id_column = ID_COLUMNS[layer]
    problems: list[Problem] = []
    out = gpd.GeoDataFrame(index=pd.RangeIndex(len(gdf)))
    specs = LAYER_COLUMNS[layer]
    ids = _row_labels(gdf, id_column)
    for spec in specs:
        raw = gdf[spec.name].reset_index(drop=True) if spec.name in gdf else None
        out[spec.name] = _normalize_column(spec, raw, ids, label, problems)

    geometry = gdf.geometry.reset_index(drop=True)
    problems += _geometry_problems(geometry, layer, label, ids, region)
    if problems:
        raise ValidationError(problems)

    no_service_restored(out, gdf, label)  # measurements only
    if "operator" in out:
        out["operator"] = _operator_names(out["operator"], ids, label)
    _fill_defaults(out, specs, label)
    extra = [c for c in gdf.columns if c not in out.columns and c != gdf.geometry.name]
    for column in extra:
        out[column] = gdf[column].to_numpy()
    return gpd.GeoDataFrame(out, geometry=geometry.to_numpy(), crs=gdf.crs)


def _layer_rows(
    gdf: gpd.GeoDataFrame, layer: str, label: str, headers: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """Read the rows as the layer means them, before the columns are checked.

    A tower list's sectors and technologies; a drive test's levels as phones write them
    (units, no-service rows).
    """
    if layer == "towers":
        gdf = _sectors(gdf, label)
        if "technology" in gdf:
            gdf = _one_tower_per_technology(gdf, label)
    if layer == "measurements":
        header = headers.get("signal_dbm", "signal_dbm")
        gdf = read_level_text(gdf, label, header)
        level = _numbers(gdf["signal_dbm"].reset_index(drop=True))[0]
        gdf = mark_no_service(gdf, label, level)
        gdf = stand_in_for_no_service(screen_levels(gdf, label, header, level))
    return gdf


def _layer_function(layer: str) -> Callable[..., gpd.GeoDataFrame]:
    def validate(
        source: Source,
        *,
        region: Region = VIETNAM_BBOX,
        columns: Mapping[str, str] | None = None,
    ) -> gpd.GeoDataFrame:
        return validate_layer(layer, source, region=region, columns=columns)

    validate.__name__ = f"validate_{layer}"
    validate.__doc__ = (
        f"Validate and normalize a {layer} layer; see :func:`validate_layer` for the checks.\n\n"
        f"Columns: "
        + "; ".join(
            f"``{c.name}`` ({'required' if c.required else 'optional'}) {c.doc}"
            for c in LAYER_COLUMNS[layer]
        )
        + f". Geometry: {', '.join(GEOMETRY_TYPES[layer])}.\n\n"
        "Parameters\n----------\n"
        "source : geopandas.GeoDataFrame or path-like\n"
        "    The layer, or a file :func:`read_layer` reads.\n"
        "region : tuple of float, default Viet Nam's bounds\n"
        "    (west, south, east, north), degrees: coordinates outside are refused.\n"
        "columns : mapping, optional\n"
        "    Your column name -> whitespot's, for headers the alias table does not know.\n\n"
        f"Returns\n-------\ngeopandas.GeoDataFrame\n    The {layer} with whitespot's columns "
        "(defaults filled and said), your other columns kept.\n\n"
        "Raises\n------\nValidationError\n    Naming the layer, the column and the rows."
    )
    return validate


validate_villages = _layer_function("villages")
validate_households = _layer_function("households")
validate_towers = _layer_function("towers")
validate_grid = _layer_function("grid")
validate_candidates = _layer_function("candidates")
validate_measurements = _layer_function("measurements")


def _load(layer: str, source: Source, columns: Mapping[str, str]) -> tuple[str, gpd.GeoDataFrame]:
    if isinstance(source, gpd.GeoDataFrame):
        return layer, source
    path = Path(source)
    label = f"{layer} ({path.name})"
    coordinates = {header: name for name, header in columns.items() if name in ("lon", "lat")}
    gdf = read_layer(path, layer, headers=coordinates)
    if not len(gdf):
        raise ValidationError(
            [
                Problem(
                    label,
                    "file",
                    "no_rows",
                    "the file holds no rows (only a header?): nothing to work with",
                )
            ]
        )
    return label, gdf


def _canonical_column_names(
    gdf: gpd.GeoDataFrame, layer: str, columns: Mapping[str, str], label: str
) -> tuple[gpd.GeoDataFrame, dict[str, str], dict[str, list[object]]]:
    """Rename columns to their canonical names: the user's, any case and spacing, an alias.

    The user's `columns` win; then a canonical name already present wins over aliases; of
    several aliases of one column the first in :data:`~whitespot.data._schema.COLUMN_ALIASES`
    wins. Returns the renamed layer, the file's header of each renamed column
    (canonical name -> header), and the other columns that name each field, in order of
    preference (for :func:`~whitespot.data._same_field.merge_same_field`); a column under
    the canonical name that the user's `columns` passed over is set aside under
    :data:`~whitespot.data._same_field.SET_ASIDE` + its name.

    Raises
    ------
    ValidationError
        If a header of `columns` is not in the layer, naming it and the headers present.
    """
    known = {c.name for c in LAYER_COLUMNS[layer]}
    renames = _user_renames(gdf, columns, label)
    for column in gdf.columns:
        if column == gdf.geometry.name:
            continue
        key = str(column).strip().lower().replace(" ", "_")
        taken = key in gdf.columns or key in renames.values()
        if key in known and key != column and not taken and column not in renames:
            renames[column] = key
    present = set(gdf.columns) | set(renames.values())
    by_text = {normalize_text(c): c for c in gdf.columns if c != gdf.geometry.name}
    aliases = COLUMN_ALIASES.get(layer, {})
    for name, names in aliases.items():
        found = [by_text[a] for a in map(normalize_text, names) if a in by_text]
        found = [c for c in found if c not in renames and c not in known]
        if name not in present and found:
            renames[found[0]] = name
            present.add(name)
    # a canonical column the user's columns passed over is set aside, not overwritten
    for name in set(renames.values()) & set(gdf.columns):
        if renames.get(name, name) == name:
            renames[name] = SET_ASIDE + name
    others = {}
    for name in known - set(columns):  # the user's choice is read, not merged
        chosen = next((c for c, n in renames.items() if n == name), name)
        candidates = [
            c
            for c in gdf.columns
            if c not in (gdf.geometry.name, chosen) and _names_field(c, name, aliases.get(name, ()))
        ]
        if candidates and (chosen in gdf.columns or chosen != name):
            others[name] = [renames.get(c, c) for c in candidates]
    headers = {new: str(old) for old, new in renames.items()}
    return (gdf.rename(columns=renames) if renames else gdf), headers, others


def _names_field(column: object, name: str, aliases: tuple[str, ...]) -> bool:
    """Whether a header names the field `name`: itself, in any case and spacing, an alias."""
    key = str(column).strip().lower().replace(" ", "_")
    return key == name or normalize_text(column) in {normalize_text(a) for a in aliases}


def _read_as_validated(spec: ColumnSpec, raw: pd.Series) -> pd.Series:
    """Read a column as validation does (its problems are reported later, not here).

    Operators are read by name, as :func:`_operator_names` reads them, so that G-NetTrack's
    ``Operator`` (45204) and ``Operatorname`` (Viettel) agree.
    """
    ids = np.arange(len(raw)).astype(str).astype(object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = _normalize_column(spec, raw, ids, "", [])
        return operator_names(values)[0] if spec.name == "operator" else values


def _user_renames(
    gdf: gpd.GeoDataFrame, columns: Mapping[str, str], label: str
) -> dict[object, str]:
    """Header -> column of the user's `columns` (headers matched as written, or normalized)."""
    by_text = {normalize_text(c): c for c in gdf.columns if c != gdf.geometry.name}
    renames, unknown = {}, []
    for name, header in columns.items():
        if name in ("lon", "lat") and name in gdf.columns:
            continue  # read into the geometry already
        found = header if header in gdf.columns else by_text.get(normalize_text(header))
        if found is None:
            unknown.append(f"--columns {name}={header!r}")
        elif found != name:
            renames[found] = name
    if unknown:
        present = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
        raise ValidationError(
            [
                Problem(
                    label,
                    "columns",
                    "unknown_header",
                    f"{', '.join(unknown)}: no such column (columns present: {present})",
                )
            ]
        )
    return renames


def _lookalikes(gdf: gpd.GeoDataFrame, layer: str) -> list[tuple[str, str]]:
    """Columns that look like a column of `layer` under a name not known."""
    known = {c.name for c in LAYER_COLUMNS[layer]}
    unread = [c for c in gdf.columns if c != gdf.geometry.name and c not in known]
    unread = [c for c in unread if c not in ("lon", "lat")]
    found = lookalike_columns(pd.DataFrame(gdf[unread]), known & set(gdf.columns))
    return [(header, field) for header, field in found if field in known]


def _check_crs_and_required_columns(
    gdf: gpd.GeoDataFrame, layer: str, label: str, lookalikes: list[tuple[str, str]]
) -> None:
    if gdf.crs is None:
        raise ValidationError(
            [
                Problem(
                    label,
                    "crs",
                    "missing_crs",
                    "the layer has no CRS; set it (e.g. gdf.set_crs('EPSG:4326')) or use a "
                    "file format that stores it",
                )
            ]
        )
    missing = [c.name for c in LAYER_COLUMNS[layer] if c.required and c.name not in gdf]
    if missing:
        present = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
        raise ValidationError(
            [
                Problem(
                    label,
                    column,
                    "missing_column",
                    f"required column is missing (columns present: {present or 'none'})"
                    + "".join(
                        f"; {lookalike_message(header, field)}"
                        for header, field in lookalikes
                        if field == column
                    ),
                )
                for column in missing
            ]
        )


def _normalize_ids(values: pd.Series) -> pd.Series:
    """Ids as text: 12.0 -> "12", " V1 " -> "V1", empty -> missing."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers))
        text = values.astype("string")
        text[whole] = numbers[whole].astype(np.int64).astype(str)
        return text
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _row_labels(gdf: gpd.GeoDataFrame, id_column: str) -> np.ndarray:
    """Label of each row for messages: its id, else ``row N`` (1-based)."""
    if id_column not in gdf:
        return np.char.add("row ", np.arange(1, len(gdf) + 1).astype(str)).astype(object)
    ids = _normalize_ids(gdf[id_column].reset_index(drop=True))
    labels = ids.fillna("").to_numpy(dtype=object)
    missing = np.flatnonzero(ids.isna().to_numpy())
    labels[missing] = np.char.add("row ", (missing + 1).astype(str))
    return labels


def _numbers(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values as float64 and a mask of cells that hold something that is not a number."""
    if raw.dtype == bool:
        return raw.to_numpy(dtype=float), np.zeros(len(raw), dtype=bool)
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.to_numpy(dtype=float, na_value=np.nan)  # numbers already: no text pass
        bad = np.isinf(values)
        return np.where(bad, np.nan, values), bad
    text = raw.astype("string").str.strip()
    present = text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    values = pd.to_numeric(text.where(present), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    bad = present & ~np.isfinite(values)
    return np.where(bad, np.nan, values), bad


TECHNOLOGY_SEPARATORS = r"\s*(?:/|,|;|&|\+|-|\bvà\b|\band\b)\s*"
"""What separates the technologies of one site in one cell: ``2G/3G/4G``, ``2G, 4G``,
``2G-3G-4G``, ``2G + 4G`` (a cell is split only where every part is a technology, so
``4G+``, ``LTE-A`` and ``DC-HSPA+`` stay one)."""


def _one_tower_per_technology(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Split rows of sites that list several technologies into one tower per technology.

    Provincial tower lists give a site's technologies in one cell (``2G/3G/4G``). Each
    becomes a tower ``<id>-<technology>`` at the site; a frequency cell listing as many
    values (``900/2100/1800``) gives each its own, a single value goes to none (it cannot
    say whose it is: each takes its technology's default, as a missing one would).
    """
    written = gdf["technology"].astype("string").str.split(TECHNOLOGY_SEPARATORS, regex=True)
    canonical = technologies(written.explode().fillna(""))
    known = canonical.notna().groupby(level=0).all()
    parts = canonical.groupby(level=0).unique().map(list)  # 4G/LTE names one technology
    count = parts.str.len().fillna(1).astype(int)
    several = ((count > 1) & known).to_numpy()
    gdf = _one_technology_named_twice(gdf, written, parts, known & (count == 1), label)
    if not several.any():
        return gdf
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    table["technology"] = parts.where(several, gdf["technology"].map(lambda t: [t]))
    exploded, alone = ["technology"], np.zeros(len(gdf), dtype=bool)
    if "frequency_mhz" in table:
        given = gdf["frequency_mhz"]
        split = given.astype("string").str.split(TECHNOLOGY_SEPARATORS, regex=True)
        paired = several & (split.str.len() == count).fillna(False).to_numpy()
        alone = several & ~paired
        frequency = given.map(lambda f: [f])
        frequency[paired] = split[paired]
        frequency[alone] = pd.Series([[None] * c for c in count[alone]], index=given.index[alone])
        table["frequency_mhz"] = frequency
        exploded.append("frequency_mhz")
    repeat = np.where(several, count, 1)
    table["geometry"] = gdf.geometry.to_numpy()
    table = table.explode(exploded, ignore_index=True)
    if "tower_id" in table:
        split_row = np.repeat(several, repeat)
        ids = table["tower_id"].astype("string")
        suffix = technologies(table["technology"].astype("string")).fillna("")
        table["tower_id"] = ids.where(~split_row, ids + "-" + suffix)
    sites = gdf["tower_id"].astype(str)[several] if "tower_id" in gdf else pd.Series(dtype=str)
    warnings.warn(
        str(Problem(label, "technology", "several_technologies",
                    f"{counted(int(several.sum()), 'site')} list several technologies in one "
                    f"row (e.g. "
                    f"{gdf['technology'][several].iloc[0]}): one tower per technology "
                    "(<id>-2G, <id>-4G ...)" + ("; a single frequency given for several went "
                    "to none (each takes its technology's default)" if alone.any() else ""),
                    tuple(sites))),
        MultiTechnologyWarning,
        stacklevel=3,
    )  # fmt: skip
    return gpd.GeoDataFrame(table, geometry="geometry", crs=gdf.crs)


def _one_technology_named_twice(
    gdf: gpd.GeoDataFrame, written: pd.Series, parts: pd.Series, single: pd.Series, label: str
) -> gpd.GeoDataFrame:
    """Read a cell naming one technology twice (``4G/LTE``, ``GSM/2G``) as that one, said."""
    twice = (single & (written.str.len() > 1)).fillna(False).to_numpy()
    if not twice.any():
        return gdf
    out = gdf.copy()
    out.loc[twice, "technology"] = parts[twice].str[0].to_numpy()
    sites = _row_labels(gdf, "tower_id")[twice]
    warnings.warn(
        str(Problem(label, "technology", "one_technology",
                    f"{counted(int(twice.sum()), 'cell')} naming one technology twice (e.g. "
                    f"'{gdf['technology'][twice].iloc[0]}') read as one tower of it "
                    f"({parts[twice].iloc[0][0]})", tuple(sites))),
        ConvertedCellsWarning,
        stacklevel=4,
    )  # fmt: skip
    return out


def _sectors(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Read the rows of a site listed once per sector as its sectors ``<site>-S1`` ..., said.

    Provincial lists give a site one row per sector: the same ``tower_id`` with its own
    azimuth. The rows of an id are a site's sectors when every one has an azimuth and no
    two share an azimuth and a technology; other repeated ids stay duplicates.
    """
    if "tower_id" not in gdf or "azimuth_deg" not in gdf:
        return gdf
    ids = _normalize_ids(gdf["tower_id"].reset_index(drop=True))
    repeated = ids.duplicated(keep=False) & ids.notna()
    if not repeated.any():
        return gdf
    azimuth = gdf["azimuth_deg"].reset_index(drop=True).astype("string").str.strip()
    given = "technology" in gdf
    technology = gdf["technology"].reset_index(drop=True) if given else ""
    site = ids.fillna("")  # rows without an id are never repeated
    key = pd.DataFrame({"site": site, "azimuth": azimuth, "technology": technology})
    aimed = (azimuth.notna() & (azimuth != "")).fillna(False).groupby(site).transform("all")
    twice = key.duplicated(keep=False).groupby(site).transform("any")
    sector = (repeated & aimed & ~twice).fillna(False).to_numpy(dtype=bool)
    if not sector.any():
        return gdf
    number = key[sector].groupby("site").cumcount() + 1
    out = gdf.copy()
    out.loc[out.index[sector], "tower_id"] = (ids[sector] + "-S" + number.astype(str)).to_numpy()
    sites = ids[sector].value_counts(sort=False)
    warnings.warn(
        str(Problem(label, "tower_id", "sectors",
                    f"{counted(len(sites), 'site')} listed one row per sector (one id, each "
                    f"row its own azimuth): read as one site with sectors, ids <site>-S1, "
                    f"<site>-S2 ... (e.g. {sites.index[0]}: {sites.iloc[0]} sectors)",
                    tuple(sites.index))),
        ConvertedCellsWarning,
        stacklevel=3,
    )  # fmt: skip
    return out


def _operator_names(operators: pd.Series, ids: np.ndarray, label: str) -> pd.Series:
    """Operators by name (:func:`operator_names`): each spelling read said once, others counted."""
    names, converted, unresolved = operator_names(operators)
    if converted.any():
        written = operators[converted].astype(str).str.removesuffix(".0")  # 45204 as a number
        pairs = dict(zip(written, names[converted], strict=True))
        shown = ", ".join(f"{spelling} -> {name}" for spelling, name in list(pairs.items())[:8])
        more = f" and {len(pairs) - 8} more spellings" if len(pairs) > 8 else ""
        warnings.warn(
            str(Problem(label, "operator", "operator_code",
                        f"network codes and other names read as the operators' names "
                        f"({shown}{more}), so that they match the towers' and the "
                        "measurements' operators", tuple(ids[converted]))),
            OperatorCodeWarning,
            stacklevel=3,
        )  # fmt: skip
    if unresolved.any():
        kept = pd.Series(operators[unresolved].astype(str)).value_counts()
        shown = ", ".join(f"'{spelling}' ({count})" for spelling, count in kept[:6].items())
        warnings.warn(
            str(Problem(label, "operator", "operator_unknown",
                        f"{counted(int(unresolved.sum()), 'row')} name no operator or two "
                        f"({shown}): kept as written, so they match no other file's "
                        "operator; write one of " + ", ".join(OPERATORS),
                        tuple(ids[unresolved]))),
            OperatorCodeWarning,
            stacklevel=3,
        )  # fmt: skip
    return names


def _money(
    spec: ColumnSpec, raw: pd.Series, ids: np.ndarray, label: str
) -> tuple[np.ndarray, np.ndarray]:
    """Costs read by :func:`~whitespot.data._cells.local_numbers`; ambiguous cells warned."""
    values, bad, ambiguous = local_numbers(raw)
    if ambiguous.any():
        shown = ", ".join(
            f"{t} -> {v:,.0f}"
            for t, v in zip(raw[ambiguous].astype(str)[:3], values[ambiguous][:3], strict=False)
        )
        warnings.warn(
            str(Problem(label, spec.name, "ambiguous_number",
                        f"one group of three digits after '.' or ',' read as thousands, as "
                        f"Vietnamese counts are ({shown}); write 2150, or 2,15 for a decimal, "
                        "if another value is meant", tuple(ids[ambiguous]))),
            AmbiguousNumberWarning,
            stacklevel=5,
        )  # fmt: skip
    return values, bad


def _units_read(spec: ColumnSpec, raw: pd.Series, label: str) -> pd.Series:
    """Read cells written with their unit (``85%``, ``30m``) by :func:`numbers_with_units`, said."""
    values, said = numbers_with_units(raw, spec.name)
    if said:
        warnings.warn(f"{label}: column '{spec.name}': {said}", ConvertedCellsWarning, 6)
    return values


def _column_numbers(
    spec: ColumnSpec, raw: pd.Series, ids: np.ndarray, label: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return a column's numbers (read with units, words or band codes) and its bad cells.

    Cells with a unit are read by :func:`numbers_with_units` (said once); an angle past one
    turn is turned back (:func:`_turned_back`).
    """
    raw = _units_read(spec, raw, label)
    values, bad = _money(spec, raw, ids, label) if spec.kind == "money" else _numbers(raw)
    if spec.kind == "angle":
        values = _turned_back(values, ids, spec.name, label)
    return values, bad


def _turned_back(values: np.ndarray, ids: np.ndarray, column: str, label: str) -> np.ndarray:
    """Read an angle past one turn (360 < a < 720) as a - 360, said naming the rows."""
    with np.errstate(invalid="ignore"):
        turned = (values > 360) & (values < 720)
    if not turned.any():
        return values
    warnings.warn(
        str(Problem(label, column, "angle_turned",
                    f"{counted(int(turned.sum()), 'angle')} past 360 degrees read as the "
                    f"angle one turn less (e.g. {values[turned][0]:g} -> "
                    f"{values[turned][0] - 360:g})", tuple(ids[turned]))),
        ConvertedCellsWarning,
        stacklevel=6,
    )  # fmt: skip
    return np.where(turned, values - 360, values)


def _shares(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Bool / yes-no / 0..1 cells as a share 0..1 and a mask of cells that are none of these."""
    values, bad = _numbers(raw)
    word = yes_no(raw)
    said = np.isfinite(word) & ~np.isfinite(values)
    values[said] = word[said]
    bad = (bad & ~np.isfinite(values)) | (values < 0) | (values > 1)
    return np.where(bad, np.nan, values), bad


def _normalize_column(  # noqa: PLR0911 one return per column kind
    spec: ColumnSpec, raw: pd.Series | None, ids: np.ndarray, label: str, problems: list[Problem]
) -> pd.Series:
    """Convert one column to its canonical type, appending what is wrong to `problems`."""
    size = len(ids)
    if raw is None:
        return pd.Series(index=pd.RangeIndex(size), dtype=_DTYPES[spec.kind])

    def report(mask: np.ndarray, check: str, message: str) -> None:
        if mask.any():
            problems.append(Problem(label, spec.name, check, message, tuple(ids[mask])))

    if spec.kind == "id":
        values = _normalize_ids(raw)
        report(values.isna().to_numpy() & spec.required, "missing_id", "id is missing")
        duplicated = values.duplicated(keep=False).to_numpy() & values.notna().to_numpy()
        report(duplicated, "duplicate_id", "duplicate id; every row needs its own id")
        return values
    if spec.kind == "text":  # a measured cell is a tower's id: 123.0 read from a sheet is 123
        return _normalize_ids(raw) if spec.name == "tower_id" else raw.astype("string").str.strip()
    if spec.kind == "technology":
        text = raw.astype("string").str.strip()
        values = technologies(text)
        unknown = (text.notna() & (text != "") & values.isna()).to_numpy()
        report(
            unknown,
            "unknown_technology",
            f"unknown technology (allowed: {', '.join(TECHNOLOGIES)}, or GSM, UMTS, LTE, NR)",
        )
        if spec.required:
            report(values.isna().to_numpy() & ~unknown, "missing_value", "technology is missing")
        return values
    if spec.kind == "survey":
        answers, unreadable = survey_answers(raw)
        report(unreadable, "invalid_survey", "not có/yếu/không (yes/weak/no, 1/0)")
        return pd.Series(answers, dtype="string")
    if spec.kind == "share":
        values, bad = _shares(_units_read(spec, raw, label))
        report(bad, "invalid_share", "not yes/no, true/false or a share between 0 and 1")
        return pd.Series(values, dtype=float)

    values, bad = _column_numbers(spec, raw, ids, label)
    report(bad, "not_a_number", "text where a number is needed")
    with np.errstate(invalid="ignore"):
        signed = (values < 0) if spec.kind == "count" else (values <= 0)
    reported = signed if spec.kind in ("count", "positive") else np.zeros(len(values), bool)
    _plausibility(spec, np.where(reported, np.nan, values), ids, label, problems)
    missing = ~bad & np.isnan(values)
    if spec.required:
        report(missing, "missing_value", "value is missing (NaN or empty)")
    with np.errstate(invalid="ignore"):
        if spec.kind == "count":
            report(values < 0, "negative", "negative; must be a whole number >= 0")
            report(
                (values >= 0) & (values != np.round(values)),
                "not_integer",
                "must be a whole number",
            )
            return pd.Series(values, dtype="float").round().astype("Int64")
        if spec.kind == "positive":
            report(values <= 0, "not_positive", "must be > 0")
        if spec.kind == "angle":
            report(
                (values < 0) | (values > 360),
                "out_of_range",
                "must be between 0 and 360 (one turn past 360, below 720, is read as its "
                "angle: 370 is 10)",
            )
    return pd.Series(values, dtype=float)


def _plausibility(
    spec: ColumnSpec, values: np.ndarray, ids: np.ndarray, label: str, problems: list[Problem]
) -> None:
    """Refuse impossible values and warn of unusual ones (:class:`ColumnSpec` ranges)."""
    impossible, unusual = plausibility_masks(spec, values)
    if impossible.any():
        problems.append(Problem(label, spec.name, "implausible",
                                implausible_message(spec, values[impossible]),
                                tuple(ids[impossible])))  # fmt: skip
    if unusual.any():
        warnings.warn(
            str(Problem(label, spec.name, "unusual", unusual_message(spec, values[unusual]),
                        tuple(ids[unusual]))),
            ImplausibleValueWarning,
            stacklevel=4,
        )  # fmt: skip


_DTYPES = {
    "id": "string",
    "text": "string",
    "technology": "string",
    "count": "Int64",
    "number": "float64",
    "money": "float64",
    "positive": "float64",
    "angle": "float64",
    "share": "float64",
    "survey": "string",
}


def _geometry_problems(
    geometry: gpd.GeoSeries, layer: str, label: str, ids: np.ndarray, region: Region
) -> list[Problem]:
    problems = []

    def report(mask: np.ndarray, check: str, message: str) -> None:
        if mask.any():
            problems.append(Problem(label, "geometry", check, message, tuple(ids[mask])))

    empty = (geometry.isna() | geometry.is_empty).to_numpy()
    report(
        empty,
        "empty_geometry",
        "geometry is missing or empty (in a table: lon/lat missing or not a number)",
    )
    allowed = GEOMETRY_TYPES[layer]
    wrong_type = ~empty & ~geometry.geom_type.isin(allowed).to_numpy()
    report(wrong_type, "geometry_type", f"geometry must be {' or '.join(allowed)}")
    usable = ~empty & ~wrong_type
    invalid = usable & ~shapely.is_valid(geometry.to_numpy())
    if invalid.any():
        reason = shapely.is_valid_reason(geometry.to_numpy()[invalid][0])
        report(
            invalid,
            "invalid_geometry",
            f"invalid geometry (first: {reason}); repair it, e.g. with shapely.make_valid",
        )
    usable &= ~invalid
    if usable.any():
        problems += _coordinate_problems(geometry, usable, label, ids, region)
    return problems


def _coordinate_problems(
    geometry: gpd.GeoSeries, usable: np.ndarray, label: str, ids: np.ndarray, region: Region
) -> list[Problem]:
    """Report swapped, out-of-range and out-of-region coordinates of the usable rows."""
    shapes = geometry.to_numpy()[usable]
    points = shapes.copy()  # a point stands for itself; other shapes by a point on them
    shaped = shapely.get_type_id(shapes) != shapely.GeometryType.POINT
    points[shaped] = shapely.point_on_surface(shapes[shaped])
    x, y = shapely.get_x(points), shapely.get_y(points)
    masks = coordinate_masks(x, y, shapely.bounds(shapes), geometry.crs, region)
    swapped, metres, out_of_range, outside = masks
    row_ids = ids[usable]
    found = [
        (
            swapped,
            "swapped_lonlat",
            "longitude and latitude look swapped (the point lies in the "
            "region only with x and y exchanged); swap the two coordinate columns",
        ),
        (
            metres,
            "coordinates_in_metres",
            "coordinates in metres, not degrees: VN-2000 X (northing) and Y (easting)? A "
            "file in whitespot's form holds lon/lat degrees (or a GeoPackage/GeoJSON its own "
            "CRS): convert them with their zone, e.g. read_layer(path, crs='EPSG:9212') with "
            "x the easting, or give the list as a department's list, whose X/Y whitespot "
            "converts with --crs or the province's zone",
        ),
        (
            out_of_range,
            "coordinates_out_of_range",
            "coordinates out of range (longitude must "
            "be within -180..180 and latitude within -90..90 degrees); check the CRS",
        ),
        (
            outside,
            "outside_region",
            f"point lies outside the plausible region {region} "
            "(lon/lat degrees); check the coordinates or pass another region",
        ),
    ]
    return [
        Problem(label, "geometry", check, message, tuple(row_ids[mask]))
        for mask, check, message in found
        if mask.any()
    ]


def coordinate_masks(
    x: np.ndarray, y: np.ndarray, bounds: np.ndarray, crs: object, region: Region
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Masks of swapped, metre, out-of-range and out-of-region coordinates.

    Parameters
    ----------
    x, y : numpy.ndarray
        A point of each shape, in `crs`.
    bounds : numpy.ndarray
        Each shape's (min x, min y, max x, max y), shape (n, 4); a point's are x, y, x, y.
    crs : pyproj.CRS
        The layer's CRS.
    region : tuple of 4 floats or None
        As :func:`validate_layer`.
    """
    if crs.is_geographic:
        lon, lat = x, y
        swap_lon, swap_lat = y, x
        in_range = (
            (bounds[:, 0] >= -180)
            & (bounds[:, 2] <= 180)
            & (bounds[:, 1] >= -90)
            & (bounds[:, 3] <= 90)
        )
    else:
        to_wgs84 = Transformer.from_crs(crs, WGS84, always_xy=True)
        with np.errstate(all="ignore"):
            lon, lat = to_wgs84.transform(x, y, errcheck=False)
            swap_lon, swap_lat = to_wgs84.transform(y, x, errcheck=False)
        in_range = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)

    def inside(lo: np.ndarray, la: np.ndarray) -> np.ndarray:
        if region is None:
            return np.ones(len(lo), dtype=bool)
        with np.errstate(invalid="ignore"):
            return (lo >= region[0]) & (lo <= region[2]) & (la >= region[1]) & (la <= region[3])

    swapped = np.zeros(len(x), dtype=bool)
    if region is not None:
        swapped = ~(in_range & inside(lon, lat)) & inside(swap_lon, swap_lat)
    metres = ~in_range & ~swapped & vn2000_metres(x, y)
    out_of_range = ~in_range & ~swapped & ~metres
    outside = in_range & ~swapped & ~inside(lon, lat)
    return swapped, metres, out_of_range, outside


def _fill_defaults(out: gpd.GeoDataFrame, specs: tuple[ColumnSpec, ...], label: str) -> None:
    """Fill defaults into missing values of optional columns, warning once per column."""
    for spec in specs:
        if spec.default is None:
            continue
        missing = out[spec.name].isna().to_numpy()
        if spec.kind == "text":
            missing = missing | (out[spec.name] == "").fillna(False).to_numpy()
        count = int(missing.sum())
        if not count:
            continue
        if spec.default == BY_TECHNOLOGY:
            per_row = out["technology"].map(
                lambda tech, name=spec.name: getattr(TECHNOLOGY_DEFAULTS[tech], name)
            )
            out.loc[missing, spec.name] = per_row[missing].astype(float)
            what = "the per-technology default of whitespot.data._schema.TECHNOLOGY_DEFAULTS"
        elif spec.default == "row number":
            out.loc[missing, spec.name] = np.char.add(
                "row", (np.flatnonzero(missing) + 1).astype(str)
            )
            what = "ids made from the row number"
        else:
            out.loc[missing, spec.name] = spec.default
            what = repr(spec.default)
        if spec.kind != "text" or spec.default != "":
            warnings.warn(
                f"{label}: column '{spec.name}' missing in {count} of {len(out)} rows; "
                f"filled with {what}",
                DefaultAppliedWarning,
                stacklevel=4,
            )
