"""The planning pipeline: from a gap list to a ranked, costed site list and bid lots."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from whitespot._errors import WhitespotWarning
from whitespot.coverage import GapList
from whitespot.data import Problem, Terrain, ValidationError, metric_crs
from whitespot.data._labels import counted
from whitespot.data._problems import format_ids
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE
from whitespot.planning._bidding import (
    bid_lots,
    coverage_curve,
    rank_sites,
    service_lines,
    village_options,
)
from whitespot.planning.backhaul import (
    BackhaulCheck,
    LineOfSightSettings,
    checked_backhaul_costs,
    checked_network,
)
from whitespot.planning.candidates import candidates_from_gaps, candidates_from_terrain
from whitespot.planning.costs import (
    UnitCosts,
    backhaul_costs,
    backhaul_network,
    power_costs,
    power_extension,
)
from whitespot.planning.matrix import CoverageMatrix, coverage_matrix, demand_points
from whitespot.planning.objective import Objective
from whitespot.planning.options import OPTION_LABELS, OPTIONS, OptionCosts, option_candidates
from whitespot.planning.select import SiteSelection, check_objective, select_sites
from whitespot.planning.strategy import SelectionStrategy
from whitespot.radio import SignalSetup
from whitespot.radio._terrain import reproject_terrain, terrain_coverage_mask


@dataclass(frozen=True)
class Plan:
    """The result of :func:`plan_sites`.

    Attributes
    ----------
    selection : SiteSelection
        The chosen sites with objective, bound and gap.
    sites : geopandas.GeoDataFrame
        The ranked site list (:data:`whitespot.planning._bidding.RANKING_COLUMNS`).
    lots : pandas.DataFrame
        Bid lots with totals.
    curve : pandas.DataFrame
        Households covered per budget step.
    backhaul : geopandas.GeoDataFrame
        Microwave links of the chosen sites to existing towers.
    power_lines : geopandas.GeoDataFrame
        Grid extension shared by new sites on grid power and unelectrified villages.
    service : geopandas.GeoDataFrame
        Lines from each site to the villages it newly serves.
    candidates : geopandas.GeoDataFrame
        Every candidate with its costs.
    matrix : CoverageMatrix
        The coverage matrix the selection ran on.
    unreachable : pandas.DataFrame
        Villages with households without signal that no candidate reaches: ``village_id``,
        ``name``, ``households_out_of_reach``.
    settings : dict
        What was asked and the unit costs, for the record; with a DEM, the line-of-sight
        rules and how many backhaul hops were clear, raised, re-routed and turned to
        satellite (``los_hops_*``).
    line_of_sight : BackhaulCheck or None
        With a DEM: the backhaul hops checked for line of sight
        (:class:`whitespot.planning.backhaul.BackhaulCheck`); None without one.
    villages : pandas.DataFrame
        How each village with households newly covered is served
        (:func:`whitespot.planning._bidding.village_options`): ``option`` (new tower,
        co-location, upgrade, satellite terminal), ``site_id`` and its share of the cost.
    """

    selection: SiteSelection
    sites: gpd.GeoDataFrame
    lots: pd.DataFrame
    curve: pd.DataFrame
    backhaul: gpd.GeoDataFrame
    power_lines: gpd.GeoDataFrame
    service: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    matrix: CoverageMatrix
    unreachable: pd.DataFrame
    settings: dict[str, object] = field(default_factory=dict)
    line_of_sight: BackhaulCheck | None = None
    villages: pd.DataFrame = field(default_factory=pd.DataFrame)

    def headline(self) -> str:
        """One sentence: sites, households newly covered, cost; what stays out of reach."""
        beyond = int(self.settings.get("villages_beyond_model_range", 0))
        unjudged = (
            f"; {counted(beyond, 'village')} beyond the model's range not planned for "
            "(not judged: see the gap list's model_range)"
            if beyond
            else ""
        )
        return self._selection_sentence() + unjudged

    def _cheapest_candidate(self) -> float:
        """Return the least cost of a candidate as selection prices it (inf without any)."""
        column = "lifetime_cost" if "lifetime_cost" in self.candidates else "total_cost"
        costs = self.candidates.get(column, [])
        return float(np.min(costs)) if len(costs) else float("inf")

    def _selection_sentence(self) -> str:
        s = self.selection
        total = s.coverable + s.unreachable
        cost = float(self.sites["total_cost"].sum())
        currency = self.settings.get("currency", "")
        sites = self._sites_phrase()
        if total == 0:
            return (
                "nothing left to cover: every household of the gap list has signal, "
                "no new site is needed"
            )
        if s.coverable == 0:
            return (
                f"no candidate site reaches any of the {total:,.0f} households without signal "
                f"({len(self.unreachable):,} villages, sheet 'unreachable'): give candidates "
                "nearer the gaps (--candidates) or check the model"
            )
        cheapest = self._cheapest_candidate()
        if (
            s.problem == "budget"
            and not len(self.sites)
            and cheapest > float(self.settings.get("budget", 0.0))
        ):
            return (
                f"no site fits the budget of {float(self.settings['budget']):,.0f} {currency}: "
                f"the cheapest candidate costs {cheapest:,.0f} {currency} with its power and "
                f"backhaul; raise the budget to cover any of the {total:,.0f} households "
                "without signal"
            )
        if s.problem == "set_cover" and s.unreachable > s.covered:
            return (
                f"covering all is not possible: {s.unreachable:,.0f} of {total:,.0f} households "
                f"without signal ({len(self.unreachable):,} villages, sheet 'unreachable') are "
                f"out of reach of every candidate; {sites} cover the other {s.covered:,.0f} "
                f"for {cost:,.0f} {currency}"
            )
        return (
            f"{sites} cover {s.covered:,.0f} of {total:,.0f} households without signal for "
            f"{cost:,.0f} {currency}{self._lifetime_phrase()} ({s.unreachable:,.0f} out of "
            "reach of every candidate)"
        )

    def _options_on(self) -> bool:
        return self.settings.get("options", "off") != "off"

    def _sites_phrase(self) -> str:
        """``"3 new sites"``; with options, each kind chosen (``"2 new sites and 1 upgrade"``)."""
        if not self._options_on():
            return counted(len(self.selection.sites), "new site")
        parts = [
            counted(int(self.settings.get(f"sites_{kind}", 0)), *OPTION_LABELS[kind])
            for kind in OPTIONS
            if self.settings.get(f"sites_{kind}", 0)
        ]
        if not parts:
            return counted(0, "new site")
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def _lifetime_phrase(self) -> str:
        if not self._options_on():
            return ""
        years = self.settings.get("option_horizon_years", 0)
        lifetime = float(self.sites["lifetime_cost"].sum())
        return f" to build, {lifetime:,.0f} over {years:g} years"


def costed_candidates(
    candidates: gpd.GeoDataFrame,
    *,
    towers: gpd.GeoDataFrame | None,
    grid: gpd.GeoDataFrame | None,
    costs: UnitCosts,
    crs: CRS,
    terrain: Terrain | None = None,
    line_of_sight: LineOfSightSettings | None = None,
) -> gpd.GeoDataFrame:
    """Add ``capex``, power and backhaul costs and ``total_cost`` to candidate sites.

    A ``capex`` column whose sites cost 10^5 million VND or more is in VND, and one under
    10 million VND is in billion VND (tỷ đồng): converted by magnitude, with a
    :class:`CapexUnitWarning` and the unit assumed in ``attrs["capex_unit"]``; a column
    whose rows hold several units is converted row by row, naming the rows of each
    (:func:`capex_in_million_vnd`).

    With `terrain` (a DEM in `crs`), each site's microwave hop to a tower is checked for
    line of sight (:func:`whitespot.planning.backhaul.checked_backhaul_costs`, rules from
    `line_of_sight`): a blocked hop is priced raised, re-routed or as satellite.
    """
    out = candidates.copy()
    capex = out["capex"] if "capex" in out else pd.Series(np.nan, index=out.index)
    capex, unit = capex_in_million_vnd(capex.astype(float), costs.currency, out.get("site_id"))
    out["capex"] = capex.fillna(costs.site_capex)
    backhaul = (
        backhaul_costs(out, towers, costs, crs)
        if terrain is None
        else checked_backhaul_costs(
            out, towers, costs, crs, terrain=terrain, rules=line_of_sight or LineOfSightSettings()
        )
    )
    out = pd.concat([out, power_costs(out, grid, costs, crs), backhaul], axis=1)
    out["total_cost"] = out["capex"] + out["power_cost"] + out["backhaul_cost"]
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=candidates.crs)
    out.attrs["capex_unit"] = unit
    return out


class CapexUnitWarning(WhitespotWarning):
    """Candidates' capex was read in another unit than the plan's, judged by its size."""


IN_VND_FROM = 1e5
"""A median site cost of this many million VND or more means the file is in VND (a site
costs about 500-5,000 million VND)."""
IN_BILLIONS_BELOW = 10.0
"""A median site cost under this many million VND means billion VND (tỷ đồng)."""


MIXED_UNITS_SPREAD = 100.0
"""Largest ratio between the median site costs of two groups of rows read in two units,
once converted: a file with capex half in VND and half in million VND converts to one range
of site costs; groups further apart than this are not one unit mixed with another."""


def capex_in_million_vnd(
    capex: pd.Series, currency: str, site_ids: pd.Series | None = None
) -> tuple[pd.Series, str]:
    """Return site costs in million VND, converted when their size shows another unit.

    Only for plans in million VND; the unit assumed is returned and warned when converted.
    Rows in VND are told by their own size: a file whose rows hold both VND and million
    VND (half and half, their values about 10^6 apart) is converted row by row, with a
    :class:`CapexUnitWarning` naming the rows of each unit; where the converted groups do
    not meet (their medians more than :data:`MIXED_UNITS_SPREAD` apart) it is refused.
    Billions (under 10) are told by the column's median only: 10^3 apart from millions,
    one small value among millions is not a unit of its own.

    Raises
    ------
    ValidationError
        If the rows hold several units that do not convert to one range of site costs,
        naming the sites of each.
    """
    given = capex.dropna()
    if currency != "million VND" or given.empty:
        return capex, currency
    ids = capex.index.to_series() if site_ids is None else site_ids
    in_vnd = capex >= IN_VND_FROM
    present = {"VND": (in_vnd, 1e-6), "million VND": (capex.notna() & ~in_vnd, 1.0)}
    if all(mask.any() for mask, _ in present.values()):
        return _mixed_units(capex, present, ids), "mixed units, each row converted to million VND"
    median = float(given.median())
    if median >= IN_VND_FROM:
        factor, unit = 1e-6, "VND"
    elif median < IN_BILLIONS_BELOW:
        factor, unit = 1e3, "billion VND (tỷ đồng)"
    else:
        return capex, currency
    warnings.warn(
        f"candidates' capex (median {median:,.6g}) read as {unit}: converted to million VND "
        f"(x {factor:g}); give capex in million VND to keep it as it is",
        CapexUnitWarning,
        stacklevel=3,
    )
    return capex * factor, f"{unit}, converted to million VND"


def _mixed_units(capex: pd.Series, present: dict, ids: pd.Series) -> pd.Series:
    """Convert each row by its own unit, said by rows; refuse groups that do not meet."""
    medians = {
        unit: float(capex[mask].median()) * factor for unit, (mask, factor) in present.items()
    }
    parts = [
        f"{counted(int(mask.sum()), 'site')} in {unit} ({format_ids(ids[mask.to_numpy()])}; "
        f"median {capex[mask].median():,.6g})"
        for unit, (mask, _) in present.items()
    ]
    if max(medians.values()) > MIXED_UNITS_SPREAD * min(medians.values()):
        raise ValidationError(
            [
                Problem(
                    "candidates", "capex", "capex_units",
                    "capex holds site costs of several sizes that no unit reconciles: "
                    + "; ".join(parts) + ". Give every site's capex in million VND",
                    tuple(str(i) for i in ids[capex.notna().to_numpy()]),
                )
            ]
        )  # fmt: skip
    warnings.warn(
        "candidates' capex mixes units, each row read by its size and converted to million "
        "VND: " + "; ".join(parts) + ". Give every site's capex in million VND to keep "
        "them as they are",
        CapexUnitWarning,
        stacklevel=4,
    )
    converted = capex.copy()
    for mask, factor in present.values():
        converted[mask] = capex[mask] * factor
    return converted


def plan_sites(  # noqa: PLR0913 the objective, layers, costs and solver options
    gaps: GapList,
    objective: Objective,
    *,
    candidates: gpd.GeoDataFrame | None = None,
    towers: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
    terrain: Terrain | None = None,
    technology: str = "4G",
    setup: SignalSetup | None = None,
    costs: UnitCosts | None = None,
    line_of_sight: LineOfSightSettings | None = None,
    options: OptionCosts | None = None,
    method: str = "auto",
    time_limit_s: float = 60.0,
    strategy: SelectionStrategy | None = None,
    lots_by: str = "commune",
    curve_steps: int = 10,
    progress: bool | None = None,
) -> Plan:
    """Choose, cost, rank and lot new tower sites for the households a gap list leaves out.

    Parameters
    ----------
    gaps : GapList
        From :func:`whitespot.coverage.gap_list`; its uncovered households are the demand
        (existing towers count as built: what they cover is not demand).
    objective : Objective
        ``Objective.sites(n)``, ``Objective.budget(amount)`` or ``Objective.cover_all()``,
        with the sites forced and forbidden (ids of `candidates`); a budget is in the
        candidates' capex unit, ``costs.currency`` (default million VND), and counts their
        power and backhaul (and, with `options`, their cost over the horizon).
    candidates : geopandas.GeoDataFrame, optional
        Candidate sites; default: at and around every village without signal
        (:func:`candidates_from_gaps`), plus DEM high points when `terrain` is given.
    towers : geopandas.GeoDataFrame, optional
        Existing towers: the anchors of microwave backhaul.
    grid : geopandas.GeoDataFrame, optional
        Power lines, for connection costs and the shared extension.
    terrain : Terrain, optional
        DEM: candidate high points, and the DEM of the gap list's terrain model (without
        it a terrain gap list is planned with RMa LOS, and the settings say so).
    technology : str, default "4G"
        Technology of the new sites.
    setup : SignalSetup, optional
        How the new sites' signal is predicted; default the gap list's own setup
        (:meth:`SignalSetup.from_settings`: model, environment, extrapolation, link
        budget), so the plan counts as covered only what the gap list would. Override a
        part with ``gaps.setup.replace(...)``.
    costs : UnitCosts, optional
    line_of_sight : LineOfSightSettings, optional
        With `terrain`, how backhaul hops are checked for line of sight (ITU-R P.530
        clearance) and what a blocked hop may cost (:mod:`whitespot.planning.backhaul`);
        default :class:`~whitespot.planning.backhaul.LineOfSightSettings`. Without
        `terrain` hops are priced by distance and the settings say so.
    options : OptionCosts, optional
        Offer co-location on existing towers, upgrades of 2G/3G towers and satellite
        community terminals besides new sites (:mod:`whitespot.planning.options`), and
        compare every candidate by its cost over ``options.horizon_years``; an option
        whose capex is ``inf`` is not offered. Default None: new sites only, priced by
        what they cost to build.
    method, time_limit_s, strategy
        As :func:`select_sites`.
    lots_by : {"commune", "backhaul"}, default "commune"
    curve_steps : int, default 10
        Budget steps of the coverage curve (0 skips it).
    progress : bool, optional

    Returns
    -------
    Plan
    """
    check_objective(objective, method=method, time_limit_s=time_limit_s)
    costs = costs or UnitCosts()
    if setup is None and terrain is not None:  # the gap list's setup over the DEM given here
        setup = SignalSetup.from_settings(gaps.settings, terrain=terrain)
    setup = setup or gaps.setup
    crs = setup.crs or metric_crs(gaps.villages)  # the gap list's metric CRS, kept
    setup = setup.in_crs(crs)
    off_dem = 0
    if candidates is None:
        parts = [candidates_from_gaps(gaps, crs=crs)]
        if terrain is not None:
            parts.append(candidates_from_terrain(terrain, gaps, crs=crs))
        candidates = pd.concat([p.to_crs(gaps.villages.crs) for p in parts], ignore_index=True)
        candidates = gpd.GeoDataFrame(candidates, geometry="geometry", crs=gaps.villages.crs)
        if setup.uses_terrain and setup.terrain.fallback is None:
            # generated sites the DEM cannot judge are not offered (a user's own are refused)
            on_dem = terrain_coverage_mask(setup.terrain, candidates)
            off_dem = int((~on_dem).sum())
            candidates = candidates[on_dem].reset_index(drop=True)
    los_terrain = None
    if terrain is not None:  # hops are checked over the DEM the plan predicts on
        los_terrain = setup.terrain if setup.uses_terrain else reproject_terrain(terrain, crs)
        line_of_sight = line_of_sight or LineOfSightSettings()
    candidates = costed_candidates(
        candidates,
        towers=towers,
        grid=grid,
        costs=costs,
        crs=crs,
        terrain=los_terrain,
        line_of_sight=line_of_sight,
    )
    candidates = _with_options(candidates, gaps, towers, options, technology)
    demand = demand_points(gaps)
    unit = objective.problem == "max_coverage"
    matrix = coverage_matrix(
        candidates,
        demand,
        setup,
        technology=technology,
        cost=None if unit else candidates["lifetime_cost"].to_numpy(),
        progress=progress,
    )
    selection = select_sites(
        matrix,
        objective,
        method=method,
        time_limit_s=time_limit_s,
        strategy=strategy,
    )
    ranked = rank_sites(selection, matrix, candidates, demand, gaps.villages)
    built = ranked[ranked["option"] == "new_tower"]  # the others use their host's or the sky
    check = None
    if los_terrain is None:
        backhaul = backhaul_network(built, towers, costs, crs)
    else:
        check = checked_network(built, towers, costs, crs, terrain=los_terrain, rules=line_of_sight)
        backhaul = check.links
    lines = _power_lines(ranked, gaps, grid, costs, crs)
    lots = bid_lots(ranked, backhaul, by=lots_by)
    money = matrix.with_costs(candidates["lifetime_cost"].to_numpy())
    curve = coverage_curve(money, steps=curve_steps) if curve_steps else pd.DataFrame()
    settings = {
        "objective": selection.problem,
        **objective.settings(),
        "method": method,
        "time_limit_s": time_limit_s,
        **setup.settings(),
        "technology": technology,
        "terrain_fallback": (
            str(setup.terrain.fallback or "refuse") if setup.uses_terrain else "no terrain"
        ),
        "lots_by": lots_by,
        "candidates": len(candidates),
        "generated_candidates_off_dem": off_dem,
        "demand_points": len(demand),
        "capex_unit": candidates.attrs.get("capex_unit", costs.currency),
        "villages_beyond_model_range": int(
            (gaps.villages["signal_status"] == BEYOND_MODEL_RANGE).sum()
        ),
        "demand_groups": matrix.n_groups,
        **asdict(costs),
        **({"options": "off"} if options is None else {"options": "on", **options.settings()}),
        **{f"sites_{kind}": int((ranked["option"] == kind).sum()) for kind in OPTIONS},
        **(
            {"line_of_sight": "not checked (no DEM): backhaul priced by distance"}
            if check is None
            else {**line_of_sight.settings(costs), **check.counts()}
        ),
    }
    return Plan(
        selection,
        ranked,
        lots,
        curve,
        backhaul.to_crs(gaps.villages.crs),
        lines.to_crs(gaps.villages.crs),
        service_lines(ranked, gaps.villages),
        candidates,
        matrix,
        _unreachable(matrix, demand, gaps),
        settings,
        check,
        village_options(selection, matrix, ranked, demand, gaps.villages),
    )


def _with_options(
    candidates: gpd.GeoDataFrame,
    gaps: GapList,
    towers: gpd.GeoDataFrame | None,
    options: OptionCosts | None,
    technology: str,
) -> gpd.GeoDataFrame:
    """Return new sites with their lifetime cost and, with `options`, the other candidates."""
    out = candidates.assign(option="new_tower")
    if options is None:
        return out.assign(opex_per_year=0.0, lifetime_cost=out["total_cost"])
    out["opex_per_year"] = options.site_opex_per_year
    out["lifetime_cost"] = options.lifetime(
        out["total_cost"].to_numpy(), options.site_opex_per_year
    )
    others = option_candidates(gaps, towers, options, technology=technology)
    frame = pd.concat([out, others.to_crs(out.crs)], ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=out.crs)
    frame.attrs = candidates.attrs
    return frame


def _unreachable(matrix: CoverageMatrix, demand: gpd.GeoDataFrame, gaps: GapList) -> pd.DataFrame:
    """Households without signal that no candidate reaches, per village."""
    out = matrix.group_of_point < 0
    per_village = (
        pd.DataFrame({"village_id": demand["village_id"].to_numpy()[out],
                      "households_out_of_reach": matrix.point_weight[out]})
        .groupby("village_id", sort=False, as_index=False)["households_out_of_reach"].sum()
    )  # fmt: skip
    names = pd.DataFrame(gaps.villages[["village_id", "name"]])
    table = per_village.merge(names, on="village_id", how="left")
    table["households_out_of_reach"] = np.rint(table["households_out_of_reach"]).astype(np.int64)
    return table[["village_id", "name", "households_out_of_reach"]]


def _power_lines(
    ranked: gpd.GeoDataFrame,
    gaps: GapList,
    grid: gpd.GeoDataFrame | None,
    costs: UnitCosts,
    crs: CRS,
) -> gpd.GeoDataFrame:
    empty = gpd.GeoDataFrame(
        {"from_id": [], "to_id": [], "length_km": [], "cost": []}, geometry=[], crs=crs
    )
    if grid is None or not len(grid):
        return empty
    on_grid = ranked[ranked["power_option"] == "grid"]
    dark = gaps.villages[gaps.villages["power_status"] == "none"]
    points = pd.concat(
        [
            gpd.GeoDataFrame(
                {"point_id": on_grid["site_id"].to_numpy()},
                geometry=on_grid.geometry.to_numpy(),
                crs=ranked.crs,
            ).to_crs(crs),
            gpd.GeoDataFrame(
                {"point_id": dark["village_id"].to_numpy()},
                geometry=dark.geometry.representative_point().to_numpy(),
                crs=dark.crs,
            ).to_crs(crs),
        ],
        ignore_index=True,
    )
    if not len(points):
        return empty
    return power_extension(gpd.GeoDataFrame(points, geometry="geometry", crs=crs), grid, costs, crs)
