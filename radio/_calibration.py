"""A model calibration: per-group corrections of the path loss, and their JSON file.

A calibration tunes a path-loss model to measured levels the way commercial planning tools
tune the standard propagation model's K1 and K2: for each group of towers (operator x
technology by default) the corrected loss is

    L'(d) = L(d) + offset_db + slope_db_per_decade * log10(d / 1 km)

so a positive offset means the measurements saw more loss than the model predicts. The
record is made by :func:`whitespot.evidence.calibrate`, written as JSON
(:meth:`Calibration.write`), read back with :func:`read_calibration` and carried in a
:class:`~whitespot.radio.SignalSetup`, whose settings sheet then shows every group.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from os import PathLike
from pathlib import Path

import numpy as np

from whitespot._errors import WhitespotError, WhitespotWarning
from whitespot.data._io import atomic_path, existing_path
from whitespot.radio._calibration_check import (
    RecordCheck,
    calibration_text,
    json_hint,
)
from whitespot.radio._calibration_check import group_name as _group_name

ANY = "*"
"""Group key that matches every operator (or technology): a pooled group."""

GROUP_KEYS = ("operator", "technology")
"""Columns a calibration can be grouped by."""

FORMAT = "whitespot-calibration/1"
OPTIONAL = frozenset({"stronger_than_any_tower"})
"""Fields of a group that files written before them lack (their default then applies)."""

MAX_OFFSET_DB = 30.0
"""Largest offset a calibration may apply, dB (either sign): 30 dB is a factor of 1,000 in
power, more than a tuning of a model fit for the place; beyond it the model, the towers'
EIRP or a unit is wrong (or a hand edit). Calibrations read back are checked against it,
and :func:`whitespot.evidence.calibrate` refuses groups that would pass it."""

MAX_SLOPE_DB_PER_DECADE = 30.0
"""Largest slope correction, dB per decade of distance (either sign): free space falls
20 dB/decade and Hata 44.9 - 6.55 log10(h_b), about 35 dB/decade at a 30 m mast, so a
correction beyond 30 would flatten or double the model's distance law."""

CALIBRATION_BOUNDS = {
    "offset_db": (-MAX_OFFSET_DB, MAX_OFFSET_DB, "dB"),
    "slope_db_per_decade": (-MAX_SLOPE_DB_PER_DECADE, MAX_SLOPE_DB_PER_DECADE, "dB/decade"),
}
"""Fields applied to the path loss: the range each must lie in, and its unit."""


class CalibrationError(WhitespotError):
    """Measurements that cannot support a calibration, or a calibration that cannot apply.

    The message names the group (operator, technology) and the reason: too few samples,
    towers, places or distances, no towers of the group, a file that is not a calibration.
    """


class CalibrationTextWarning(WhitespotWarning):
    """Numbers of a calibration file written as text (``"6,3062"``) were read as numbers.

    The message names each group (operator x technology), field and value.
    """


class UnknownUncertaintyWarning(WhitespotWarning):
    """A calibration file holds a group without confidence intervals; the group is not applied.

    Files written before whitespot refused such groups (a fit to two towers) carry them
    with ``null`` intervals; the group's towers stay as modelled.
    """


class MissingTowerWarning(WhitespotWarning):
    """Measurements far stronger than any tower of their group predicts.

    A tower missing from the towers file most likely serves them; they are left out of
    the fit.
    """


@dataclass(frozen=True)
class CalibrationGroup:
    """The correction fitted for one group of towers, with its evidence.

    Attributes
    ----------
    operator, technology : str
        The group; ``"*"`` matches any (a pooled group, used for towers of operators
        without a group of their own, such as new sites).
    offset_db : float
        Added to the path loss at 1 km, dB (positive: more loss than the model).
    slope_db_per_decade : float
        Added to the path loss per decade of distance, dB.
    offset_ci_db, slope_ci_db : float
        Half-widths of the 95 % confidence intervals, dB and dB per decade: a jackknife
        (CR3) sandwich clustered by spatial block with Bell-McCaffrey degrees of freedom,
        plus a random effect per tower, with Welch-Satterthwaite degrees of freedom for
        the sum (see :mod:`whitespot.evidence.calibrate`). Always finite: a group whose
        uncertainty cannot be estimated is refused.
    samples, towers, places : int
        Measurements used, distinct serving towers, distinct measurement positions.
    distance_min_km, distance_max_km : float
        Range of the distances fitted (5th and 95th percentiles), km.
    mean_error_before_db, rmse_before_db : float
        Measured minus predicted level with the model as it is, dB.
    mean_error_after_db, rmse_after_db : float
        The same with the correction.
    rmse_cv_db : float
        RMSE on held-out spatial blocks (k-fold cross-validation), dB; NaN when the
        samples lie in fewer blocks than folds.
    stronger_than_any_tower : int
        Samples without a cell id measured far above what their predicted server gives
        (a hint of a tower missing from the towers file); left out of the fit.
    """

    operator: str
    technology: str
    offset_db: float
    slope_db_per_decade: float
    offset_ci_db: float
    slope_ci_db: float
    samples: int
    towers: int
    places: int
    distance_min_km: float
    distance_max_km: float
    mean_error_before_db: float
    rmse_before_db: float
    mean_error_after_db: float
    rmse_after_db: float
    rmse_cv_db: float
    stronger_than_any_tower: int = 0

    @property
    def key(self) -> tuple[str, str]:
        """(operator, technology)."""
        return self.operator, self.technology

    def line(self) -> str:
        """One line for the command line and the settings sheet."""
        return (
            f"{_group_name(self.operator, self.technology)}: offset {self.offset_db:+.1f}"
            f"{_plus_minus(self.offset_ci_db)} dB, slope {self.slope_db_per_decade:+.1f}"
            f"{_plus_minus(self.slope_ci_db)} dB/decade; {self.samples:,} samples, "
            f"{self.towers:,} towers, {self.distance_min_km:.2g}-{self.distance_max_km:.2g} km; "
            f"RMSE {self.rmse_before_db:.1f} -> {self.rmse_after_db:.1f} dB "
            f"(cross-validated {_db(self.rmse_cv_db)})"
            + (
                f"; {self.stronger_than_any_tower:,} samples far stronger than any tower of "
                "the group predicts, left out (a tower missing from the towers file?)"
                if self.stronger_than_any_tower
                else ""
            )
        )


@dataclass(frozen=True)
class RefusedGroup:
    """A group the measurements cannot calibrate, and why (its towers stay as modelled)."""

    operator: str
    technology: str
    samples: int
    reason: str

    def line(self) -> str:
        """One line for the command line and the settings sheet."""
        return f"{_group_name(self.operator, self.technology)}: not calibrated: {self.reason}"


@dataclass(frozen=True)
class Calibration:
    """Corrections of one path-loss model, per group of towers.

    Attributes
    ----------
    model : str
        The model calibrated (a :data:`~whitespot.radio.MODEL_NAMES` name); a setup
        with another model refuses the calibration.
    environment : str or None
        The model's environment (Hata, COST-231), which must match too.
    groups : tuple of CalibrationGroup
        Fitted groups, most specific first.
    refused : tuple of RefusedGroup
        Groups the measurements could not calibrate.
    by : tuple of str
        The grouping columns (:data:`GROUP_KEYS`).
    measurements : int
        Rows of the measurements layer; ``excluded`` says why rows were not used.
    excluded : dict
        Rows not used, by reason.
    source : str
        The JSON file it was read from ("" when made in memory).
    """

    model: str
    environment: str | None
    groups: tuple[CalibrationGroup, ...]
    refused: tuple[RefusedGroup, ...] = ()
    by: tuple[str, ...] = GROUP_KEYS
    measurements: int = 0
    excluded: Mapping[str, int] = field(default_factory=dict)
    source: str = ""

    def corrections(
        self, operator: Sequence[str], technology: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Offset and slope for towers of these operators and technologies.

        Each tower takes the most specific group that matches it (its own operator and
        technology, else the pooled group of its technology, ...).

        Returns
        -------
        offset_db, slope_db_per_decade : numpy.ndarray
            Per tower, dB and dB per decade; 0 where no group matches.
        matched : numpy.ndarray of bool
            Towers a group matched.
        """
        group = self._matches(operator, technology)
        matched = group >= 0
        offset = np.array([g.offset_db for g in self.groups] + [0.0])[group]
        slope = np.array([g.slope_db_per_decade for g in self.groups] + [0.0])[group]
        return offset, slope, matched

    def fitted_ranges_km(
        self, operator: Sequence[str], technology: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distances each tower's correction was fitted over (its group's), km.

        The slope is never extrapolated: nearer than the least distance or beyond the
        greatest, the correction is held at its value there.

        Returns
        -------
        least_km, greatest_km : numpy.ndarray
            Per tower; 0 and inf where no group matches or its range is unknown.
        """
        group = self._matches(operator, technology)
        least = np.array([g.distance_min_km for g in self.groups] + [0.0])[group]
        greatest = np.array([g.distance_max_km for g in self.groups] + [np.inf])[group]
        return np.nan_to_num(least, nan=0.0), np.nan_to_num(greatest, nan=np.inf)

    def residual_sigma_db(self, operator: Sequence[str], technology: Sequence[str]) -> np.ndarray:
        """Residual spread of each tower's group after its correction, dB.

        The location variability the measurements show about the calibrated model: the
        group's RMSE after the correction (its mean error is then about 0, so the RMSE is
        the spread). NaN where no group matches, or its RMSE is unknown.
        """
        group = self._matches(operator, technology)
        spread = np.array([g.rmse_after_db for g in self.groups] + [np.nan], dtype=float)
        return spread[group]

    def _matches(self, operator: Sequence[str], technology: Sequence[str]) -> np.ndarray:
        """Position in :attr:`groups` of each tower's most specific group; -1 where none."""
        operator = np.array([fold_operator(o) for o in operator], dtype=object)
        technology = np.asarray(technology, dtype=object)
        group = np.full(len(operator), -1)
        for position in sorted(range(len(self.groups)), key=lambda i: _generality(self.groups[i])):
            candidate = self.groups[position]
            hits = group < 0
            if candidate.operator != ANY:
                hits &= operator == fold_operator(candidate.operator)
            if candidate.technology != ANY:
                hits &= technology == candidate.technology
            group[hits] = position
        return group

    def coverage_note(self, operator: Sequence[str], technology: Sequence[str]) -> str:
        """Say how many towers a group corrects, and which stay as modelled."""
        _, _, matched = self.corrections(operator, technology)
        note = f"{matched.sum():,} of {len(matched):,} towers corrected"
        if matched.all():
            return note
        pairs = sorted(
            {
                _group_name(o, t)
                for o, t, m in zip(operator, technology, matched, strict=True)
                if not m
            }
        )
        shown = ", ".join(pairs[:5]) + (" ..." if len(pairs) > 5 else "")
        return f"{note}; {(~matched).sum():,} ({shown}) use the model as it is"

    def settings(self) -> dict[str, object]:
        """Describe the calibration for a settings sheet: a line per group and the JSON."""
        lines = [g.line() for g in self.groups] + [r.line() for r in self.refused]
        return {
            "calibration": f"{self.model} tuned to {self.measurements:,} measurements",
            "calibration_file": self.source or "(made in memory)",
            "calibration_groups": " | ".join(lines),
            "calibration_json": self.to_json(indent=None),
        }

    def lines(self) -> list[str]:
        """One line per group, fitted then refused, and one for the excluded rows."""
        out = [g.line() for g in self.groups] + [r.line() for r in self.refused]
        if self.excluded:
            out.append(
                "measurements not used: "
                + ", ".join(f"{n:,} {reason}" for reason, n in sorted(self.excluded.items()))
            )
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the JSON text (sorted keys: the same fit gives the same bytes)."""
        record = {
            "format": FORMAT,
            "model": self.model,
            "environment": self.environment,
            "by": list(self.by),
            "measurements": self.measurements,
            "excluded": dict(sorted(self.excluded.items())),
            "groups": [_rounded(asdict(g)) for g in self.groups],
            "refused": [asdict(r) for r in self.refused],
        }
        separators = None if indent else (",", ":")
        return json.dumps(record, indent=indent, sort_keys=True, separators=separators)

    def write(self, path: str | PathLike) -> Path:
        """Write the JSON file whole (a temporary file moved into place)."""
        path = Path(path)
        with atomic_path(path) as staged:
            staged.write_text(self.to_json() + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, text: str, *, source: str = "") -> Calibration:
        """Read a calibration from its JSON text, checking every field as an input.

        Offsets and slopes must be finite and within :data:`MAX_OFFSET_DB` and
        :data:`MAX_SLOPE_DB_PER_DECADE`, counts whole numbers >= 0, spreads >= 0, the
        fitted distances > 0; numbers written as text (a decimal comma, ``"6,3062"``) are
        read as numbers and said (:class:`CalibrationTextWarning`).

        Raises
        ------
        CalibrationError
            If the text is not a whitespot calibration, naming what is missing, or if a
            field cannot be used, naming every such group (operator x technology) and field.
        """
        where = source or "the calibration"
        try:
            record = json.loads(text.removeprefix("\ufeff"))
        except json.JSONDecodeError as error:
            raise CalibrationError(f"{where} is not JSON: {error}{json_hint(error)}") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise CalibrationError(
                f'{where} is not a whitespot calibration (no "format": "{FORMAT}"); '
                "write one with 'whitespot calibrate'"
            )
        kinds = {f.name: str(f.type) for f in fields(CalibrationGroup)}
        check = RecordCheck(kinds, OPTIONAL, GROUP_KEYS, CALIBRATION_BOUNDS)
        header = check.header(record)
        groups = check.groups(record.get("groups"))
        refused = check.refused(record.get("refused", []))
        if check.problems:
            count = len(check.problems)
            raise CalibrationError(
                f"{where}: {count} field{'s' if count > 1 else ''} cannot be used (a "
                "calibration read back is checked like any input; fit it again with "
                "'whitespot calibrate'):\n  - " + "\n  - ".join(check.problems)
            )
        if check.as_text:
            warnings.warn(
                f"{where}: {len(check.as_text)} numbers written as text were read as numbers: "
                + "; ".join(check.as_text),
                CalibrationTextWarning,
                stacklevel=2,
            )
        built = tuple(CalibrationGroup(**g) for g in groups)
        unknown = tuple(g for g in built if not _has_interval(g))
        if unknown:
            warnings.warn(
                f"{where}: {len(unknown)} group(s) without confidence intervals, not applied "
                "(their towers stay as modelled): "
                + ", ".join(_group_name(g.operator, g.technology) for g in unknown)
                + "; calibrate again to see why they are refused",
                UnknownUncertaintyWarning,
                stacklevel=2,
            )
        return cls(
            groups=tuple(g for g in built if _has_interval(g)),
            refused=tuple(RefusedGroup(**r) for r in refused)
            + tuple(
                RefusedGroup(g.operator, g.technology, g.samples, UNKNOWN_UNCERTAINTY)
                for g in unknown
            ),
            source=source,
            **header,
        )


def read_calibration(path: str | PathLike) -> Calibration:
    """Read a calibration JSON file written by ``whitespot calibrate``.

    The file may carry a byte-order mark (Notepad's UTF-8, or its UTF-16 "Unicode");
    every field is checked (:meth:`Calibration.from_json`).

    Parameters
    ----------
    path : path-like
        A JSON file written by ``whitespot calibrate`` (UTF-8 or UTF-16, with or without BOM).

    Returns
    -------
    Calibration
        Offset and slope per operator x technology group, with intervals and the source.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    CalibrationError
        If it is not a calibration, or a field cannot be used (naming group and field).
    """
    path = existing_path(path, "calibration")
    try:
        text = calibration_text(path.read_bytes())
    except UnicodeDecodeError as error:
        raise CalibrationError(
            f"{path} is not text in UTF-8 (byte {error.start}): not a calibration; write "
            "one with 'whitespot calibrate'"
        ) from None
    return Calibration.from_json(text, source=str(path))


UNKNOWN_UNCERTAINTY = (
    "its uncertainty cannot be estimated (the file gives no confidence interval): not applied"
)


def _has_interval(group: CalibrationGroup) -> bool:
    return bool(np.isfinite(group.offset_ci_db) and np.isfinite(group.slope_ci_db))


def _plus_minus(half_width: float) -> str:
    """`` ± 1.2`` or, never ``± nan``, `` (uncertainty unknown)``."""
    return f" ± {half_width:.1f}" if np.isfinite(half_width) else " (uncertainty unknown)"


def _generality(group: CalibrationGroup) -> int:
    """Count the wildcard keys: the most specific groups are tried first."""
    return (group.operator == ANY) + (group.technology == ANY)


def fold_operator(operator: object) -> str:
    """Operators match whatever their case and surrounding spaces."""
    return str(operator).strip().casefold()


def _db(value: float) -> str:
    return "n/a (too few blocks)" if not np.isfinite(value) else f"{value:.1f} dB"


def _rounded(record: dict[str, object]) -> dict[str, object]:
    """Floats to 4 decimals (dB to 0.0001): stable text, no false precision."""
    return {
        k: (None if not np.isfinite(v) else round(v, 4)) if isinstance(v, float) else v
        for k, v in record.items()
    }
