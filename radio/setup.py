"""The signal setup: everything that decides whether a place has signal, resolved once.

A gap list, the plan made from it, its map and its report must predict signal with the
same physics. :class:`SignalSetup` holds that physics (path-loss model, DEM, link budget,
environment, extrapolation, technology filter, metric CRS), checks it once when it is made,
is written into the gap list's settings (:meth:`SignalSetup.settings`) and is read back from
them (:meth:`SignalSetup.from_settings`), so that ``whitespot plan`` plans with exactly the
setup ``whitespot gaps`` used.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from whitespot._errors import WhitespotWarning
from whitespot.data import TECHNOLOGIES, Terrain, read_terrain
from whitespot.radio._calibration import Calibration
from whitespot.radio._errors import SetupError
from whitespot.radio._receiver import check_receiver, receiver_from_settings, receiver_settings
from whitespot.radio._terrain import reproject_terrain
from whitespot.radio.budget import LinkBudget
from whitespot.radio.itm import ItmParameters
from whitespot.radio.models import MODEL_NAMES, TERRAIN_MODELS, PathLossModel, get_model
from whitespot.radio.propagation import COST231_ENVIRONMENTS, HATA_ENVIRONMENTS

ENVIRONMENTS: dict[str, tuple[str, ...]] = {
    "hata": HATA_ENVIRONMENTS,
    "cost231": COST231_ENVIRONMENTS,
}
"""Environments each model knows; the other models have none."""

DIFFRACTION = " + Bullington diffraction over the DEM (ITU-R P.526-15 4.5.1)"


class SettingsMissingWarning(WhitespotWarning):
    """A setup falls back on the defaults: its gap list does not say how it was made."""


@dataclass(frozen=True)
class SignalSetup:
    """How signal is predicted: checked once, carried from the gap list to the plan.

    Attributes
    ----------
    model : str, default "rma"
        Path-loss model, one of :data:`whitespot.radio.MODEL_NAMES`; ``"terrain"`` is
        RMa LOS plus Bullington diffraction over `terrain`, ``"itm"`` the Longley-Rice
        Irregular Terrain Model over `terrain`'s profiles.
    terrain : Terrain, optional
        The DEM; required by ``"terrain"`` and ``"itm"`` (its ``fallback`` says what
        happens off it).
    budget : LinkBudget
        Receiver heights, losses, margins and thresholds.
    environment : str, optional
        Hata (``"open"``, ``"suburban"``, ``"urban"``, ``"urban_large"``) or COST-231
        (``"medium"``, ``"metropolitan"``); None is the model's own default.
    extrapolate : bool, default False
        Use the model outside its validity range instead of refusing.
    technology : str, optional
        Count only towers of this technology (``"4G"`` ...); None counts all.
    crs : pyproj.CRS, optional
        Metric CRS of the distances; None is the UTM zone of the data.
    itm : ItmParameters
        Climate, refractivity, ground, polarization and quantiles of ``"itm"``
        (:class:`whitespot.radio.itm.ItmParameters`; defaults for Viet Nam).
    calibration : Calibration, optional
        Corrections of the model fitted to measurements (:func:`whitespot.evidence.calibrate`,
        :func:`whitespot.radio.read_calibration`); they must be for this model and
        environment.
    location_probability : float, default 0.5
        Location (cell-edge) probability a place is judged at, a share in (0, 1): a place
        is covered when its median margin is at least ``location_margin_db(p, sigma)``
        (:func:`whitespot.radio.location_margin_db`); 0.5 is the median prediction.
    location_sigma_db : float, optional
        Location variability sigma, dB; None takes the calibration's residual spread of
        each operator x technology where a calibration is given, else the model's default
        (:data:`whitespot.radio.location.LOCATION_SIGMA_DB`, 3GPP TR 38.901 Table 7.4.1-1).
    clutter : str, optional
        ITU-R P.2108-1 section 3.1 clutter type around the receiver
        (:data:`whitespot.radio.CLUTTER_TYPES`); None adds no clutter loss.
    clutter_height_m : float, optional
        Representative clutter height R, m; None is the type's (P.2108-1 Table 3).
    street_width_m : float, default 27
        Street width of P.2108-1 section 3.1, m.
    clutter_percent : float, optional
        Adds the P.2108-1 section 3.2 statistical clutter loss not exceeded at this
        percentage of locations (urban and suburban paths; towers 0.5-67 GHz); None is off.
        Paths shorter than 0.25 km take the loss at 0.25 km (the engine's least distance).
    indoor : str, optional
        Judge households indoors: ``"p2109"`` adds the ITU-R P.2109-2 building entry loss
        of a horizontal path (elevation 0) not exceeded at `indoor_percent`, ``"fixed"``
        the budget's ``building_loss_db``; the outdoor status is kept beside it. None
        (default) judges outdoors, as before (``building_loss_db``, if any, still
        applies to every place).
    indoor_percent : float, default 50
        Probability (%) at which the P.2109 loss is not exceeded.
    building : str, default "traditional"
        P.2109 building type: ``"traditional"`` or ``"thermally_efficient"``.

    Raises
    ------
    SetupError
        At construction, naming the part: an unknown model, technology or environment, an
        environment for a model that has none, the terrain model without a DEM, a
        calibration of another model or environment.
    """

    model: str = "rma"
    terrain: Terrain | None = None
    budget: LinkBudget = field(default_factory=LinkBudget)
    environment: str | None = None
    extrapolate: bool = False
    technology: str | None = None
    crs: CRS | None = None
    itm: ItmParameters = field(default_factory=ItmParameters)
    calibration: Calibration | None = None
    location_probability: float = 0.5
    location_sigma_db: float | None = None
    clutter: str | None = None
    clutter_height_m: float | None = None
    street_width_m: float = 27.0
    clutter_percent: float | None = None
    indoor: str | None = None
    indoor_percent: float = 50.0
    building: str = "traditional"

    def __post_init__(self) -> None:
        check_receiver(self)
        if self.model not in MODEL_NAMES:
            raise SetupError(f"model={self.model!r} must be one of {', '.join(MODEL_NAMES)}")
        if self.model in TERRAIN_MODELS and self.terrain is None:
            raise SetupError(
                f"model={self.model!r} needs a DEM: SignalSetup(terrain=read_terrain(path))"
            )
        if self.technology is not None and self.technology not in TECHNOLOGIES:
            raise SetupError(
                f"technology={self.technology!r} must be one of {', '.join(TECHNOLOGIES)} or None"
            )
        known = ENVIRONMENTS.get(self.model, ())
        if self.environment is not None and self.environment not in known:
            allowed = ", ".join(known) if known else "none (leave it None)"
            raise SetupError(
                f"environment={self.environment!r} is not one of model {self.model!r}'s "
                f"environments: {allowed}"
            )
        if self.crs is not None:
            object.__setattr__(self, "crs", CRS.from_user_input(self.crs))
        if self.calibration is not None:
            fitted = (self.calibration.model, self.calibration.environment)
            if fitted != (self.model, self.environment):
                raise SetupError(
                    f"the calibration{_from(self.calibration)} was fitted for model "
                    f"{fitted[0]!r} (environment {fitted[1] or 'default'}); this setup uses "
                    f"{self.model!r} (environment {self.environment or 'default'}): "
                    "calibrate this model, or use the calibrated one"
                )

    @property
    def path_model(self) -> PathLossModel:
        """The path-loss model of :attr:`model` (RMa LOS under the terrain model)."""
        return get_model(self.model)

    @property
    def uses_terrain(self) -> bool:
        """Whether DEM profiles are part of the prediction."""
        return self.model in TERRAIN_MODELS

    def in_crs(self, crs: CRS) -> SignalSetup:
        """Return the setup resolved in a metric CRS, its DEM reprojected there once.

        Everything that predicts several times for one result (a gap list's households and
        village points, a plan's candidates and coverage) resolves the setup once with this.
        """
        crs = CRS.from_user_input(crs)
        terrain = reproject_terrain(self.terrain, crs) if self.uses_terrain else self.terrain
        return replace(self, crs=crs, terrain=terrain)

    def heard(self, towers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return the towers the technology filter keeps (all when it is None)."""
        if self.technology is None:
            return towers
        return towers[towers["technology"] == self.technology]

    def replace(self, **changes: object) -> SignalSetup:
        """Return a copy with some parts changed (checked again)."""
        return replace(self, **changes)

    def description(self) -> str:
        """One line naming the model (and the diffraction over the DEM)."""
        if self.model == "itm":
            itm = self.itm
            return (
                f"{self.path_model.description} ({itm.climate.replace('_', ' ')} climate, "
                f"N0 {itm.refractivity_n:g}, {itm.variability} variability at "
                f"{itm.time_pct:g}/{itm.location_pct:g}/{itm.situation_pct:g} % of time/"
                "locations/situations)"
            )
        return self.path_model.description + (DIFFRACTION if self.uses_terrain else "")

    def settings(self) -> dict[str, object]:
        """Every part as plain values, for settings sheets and :meth:`from_settings`."""
        return {
            "model": self.model,
            "model_description": self.description(),
            "environment": self.environment or "default",
            "extrapolate": self.extrapolate,
            "technology": self.technology or "all",
            **self.budget.settings(),
            **({"metric_crs": self.crs.to_string()} if self.crs is not None else {}),
            **(self._terrain_settings() if self.uses_terrain else {}),
            **(self.itm.settings() if self.model == "itm" else {}),
            **(self.calibration.settings() if self.calibration else {"calibration": "none"}),
            **receiver_settings(self),
        }

    def _terrain_settings(self) -> dict[str, object]:
        return {
            "terrain_file": self.terrain.source or "(a DEM in memory)",
            "terrain_fallback_mode": self.terrain.fallback or "refuse",
        }

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, object], *, terrain: Terrain | None = None
    ) -> SignalSetup:
        """Return the setup a gap list's settings record (as written, or read back as text).

        Parameters
        ----------
        settings : mapping
            :meth:`settings` output, values as objects or as text.
        terrain : Terrain, optional
            The DEM. Without it a terrain setup reads the DEM again from ``terrain_file``
            when that file is still there; else it falls back on RMa LOS (the terrain
            model's base model).
        """
        if "model" not in settings:
            warnings.warn(
                "the gap list carries no settings (a .geojson or .csv copied without its "
                "_settings.csv?): using the default model and link budget, which may not be "
                "those it was made with; keep the settings file beside it",
                SettingsMissingWarning,
                stacklevel=2,
            )
        model = str(settings.get("model", "rma"))
        if model in TERRAIN_MODELS and terrain is None:
            terrain = _dem_again(settings)
        if model in TERRAIN_MODELS and terrain is None:
            warnings.warn(
                f"the gap list was made with the {model} model over "
                f"{settings.get('terrain_file', 'a DEM')}, which is not given or no longer "
                "there: predicting with RMa LOS, without terrain, instead (give --dem)",
                UserWarning,
                stacklevel=2,
            )
            model = "rma_los"
        environment = str(settings.get("environment", "default"))
        technology = str(settings.get("technology", "all"))
        crs = settings.get("metric_crs")
        calibration = str(settings.get("calibration_json", "") or "")
        return cls(
            model=model,
            terrain=terrain if model in TERRAIN_MODELS else None,
            itm=ItmParameters.from_settings(settings) if model == "itm" else ItmParameters(),
            budget=LinkBudget.from_settings(settings),
            environment=None if environment in ("default", "", "None", "nan") else environment,
            extrapolate=str(settings.get("extrapolate", False)) == "True",
            technology=None if technology in ("all", "", "None", "nan") else technology,
            crs=CRS.from_user_input(str(crs)) if crs not in (None, "", "nan") else None,
            calibration=(
                Calibration.from_json(calibration, source=_calibration_file(settings))
                if calibration not in ("", "nan")
                else None
            ),
            **receiver_from_settings(settings),
        )

    @property
    def location_stated(self) -> bool:
        """Whether a location probability or sigma is stated (not the median by default)."""
        return self.location_probability != 0.5 or self.location_sigma_db is not None

    @property
    def judged_indoors(self) -> bool:
        """Whether households are judged indoors (:attr:`indoor` is set)."""
        return self.indoor is not None

    def outdoors(self) -> SignalSetup:
        """Return the setup of the outdoor receiver: a fixed indoor loss taken out of the budget.

        The same setup unless :attr:`indoor` is ``"fixed"``, whose building loss then
        applies only to the indoor judgement.
        """
        if self.indoor != "fixed":
            return self
        return replace(self, budget=replace(self.budget, building_loss_db=0.0))


def _from(calibration: Calibration) -> str:
    return f" ({calibration.source})" if calibration.source else ""


def _calibration_file(settings: Mapping[str, object]) -> str:
    """Return the file a gap list's calibration was read from ("" when made in memory)."""
    name = str(settings.get("calibration_file", ""))
    return "" if name in ("(made in memory)", "nan") else name


def _dem_again(settings: Mapping[str, object]) -> Terrain | None:
    """Read a gap list's DEM again from the file its settings name, if it is still there."""
    path = Path(str(settings.get("terrain_file", "")))
    if not path.name or not path.is_file():
        return None
    fallback = str(settings.get("terrain_fallback_mode", "refuse"))
    return read_terrain(path, fallback=None if fallback in ("refuse", "", "nan") else fallback)
