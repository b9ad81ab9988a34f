"""Input layers of whitespot: schemas, validation, readers and writers, CRS, the sample.

Every layer is a GeoDataFrame with a CRS; :func:`validate_layer` (and one function per layer)
checks it and returns it normalized. :func:`read_layer` and :func:`write_layer` move layers
between files and frames; :func:`load_sample` gives the synthetic sample province.
"""

from whitespot.data._buildings import (
    FootprintsLeftOutWarning,
    read_buildings,
)
from whitespot.data._crs import (
    add_lonlat,
    lonlat,
    metric_crs,
    to_metric,
    utm_crs,
)
from whitespot.data._dem import (
    Terrain,
    read_terrain,
    write_terrain,
)
from whitespot.data._io import (
    read_layer,
    write_layer,
)
from whitespot.data._kml import (
    ArchiveLimitError,
    read_kml,
)
from whitespot.data._opencellid import (
    read_opencellid,
)
from whitespot.data._problems import (
    AmbiguousNumberWarning,
    DefaultAppliedWarning,
    DuplicateColumnWarning,
    GuessedEncodingWarning,
    ImplausibleValueWarning,
    MultiTechnologyWarning,
    OpenCellidWarning,
    OperatorCodeWarning,
    Problem,
    TowersFarWarning,
    UnreadColumnWarning,
    ValidationError,
)
from whitespot.data._schema import (
    COLUMN_ALIASES,
    LAYER_COLUMNS,
    TECHNOLOGIES,
    TECHNOLOGY_DEFAULTS,
)
from whitespot.data._swap import (
    LeftoverWarning,
)
from whitespot.data._vocabulary import (
    ADMIN_STATUSES,
    GAP_TYPES,
    POWER_STATUSES,
    PROGRESS_STATUSES,
    SIGNAL_STATUSES,
)
from whitespot.data.population import (
    Population,
    read_population,
)
from whitespot.data.sample import (
    Province,
    load_sample,
    make_country,
    make_province,
    read_province,
    write_province,
)
from whitespot.data.validate import (
    validate_candidates,
    validate_grid,
    validate_households,
    validate_layer,
    validate_measurements,
    validate_towers,
    validate_villages,
)

__all__ = [
    "ADMIN_STATUSES",
    "COLUMN_ALIASES",
    "GAP_TYPES",
    "LAYER_COLUMNS",
    "POWER_STATUSES",
    "PROGRESS_STATUSES",
    "SIGNAL_STATUSES",
    "TECHNOLOGIES",
    "TECHNOLOGY_DEFAULTS",
    "AmbiguousNumberWarning",
    "ArchiveLimitError",
    "DefaultAppliedWarning",
    "DuplicateColumnWarning",
    "FootprintsLeftOutWarning",
    "GuessedEncodingWarning",
    "ImplausibleValueWarning",
    "LeftoverWarning",
    "MultiTechnologyWarning",
    "OpenCellidWarning",
    "OperatorCodeWarning",
    "Population",
    "Problem",
    "Province",
    "Terrain",
    "TowersFarWarning",
    "UnreadColumnWarning",
    "ValidationError",
    "add_lonlat",
    "load_sample",
    "lonlat",
    "make_country",
    "make_province",
    "metric_crs",
    "read_buildings",
    "read_kml",
    "read_layer",
    "read_opencellid",
    "read_population",
    "read_province",
    "read_terrain",
    "to_metric",
    "utm_crs",
    "validate_candidates",
    "validate_grid",
    "validate_households",
    "validate_layer",
    "validate_measurements",
    "validate_towers",
    "validate_villages",
    "write_layer",
    "write_province",
    "write_terrain",
]
