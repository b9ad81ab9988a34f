"""A department's own village list: read as it is, placed in the post-2025 units, checked.

:func:`read_village_list` reads the spreadsheet (headers in Vietnamese or English, merged
header rows, headings, subtotals, coordinates in any notation, any encoding) and lists every
problem by row; :func:`assign_admin_units` gives each row its post-2025 province and
commune; :func:`quality_report` checks the list and scores each commune. This subsystem sits
between :mod:`whitespot.data` (layers, schemas, I/O) and :mod:`whitespot.coverage`.
"""

from whitespot.data.vocabulary import ADMIN_STATUSES
from whitespot.department.admin import assign_admin_units, code_sources
from whitespot.department.coordinates import parse_coordinates, split_pairs
from whitespot.department.footprints import (
    ESTIMATE_COLUMNS,
    HOUSEHOLD_SIZE,
    HOUSEHOLD_SIZE_SOURCE,
    EstimateSettings,
    Placed,
    estimate_households,
    households_disagree,
    place_buildings,
    village_areas,
)
from whitespot.department.headers import FIELDS, HEADER_ALIASES, header_map
from whitespot.department.quality import QualityConfig, QualityReport, quality_report
from whitespot.department.unlisted import LINK_DISTANCE_M, MIN_BUILDINGS, unlisted_settlements
from whitespot.department.village_list import VillageList, read_village_list

__all__ = [
    "ADMIN_STATUSES",
    "ESTIMATE_COLUMNS",
    "FIELDS",
    "HEADER_ALIASES",
    "HOUSEHOLD_SIZE",
    "HOUSEHOLD_SIZE_SOURCE",
    "LINK_DISTANCE_M",
    "MIN_BUILDINGS",
    "EstimateSettings",
    "Placed",
    "QualityConfig",
    "QualityReport",
    "VillageList",
    "assign_admin_units",
    "code_sources",
    "estimate_households",
    "header_map",
    "households_disagree",
    "parse_coordinates",
    "place_buildings",
    "quality_report",
    "read_village_list",
    "split_pairs",
    "unlisted_settlements",
    "village_areas",
]
