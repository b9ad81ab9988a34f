"""Signal: how much of a tower's power reaches a place.

The path-loss models (:mod:`whitespot.radio.propagation`: free space, Hata, COST-231, 3GPP
RMa; :mod:`whitespot.radio.itm`: the Longley-Rice ITM as NTIA's code; Bullington
diffraction over a DEM in :mod:`whitespot.radio._terrain`), the link budget, the calibration
record a model applies, :class:`SignalSetup` (the one description of how signal is
predicted, carried from the gap list to the plan, the map and the report) and the engine
that finds the best server at any set of points (:class:`SignalEngine`,
:func:`predict_signal`).
"""

from whitespot.radio._calibration import (
    CALIBRATION_BOUNDS,
    Calibration,
    CalibrationError,
    CalibrationGroup,
    CalibrationTextWarning,
    MissingTowerWarning,
    UnknownUncertaintyWarning,
    read_calibration,
)
from whitespot.radio._engine import (
    SignalEngine,
    predict_signal,
    signal_status,
)
from whitespot.radio._errors import (
    ModelRangeError,
    SetupError,
    TerrainCoverageError,
)
from whitespot.radio._terrain import (
    EARTH_RADIUS_KM,
    MEDIAN_K_FACTOR,
    bullington_loss_db,
    knife_edge_loss_db,
    terrain_coverage,
)
from whitespot.radio.budget import (
    LinkBudget,
)
from whitespot.radio.building_entry import (
    BUILDING_TYPES,
    p2109_building_entry_loss_db,
)
from whitespot.radio.clutter import (
    CLUTTER_TYPES,
    p2108_statistical_loss_db,
    p2108_terminal_loss_db,
)
from whitespot.radio.itm import (
    CLIMATES,
    ItmParameters,
)
from whitespot.radio.location import (
    area_coverage_probability,
    default_location_sigma_db,
    location_margin_db,
)
from whitespot.radio.models import (
    MODEL_NAMES,
    MODELS,
    PathLossModel,
)
from whitespot.radio.propagation import (
    COST231_ENVIRONMENTS,
    HATA_ENVIRONMENTS,
    cost231_loss_db,
    free_space_loss_db,
    hata_loss_db,
    rma_los_loss_db,
    rma_nlos_loss_db,
)
from whitespot.radio.setup import (
    SettingsMissingWarning,
    SignalSetup,
)

__all__ = [
    "BUILDING_TYPES",
    "CALIBRATION_BOUNDS",
    "CLIMATES",
    "CLUTTER_TYPES",
    "COST231_ENVIRONMENTS",
    "EARTH_RADIUS_KM",
    "HATA_ENVIRONMENTS",
    "MEDIAN_K_FACTOR",
    "MODELS",
    "MODEL_NAMES",
    "Calibration",
    "CalibrationError",
    "CalibrationGroup",
    "CalibrationTextWarning",
    "ItmParameters",
    "LinkBudget",
    "MissingTowerWarning",
    "ModelRangeError",
    "PathLossModel",
    "SettingsMissingWarning",
    "SetupError",
    "SignalEngine",
    "SignalSetup",
    "TerrainCoverageError",
    "UnknownUncertaintyWarning",
    "area_coverage_probability",
    "bullington_loss_db",
    "cost231_loss_db",
    "default_location_sigma_db",
    "free_space_loss_db",
    "hata_loss_db",
    "knife_edge_loss_db",
    "location_margin_db",
    "p2108_statistical_loss_db",
    "p2108_terminal_loss_db",
    "p2109_building_entry_loss_db",
    "predict_signal",
    "read_calibration",
    "rma_los_loss_db",
    "rma_nlos_loss_db",
    "signal_status",
    "terrain_coverage",
]
