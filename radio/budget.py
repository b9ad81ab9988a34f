"""The link budget: margins and thresholds that turn path loss into coverage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from whitespot.data import TECHNOLOGY_DEFAULTS


@dataclass(frozen=True)
class LinkBudget:
    """Receiver side of the link budget.

    Received power (dBm) = EIRP + antenna gain toward the point - path loss - margin_db.

    Attributes
    ----------
    mobile_height_m : float, default 1.5
        Handset height above ground, m.
    body_loss_db : float, default 0
        Loss of the user's body (3 dB is usual for a handset at the head).
    building_loss_db : float, default 0
        Building entry loss; 0 plans outdoor coverage, 10-15 dB deep indoor (ITU-R P.2109).
    fading_margin_db : float, default 0
        Shadow-fading margin; 0 plans the median level, 0.67 sigma (about 5 dB for sigma =
        8 dB) plans 75 % of locations.
    weak_band_db : float, default 10
        Signals up to this far below the threshold count as ``weak``, not ``none``.
    thresholds_dbm : mapping, optional
        Coverage threshold per technology in dBm, overriding
        :data:`whitespot.data._schema.TECHNOLOGY_DEFAULTS`.
    """

    mobile_height_m: float = 1.5
    body_loss_db: float = 0.0
    building_loss_db: float = 0.0
    fading_margin_db: float = 0.0
    weak_band_db: float = 10.0
    thresholds_dbm: Mapping[str, float] = field(default_factory=dict)

    @property
    def margin_db(self) -> float:
        """Sum of the losses and margins subtracted from the received power, dB."""
        return self.body_loss_db + self.building_loss_db + self.fading_margin_db

    def threshold_dbm(self, technology: str) -> float:
        """Coverage threshold of a technology in dBm."""
        if technology in self.thresholds_dbm:
            return float(self.thresholds_dbm[technology])
        return TECHNOLOGY_DEFAULTS[technology].threshold_dbm

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> LinkBudget:
        """Return the link budget a gap list's settings record (:meth:`settings` read back).

        Missing entries take the defaults; thresholds are ``threshold_<technology>_dbm``.
        """
        numbers = {
            name: float(settings[name])
            for name in (
                "mobile_height_m",
                "body_loss_db",
                "building_loss_db",
                "fading_margin_db",
                "weak_band_db",
            )
            if str(settings.get(name, "")).strip() not in ("", "nan", "None")
        }
        thresholds = {
            technology: float(settings[key])
            for technology, defaults in TECHNOLOGY_DEFAULTS.items()
            if str(settings.get(key := f"threshold_{technology}_dbm", "")).strip()
            and float(settings[key]) != defaults.threshold_dbm  # only what overrides
        }
        return cls(**numbers, thresholds_dbm=thresholds)

    def settings(self) -> dict[str, object]:
        """Flat description for settings sheets and reports."""
        out: dict[str, object] = {
            "mobile_height_m": self.mobile_height_m,
            "body_loss_db": self.body_loss_db,
            "building_loss_db": self.building_loss_db,
            "fading_margin_db": self.fading_margin_db,
            "weak_band_db": self.weak_band_db,
        }
        for technology, defaults in TECHNOLOGY_DEFAULTS.items():
            out[f"threshold_{technology}_dbm"] = self.threshold_dbm(technology)
            out[f"threshold_{technology}_measure"] = defaults.measure
        return out
