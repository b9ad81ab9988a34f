"""Running tiles of work in this process or on a Dask cluster.

:func:`run_tiles` runs a tile function over the tiles in this process, or as Dask tasks when
given a ``distributed.Client``; either way the results come back in tile order, so the answer
does not depend on where it was computed. :func:`connect` starts or joins a cluster, with
local workers capped by the machine (:func:`worker_count`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from whitespot._errors import WhitespotWarning

if TYPE_CHECKING:
    from distributed import Client


def run_tiles(
    function: Callable[..., Any],
    tiles: Sequence[Any],
    *shared: Any,
    client: Client | None = None,
    progress: bool | None = None,
    desc: str = "tiles",
) -> list[Any]:
    """Return ``[function(tile, *shared) for tile in tiles]``, here or on a Dask cluster.

    Parameters
    ----------
    function : callable
        A module-level function (Dask sends it to workers by reference).
    tiles : sequence
        Tiles (layers, file paths ...), one task each.
    *shared
        Arguments every tile needs (the prepared signal engine ...): sent to each Dask
        worker once (``Client.scatter(broadcast=True)``).
    client : distributed.Client, optional
        Run the tiles as tasks of this cluster; None runs them here, one after another.
    progress : bool, optional
        Show a progress bar; default only with several tiles.
    desc : str
        Label of the progress bar.

    Returns
    -------
    list
        The results in tile order.
    """
    quiet = (len(tiles) < 2) if progress is None else not progress
    if client is None:
        return [function(tile, *shared) for tile in tqdm(tiles, desc=desc, disable=quiet)]
    from distributed import as_completed  # noqa: PLC0415 only with the [dask] extra

    sent = [client.scatter(value, broadcast=True, hash=False) for value in shared]
    others = [[value] * len(tiles) for value in sent]
    futures = client.map(function, list(tiles), *others, pure=False)
    for _ in tqdm(as_completed(futures), total=len(futures), desc=desc, disable=quiet):
        pass
    return client.gather(futures)


def connect(workers: int | None = None, scheduler: str | None = None) -> Client:
    """Return a Dask client: a LocalCluster of `workers` processes, or an existing cluster.

    Parameters
    ----------
    workers : int, optional
        Start a ``distributed.LocalCluster`` with this many single-threaded workers.
    scheduler : str, optional
        Join the cluster whose scheduler listens at this address (``tcp://host:8786``).

    Raises
    ------
    ImportError
        When Dask is not installed (``pip install 'whitespot[dask]'``).
    """
    try:
        from distributed import Client, LocalCluster  # noqa: PLC0415 the [dask] extra
    except ImportError as error:
        raise ImportError(
            "running on Dask needs the dask extra: pip install 'whitespot[dask]'"
        ) from error
    if scheduler is not None:
        return Client(scheduler)
    count, reason = worker_count(workers or 1)
    if reason:
        warnings.warn(reason, WorkersCappedWarning, stacklevel=2)
    cluster = LocalCluster(
        n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster)


MEMORY_PER_WORKER_GB = 1.0
"""Memory a local worker is given room for (a partition of households and its engine)."""


class WorkersCappedWarning(WhitespotWarning):
    """Fewer local workers start than asked: the machine's cores or memory do not allow more."""


def worker_count(asked: int) -> tuple[int, str | None]:
    """Return how many local workers to start for `asked`, and why fewer, if so.

    At most one per core this process may use, and one per
    :data:`MEMORY_PER_WORKER_GB` of the memory available now; at least one.
    """
    import psutil  # noqa: PLC0415 comes with distributed (the [dask] extra)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    available_gb = psutil.virtual_memory().available / 1e9
    by_memory = int(available_gb // MEMORY_PER_WORKER_GB)
    count = max(1, min(asked, cores or 1, by_memory))
    if count == asked:
        return count, None
    return count, (
        f"--workers {asked}: starting {count} (this machine has {cores} cores and "
        f"{available_gb:.1f} GB available, {MEMORY_PER_WORKER_GB:g} GB per worker); "
        "a larger cluster is joined with --scheduler"
    )


@contextmanager
def closing_cluster(client: Client) -> Iterator[Client]:
    """Yield `client`; on exit close it, and the LocalCluster it started, if any."""
    try:
        yield client
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
