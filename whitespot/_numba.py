"""Numba for the compiled kernels, imported the one way that works in a checkout.

:data:`njit` and :data:`prange` are Numba's; :data:`KERNEL_LOCK` serialises the parallel
kernels of one process.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path


def _import_numba() -> object:
    """Import numba, hiding this repository's ``coverage/`` folder from it.

    Numba imports coverage.py by its top-level name ``coverage``; in a Python started at
    the root of a whitespot checkout that name finds whitespot's own ``coverage/`` folder
    (installed as ``whitespot.coverage``), and numba's import fails.
    """
    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.find_spec("coverage")
    if spec is None or spec.origin is None or Path(spec.origin).resolve().parent.parent != root:
        import numba  # noqa: PLC0415 - see above

        return numba
    saved = sys.path[:]
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != root]
    try:
        import numba  # noqa: PLC0415 - see above

        return numba
    finally:
        sys.path[:] = saved


_numba = _import_numba()
njit, prange = _numba.njit, _numba.prange

KERNEL_LOCK = threading.Lock()
"""Held around each call of :func:`best_servers`: the kernel runs on all cores already, and
Numba's workqueue threading layer (its fallback where OpenMP and TBB are missing) aborts
when two threads of one process call a parallel function at once (a Dask worker with
several threads, a notebook's threads)."""
