"""What every floor of whitespot may use: its error classes, Numba, and the Dask runner.

:class:`WhitespotError` is the base of every error on a user's input (the command line exits
1, never 4); :data:`njit`, :data:`prange` and :data:`KERNEL_LOCK` are the compiled kernels'
Numba; :func:`run_tiles` runs tiles of work here or on a Dask cluster that :func:`connect`
starts or joins.
"""

from whitespot.base.compiled import KERNEL_LOCK, njit, prange
from whitespot.base.errors import InputError, WhitespotError
from whitespot.base.parallel import (
    MEMORY_PER_WORKER_GB,
    WorkersCappedWarning,
    closing_cluster,
    connect,
    run_tiles,
    worker_count,
)

__all__ = [
    "KERNEL_LOCK",
    "MEMORY_PER_WORKER_GB",
    "InputError",
    "WhitespotError",
    "WorkersCappedWarning",
    "closing_cluster",
    "connect",
    "njit",
    "prange",
    "run_tiles",
    "worker_count",
]
