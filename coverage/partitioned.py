"""The gap list of a country from households on disk, one partition at a time.

A country's households (about 27 million in Viet Nam) do not need to be in memory at once:
given as a partitioned GeoParquet dataset (a folder of ``.parquet`` files, one per province
or tile, in any sub-folders), each partition is read, predicted, classified and written to
the output folder as its own GeoParquet file, and only the per-village counts
(:func:`~whitespot.coverage._tiles.village_tally`) come back. Counts add up exactly, so the
villages, communes and provinces are those of :func:`~whitespot.coverage.gap_list` on all
households at once; memory is bounded by one partition. With a Dask client the partitions
are Dask tasks: the workers must see the input and output folders (shared storage).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from pandas.util import hash_pandas_object

from whitespot._parallel import run_tiles
from whitespot.coverage._tiles import (
    ORPHANS_FIX,
    household_signal,
    orphans_text,
    unknown_villages,
    village_tally,
)
from whitespot.coverage._unlisted import with_footprints
from whitespot.coverage.gaps import GapCriteria, GapList, assemble_gap_list, prepare_gap_list
from whitespot.data import Population, Problem, ValidationError, validate_layer, write_layer
from whitespot.data._buildings import MIN_CONFIDENCE
from whitespot.data._io import staged_files
from whitespot.data._problems import format_ids
from whitespot.radio import LinkBudget, SignalEngine, SignalSetup

if TYPE_CHECKING:
    from distributed import Client


def household_partitions(folder: str | PathLike) -> list[Path]:
    """Return the ``.parquet`` files of a partitioned dataset, in sorted path order.

    Parameters
    ----------
    folder : path-like
        A partitioned dataset (``<by>=<value>/households.parquet`` or any ``.parquet``
        files below it).

    Returns
    -------
    list of pathlib.Path
        The files, in sorted path order.

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

    Parameters
    ----------
    households : geopandas.GeoDataFrame
        Validated households.
    folder : path-like
        The dataset's folder (created).
    by : str
        Column whose values name the partitions (``province_code`` ...).

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


def partition_columns(path: Path) -> set[str]:
    """Columns of a GeoParquet partition as validation names them (stripped, lower case)."""
    names = pq.read_schema(path).names
    return {str(name).strip().lower().replace(" ", "_") for name in names}


def _partition_tally(
    path: Path,
    root: Path,
    out: Path,
    engine: SignalEngine,
    budget: LinkBudget,
    village_ids: pd.Series,
) -> tuple[pd.DataFrame | None, np.ndarray, pd.Series]:
    """Classify one partition's households, write them beside the others.

    Returns the tally, a 64-bit key per household (:func:`_household_keys`) and the
    village ids of its households whose village is not in the villages file. A partition
    with such households is neither predicted nor written (its tally is None): the run
    is refused (:func:`_check_villages_known`).
    """
    households = validate_layer("households", path)  # its errors name the file
    ids_given = "household_id" in partition_columns(path)
    keys = _household_keys(households, ids_given)
    orphans = households["village_id"][unknown_villages(village_ids, households)]
    if len(orphans):
        return None, keys, orphans.reset_index(drop=True)
    layer = household_signal(households, engine, budget)
    target = out / path.relative_to(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_layer(layer, target)
    return village_tally(village_ids, layer), keys, orphans


def _check_villages_known(orphans: list[pd.Series], parts: list[Path], root: Path) -> None:
    """Refuse partitions with households of villages absent from the villages file.

    They would be left out of every count (:func:`village_tally` keeps them apart): a
    ministry's totals must add up to the households given, so the run is refused, naming
    each partition, its count and a few of the village ids.
    """
    found = [(parts[i], o) for i, o in enumerate(orphans) if len(o)]
    if not found:
        return
    total = sum(len(o) for _, o in found)
    each = "; ".join(f"{p.relative_to(root)}: {orphans_text(o)}" for p, o in found[:5])
    more = f"; and {len(found) - 5} more partitions" if len(found) > 5 else ""
    raise ValidationError(
        [
            Problem(
                f"households ({root})",
                "village_id",
                "unknown_village",
                f"{total:,} households in {len(found)} of {len(parts)} partitions name "
                f"villages absent from the villages file ({each}{more}): {ORPHANS_FIX} (a "
                "partition of another province?)",
            )
        ]
    )


def _household_keys(households: gpd.GeoDataFrame, ids_given: bool) -> np.ndarray:
    """Return a 64-bit hash per household: of its village and point, and its id if given.

    Partitions that each number their households from 1 (one file per province) share ids
    but not places: only the same id at the same place in the same village is the same
    household (a partition copied twice).
    """
    point = households.geometry.representative_point()
    where = pd.DataFrame(
        {"village": households["village_id"].to_numpy(), "x": point.x, "y": point.y}
    )
    if ids_given:
        where["id"] = households["household_id"].to_numpy()
    return hash_pandas_object(where, index=False).to_numpy()


def _check_electrified_everywhere(parts: list[Path], root: Path) -> None:
    """Refuse partitions of which some give ``electrified`` and others do not."""
    given = np.array(["electrified" in partition_columns(p) for p in parts])
    if given.any() and not given.all():
        missing = [str(p.relative_to(root)) for p in np.array(parts, dtype=object)[~given]]
        raise ValidationError(
            [
                Problem(
                    f"households ({root})",
                    "electrified",
                    "missing_column",
                    f"{given.sum()} of {len(parts)} partitions give electrified, "
                    f"{len(missing)} do not ({format_ids(missing)}): their households "
                    "would count as having power; add the column (empty cells = unknown) "
                    "or drop it everywhere",
                )
            ]
        )


def _check_each_household_once(keys: list[np.ndarray], parts: list[Path], root: Path) -> None:
    """Refuse households that appear in more than one partition, naming the files."""
    owner = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
    flat = np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)
    order = np.argsort(flat, kind="stable")
    key, part = flat[order], owner[order]
    across = (key[1:] == key[:-1]) & (part[1:] != part[:-1])
    if not across.any():
        return
    # the error path only: which files share households, and which are copies whole
    frame = pd.DataFrame({"key": flat, "part": owner}).drop_duplicates()
    shared = frame[frame.duplicated("key", keep=False)]
    files = [str(parts[i].relative_to(root)) for i in np.unique(shared["part"])]
    copied = shared["part"].value_counts().reindex(range(len(keys)), fill_value=0)
    whole = [str(parts[i].relative_to(root)) for i in range(len(keys)) if copied[i] == len(keys[i])]
    identical = f"; every household of {', '.join(whole)} is in another file" if whole else ""
    raise ValidationError(
        [
            Problem(
                f"households ({root})",
                "household_id",
                "duplicate_id",
                f"{shared['key'].nunique():,} households are in more than one partition "
                f"({format_ids(files)}){identical}: a partition copied twice? each household "
                "must be in one file only (the same village and point, and the same id where "
                "ids are given)",
            )
        ]
    )


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
    buildings: gpd.GeoDataFrame | str | PathLike | None = None,
    population: Population | str | PathLike | None = None,
    communes: gpd.GeoDataFrame | None = None,
    min_confidence: float = MIN_CONFIDENCE,
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
        Run the partitions, and the footprint files, as Dask tasks (the workers must see
        the folders and files).
    progress : bool, optional
        Show a progress bar over the partitions.
    buildings : geopandas.GeoDataFrame or path-like, optional
        Footprints, as :func:`~whitespot.coverage.gap_list` takes them; a file or a folder
        of files (a country's Open Buildings tiles) is read and tallied one file at a time,
        one task each with `client`. The estimates and the settlements no list names are
        those of the footprints all at once, a settlement across two files counted once.
    population, communes
        As :func:`~whitespot.coverage.gap_list`.
    min_confidence : float, default 0.7
        Of the footprints read from files (:func:`whitespot.data.read_buildings`).

    Returns
    -------
    GapList
        As :func:`~whitespot.coverage.gap_list` with the same households, except that
        ``households`` is None: they are in `out` (setting ``households_written_to``).

    Raises
    ------
    ValidationError
        When a partition's households name villages absent from `villages` (they would be
        left out of every count): nothing is written, and the message names each such
        partition, how many households and a few of their village ids; when a household
        is in several partitions; when some partitions give ``electrified`` and others not.
    """
    root = Path(households)
    parts = household_partitions(root)
    _check_electrified_everywhere(parts, root)
    estimated = {}
    if buildings is not None or population is not None:
        villages, estimated = with_footprints(
            villages,
            buildings,
            population,
            communes=communes,
            crs=setup.crs if setup else None,
            min_confidence=min_confidence,
            client=client,
            progress=progress,
        )
    setup, engine, overlap = prepare_gap_list(villages, towers, setup)
    village_ids = villages["village_id"].reset_index(drop=True)
    with staged_files(out) as staging:
        results = run_tiles(
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
        _check_villages_known([orphans for _, _, orphans in results], parts, root)
        _check_each_household_once([keys for _, keys, _ in results], parts, root)
    tallies = [tally for tally, _, _ in results]
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
    gaps.settings.update(estimated)
    gaps.settings["households_written_to"] = str(Path(out))
    gaps.settings["household_partitions"] = len(parts)
    return gaps
