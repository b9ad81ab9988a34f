"""Columns of every input layer, their types, and the defaults for missing optional columns.

This module is the one documented place for defaults. Whenever validation fills a default
into a layer it emits a :class:`~whitespot.data.DefaultAppliedWarning` naming the column and
the number of rows, so that no value is invented silently.

Signal quantities
-----------------
Each technology is planned on the quantity that its handsets measure and that regulators
quote: RxLev of the BCCH carrier for 2G (3GPP TS 45.008), CPICH RSCP for 3G (TS 25.215),
RSRP for 4G (TS 36.214) and SS-RSRP for 5G (TS 38.215). ``eirp_dbm`` is therefore the EIRP of
that reference signal: the whole BCCH carrier for 2G, the pilot channel for 3G and one
resource element for 4G and 5G. Received power and threshold are in the same quantity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TECHNOLOGIES: tuple[str, ...] = ("2G", "3G", "4G", "5G")
"""Radio technologies whitespot knows, oldest first."""

TECHNOLOGY_ALIASES: dict[str, str] = {
    **dict.fromkeys(["2g", "gsm", "gprs", "edge", "egprs", "2 5g", "2 75g"], "2G"),
    **dict.fromkeys(
        ["3g", "3g+", "umts", "wcdma", "hspa", "hspa+", "hsdpa", "hsupa", "hsdpa+", "dc hspa+"],
        "3G",
    ),
    **dict.fromkeys(
        ["4g", "4g+", "lte", "lte+", "lte a", "lte advanced", "lte ca", "lte a pro", "4g lte"],
        "4G",
    ),
    **dict.fromkeys(
        ["5g", "nr", "5g nr", "nr5g", "nr 5g", "5g nsa", "5g sa", "nr nsa", "nr sa", "5g+"],
        "5G",
    ),
}
"""Spellings accepted for a technology, as phones and drive-test tools write them (matched by
:func:`technology_key`: case, and `-`, `_` and spaces, do not matter), including
OpenCelliD's radio. A carrier-aggregated or non-standalone label is its technology: LTE CA
is measured on LTE's RSRP, 5G NSA on NR's SS-RSRP."""


def technology_key(label: str) -> str:
    """Fold a technology label for :data:`TECHNOLOGY_ALIASES`: lower case, `-`/`_` as spaces."""
    return " ".join(str(label).lower().replace("-", " ").replace("_", " ").split())


def technologies(labels: pd.Series) -> pd.Series:
    """Canonical technology (2G-5G) of each label; NA where missing or unknown.

    Folded (:func:`technology_key`) once per distinct label, so a million rows of a
    drive test cost as much as their few spellings.
    """
    text = labels.astype("string").str.strip()
    codes, spellings = pd.factorize(text)
    canonical = np.array(
        [TECHNOLOGY_ALIASES.get(technology_key(s)) for s in spellings] + [None], dtype=object
    )
    return pd.Series(canonical[codes], index=labels.index, dtype="string")


@dataclass(frozen=True)
class TechnologyDefaults:
    """Link-budget defaults for one technology.

    Attributes
    ----------
    frequency_mhz : float
        Carrier frequency in MHz.
    eirp_dbm : float
        EIRP of the measured reference signal in dBm (see the module notes).
    height_m : float
        Antenna height above ground in m.
    threshold_dbm : float
        Received level in dBm at or above which a place counts as covered.
    measure : str
        The quantity planned on (RxLev, RSCP, RSRP, SS-RSRP).
    source : str
        Where the values come from.
    """

    frequency_mhz: float
    eirp_dbm: float
    height_m: float
    threshold_dbm: float
    measure: str
    source: str


TECHNOLOGY_DEFAULTS: dict[str, TechnologyDefaults] = {
    "2G": TechnologyDefaults(
        frequency_mhz=900.0,
        eirp_dbm=55.0,
        height_m=30.0,
        threshold_dbm=-95.0,
        measure="RxLev",
        source="GSM 900 BCCH carrier 20 W (43 dBm) + 15 dBi sector - 3 dB feeder; "
        "-95 dBm outdoor RxLev planning level (3GPP TS 45.008 reference sensitivity -102 dBm "
        "plus 7 dB fading margin)",
    ),
    "3G": TechnologyDefaults(
        frequency_mhz=2100.0,
        eirp_dbm=45.0,
        height_m=30.0,
        threshold_dbm=-100.0,
        measure="RSCP",
        source="UMTS 2100 CPICH at 10% of 20 W (33 dBm) + 15 dBi - 3 dB feeder (3GPP TS 25.215); "
        "-100 dBm RSCP outdoor planning level",
    ),
    "4G": TechnologyDefaults(
        frequency_mhz=1800.0,
        eirp_dbm=27.0,
        height_m=30.0,
        threshold_dbm=-110.0,
        measure="RSRP",
        source="LTE band 3, 40 W over 1200 resource elements (20 MHz) = 15.2 dBm per RE "
        "+ 15 dBi - 3 dB feeder (3GPP TS 36.214); -110 dBm RSRP outdoor cell-edge level",
    ),
    "5G": TechnologyDefaults(
        frequency_mhz=2600.0,
        eirp_dbm=35.0,
        height_m=25.0,
        threshold_dbm=-110.0,
        measure="SS-RSRP",
        source="NR n41, 200 W over 3276 subcarriers (100 MHz, 30 kHz) = 17.8 dBm per RE "
        "+ 20 dBi beamformed - 3 dB (3GPP TS 38.215); -110 dBm SS-RSRP cell-edge level",
    ),
}
"""Per-technology link-budget defaults; override per tower with the towers' columns."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a layer.

    Attributes
    ----------
    name : str
        Column name.
    kind : str
        ``"id"`` (unique text), ``"text"``, ``"count"`` (integer >= 0), ``"number"``
        (finite float), ``"positive"`` (float > 0), ``"angle"`` (degrees 0..360),
        ``"share"`` (bool or 0..1), ``"technology"``, ``"survey"`` (yes, weak or no),
        ``"money"`` (a cost, text read as offices write it: ``2.150.000``, ``2,5``; see
        :func:`whitespot.data._cells.local_numbers`).
    required : bool
        Whether the layer is refused without it.
    default : object
        Value filled where the column or a value is missing; ``None`` leaves it missing.
        The string ``"by technology"`` takes the value from :data:`TECHNOLOGY_DEFAULTS`.
    doc : str
        What the column means, with its unit.
    possible : tuple of 2 floats, optional
        Values outside (low, high) cannot be real (a typo, a unit slip, a corrupt file):
        refused with an error naming the rows.
    usual : tuple of 2 floats, optional
        Values outside (low, high) are possible but unusual: a warning names the rows.
    """

    name: str
    kind: str
    required: bool = False
    default: object = None
    doc: str = ""
    possible: tuple[float, float] | None = None
    usual: tuple[float, float] | None = None


BY_TECHNOLOGY = "by technology"

LAYER_COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    "villages": (
        ColumnSpec("village_id", "id", required=True, doc="unique village (hamlet) id"),
        ColumnSpec(
            "households",
            "count",
            required=True,
            doc="number of households",
            possible=(0, 20_000),
            usual=(0, 2_000),
        ),
        ColumnSpec("name", "text", default="", doc="village name"),
        ColumnSpec("province_code", "text", default="", doc="post-2025 province code"),
        ColumnSpec("commune_code", "text", default="", doc="post-2025 commune code"),
        ColumnSpec(
            "population",
            "count",
            doc="number of inhabitants",
            possible=(0, 100_000),
            usual=(0, 10_000),
        ),
        ColumnSpec(
            "electrified",
            "share",
            doc="share of households with grid power, 0..1 (True = 1); missing = unknown",
        ),
        ColumnSpec(
            "survey_signal",
            "survey",
            doc="a field survey's answer to 'Có sóng?': yes, weak or no (có/yếu/không, "
            "1/0); missing = not surveyed",
        ),
    ),
    "households": (
        ColumnSpec("household_id", "id", default="row number", doc="unique household id"),
        ColumnSpec("village_id", "text", default="", doc="village the household belongs to"),
        ColumnSpec("electrified", "share", doc="has grid power; missing = unknown"),
    ),
    "towers": (
        ColumnSpec("tower_id", "id", required=True, doc="unique tower id"),
        ColumnSpec("operator", "text", default="unknown", doc="network operator"),
        ColumnSpec("technology", "technology", default="4G", doc="2G, 3G, 4G or 5G"),
        ColumnSpec(
            "frequency_mhz",
            "positive",
            default=BY_TECHNOLOGY,
            doc="carrier, MHz",
            possible=(30, 100_000),
            usual=(450, 6_000),
        ),
        ColumnSpec(
            "height_m",
            "positive",
            default=BY_TECHNOLOGY,
            doc="antenna height, m",
            possible=(0, 350),
            usual=(5, 100),
        ),
        ColumnSpec(
            "eirp_dbm",
            "number",
            default=BY_TECHNOLOGY,
            doc="reference-signal EIRP, dBm",
            possible=(-20, 90),
            usual=(10, 70),
        ),
        ColumnSpec(
            "azimuth_deg", "angle", doc="sector azimuth, degrees from north; missing = omni"
        ),
        ColumnSpec("beamwidth_deg", "positive", doc="sector -3 dB beamwidth, degrees"),
        ColumnSpec("power_source", "text", default="", doc="grid, solar, diesel ..."),
    ),
    "grid": (
        ColumnSpec("line_id", "id", default="row number", doc="unique line id"),
        ColumnSpec(
            "voltage_kv", "positive", doc="line voltage, kV", possible=(0, 1_200), usual=(0.2, 500)
        ),
    ),
    "candidates": (
        ColumnSpec("site_id", "id", required=True, doc="unique candidate site id"),
        ColumnSpec(
            "height_m",
            "positive",
            default=30.0,
            doc="planned antenna height, m",
            possible=(0, 350),
            usual=(5, 100),
        ),
        ColumnSpec(
            "capex",
            "money",
            doc="site construction cost (currency of the plan)",
            possible=(0, float("inf")),
        ),
    ),
    "measurements": (
        ColumnSpec("measurement_id", "id", default="row number", doc="unique measurement id"),
        ColumnSpec(
            "signal_dbm",
            "number",
            required=True,
            doc="measured level in the technology's planning quantity (RxLev, RSCP, RSRP, "
            "SS-RSRP), dBm",
            possible=(-156, -20),
            usual=(-140, -40),
        ),
        ColumnSpec("technology", "technology", required=True, doc="2G, 3G, 4G or 5G"),
        ColumnSpec("operator", "text", default="unknown", doc="network operator"),
        ColumnSpec(
            "tower_id",
            "text",
            doc="serving tower (cell) id as in the towers layer; missing = the predicted "
            "best server",
        ),
        ColumnSpec("time", "text", doc="when the level was measured"),
    ),
}
"""Columns per layer. Columns not listed are kept as they are."""

COLUMN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "villages": {
        "survey_signal": (
            "has_signal",
            "có sóng",
            "có sóng?",
            "có sóng di động",
            "sóng",
            "sóng di động",
            "tình trạng sóng khảo sát",
            "khảo sát sóng",
            "signal",
            "coverage",
            "survey",
        ),
    },
    "towers": {
        "tower_id": ("mã trạm", "mã trạm bts", "site id", "site", "cell id", "enodeb id"),
        "operator": ("nhà mạng", "doanh nghiệp", "mạng", "operator name", "network", "mno"),
        "technology": ("công nghệ", "radio", "rat", "tech", "network type"),
        "frequency_mhz": (
            "frequency",
            "băng tần",
            "băng tần mhz",
            "tần số",
            "tần số mhz",
            "band mhz",
            "freq mhz",
        ),
        "height_m": (
            "height",
            "antenna height",
            "độ cao anten",
            "độ cao anten m",
            "độ cao ăng ten",
            "chiều cao anten",
            "chiều cao cột",
            "độ cao",
        ),
        "azimuth_deg": ("azimuth", "góc phương vị", "hướng anten"),
        "eirp_dbm": ("eirp", "eirp dbm"),
    },
    "measurements": {
        "signal_dbm": (
            "rsrp",
            "rscp",
            "rxlev",
            "ss rsrp",
            "rsrp dbm",
            "rscp dbm",
            "rxlev dbm",
            "level",
            "level dbm",
            "signal",
            "dbm",
            "rssi",
            "cường độ",
            "mức thu",
        ),
        "technology": (
            "radio",
            "rat",
            "tech",
            "network type",
            "network tech",
            "networktech",
            "công nghệ",
        ),
        "operator": ("operator name", "operatorname", "network", "mno", "carrier", "nhà mạng"),
        "tower_id": ("cell id", "cellid", "cell", "serving cell", "site id"),
        "time": ("timestamp", "datetime", "date", "measured at", "thời gian"),
    },
}
"""Other names of a layer's columns, matched after :func:`whitespot.data._cells.normalize_text`
(case, diacritics, spaces and punctuation do not matter); the first present wins."""

PLMN_OPERATORS: dict[tuple[int, int], str] = {
    (452, 1): "MobiFone",
    (452, 2): "VinaPhone",
    (452, 4): "Viettel",
    (452, 5): "Vietnamobile",
    (452, 7): "Gmobile",
    (452, 8): "Viettel",
    (452, 9): "Itel",
}
"""Operator names by network code (MCC, MNC) for Viet Nam (ITU-T E.212 list).

OpenCelliD exports and phone apps (G-NetTrack's ``Operator``: ``45204``) name operators by
code; towers and measurements are matched by name."""
PLMN_NAMES: dict[str, str] = {f"{mcc}-{mnc}": name for (mcc, mnc), name in PLMN_OPERATORS.items()}
"""The same names by the code as text, ``"452-4"`` (MNC without its leading zero)."""


OPERATORS: dict[str, tuple[str, ...]] = {
    "Viettel": ("viettel", "vietel", "vtl", "viettel telecom", "viettel mobile"),
    "VinaPhone": ("vinaphone", "vina", "vnpt", "vnp", "vina phone", "vnpt vinaphone"),
    "MobiFone": ("mobifone", "mobi", "mbf", "mobiphone", "mobi fone"),
    "Vietnamobile": ("vietnamobile", "vnmb", "vietnam mobile", "vietnammobile"),
    "Gmobile": ("gmobile", "beeline"),
    "Itel": ("itel",),
}
"""Each operator's names and short names (after :func:`whitespot.data._cells.normalize_text`),
as offices and phones write them. A cell that contains exactly one operator's words,
whatever stands around them (``Tập đoàn Viettel``, ``VNPT Quảng Trị``, ``Mobifone 3G``,
``VN VINAPHONE``, ``Tổng công ty Viễn thông MobiFone``), is that operator; a cell naming
two (``Viettel/MobiFone``, a shared mast) or none is kept as written and counted. VNPT's
mobile network is VinaPhone; Gmobile was Beeline's. Network codes: :data:`PLMN_OPERATORS`."""

OPERATOR_SYNONYMS: dict[str, str] = {
    word: name for name, words in OPERATORS.items() for word in words
}
"""The operator of each word of :data:`OPERATORS`."""


GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "villages": ("Point", "Polygon", "MultiPolygon"),
    "households": ("Point",),
    "towers": ("Point",),
    "grid": ("LineString", "MultiLineString"),
    "candidates": ("Point",),
    "measurements": ("Point",),
}
"""Geometry types each layer accepts."""

ID_COLUMNS: dict[str, str] = {
    layer: next(c.name for c in cols if c.kind == "id") for layer, cols in LAYER_COLUMNS.items()
}
"""The id column of each layer."""

LAYERS: tuple[str, ...] = tuple(LAYER_COLUMNS)
"""Vector layer names."""

VIETNAM_BBOX: tuple[float, float, float, float] = (102.0, 6.0, 118.0, 24.0)
"""Plausible region (min lon, min lat, max lon, max lat) in degrees: Viet Nam with its seas
and islands. Rows outside it are refused unless the caller passes another region."""


def plausibility_masks(spec: ColumnSpec, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose value is impossible, and rows whose value is possible but unusual.

    Parameters
    ----------
    spec : ColumnSpec
        The column, with its ``possible`` and ``usual`` ranges (either may be None).
    values : numpy.ndarray
        Values as floats, NaN where missing (missing values are neither).
    """
    values = np.asarray(values, dtype=float)
    known = np.isfinite(values)
    impossible = np.zeros(len(values), dtype=bool)
    unusual = np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        if spec.possible is not None:
            low, high = spec.possible
            impossible = known & ((values < low) | (values > high))
        if spec.usual is not None:
            low, high = spec.usual
            unusual = known & ~impossible & ((values < low) | (values > high))
    return impossible, unusual


def implausible_message(spec: ColumnSpec, found: np.ndarray) -> str:
    """Say why values of a column cannot be real."""
    low, high = spec.possible
    shown = ", ".join(f"{v:,.6g}" for v in np.unique(found)[:5])
    return (f"{shown}: impossible for {spec.doc} (possible {low:,g}..{high:,g}); a typo, a unit "
            "slip or a corrupt file?")  # fmt: skip


def unusual_message(spec: ColumnSpec, found: np.ndarray) -> str:
    """Say that values of a column are possible but unusual."""
    low, high = spec.usual
    shown = ", ".join(f"{v:,.6g}" for v in np.unique(found)[:5])
    return f"{shown}: unusual for {spec.doc} (usually {low:,g}..{high:,g}); check them"


def column_spec(layer: str, column: str) -> ColumnSpec:
    """Return the :class:`ColumnSpec` of a layer's column."""
    return next(spec for spec in LAYER_COLUMNS[layer] if spec.name == column)
