"""Field truth: measurements, their pairing with the model, calibration, and village evidence.

:func:`measured_pairs` pairs each measured level with its serving tower and the level the
model predicts; :func:`calibrate` fits a model's offset and slope per group to those pairs
(robust least squares, held-out spatial blocks); a gap list
(:func:`whitespot.coverage.gap_list`) sets each village's survey answer and measured levels,
per operator and technology, beside the prediction;
:func:`synthetic_measurements` makes drive tests for tests and examples.
"""

from whitespot.evidence._measured import (
    measured_pairs,
)
from whitespot.evidence._villages import (
    EVIDENCE_CLASSES,
)
from whitespot.evidence.calibrate import (
    calibrate,
)
from whitespot.evidence.synthetic import (
    Shadowing,
    synthetic_measurements,
)

__all__ = [
    "EVIDENCE_CLASSES",
    "Shadowing",
    "calibrate",
    "measured_pairs",
    "synthetic_measurements",
]
