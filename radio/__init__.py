"""Signal: how much of a tower's power reaches a place.

The path-loss models (:mod:`whitespot.radio.propagation`: free space, Hata, COST-231, 3GPP
RMa; :mod:`whitespot.radio.itm`: the Longley-Rice ITM as NTIA's code; Bullington
diffraction over a DEM in :mod:`whitespot.radio.terrain`), the link budget, the calibration
record a model applies, :class:`SignalSetup` (the one description of how signal is
predicted, carried from the gap list to the plan, the map and the report) and the engine
that finds the best server at any set of points (:class:`SignalEngine`,
:func:`predict_signal`).
"""

from whitespot.radio._errors import ModelRangeError, SetupError, TerrainCoverageError
from whitespot.radio.budget import LinkBudget
from whitespot.radio.calibration import (
    ANY,
    GROUP_KEYS,
    Calibration,
    CalibrationError,
    CalibrationGroup,
    MissingTowerWarning,
    RefusedGroup,
    UnknownUncertaintyWarning,
    fold_operator,
    read_calibration,
)
from whitespot.radio.engine import (
    SIGNAL_COLUMNS,
    SignalEngine,
    covering_pairs,
    pair_signal,
    predict_signal,
    resolve_towers,
    signal_status,
    tower_reach_m,
)
from whitespot.radio.itm import CLIMATES, ItmParameters
from whitespot.radio.models import MODEL_NAMES, MODELS, PathLossModel
from whitespot.radio.propagation import (
    COST231_ENVIRONMENTS,
    HATA_ENVIRONMENTS,
    cost231_loss_db,
    free_space_loss_db,
    hata_loss_db,
    rma_los_loss_db,
    rma_nlos_loss_db,
)
from whitespot.radio.setup import SettingsMissingWarning, SignalSetup
from whitespot.radio.terrain import (
    bullington_loss_db,
    knife_edge_loss_db,
    reproject_terrain,
    terrain_coverage,
    terrain_coverage_mask,
)

__all__ = [
    "ANY",
    "CLIMATES",
    "COST231_ENVIRONMENTS",
    "GROUP_KEYS",
    "HATA_ENVIRONMENTS",
    "MODELS",
    "MODEL_NAMES",
    "SIGNAL_COLUMNS",
    "Calibration",
    "CalibrationError",
    "CalibrationGroup",
    "ItmParameters",
    "LinkBudget",
    "MissingTowerWarning",
    "ModelRangeError",
    "PathLossModel",
    "RefusedGroup",
    "SettingsMissingWarning",
    "SetupError",
    "SignalEngine",
    "SignalSetup",
    "TerrainCoverageError",
    "UnknownUncertaintyWarning",
    "bullington_loss_db",
    "cost231_loss_db",
    "covering_pairs",
    "fold_operator",
    "free_space_loss_db",
    "hata_loss_db",
    "knife_edge_loss_db",
    "pair_signal",
    "predict_signal",
    "read_calibration",
    "reproject_terrain",
    "resolve_towers",
    "rma_los_loss_db",
    "rma_nlos_loss_db",
    "signal_status",
    "terrain_coverage",
    "terrain_coverage_mask",
    "tower_reach_m",
]
