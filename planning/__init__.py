"""Candidate sites, the coverage matrix, site selection with a proven gap, costs, bidding.

:func:`plan_sites` runs the whole chain on a gap list; :func:`select_sites` solves the
selection on any :class:`CoverageMatrix`.
"""

from whitespot.planning._errors import InfeasibleError
from whitespot.planning.backhaul import (
    BackhaulCheck,
    LineOfSightSettings,
    checked_backhaul_costs,
    checked_network,
)
from whitespot.planning.bidding import bid_lots, coverage_curve, rank_sites, site_lots
from whitespot.planning.candidates import (
    candidates_from_gaps,
    candidates_from_terrain,
    candidates_on_grid,
    read_candidates,
)
from whitespot.planning.costs import (
    UnitCosts,
    backhaul_costs,
    backhaul_network,
    power_costs,
    power_extension,
)
from whitespot.planning.country import plan_country
from whitespot.planning.export import read_plan, write_country_plan, write_plan
from whitespot.planning.hop_figure import hop_profile_figure, plan_hop_figure
from whitespot.planning.lifetime import lifetime_cost, pvifa
from whitespot.planning.line_of_sight import (
    HopClearance,
    earth_bulge_m,
    fresnel_radius_m,
    hop_clearance,
    hops_clearance,
)
from whitespot.planning.matrix import CoverageMatrix, coverage_matrix, demand_points
from whitespot.planning.options import OptionCosts, option_candidates
from whitespot.planning.orlib import read_orlib_scp
from whitespot.planning.plan import (
    CapexUnitWarning,
    Plan,
    costed_candidates,
    plan_sites,
)
from whitespot.planning.select import METHODS, STAGES, SiteSelection, select_sites
from whitespot.planning.strategy import SelectionStrategy

__all__ = [
    "METHODS",
    "STAGES",
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
    "backhaul_network",
    "bid_lots",
    "candidates_from_gaps",
    "candidates_from_terrain",
    "candidates_on_grid",
    "checked_backhaul_costs",
    "checked_network",
    "costed_candidates",
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
    "power_extension",
    "pvifa",
    "rank_sites",
    "read_candidates",
    "read_orlib_scp",
    "read_plan",
    "select_sites",
    "site_lots",
    "write_country_plan",
    "write_plan",
]
