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

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from pandas.util import hash_pandas_object

from whitespot._parallel import run_tiles
from whitespot.coverage._tiles import (
    ORPHANS_FIX,
    count_by_village,
    household_signal,
    orphans_text,
    village_tally,
)
from whitespot.coverage._unlisted import with_footprints
from whitespot.coverage.gaps import GapCriteria, GapList, assemble_gap_list, prepare_gap_list
from whitespot.data import Population, Problem, ValidationError, validate_layer, write_layer
from whitespot.data._buildings import MIN_CONFIDENCE
from whitespot.data._crs import xy_in_crs
from whitespot.data._household_table import Households, clean_households
from whitespot.data._io import staged_files
from whitespot.data._point_parquet import geoparquet_schema, point_wkb, with_bbox, write_table
from whitespot.data._problems import format_ids
from whitespot.data._text_hash import text_hash
from whitespot.radio import LinkBudget, SignalEngine, SignalSetup
from whitespot.radio._engine import STATUS_NAMES, _status_code

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


@dataclass(frozen=True)
class _Labels:
    """The villages' and the towers' texts as Arrow arrays, made once for all partitions."""

    village_ids: pa.Array
    """The villages file's ids, in its order."""
    tower_texts: dict[str, pa.Array]
    """``best_tower_id``, ``best_operator``, ``best_technology`` of each prepared tower."""

    @classmethod
    def of(cls, villages: gpd.GeoDataFrame, engine: SignalEngine) -> _Labels:
        towers = engine.towers
        texts = zip(("best_tower_id", "best_operator", "best_technology"),
                    (towers.ids, towers.operator, towers.technology), strict=True)  # fmt: skip
        return cls(
            pa.array(villages["village_id"].reset_index(drop=True), pa.large_string()),
            {name: pa.array(values, pa.large_string()) for name, values in texts},
        )


def _partition_tally(
    path: Path,
    root: Path,
    out: Path,
    engine: SignalEngine,
    budget: LinkBudget,
    labels: _Labels,
) -> tuple[pd.DataFrame | None, np.ndarray, pd.Series]:
    """Classify one partition's households, write them beside the others.

    Returns the tally, a 64-bit key per household (:func:`_household_keys`) and the
    village ids of its households whose village is not in the villages file. A partition
    with such households is neither predicted nor written (its tally is None): the run
    is refused (:func:`_check_villages_known`). A partition in whitespot's own form is
    read, classified and written as arrays (:func:`_array_tally`); others through
    validation and GeoDataFrames, with the same result.
    """
    target = out / path.relative_to(root)
    households = clean_households(path) if engine.engine.ground is None else None
    if households is not None:
        return _array_tally(households, target, engine, budget, labels)
    village_ids = labels.village_ids
    households = validate_layer("households", path)  # its errors name the file
    ids = households["household_id"] if "household_id" in partition_columns(path) else None
    member = village_members(village_ids, households["village_id"])
    xy = shapely.get_coordinates(households.geometry.array)
    keys = _household_keys(member, xy, None if ids is None else text_hash(pa.array(ids)))
    orphans = households["village_id"][member == len(village_ids)]
    if len(orphans):
        return None, keys, orphans.reset_index(drop=True)
    layer = household_signal(households, engine, budget)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_layer(layer, target)
    return village_tally(village_ids.to_pandas(), layer), keys, orphans


def _array_tally(
    households: Households,
    target: Path,
    engine: SignalEngine,
    budget: LinkBudget,
    labels: _Labels,
) -> tuple[pd.DataFrame | None, np.ndarray, pd.Series]:
    """:func:`_partition_tally` of a clean partition, without geometries or pandas columns.

    The file written is the one :func:`household_signal` and
    :func:`~whitespot.data.write_layer` write, byte for byte: its schema is theirs, for
    the partition's first household.
    """
    points, village_ids = households.points, labels.village_ids
    xy = np.column_stack([points.x, points.y])
    village = households.columns["village_id"]
    member = village_members(village_ids, village)
    keys = _household_keys(member, xy, households.id_hash)
    unknown = member == len(village_ids)
    if unknown.any():
        return None, keys, village.filter(pa.array(unknown)).to_pandas()
    metric_xy = xy_in_crs(xy, households.first.crs, engine.crs)
    result, _ = engine.search_xy(metric_xy, progress=False)
    margin = result["best_margin_db"]
    status = _status_code(margin, budget.weak_band_db)
    indoor = None
    columns = {**households.columns, "geometry": point_wkb(points.x, points.y)}
    columns.update(_signal_columns(labels, result))
    columns["signal_status"] = pa.array(STATUS_NAMES[status])
    if engine.indoors is not None:
        names = engine.indoor_status(metric_xy, margin, budget.weak_band_db)
        indoor = (names == "covered", names == "weak")
        columns["indoor_signal_status"] = pa.array(names)
    schema = with_bbox(_written_schema(households, engine, budget), points.x, points.y)
    table = pa.Table.from_arrays(
        [columns[field.name].cast(field.type) for field in schema], schema=schema
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    write_table(table, target)
    tally = count_by_village(
        member,
        len(village_ids),
        (status == 2, status == 1),
        households.columns["electrified"].to_numpy(zero_copy_only=False),
        result["terrain_fallback"],
        indoor,
    )
    return tally, keys, pd.Series(dtype="string")


def _signal_columns(labels: _Labels, result: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    """Make the columns of :meth:`SignalEngine.predict` from its search's arrays, in Arrow."""
    tower = result["best_tower"]
    served = pa.array(tower, mask=tower < 0)
    texts = {name: values.take(served) for name, values in labels.tower_texts.items()}
    return {
        "best_signal_dbm": pa.array(result["best_signal_dbm"], from_pandas=True),
        "best_margin_db": pa.array(result["best_margin_db"], from_pandas=True),
        **texts,
        "towers_above_threshold": pa.array(result["towers_above_threshold"]),
        "nearest_tower_km": pa.array(result["nearest_tower_km"], from_pandas=True),
        "terrain_fallback": pa.array(result["terrain_fallback"]),
    }


def _written_schema(households: Households, engine: SignalEngine, budget: LinkBudget) -> pa.Schema:
    """Return the schema :func:`household_signal` + ``write_layer`` write for a partition.

    That of the partition's first household, kept per file layout and indoor judgement:
    the partitions of a country share one, and making it costs a small prediction.
    """
    key = (households.points.layout, engine.indoors is not None)
    if key not in _SCHEMAS:
        first = household_signal(validate_layer("households", households.first), engine, budget)
        if len(_SCHEMAS) >= SCHEMAS_KEPT:
            _SCHEMAS.clear()
        _SCHEMAS[key] = geoparquet_schema(first)
    return _SCHEMAS[key]


SCHEMAS_KEPT = 16
"""Schemas of written partitions :func:`_written_schema` keeps."""

_SCHEMAS: dict[tuple[bytes, bool], pa.Schema] = {}


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


def _household_keys(member: np.ndarray, xy: np.ndarray, id_hash: np.ndarray | None) -> np.ndarray:
    """Return a 64-bit hash per household: of its village and point, and its id if given.

    Partitions that each number their households from 1 (one file per province) share ids
    but not places: only the same id at the same place in the same village is the same
    household (a partition copied twice). `member` is the village's position among the
    villages (every village known: a run with others is refused first), `id_hash` the
    :func:`~whitespot.data._text_hash.text_hash` of the ids.
    """
    where = pd.DataFrame({"village": member, "x": xy[:, 0], "y": xy[:, 1]})
    if id_hash is not None:
        where["id"] = id_hash
    return hash_pandas_object(where, index=False).to_numpy()


def village_members(village_ids: pa.Array, village: pa.Array | pd.Series) -> np.ndarray:
    """Return each household's village as its position in `village_ids`, their count if absent."""
    found = pc.index_in(pa.array(village, type=village_ids.type), value_set=village_ids)
    return found.fill_null(len(village_ids)).to_numpy().astype(np.int64)


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
    flat = np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)
    ordered = np.sort(flat)
    if not (ordered[1:] == ordered[:-1]).any():
        return  # no key twice, within or across partitions
    owner = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
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
    labels = _Labels.of(villages, engine)
    with staged_files(out) as staging:
        results = run_tiles(
            _partition_tally,
            parts,
            root,
            staging,
            engine,
            setup.budget,
            labels,
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
