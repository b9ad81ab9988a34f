"""The gap list of a country from households on disk, one partition at a time.

A country's households (about 27 million in Viet Nam) do not need to be in memory at once:
given as a partitioned GeoParquet dataset (a folder of ``.parquet`` files, one per province
or tile, in any sub-folders), each partition is read, predicted, classified and written to
the output folder as its own GeoParquet file, and only the per-village counts
(:func:`~whitespot.coverage.tiles.village_tally`) come back. Counts add up exactly, so the
villages, communes and provinces are those of :func:`~whitespot.coverage.gap_list` on all
households at once; memory is bounded by one partition. With a Dask client the partitions
are Dask tasks: the workers must see the input and output folders (shared storage).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from whitespot.coverage.budget import LinkBudget
from whitespot.coverage.gaps import GapCriteria, GapList, assemble_gap_list, prepare_gap_list
from whitespot.coverage.setup import SignalSetup
from whitespot.coverage.signal import SignalEngine
from whitespot.coverage.tiles import household_signal, run_tiles, village_tally
from whitespot.data import Problem, ValidationError, validate_layer, write_layer
from whitespot.data.io import staged_files

if TYPE_CHECKING:
    from distributed import Client


def household_partitions(folder: str | PathLike) -> list[Path]:
    """Return the ``.parquet`` files of a partitioned dataset, in sorted path order.

    Raises
    ------
    ValidationError
        When `folder` holds no ``.parquet`` file.
    """
    root = Path(folder)
    parts = sorted(root.rglob("*.parquet"))
    if not parts:
        raise ValidationError(
            [
                Problem(
                    f"households ({root})",
                    "file",
                    "no_partitions",
                    "the folder holds no .parquet file; give a GeoParquet file per province "
                    "or tile (whitespot.coverage.partitioned.write_partitions writes them)",
                )
            ]
        )
    return parts


def write_partitions(households: gpd.GeoDataFrame, folder: str | PathLike, by: str) -> list[Path]:
    """Write households as a partitioned GeoParquet dataset, one file per value of `by`.

    Returns
    -------
    list of pathlib.Path
        The files, ``<folder>/<by>=<value>/households.parquet``, in sorted order.
    """
    written = []
    for value, part in households.groupby(by, sort=True):
        path = Path(folder) / f"{by}={value}" / "households.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        written.append(write_layer(part, path))
    return written


def _partition_tally(
    path: Path,
    root: Path,
    out: Path,
    engine: SignalEngine,
    budget: LinkBudget,
    village_ids: pd.Series,
) -> pd.DataFrame:
    """Classify one partition's households, write them beside the others, return the tally."""
    households = validate_layer("households", path)  # its errors name the file
    layer = household_signal(households, engine, budget)
    target = out / path.relative_to(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_layer(layer, target)
    return village_tally(village_ids, layer)


def partitioned_gap_list(  # noqa: PLR0913 - the layers and rules of a gap list, and where
    villages: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    households: str | PathLike,
    out: str | PathLike,
    setup: SignalSetup | None = None,
    *,
    grid: gpd.GeoDataFrame | None = None,
    criteria: GapCriteria | None = None,
    measurements: gpd.GeoDataFrame | None = None,
    client: Client | None = None,
    progress: bool | None = None,
) -> GapList:
    """Make a gap list from households stored as a partitioned GeoParquet dataset.

    Parameters
    ----------
    villages, towers : geopandas.GeoDataFrame
        Validated layers, in memory (10^5 villages and towers fit easily).
    households : path-like
        Folder of GeoParquet files of households (:func:`household_partitions`).
    out : path-like
        Folder for the classified households: one GeoParquet file per input file, at the
        same relative path, written whole or not at all.
    setup, grid, criteria, measurements
        As :func:`~whitespot.coverage.gap_list`.
    client : distributed.Client, optional
        Run the partitions as Dask tasks (the workers must see both folders).
    progress : bool, optional
        Show a progress bar over the partitions.

    Returns
    -------
    GapList
        As :func:`~whitespot.coverage.gap_list` with the same households, except that
        ``households`` is None: they are in `out` (setting ``households_written_to``).
    """
    root = Path(households)
    parts = household_partitions(root)
    setup, engine, overlap = prepare_gap_list(villages, towers, setup)
    village_ids = villages["village_id"].reset_index(drop=True)
    with staged_files(out) as staging:
        tallies = run_tiles(
            _partition_tally,
            parts,
            root,
            staging,
            engine,
            setup.budget,
            village_ids,
            client=client,
            progress=progress,
            desc="partitions",
        )
    tally = sum(tallies[1:], start=tallies[0])
    gaps = assemble_gap_list(
        villages,
        engine,
        setup,
        overlap,
        tally,
        grid,
        criteria,
        measurements=measurements,
        progress=progress,
    )
    gaps.settings["households_written_to"] = str(Path(out))
    gaps.settings["household_partitions"] = len(parts)
    return gaps
