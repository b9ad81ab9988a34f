"""A calibration file read back is an input: every field is checked before it is applied.

A calibration.json comes back from a colleague's folder, a spreadsheet or Notepad: a hand
edit can make an offset 80 dB or a slope NaN (which would darken most villages), write
``"6,3062"`` with a decimal comma, or save the file with a byte-order mark. Here the
decoded JSON record is checked field by field against the types of
:class:`~whitespot.radio.CalibrationGroup` and the bounds of
:mod:`whitespot.radio._calibration`; the caller raises one error listing every problem,
each naming the group (operator x technology) and the field.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Mapping

from whitespot.data import TECHNOLOGIES
from whitespot.radio.models import MODEL_NAMES

_NUMBER_TEXT = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def calibration_text(data: bytes) -> str:
    """Decode a calibration file: UTF-8 with or without a byte-order mark, UTF-16 with one.

    Notepad saves UTF-8 with a mark, and UTF-16 ("Unicode") with one.

    Raises
    ------
    UnicodeDecodeError
        If the bytes are none of these.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    return data.decode(encoding)


def json_hint(error: json.JSONDecodeError) -> str:
    """Say what most likely broke a hand-edited JSON file, where a guess is good."""
    before, at = error.doc[: error.pos], error.doc[error.pos : error.pos + 1]
    if re.search(r"\d,\s*$", before) and at.isdigit():
        number = re.search(r"[-\d]+,\s*\d+", error.doc[max(0, error.pos - 20) : error.pos + 20])
        shown = f" ({number.group(0)})" if number else ""
        return (
            f"; a decimal comma{shown}? JSON writes numbers with a point, or as text in "
            'quotes ("6,3062")'
        )
    return ""


class RecordCheck:
    """Check a calibration's JSON record; collect its problems and the numbers read from text.

    Parameters
    ----------
    kinds : mapping of str to str
        Each field of a group and its type (``"str"``, ``"int"``, ``"float"``), as
        :class:`~whitespot.radio.CalibrationGroup` declares them.
    optional : set of str
        Group fields that files written before them lack.
    group_keys : tuple of str
        The columns a calibration may be grouped by.
    bounds : mapping of str to (float, float, str)
        Fields applied to the path loss: the least and greatest value and the unit.
    """

    def __init__(
        self,
        kinds: Mapping[str, str],
        optional: frozenset[str],
        group_keys: tuple[str, ...],
        bounds: Mapping[str, tuple[float, float, str]],
    ):
        self.kinds, self.optional, self.group_keys = dict(kinds), optional, group_keys
        self.bounds = dict(bounds)
        self.problems: list[str] = []
        self.as_text: list[str] = []

    def header(self, record: Mapping[str, object]) -> dict[str, object]:
        """Return model, environment, by, measurements and excluded, checked."""
        model = record.get("model")
        if model not in MODEL_NAMES:
            self.problems.append(f"model {model!r} is not one of {', '.join(MODEL_NAMES)}")
        environment = record.get("environment")
        if environment is not None and not isinstance(environment, str):
            self.problems.append(f"environment {environment!r} is not text")
        by = record.get("by", list(self.group_keys))
        if not isinstance(by, list) or not set(by) <= set(self.group_keys):
            self.problems.append(f"by {by!r} is not a list of {', '.join(self.group_keys)}")
            by = []
        excluded = record.get("excluded", {})
        if not isinstance(excluded, dict):
            self.problems.append(f"excluded {excluded!r} is not a table of counts")
            excluded = {}
        return {
            "model": str(model),
            "environment": environment,
            "by": tuple(by),
            "measurements": self._count(record.get("measurements", 0), "measurements"),
            "excluded": {
                str(reason): self._count(n, f"excluded {reason!r}")
                for reason, n in excluded.items()
            },
        }

    def groups(self, groups: object) -> list[dict[str, object]]:
        """Return each group's fields, checked: types, finite numbers, bounds, no duplicate."""
        if not isinstance(groups, list) or not groups:
            self.problems.append("groups: no group to apply (a list of fitted groups)")
            return []
        checked, seen = [], {}
        for position, group in enumerate(groups, start=1):
            if not isinstance(group, dict):
                self.problems.append(f"group {position}: {group!r} is not a group")
                continue
            name = f"{_name(group)} (group {position})"
            fields = {
                field: self._field(group, field, kind, name)
                for field, kind in self.kinds.items()
                if field in group or field not in self.optional
            }
            key = (fields.get("operator"), fields.get("technology"))
            if key in seen:
                self.problems.append(f"{name}: the same group as group {seen[key]}")
            seen[key] = position
            self._range(fields, name)
            checked.append(fields)
        return checked

    def refused(self, refused: object) -> list[dict[str, object]]:
        """Return the refused groups, checked (text, and a count of samples)."""
        if not isinstance(refused, list):
            self.problems.append(f"refused {refused!r} is not a list of groups")
            return []
        kinds = {"operator": "str", "technology": "str", "samples": "int", "reason": "str"}
        out = []
        for position, group in enumerate(refused, start=1):
            if not isinstance(group, dict):
                self.problems.append(f"refused group {position}: {group!r} is not a group")
                continue
            name = f"{_name(group)} (refused group {position})"
            out.append({k: self._field(group, k, kind, name) for k, kind in kinds.items()})
        return out

    def _field(self, group: Mapping[str, object], field: str, kind: str, name: str) -> object:
        if field not in group:
            self.problems.append(f"{name}: {field} is missing")
            return None
        value = group[field]
        if kind == "str":
            return self._text(value, field, name)
        if kind == "int":
            return self._count(value, f"{name}: {field}")
        number = self._number(value, f"{name}: {field}")
        if number is not None and math.isinf(number):
            self.problems.append(f"{name}: {field} is {value!r}, not a finite number")
        if number is not None and math.isnan(number) and field in self.bounds:
            low, high, unit = self.bounds[field]
            self.problems.append(
                f"{name}: {field} is empty or NaN: the correction needs a number "
                f"({low:g}..{high:g} {unit})"
            )
        return number

    def _text(self, value: object, field: str, name: str) -> object:
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{name}: {field} {value!r} is not a name")
        elif field == "technology" and value not in (*TECHNOLOGIES, "*"):
            self.problems.append(
                f"{name}: technology {value!r} is not one of {', '.join(TECHNOLOGIES)} or *"
            )
        return value

    def _number(self, value: object, what: str) -> float | None:
        """Read a JSON number, null (NaN), or a number written as text (said)."""
        if value is None:
            return math.nan
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
            number = float(value.strip().replace(",", "."))
            comma = " (a decimal comma)" if "," in value else ""
            self.as_text.append(f"{what} {value!r} as {number:g}{comma}")
            return number
        self.problems.append(f"{what} is {value!r}, not a number")
        return None

    def _count(self, value: object, what: str) -> int:
        number = self._number(value, what)
        if number is None:
            return 0
        if not math.isfinite(number) or number < 0 or number != round(number):
            self.problems.append(f"{what} is {value!r}, not a whole number >= 0")
            return 0
        return int(number)

    def _range(self, fields: Mapping[str, object], name: str) -> None:
        """Bounds of the applied fields; non-negative spreads; a positive distance range."""
        for field, (low, high, unit) in self.bounds.items():
            value = fields.get(field)
            if isinstance(value, float) and math.isfinite(value) and not low <= value <= high:
                self.problems.append(
                    f"{name}: {field} {value:g} {unit} is outside {low:g}..{high:g} {unit} "
                    "(no fit of a standard model needs more; a hand edit, or another model?)"
                )
        for field, value in fields.items():
            if not isinstance(value, float) or not math.isfinite(value):
                continue
            if (field.endswith("_ci_db") or field.startswith("rmse")) and value < 0:
                self.problems.append(f"{name}: {field} {value:g} dB is negative")
            if field.startswith("distance_") and value <= 0:
                self.problems.append(f"{name}: {field} {value:g} km is not a distance > 0")
        least, greatest = fields.get("distance_min_km"), fields.get("distance_max_km")
        if isinstance(least, float) and isinstance(greatest, float) and least > greatest:
            self.problems.append(
                f"{name}: distance_min_km {least:g} is beyond distance_max_km {greatest:g}"
            )


def group_name(operator: object, technology: object) -> str:
    """Name a group: its operator and technology, ``*`` said as all of them."""
    operator = "all operators" if operator == "*" else operator
    technology = "all technologies" if technology == "*" else technology
    return f"{operator} {technology}"


def _name(group: Mapping[str, object]) -> str:
    """Name a group as written, whatever its fields hold."""
    return group_name(group.get("operator", "?"), group.get("technology", "?"))
