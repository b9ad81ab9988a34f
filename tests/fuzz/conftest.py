"""Hypothesis profiles of the office-habits fuzzer: a short fixed run in CI, a long one on demand.

``pytest tests/fuzz`` runs :data:`CI_EXAMPLES` generated files per layer, derandomized (the
same files on every run, no deadline): about a minute on two cores. A longer run is one
command, documented in docs/contributing.md::

    WHITESPOT_FUZZ_EXAMPLES=2000 pytest tests/fuzz

The profiles are registered here and applied by the fuzz tests themselves
(``settings(parent=settings.get_profile(FUZZ_PROFILE))``), never loaded globally, so that the
rest of the suite keeps its own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_PROFILE = "whitespot-fuzz"
EXAMPLES_VARIABLE = "WHITESPOT_FUZZ_EXAMPLES"
CI_EXAMPLES = 5
"""Generated files per layer in CI (each layer also has its all-habits-at-once files)."""

settings.register_profile(
    FUZZ_PROFILE,
    max_examples=int(os.environ.get(EXAMPLES_VARIABLE, CI_EXAMPLES)),
    derandomize=True,  # the same files on every run: a failure in CI is a failure at home
    deadline=None,  # a run of the command takes 0.5-2 s, more on a busy machine
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
