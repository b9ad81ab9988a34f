"""Coverage: the gap lists of villages and households, their tiles, partitions and files.

:func:`gap_list` is the entry point a department uses: every village with its signal and
power status, the gap type and the criteria behind it, beside its evidence from the field;
:func:`partitioned_gap_list` runs it over household partitions (Dask where given);
:func:`dead_zones` and :func:`signal_raster` give the areas without signal;
:func:`write_gap_list` and :func:`read_gap_list` write and read the files with their
settings. How signal is predicted is :mod:`whitespot.radio`; the field evidence is
:mod:`whitespot.evidence`.
"""

from whitespot.coverage._export import (
    read_gap_list,
    write_gap_list,
)
from whitespot.coverage.deadzones import (
    SignalRaster,
    dead_zones,
    signal_raster,
    write_signal_raster,
)
from whitespot.coverage.gaps import (
    GAP_LIST_COLUMNS,
    SUMMARY_COLUMNS,
    GapCriteria,
    GapList,
    gap_list,
    summarize,
)
from whitespot.coverage.partitioned import (
    household_partitions,
    partitioned_gap_list,
    write_partitions,
)
from whitespot.coverage.village_lists import (
    department_gap_list,
)

__all__ = [
    "GAP_LIST_COLUMNS",
    "SUMMARY_COLUMNS",
    "GapCriteria",
    "GapList",
    "SignalRaster",
    "dead_zones",
    "department_gap_list",
    "gap_list",
    "household_partitions",
    "partitioned_gap_list",
    "read_gap_list",
    "signal_raster",
    "summarize",
    "write_gap_list",
    "write_partitions",
    "write_signal_raster",
]
