"""Measured levels as phones and drive-test tools write them: screened before they are used.

A level column may hold what is not a received level at all (RSRQ or SINR exported under a
level header; LTE's wideband RSSI, about 28 dB above its RSRP at 20 MHz), or a few rows no
handset can report among many good ones. The first are refused with what the column looks
like; the second are dropped with their count and ids, and the file is refused only when
most of its rows are impossible.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np

from whitespot.data._cells import normalize_text
from whitespot.data._problems import ImplausibleValueWarning, Problem, ValidationError
from whitespot.data._schema import LAYER_COLUMNS, technologies

LEVEL_SPEC = next(c for c in LAYER_COLUMNS["measurements"] if c.name == "signal_dbm")
"""The level column: its possible range (3GPP's reporting ranges, extended RSRP to -156
dBm) and its usual one."""
LOOKALIKES = {
    "RSRQ": ((-20.0, -3.0), "a reference-signal quality (RSRQ, dB), not a received level"),
    "SINR": ((0.0, 30.0), "a signal-to-noise ratio (SINR or SNR, dB), not a received level"),
}
"""Ranges where a column of values is another quantity, and what it then is."""
LOOKALIKE_SHARE = 0.5
"""A level column with more than this share of its values in a lookalike range is refused."""
WIDEBAND_HEADERS = frozenset({"rssi", "rssi dbm", "lte rssi"})
"""Headers of a wideband power: for 2G and 3G a level (RxLev is an RSSI), for 4G and 5G
not (their planning quantity is the per-resource-element RSRP)."""


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
    if known.sum():
        for name, ((low, high), what) in LOOKALIKES.items():
            inside = known & (level >= low) & (level <= high)
            if inside.sum() > LOOKALIKE_SHARE * known.sum():
                raise ValidationError(
                    [
                        Problem(
                            label,
                            "signal_dbm",
                            "not_a_level",
                            f"column {header!r}: {inside.sum():,} of {known.sum():,} values "
                            f"lie in {low:g}..{high:g}, as {name} does: this looks like {what}; "
                            "give the RSRP / RSCP / RxLev column (--columns signal_dbm=...)",
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


def _ids(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Measurement ids where the file has them, else row numbers (row1, row2 ...)."""
    if "measurement_id" in gdf:
        return gdf["measurement_id"].astype("string").fillna("").to_numpy(dtype=object)
    return np.array([f"row{i + 1}" for i in range(len(gdf))], dtype=object)
