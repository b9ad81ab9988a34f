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

from whitespot.base import WhitespotError
from whitespot.data.io import atomic_path, existing_path

ANY = "*"
"""Group key that matches every operator (or technology): a pooled group."""

GROUP_KEYS = ("operator", "technology")
"""Columns a calibration can be grouped by."""

FORMAT = "whitespot-calibration/1"
OPTIONAL = frozenset({"stronger_than_any_tower"})
"""Fields of a group that files written before them lack (their default then applies)."""


class CalibrationError(WhitespotError):
    """Measurements that cannot support a calibration, or a calibration that cannot apply.

    The message names the group (operator, technology) and the reason: too few samples,
    towers, places or distances, no towers of the group, a file that is not a calibration.
    """


class UnknownUncertaintyWarning(UserWarning):
    """A calibration file holds a group without confidence intervals; the group is not applied.

    Files written before whitespot refused such groups (a fit to two towers) carry them
    with ``null`` intervals; the group's towers stay as modelled.
    """


class MissingTowerWarning(UserWarning):
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
        """Read a calibration from its JSON text.

        Raises
        ------
        CalibrationError
            If the text is not a whitespot calibration, naming what is missing.
        """
        where = source or "the calibration"
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise CalibrationError(f"{where} is not JSON: {error}") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise CalibrationError(
                f'{where} is not a whitespot calibration (no "format": "{FORMAT}"); '
                "write one with 'whitespot calibrate'"
            )
        names = {f.name for f in fields(CalibrationGroup)}
        try:
            groups = tuple(
                CalibrationGroup(
                    **{k: _number_or_nan(g[k]) for k in names if k in g or k not in OPTIONAL}
                )
                for g in record["groups"]
            )
            refused = tuple(RefusedGroup(**r) for r in record.get("refused", []))
        except (KeyError, TypeError) as error:
            raise CalibrationError(f"{where}: a group lacks {error}") from None
        unknown = tuple(g for g in groups if not _has_interval(g))
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
            model=str(record["model"]),
            environment=record.get("environment"),
            groups=tuple(g for g in groups if _has_interval(g)),
            refused=refused
            + tuple(
                RefusedGroup(g.operator, g.technology, g.samples, UNKNOWN_UNCERTAINTY)
                for g in unknown
            ),
            by=tuple(record.get("by", GROUP_KEYS)),
            measurements=int(record.get("measurements", 0)),
            excluded=dict(record.get("excluded", {})),
            source=source,
        )


def read_calibration(path: str | PathLike) -> Calibration:
    """Read a calibration JSON file written by ``whitespot calibrate``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    CalibrationError
        If it is not a calibration.
    """
    path = existing_path(path, "calibration")
    return Calibration.from_json(path.read_text(encoding="utf-8"), source=str(path))


UNKNOWN_UNCERTAINTY = (
    "its uncertainty cannot be estimated (the file gives no confidence interval): not applied"
)


def _has_interval(group: CalibrationGroup) -> bool:
    return bool(np.isfinite(group.offset_ci_db) and np.isfinite(group.slope_ci_db))


def _plus_minus(half_width: float) -> str:
    """`` ± 1.2`` or, never ``± nan``, `` (uncertainty unknown)``."""
    return f" ± {half_width:.1f}" if np.isfinite(half_width) else " (uncertainty unknown)"


def _number_or_nan(value: object) -> object:
    """JSON null (a NaN written) back to NaN."""
    return np.nan if value is None else value


def _generality(group: CalibrationGroup) -> int:
    """Count the wildcard keys: the most specific groups are tried first."""
    return (group.operator == ANY) + (group.technology == ANY)


def fold_operator(operator: object) -> str:
    """Operators match whatever their case and surrounding spaces."""
    return str(operator).strip().casefold()


def _group_name(operator: str, technology: str) -> str:
    operator = "all operators" if operator == ANY else operator
    technology = "all technologies" if technology == ANY else technology
    return f"{operator} {technology}"


def _db(value: float) -> str:
    return "n/a (too few blocks)" if not np.isfinite(value) else f"{value:.1f} dB"


def _rounded(record: dict[str, object]) -> dict[str, object]:
    """Floats to 4 decimals (dB to 0.0001): stable text, no false precision."""
    return {
        k: (None if not np.isfinite(v) else round(v, 4)) if isinstance(v, float) else v
        for k, v in record.items()
    }
