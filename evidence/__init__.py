"""Field truth: measurements, their pairing with the model, calibration, and village evidence.

:func:`measured_pairs` pairs each measured level with its serving tower and the level the
model predicts; :func:`calibrate` fits a model's offset and slope per group to those pairs
(robust least squares, held-out spatial blocks); :func:`weigh_evidence` sets each village's
survey answer and measured levels, per operator and technology, beside the prediction;
:func:`synthetic_measurements` makes drive tests for tests and examples.
"""

from whitespot.evidence.calibrate import calibrate
from whitespot.evidence.measured import (
    EXCLUSIONS,
    USED,
    UnmatchedCellWarning,
    measured_pairs,
    operator_keys,
    unmatched_cells,
)
from whitespot.evidence.synthetic import Shadowing, synthetic_measurements
from whitespot.evidence.villages import (
    EVIDENCE_CLASSES,
    EVIDENCE_COLUMNS,
    measured_at_villages,
    weigh_evidence,
)

__all__ = [
    "EVIDENCE_CLASSES",
    "EVIDENCE_COLUMNS",
    "EXCLUSIONS",
    "USED",
    "Shadowing",
    "UnmatchedCellWarning",
    "calibrate",
    "measured_at_villages",
    "measured_pairs",
    "operator_keys",
    "synthetic_measurements",
    "unmatched_cells",
    "weigh_evidence",
]
