"""Signal prediction, terrain, and the signal and power gaps of villages and households.

:func:`gap_list` is the entry point a department uses; :func:`predict_signal` gives the best
server at any set of points; :class:`SignalSetup` is the one description of how signal is
predicted, carried from the gap list to the plan, the map and the report; the path-loss
models are in :mod:`whitespot.coverage.propagation`. :func:`calibrate` tunes a model to
measured levels; a gap list weighs surveys and measurements against its prediction.
"""

from whitespot.coverage._errors import ModelRangeError, SetupError, TerrainCoverageError
from whitespot.coverage.budget import LinkBudget
from whitespot.coverage.calibrate import calibrate
from whitespot.coverage.calibration import (
    Calibration,
    CalibrationError,
    CalibrationGroup,
    MissingTowerWarning,
    read_calibration,
)
from whitespot.coverage.deadzones import (
    SignalRaster,
    dead_zones,
    signal_raster,
    write_signal_raster,
)
from whitespot.coverage.drive_test import Shadowing, synthetic_measurements
from whitespot.coverage.evidence import EVIDENCE_CLASSES
from whitespot.coverage.export import read_gap_list, write_gap_list
from whitespot.coverage.gaps import GapCriteria, GapList, gap_list, summarize
from whitespot.coverage.measured import measured_pairs
from whitespot.coverage.models import MODEL_NAMES, MODELS, PathLossModel
from whitespot.coverage.progress import Progress, compare_gap_lists
from whitespot.coverage.propagation import (
    cost231_loss_db,
    free_space_loss_db,
    hata_loss_db,
    rma_los_loss_db,
    rma_nlos_loss_db,
)
from whitespot.coverage.setup import SettingsMissingWarning, SignalSetup
from whitespot.coverage.signal import SignalEngine, covering_pairs, predict_signal
from whitespot.coverage.terrain import bullington_loss_db, knife_edge_loss_db, terrain_coverage
from whitespot.data.vocabulary import GAP_TYPES, PROGRESS_STATUSES

__all__ = [
    "EVIDENCE_CLASSES",
    "GAP_TYPES",
    "MODELS",
    "MODEL_NAMES",
    "PROGRESS_STATUSES",
    "Calibration",
    "CalibrationError",
    "CalibrationGroup",
    "GapCriteria",
    "GapList",
    "LinkBudget",
    "MissingTowerWarning",
    "ModelRangeError",
    "PathLossModel",
    "Progress",
    "SettingsMissingWarning",
    "SetupError",
    "Shadowing",
    "SignalEngine",
    "SignalRaster",
    "SignalSetup",
    "TerrainCoverageError",
    "bullington_loss_db",
    "calibrate",
    "compare_gap_lists",
    "cost231_loss_db",
    "covering_pairs",
    "dead_zones",
    "free_space_loss_db",
    "gap_list",
    "hata_loss_db",
    "knife_edge_loss_db",
    "measured_pairs",
    "predict_signal",
    "read_calibration",
    "read_gap_list",
    "rma_los_loss_db",
    "rma_nlos_loss_db",
    "signal_raster",
    "summarize",
    "synthetic_measurements",
    "terrain_coverage",
    "write_gap_list",
    "write_signal_raster",
]
