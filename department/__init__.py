"""A department's own village list: read as it is, placed in the post-2025 units, checked.

:func:`read_village_list` reads the spreadsheet (headers in Vietnamese or English, merged
header rows, headings, subtotals, coordinates in any notation, any encoding) and lists every
problem by row; :func:`assign_admin_units` gives each row its post-2025 province and
commune; :func:`quality_report` checks the list and scores each commune. This subsystem sits
between :mod:`whitespot.data` (layers, schemas, I/O) and :mod:`whitespot.coverage`.
"""

from whitespot.department._admin import (
    assign_admin_units,
)
from whitespot.department._footprints import (
    HOUSEHOLD_SIZE,
    EstimateSettings,
    estimate_households,
    households_disagree,
    place_buildings,
    village_areas,
)
from whitespot.department._headers import (
    HEADER_ALIASES,
)
from whitespot.department._unlisted import (
    unlisted_settlements,
)
from whitespot.department.coordinates import (
    parse_coordinates,
)
from whitespot.department.quality import (
    QualityConfig,
    QualityReport,
    quality_report,
)
from whitespot.department.village_list import (
    VillageList,
    read_village_list,
)

__all__ = [
    "HEADER_ALIASES",
    "HOUSEHOLD_SIZE",
    "EstimateSettings",
    "QualityConfig",
    "QualityReport",
    "VillageList",
    "assign_admin_units",
    "estimate_households",
    "households_disagree",
    "parse_coordinates",
    "place_buildings",
    "quality_report",
    "read_village_list",
    "unlisted_settlements",
    "village_areas",
]
