"""Input layers of whitespot: schemas, validation, readers and writers, CRS, the sample.

Every layer is a GeoDataFrame with a CRS; :func:`validate_layer` (and one function per layer)
checks it and returns it normalized. :func:`read_layer` and :func:`write_layer` move layers
between files and frames; :func:`load_sample` gives the synthetic sample province.
"""

from whitespot.data.crs import (
    WGS84,
    add_lonlat,
    lonlat,
    metric_crs,
    projected_xy,
    to_metric,
    utm_crs,
)
from whitespot.data.dem import Terrain, read_terrain, validate_terrain, write_terrain
from whitespot.data.io import (
    read_layer,
    write_layer,
    write_layers,
)
from whitespot.data.opencellid import read_opencellid
from whitespot.data.overlap import towers_overlap
from whitespot.data.problems import (
    AmbiguousNumberWarning,
    DefaultAppliedWarning,
    GuessedEncodingWarning,
    ImplausibleValueWarning,
    InputError,
    OpenCellidWarning,
    Problem,
    TowersFarWarning,
    UnreadColumnWarning,
    ValidationError,
    WhitespotError,
)
from whitespot.data.sample import (
    Province,
    load_sample,
    make_country,
    make_province,
    read_province,
    write_province,
)
from whitespot.data.schema import (
    LAYER_COLUMNS,
    LAYERS,
    TECHNOLOGIES,
    TECHNOLOGY_DEFAULTS,
    VIETNAM_BBOX,
    TechnologyDefaults,
)
from whitespot.data.swap import staged_folder
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
    "LAYERS",
    "LAYER_COLUMNS",
    "TECHNOLOGIES",
    "TECHNOLOGY_DEFAULTS",
    "VIETNAM_BBOX",
    "WGS84",
    "AmbiguousNumberWarning",
    "DefaultAppliedWarning",
    "GuessedEncodingWarning",
    "ImplausibleValueWarning",
    "InputError",
    "OpenCellidWarning",
    "Problem",
    "Province",
    "TechnologyDefaults",
    "Terrain",
    "TowersFarWarning",
    "UnreadColumnWarning",
    "ValidationError",
    "WhitespotError",
    "add_lonlat",
    "load_sample",
    "lonlat",
    "make_country",
    "make_province",
    "metric_crs",
    "projected_xy",
    "read_layer",
    "read_opencellid",
    "read_province",
    "read_terrain",
    "staged_folder",
    "to_metric",
    "towers_overlap",
    "utm_crs",
    "validate_candidates",
    "validate_grid",
    "validate_households",
    "validate_layer",
    "validate_measurements",
    "validate_terrain",
    "validate_towers",
    "validate_villages",
    "write_layer",
    "write_layers",
    "write_province",
    "write_terrain",
]
