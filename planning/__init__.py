"""Candidate sites, the coverage matrix, site selection with a proven gap, costs, bidding.

:func:`plan_sites` runs the whole chain on a gap list; :func:`select_sites` solves the
selection on any :class:`CoverageMatrix`.
"""

from whitespot.planning._bidding import (
    bid_lots,
    coverage_curve,
)
from whitespot.planning._errors import (
    InfeasibleError,
)
from whitespot.planning.backhaul import (
    BackhaulCheck,
    LineOfSightSettings,
)
from whitespot.planning.candidates import (
    candidates_from_gaps,
    candidates_from_terrain,
    candidates_on_grid,
    read_candidates,
)
from whitespot.planning.costs import (
    UnitCosts,
    backhaul_costs,
    power_costs,
)
from whitespot.planning.country import (
    plan_country,
)
from whitespot.planning.export import (
    read_plan,
    write_country_plan,
    write_plan,
)
from whitespot.planning.hop_figure import (
    hop_profile_figure,
    plan_hop_figure,
)
from whitespot.planning.lifetime import (
    lifetime_cost,
    pvifa,
)
from whitespot.planning.line_of_sight import (
    HopClearance,
    earth_bulge_m,
    fresnel_radius_m,
    hop_clearance,
    hops_clearance,
)
from whitespot.planning.matrix import (
    CoverageMatrix,
    coverage_matrix,
    demand_points,
)
from whitespot.planning.options import (
    OptionCosts,
    option_candidates,
)
from whitespot.planning.orlib import (
    read_orlib_scp,
)
from whitespot.planning.plan import (
    CapexUnitWarning,
    Plan,
    plan_sites,
)
from whitespot.planning.select import (
    METHODS,
    SiteSelection,
    select_sites,
)
from whitespot.planning.strategy import (
    SelectionStrategy,
)

__all__ = [
    "METHODS",
    "BackhaulCheck",
    "CapexUnitWarning",
    "CoverageMatrix",
    "HopClearance",
    "InfeasibleError",
    "LineOfSightSettings",
    "OptionCosts",
    "Plan",
    "SelectionStrategy",
    "SiteSelection",
    "UnitCosts",
    "backhaul_costs",
    "bid_lots",
    "candidates_from_gaps",
    "candidates_from_terrain",
    "candidates_on_grid",
    "coverage_curve",
    "coverage_matrix",
    "demand_points",
    "earth_bulge_m",
    "fresnel_radius_m",
    "hop_clearance",
    "hop_profile_figure",
    "hops_clearance",
    "lifetime_cost",
    "option_candidates",
    "plan_country",
    "plan_hop_figure",
    "plan_sites",
    "power_costs",
    "pvifa",
    "read_candidates",
    "read_orlib_scp",
    "read_plan",
    "select_sites",
    "write_country_plan",
    "write_plan",
]
