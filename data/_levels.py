"""Measured levels as phones and drive-test tools write them: read, then screened.

Phone apps export drive tests in their own ways: NetMonster writes each technology's level
in its own column (``RSSI`` for 2G, ``RSCP`` for 3G, ``RSRP`` for 4G and 5G), CellMapper a
``Network`` column of technologies (``GSM``, ``LTE``), OpenCelliD the operator as network
codes (``mcc``, ``net``), G-NetTrack a row with an empty level and ``NetworkTech`` ``NONE``
where the phone found no network, and spreadsheets ``-95 dBm`` or ``-95,5``. Each is read
(:func:`read_phone_columns`, :func:`read_level_text`, :func:`mark_no_service`) and said once.

A level column may then hold what is not a received level at all (RSRQ or SINR exported
under a level header, for the whole file or for one technology's rows; LTE's wideband RSSI,
about 28 dB above its RSRP at 20 MHz), or a few rows no handset can report among many good
ones. The first are refused with what the column looks like; the second are dropped with
their count and ids, and the file is refused only when most of its rows are impossible.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from whitespot.data._cells import normalize_text, operator_names, yes_no
from whitespot.data._labels import counted
from whitespot.data._problems import (
    ImplausibleValueWarning,
    PhoneExportWarning,
    Problem,
    ValidationError,
)
from whitespot.data._schema import COLUMN_ALIASES, LAYER_COLUMNS, TECHNOLOGIES, technologies

LEVEL_SPEC = next(c for c in LAYER_COLUMNS["measurements"] if c.name == "signal_dbm")
"""The level column: its possible range (3GPP's reporting ranges, extended RSRP to -156
dBm) and its usual one."""
LOOKALIKES = {
    "RSRQ": ((-20.0, -3.0), "a reference-signal quality (RSRQ, dB), not a received level"),
    "SINR": ((0.0, 30.0), "a signal-to-noise ratio (SINR or SNR, dB), not a received level"),
}
"""Ranges where a column of values is another quantity, and what it then is."""
LOOKALIKE_SHARE = 0.5
"""A level column with more than this share of its values in a lookalike range is refused
(of the whole file's, or of one technology's)."""
LOOKALIKE_MIN_ROWS = 10
"""One technology's rows are judged on their own from this many on."""
WIDEBAND_HEADERS = frozenset({"rssi", "rssi dbm", "lte rssi"})
"""Headers of a wideband power: for 2G and 3G a level (RxLev is an RSSI), for 4G and 5G
not (their planning quantity is the per-resource-element RSRP)."""

LEVEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "2G": ("rxlev", "rxlev dbm", "rssi", "rssi dbm", "gsm rssi"),
    "3G": ("rscp", "rscp dbm"),
    "4G": ("rsrp", "rsrp dbm", "lte rsrp"),
    "5G": ("ss rsrp", "ss rsrp dbm", "nr rsrp", "nr ss rsrp", "rsrp", "rsrp dbm"),
}
"""Headers of each technology's planning quantity when an app writes one column per
technology (after :func:`~whitespot.data._cells.normalize_text`; the first present wins):
a 2G row's level is its RxLev (an RSSI), a 3G row's its RSCP, a 4G row's its RSRP and a 5G
row's its SS-RSRP, never the wideband RSSI of an LTE or NR row."""
NO_SERVICE = frozenset(
    {"none", "-", "--", "no service", "no_service", "noservice", "no signal", "nosignal",
     "out of service", "emergency only", "emergency calls only", "mất sóng", "không có sóng"}
)  # fmt: skip
"""Technology cells (case-folded) of a row where the phone found no network, when its
level is empty: a no-service sample."""
NO_SERVICE_COLUMN = "no_service"
"""Column of the validated measurements that marks no-service samples (True), present only
when the file has some; their ``signal_dbm`` is NaN and their ``technology`` missing."""
LEVEL_TEXT = re.compile(r"\s*([-+\u2212]?\d+(?:[.,]\d+)?)\s*(dbm|db)?\s*", re.IGNORECASE)
"""A level as spreadsheets and apps write it: ``-95``, ``-95,5``, ``-95 dBm``; ``dB``
marks a ratio (RSRQ, SINR), not a level."""


def read_phone_columns(
    gdf: gpd.GeoDataFrame, label: str, columns: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """Read the columns a phone app writes its own way, before columns are named.

    A ``Network`` (or other operator alias) column that holds technologies (CellMapper:
    ``GSM``, ``LTE``) is the technology, not the operator; OpenCelliD's ``mcc`` and
    ``net`` (or ``mnc``) give the operator by network code where no column names it; and
    with one level column per technology (NetMonster: ``RSSI``, ``RSCP``, ``RSRP``) each
    row's level comes from its own technology's column. Each is said once
    (:class:`~whitespot.data.PhoneExportWarning`); headers the user's `columns` name are
    left as they are.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Measurements as read, with the file's headers.
    label : str
        The layer's name for messages (its file).
    columns : mapping of column -> header
        The user's headers (they win).

    Returns
    -------
    geopandas.GeoDataFrame
        `gdf` with a ``technology``, ``operator`` or ``signal_dbm`` column made where the
        file gives them so; the per-technology level columns are kept renamed
        ``<header> (as read)``.
    """
    said = []
    by_text = {normalize_text(c): c for c in gdf.columns if c != gdf.geometry.name}
    aliases = COLUMN_ALIASES["measurements"]
    technology = _first(by_text, ("technology", *aliases["technology"]))
    if "technology" not in columns and "operator" not in columns:
        for key in aliases["operator"]:
            header = by_text.get(normalize_text(key))
            if header is None or not _holds_technologies(gdf[header]):
                continue
            read = "read as the technology"
            if technology is not None:
                read = f"not read (the technology is in {technology!r})"
            target = "technology" if technology is None else f"{header} (as read)"
            gdf = gdf.rename(columns={header: target})
            technology = technology or "technology"
            said.append(f"column {header!r} holds technologies, not operators: {read}")
            by_text = {normalize_text(c): c for c in gdf.columns if c != gdf.geometry.name}
    mcc, net = by_text.get("mcc"), _first(by_text, ("net", "mnc"))
    operator = _first(by_text, ("operator", *aliases["operator"]))
    if mcc is not None and net is not None and operator is None and "operator" not in columns:
        codes = pd.DataFrame(
            {"mcc": pd.to_numeric(gdf[mcc], errors="coerce"),
             "mnc": pd.to_numeric(gdf[net], errors="coerce")}
        ).astype("Int64")  # fmt: skip
        gdf = gdf.assign(
            operator=(codes["mcc"].astype("string") + codes["mnc"].map("{:02d}".format, "ignore"))
        )
        said.append(f"the operator read from the network codes {mcc!r} and {net!r}")
    if "signal_dbm" not in columns and technology is not None:
        gdf, per_technology = _levels_per_technology(gdf, gdf[technology], by_text)
        if per_technology:
            said.append("each row's level read from its technology's column: " + per_technology)
    if said:
        warnings.warn(f"{label}: " + "; ".join(said), PhoneExportWarning, stacklevel=3)
    return gdf


def _first(by_text: Mapping[str, object], names: tuple[str, ...]) -> object | None:
    """Return the first header present among `names` (normalized), else None."""
    return next((by_text[k] for k in map(normalize_text, names) if k in by_text), None)


def _holds_technologies(values: pd.Series) -> bool:
    """Whether most of a column's filled cells name a technology (GSM, LTE, 4G ...)."""
    text = values.astype("string").str.strip()
    filled = text.notna() & (text != "")
    return bool(filled.any()) and technologies(text[filled]).notna().mean() > 0.5


def _levels_per_technology(
    gdf: gpd.GeoDataFrame, technology: pd.Series, by_text: Mapping[str, object]
) -> tuple[gpd.GeoDataFrame, str]:
    """Each row's level from its technology's column, when the file has one per technology."""
    headers = {tech: _first(by_text, names) for tech, names in LEVEL_COLUMNS.items()}
    if len({h for h in headers.values() if h is not None}) < 2:
        return gdf, ""
    tech = technologies(technology).to_numpy(dtype=object, na_value=None)
    sources = {h for h in headers.values() if h is not None}
    numeric = all(pd.api.types.is_numeric_dtype(gdf[h]) for h in sources)
    level = np.full(len(gdf), np.nan) if numeric else np.full(len(gdf), None, dtype=object)
    read = []
    for name, header in headers.items():
        rows = tech == name
        if header is not None and rows.any():
            level[rows] = gdf[header].to_numpy()[rows]
            read.append(f"{name} from {header!r} ({counted(int(rows.sum()), 'row')})")
    gdf = gdf.rename(columns={h: f"{h} (as read)" for h in sources})
    return gdf.assign(signal_dbm=level), ", ".join(read)


def read_level_text(gdf: gpd.GeoDataFrame, label: str, header: str) -> gpd.GeoDataFrame:
    """Read levels written with their unit or a decimal comma as numbers, dBm.

    ``-95 dBm``, ``-95,5`` and ``-95,5 dBm`` are -95 and -95.5 dBm (a level is never in
    thousands, so its comma is a decimal mark), said once. Values in ``dB`` are ratios:
    when they are most of the column it is refused, naming the quantity it likely holds.

    Raises
    ------
    ValidationError
        When most filled cells are in dB (RSRQ, SINR), naming the column and the rows.
    """
    raw = gdf["signal_dbm"]
    if pd.api.types.is_numeric_dtype(raw):
        return gdf
    text = raw.astype("string").str.strip()
    parts = text.str.fullmatch(LEVEL_TEXT.pattern, case=False).fillna(False)
    found = text.where(parts).str.extract(LEVEL_TEXT.pattern, flags=re.IGNORECASE)
    unit = found[1].str.lower()
    marks = found[0].str.contains(",|\u2212", regex=True)  # decimal comma, Unicode minus
    written = parts & (unit.notna() | marks).fillna(False)
    ratios = (unit == "db").fillna(False).to_numpy()
    filled = (text.notna() & (text != "")).to_numpy()
    if ratios.sum() * 2 > filled.sum():
        values = pd.to_numeric(found[0].str.replace(",", "."), errors="coerce").to_numpy(float)
        quantity = _quantity_of(values[ratios])
        raise ValidationError(
            [Problem(label, "signal_dbm", "not_a_level",
                     f"column {header!r}: {ratios.sum():,} of {filled.sum():,} values are "
                     f"in dB, not dBm: {quantity}; give the RSRP / RSCP / RxLev column "
                     "(--columns signal_dbm=...)", tuple(_ids(gdf)[ratios]))]
        )  # fmt: skip
    written = written.to_numpy() & ~ratios
    if not written.any():
        return gdf
    number = found[0].str.replace(",", ".", regex=False).str.replace("\u2212", "-", regex=False)
    example = text[written].iloc[0]
    warnings.warn(
        f"{label}: column {header!r}: {counted(int(written.sum()), 'level')} written with "
        f"their unit or a decimal comma ('{example}') read as numbers, dBm",
        PhoneExportWarning,
        stacklevel=3,
    )
    return gdf.assign(signal_dbm=raw.where(~written, number).to_numpy())


def _quantity_of(values: np.ndarray) -> str:
    """Say what a column of ratios (dB) most likely holds, by the range most values lie in."""
    for _name, ((low, high), what) in LOOKALIKES.items():
        if np.mean((values >= low) & (values <= high)) > LOOKALIKE_SHARE:
            return f"this looks like {what}"
    return "a ratio (RSRQ, Ec/No, SINR), not a received level"


def mark_no_service(gdf: gpd.GeoDataFrame, label: str, level: np.ndarray) -> gpd.GeoDataFrame:
    """Mark rows where the phone found no network: an empty level and no technology.

    A row whose level is empty and whose technology cell says there was no network
    (:data:`NO_SERVICE`: ``NONE``, ``-``, ``No service``) is a no-service sample: evidence
    that the phone's operator has no signal there, not an error. It is kept, counted in a
    :class:`~whitespot.data.PhoneExportWarning`, and marked in :data:`NO_SERVICE_COLUMN`.

    Parameters
    ----------
    level : numpy.ndarray
        The level column read as numbers, dBm (NaN where empty).
    """
    tech = gdf["technology"] if "technology" in gdf else pd.Series("", index=gdf.index)
    said = tech.astype("string").str.strip().str.casefold().isin(NO_SERVICE).to_numpy()
    if NO_SERVICE_COLUMN in gdf:  # validated before
        said = said | (yes_no(gdf[NO_SERVICE_COLUMN].reset_index(drop=True)) == 1)
    level_text = gdf["signal_dbm"].astype("string").str.strip().fillna("")
    empty = np.isnan(level) & (level_text == "").to_numpy()
    no_service = said & empty
    if not no_service.any():
        return gdf.drop(columns=NO_SERVICE_COLUMN, errors="ignore")
    shown = ", ".join(pd.unique(tech[no_service].astype("string").fillna("(empty)"))[:4])
    warnings.warn(
        f"{label}: {counted(int(no_service.sum()), 'row')} where the phone found no network "
        f"(empty level, technology {shown}) kept as no-service samples: evidence of no "
        "signal of their operator, never compared with the model",
        PhoneExportWarning,
        stacklevel=3,
    )
    return gdf.assign(**{NO_SERVICE_COLUMN: no_service})


def stand_in_for_no_service(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """No-service rows with a stand-in level and technology for the column checks."""
    if NO_SERVICE_COLUMN not in gdf:
        return gdf
    rows = gdf[NO_SERVICE_COLUMN].to_numpy(dtype=bool)
    level = gdf["signal_dbm"].astype(object).where(~rows, -100.0)
    tech = gdf["technology"].astype(object).where(~rows, TECHNOLOGIES[0])
    return gdf.assign(signal_dbm=level.to_numpy(), technology=tech.to_numpy())


def no_service_restored(out: gpd.GeoDataFrame, gdf: gpd.GeoDataFrame, label: str) -> None:
    """Put the no-service rows back as they are: no level, no technology, marked.

    A phone out of service often logs no operator (G-NetTrack's ``Operatorname`` is
    empty): where the file's other rows name one operator only, its no-service rows
    without one are that phone's, said once.
    """
    if NO_SERVICE_COLUMN not in gdf:
        return
    rows = gdf[NO_SERVICE_COLUMN].to_numpy(dtype=bool)
    out["signal_dbm"] = out["signal_dbm"].mask(rows)
    out["technology"] = out["technology"].mask(rows)
    out[NO_SERVICE_COLUMN] = rows
    operator = out["operator"].astype("string").str.strip().replace("", pd.NA)
    named = operator_names(operator[~rows].dropna().drop_duplicates())[0].unique()
    nameless = rows & operator.isna().to_numpy()
    if len(named) == 1 and nameless.any():
        out.loc[nameless, "operator"] = named[0]
        warnings.warn(
            f"{label}: {counted(int(nameless.sum()), 'no-service row')} without an operator "
            f"taken as the phone's: {named[0]}, the only operator of the file's other rows",
            PhoneExportWarning,
            stacklevel=3,
        )


def screen_levels(
    gdf: gpd.GeoDataFrame, label: str, header: str, level: np.ndarray
) -> gpd.GeoDataFrame:
    """Refuse a level column that is not a level; drop the few impossible rows, with a warning.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Measurements with canonical column names (``signal_dbm``, ``technology``).
    label : str
        The layer's name for messages (its file).
    header : str
        The level column's header in the file (``RSSI``, ``RSRP`` ...).
    level : numpy.ndarray
        The level column read as numbers by the layer's own parser, dBm (NaN where
        missing or not a number: the column check names those).

    Returns
    -------
    geopandas.GeoDataFrame
        `gdf` without the impossible rows (when they are fewer than half).

    Raises
    ------
    ValidationError
        When most values look like RSRQ or SINR, or when 4G/5G rows come from an RSSI
        column, naming the column and the rows.

    Warns
    -----
    ImplausibleValueWarning
        With the count and ids of the rows dropped.
    """
    known = np.isfinite(level)
    ids = _ids(gdf)
    for rows, whose in _level_groups(gdf, known):
        for name, ((low, high), what) in LOOKALIKES.items():
            inside = rows & (level >= low) & (level <= high)
            if inside.sum() > LOOKALIKE_SHARE * rows.sum():
                raise ValidationError(
                    [
                        Problem(
                            label,
                            "signal_dbm",
                            "not_a_level",
                            f"column {header!r}: {inside.sum():,} of {rows.sum():,} {whose}"
                            f"values lie in {low:g}..{high:g}, as {name} does: this looks like "
                            f"{what}; give the RSRP / RSCP / RxLev column "
                            "(--columns signal_dbm=...)",
                            tuple(ids[inside]),
                        )
                    ]
                )
    if normalize_text(header) in WIDEBAND_HEADERS and "technology" in gdf:
        wideband = technologies(gdf["technology"]).isin(["4G", "5G"]).to_numpy() & known
        if wideband.any():
            raise ValidationError(
                [
                    Problem(
                        label,
                        "signal_dbm",
                        "wideband_rssi",
                        f"column {header!r} holds RSSI for {wideband.sum():,} 4G/5G rows: "
                        "LTE and NR RSSI is the power over the whole channel, about RSRP + "
                        "28 dB at 20 MHz (more when loaded), not the RSRP whitespot "
                        "compares with its thresholds; give the RSRP column",
                        tuple(ids[wideband]),
                    )
                ]
            )
    low, high = LEVEL_SPEC.possible
    impossible = known & ((level < low) | (level > high))
    if not impossible.any() or impossible.sum() * 2 > known.sum():
        return gdf  # none, or most: the column check refuses the file with every row named
    if "measurement_id" not in gdf:  # ids of the file's rows, before any is dropped
        gdf = gdf.assign(measurement_id=ids)
    shown = ", ".join(map(str, ids[impossible][:10])) + (" ..." if impossible.sum() > 10 else "")
    warnings.warn(
        f"{label}: {impossible.sum():,} of {len(level):,} rows dropped: column {header!r} "
        f"outside {low:g}..{high:g} dBm, which no handset reports (ids: {shown})",
        ImplausibleValueWarning,
        stacklevel=4,
    )
    return gdf[~impossible]


def _level_groups(gdf: gpd.GeoDataFrame, known: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """Rows judged together for a lookalike quantity: the whole file, then each technology.

    An app may write a quality figure in the level column for one technology only (RSRQ
    or SINR for its LTE rows, RxLev for its GSM rows): those rows are judged on their own
    from :data:`LOOKALIKE_MIN_ROWS` rows on.
    """
    groups = [(known, "")] if known.any() else []
    if "technology" in gdf:
        tech = technologies(gdf["technology"].reset_index(drop=True)).to_numpy(
            dtype=object, na_value=""
        )
        for name in TECHNOLOGIES:
            rows = known & (tech == name)
            if rows.sum() >= LOOKALIKE_MIN_ROWS:
                groups.append((rows, f"{name} "))
    return groups


def _ids(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Measurement ids where the file has them, else row numbers (row1, row2 ...)."""
    if "measurement_id" in gdf:
        return gdf["measurement_id"].astype("string").fillna("").to_numpy(dtype=object)
    return np.array([f"row{i + 1}" for i in range(len(gdf))], dtype=object)
