"""The one vocabulary of statuses: every layer writes and reads these typed values.

Sentences in either language are rendered from these values and the gap list's fields
(:mod:`whitespot.data._labels` translates them), never parsed back.
"""

from __future__ import annotations

BEYOND_MODEL_RANGE = "beyond_model_range"
"""Signal status (and gap type) of a village that no tower covers within the model's
validity distance but that the model, continued past it, would call covered or weak: a
validity limit, not a prediction, would put it on the list, so it is counted apart and
decided by the field (a survey or measurements), a longer-range model or
``--extrapolate``."""

SIGNAL_STATUSES = ("covered", "weak", "none", "unknown", BEYOND_MODEL_RANGE)
"""covered: the share of covered households meets the rule; weak: some households are
within the weak band below the threshold; none: no usable signal; unknown: the village has
no usable location, so its signal was not predicted; beyond_model_range: see
:data:`BEYOND_MODEL_RANGE`."""

POWER_STATUSES = ("ok", "none", "unknown")
"""ok: electrified (or near the grid); none: below the electrified share (or far from the
grid when the share is unknown); unknown: neither the share nor the grid distance is known."""

LOCATION_UNKNOWN = "location_unknown"
"""Gap type of a village whose coordinates are missing, unreadable or outside Viet Nam:
listed in every output, but its signal cannot be predicted."""

GAP_TYPES = (
    "ok",
    "no_signal",
    "no_power",
    "no_signal_no_power",
    LOCATION_UNKNOWN,
    BEYOND_MODEL_RANGE,
)
"""What puts a village on the gap list (``ok``: nothing). A village beyond the model's range
with no power is ``no_power`` (its signal status says the rest)."""

ADMIN_STATUSES = (
    "matched",
    "matched_new_units",
    "matched_approximate",
    "split_by_location",
    "split_unresolved",
    "admin_unmatched",
    "code_given",
    "code_disagrees",
    "code_unknown",
)
"""How a row got its post-2025 commune: converted from old names; already named in new
units; matched to a commune whose name differs from the one typed (the converter matches
loosely: check it); an old commune split between new ones, decided by the village's location in the
commune boundaries; split without boundaries to decide (the converter's default is
written and flagged); names not found (the closest candidates are listed); the file's own
commune code, kept (and its names agree or there are none); the file's own code, kept,
though its names convert to another commune; the file's own code, kept, though neither
package knows it."""

PROGRESS_STATUSES = (
    "closed",
    "still_open",
    "reopened",
    "newly_found",
    "covered",
    "added_covered",
    "location_unknown",
    BEYOND_MODEL_RANGE,
    "not_in_current",
)
"""closed: a gap before, covered now; still_open: a gap both times; reopened: covered before,
a gap now; newly_found: not in the previous list, a gap now; covered: no gap either time;
added_covered: new in the list, no gap; location_unknown: no usable coordinates now;
beyond_model_range: its signal now lies beyond the model's validity distance (not judged,
neither closed nor open); not_in_current: in the previous list only (listed, never dropped)."""

MATCH_METHODS = ("id", "name", "location", "same_row", "none")

SEVERITIES = ("error", "warning", "info")
"""error: the value cannot be used; warning: a value was read with a guess or changed;
info: a row that holds no village was skipped, or a value was converted."""

TRUE_WORDS = frozenset(
    ["true", "yes", "y", "1", "x", "co", "da co", "co dien", "co dien luoi", "da co dien"]
)
"""Cells read as yes (after :func:`whitespot.data._cells.normalize_text`: Có, Đã có ...)."""

FALSE_WORDS = frozenset(
    ["false", "no", "n", "0", "khong", "chua", "chua co", "khong co", "chua co dien"]
)
"""Cells read as no (after :func:`whitespot.data._cells.normalize_text`: Không, Chưa có ...)."""

SURVEY_ANSWERS = ("yes", "weak", "no")
"""A field survey's answer to "Có sóng?" (is there signal?): yes, weak, no."""

WEAK_WORDS = frozenset(["yeu", "song yeu", "weak", "kem", "chap chon", "khong on dinh"])
"""Cells read as weak signal (after :func:`whitespot.data._cells.normalize_text`: Yếu ...)."""

SIGNAL_WORDS = frozenset(["co song", "song tot", "tot", "good", "ok", "signal"])
"""Cells read as yes beyond :data:`TRUE_WORDS` (Có sóng, Sóng tốt ...)."""

NO_SIGNAL_WORDS = frozenset(["khong song", "khong co song", "mat song", "none", "no signal"])
"""Cells read as no beyond :data:`FALSE_WORDS` (Không có sóng, Mất sóng ...)."""
