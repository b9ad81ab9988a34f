"""Colours and sizes of the maps, in one place."""

from __future__ import annotations

import numpy as np

GAP_COLOURS = {
    "ok": "#2e7d32",
    "no_signal": "#c62828",
    "no_power": "#f9a825",
    "no_signal_no_power": "#6a1b9a",
    "beyond_model_range": "#78909c",
}
"""Village colour by gap type."""

GAP_LABELS = {
    "ok": "signal and power",
    "no_signal": "no signal",
    "no_power": "no power",
    "no_signal_no_power": "no signal, no power",
    "beyond_model_range": "beyond the model's range (not judged)",
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


RESIDUAL_RANGE_DB = (-20.0, 20.0)
"""Colour scale of measured minus predicted level, dB."""
RESIDUAL_COLOURS = ("#b2182b", "#ef8a62", "#f7f7f7", "#67a9cf", "#2166ac")
"""Diverging stops: red where the measurements are weaker than predicted (the model is
optimistic), blue where they are stronger (pessimistic)."""

CHECK_COLOUR = "#d81b60"
"""Ring around villages whose survey or measurements contradict the prediction."""


def colour_ramp(
    values: np.ndarray, low: float, high: float, colours: tuple[str, ...] = SIGNAL_COLOURS
) -> np.ndarray:
    """RGBA bytes (..., 4) for values on a colour scale (default the signal's); NaN clear."""
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], float)
    position = np.clip((values - low) / (high - low), 0.0, 1.0) * (len(stops) - 1)
    lower = np.clip(np.floor(np.nan_to_num(position)).astype(int), 0, len(stops) - 2)
    fraction = np.nan_to_num(position) - lower
    rgb = stops[lower] * (1 - fraction[..., None]) + stops[lower + 1] * fraction[..., None]
    alpha = np.where(np.isnan(values), 0, 170)
    return np.concatenate([rgb, alpha[..., None]], axis=-1).astype(np.uint8)


def hex_colours(
    values: np.ndarray, low: float, high: float, colours: tuple[str, ...] = SIGNAL_COLOURS
) -> np.ndarray:
    """``#rrggbb`` per value on a colour scale (NaN grey)."""
    rgb = colour_ramp(np.asarray(values, dtype=float), low, high, colours)[..., :3]
    text = np.array([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()], dtype=object)
    return np.where(np.isnan(values), "#9e9e9e", text)
