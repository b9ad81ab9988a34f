"""Colours and sizes of the maps, in one place."""

from __future__ import annotations

import numpy as np

GAP_COLOURS = {
    "ok": "#2e7d32",
    "no_signal": "#c62828",
    "no_power": "#f9a825",
    "no_signal_no_power": "#6a1b9a",
}
"""Village colour by gap type."""

GAP_LABELS = {
    "ok": "signal and power",
    "no_signal": "no signal",
    "no_power": "no power",
    "no_signal_no_power": "no signal, no power",
}

OPERATOR_COLOURS = ("#1565c0", "#ef6c00", "#00838f", "#ad1457", "#558b2f", "#4e342e")
"""Tower colours, given to operators in alphabetical order."""

SIGNAL_RANGE_DBM = (-130.0, -60.0)
"""Colour scale of the best-signal overlay, dBm."""
SIGNAL_COLOURS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
"""Viridis stops from weak to strong signal."""


def village_radius(households: np.ndarray) -> np.ndarray:
    """Marker radius in pixels: grows with the square root of households, 3 to 18 px."""
    return np.clip(3.0 + np.sqrt(np.asarray(households, dtype=float)) * 0.8, 3.0, 18.0)


def colour_ramp(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """RGBA bytes (..., 4) for values on the signal scale; NaN is transparent."""
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in SIGNAL_COLOURS], float)
    position = np.clip((values - low) / (high - low), 0.0, 1.0) * (len(stops) - 1)
    lower = np.clip(np.floor(np.nan_to_num(position)).astype(int), 0, len(stops) - 2)
    fraction = np.nan_to_num(position) - lower
    rgb = stops[lower] * (1 - fraction[..., None]) + stops[lower + 1] * fraction[..., None]
    alpha = np.where(np.isnan(values), 0, 170)
    return np.concatenate([rgb, alpha[..., None]], axis=-1).astype(np.uint8)
