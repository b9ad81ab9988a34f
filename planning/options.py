"""Ways to serve a village besides a new tower: co-location, upgrade, a satellite terminal.

:class:`OptionCosts` is the table of their costs and of the lifetime over which every
option, new towers included, is compared; :func:`option_candidates` turns the towers file
and the gap list into candidates the coverage matrix and the selection take like new sites.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import geopandas as gpd
import numpy as np
import pandas as pd

from whitespot._errors import InputError
from whitespot.coverage import GapList
from whitespot.data import TECHNOLOGY_DEFAULTS
from whitespot.planning.lifetime import lifetime_cost

OPTIONS = ("new_tower", "colocation", "upgrade", "satellite")
"""The kinds of candidate, in the order plans count them."""

OPTION_LABELS = {
    "new_tower": ("new site", "new sites"),
    "colocation": ("co-location", "co-locations"),
    "upgrade": ("upgrade", "upgrades"),
    "satellite": ("satellite terminal", "satellite terminals"),
}
"""How a headline names one and several of each kind."""

UPGRADABLE = ("2G", "3G")
"""Technologies of an existing tower that an upgrade gives the plan's technology."""


@dataclass(frozen=True)
class OptionCosts:
    """Costs of the options besides new towers, and the lifetime they are compared over.

    Money is in the plan's currency (:class:`~whitespot.planning.UnitCosts`, default
    million VND at about 25,000 VND to the US dollar). Every option, new towers included,
    is priced by its total cost of ownership over `horizon_years` at `discount_rate`
    (:func:`whitespot.planning.lifetime.lifetime_cost`). A capex of ``inf`` turns that
    option off. The defaults are orders of magnitude to be replaced with the department's
    or the operators' own prices; where no published figure was found the default is an
    assumption and says so.

    Attributes
    ----------
    operator : str, optional
        The operator the plan is for: co-location is offered on the towers of the other
        operators, upgrades on its own 2G/3G towers. Default None: co-location on every
        tower, upgrades on every 2G/3G tower.
    horizon_years : float, default 10
        Years over which the options are compared (the issue's 10 years; USOF-style
        subsidy agreements run 5-10 years).
    discount_rate : float, default 0.02
        Yearly discount rate as a fraction (2 %: a social rate for public money;
        assumption, give the fund's own rate).
    site_opex_per_year : float, default 0
        Yearly running cost of a new tower counted in the comparison. 0 keeps plans priced
        by what a tower costs to build, as without options (a subsidy fund pays the
        build, the operator runs it). Give the operators' figure (GSMA, "Unlocking Rural
        Coverage", 2016: rural site opex of the order of USD 1,000 a month with diesel,
        about 300 million VND a year) to compare full costs of ownership.
    colocation : float, default 400
        An operator's equipment on another operator's tower: radio, antennas, cabling and
        installation (about USD 16,000). Assumption: a new site's 1,500 less the mast,
        civil works and power, which the host provides.
    colocation_opex_per_year : float, default 120
        Yearly lease of space and power on the host tower (about USD 400 a month;
        assumption: rural tower-company tenancy rates in South and South-East Asia).
    upgrade : float, default 300
        A 4G radio and antennas added to an existing 2G/3G tower with its mast, power and
        backhaul (about USD 12,000). Assumption; India's USOF funded such upgrades of
        2G/3G sites to 4G in 6,279 villages (the issue's figure).
    upgrade_opex_per_year : float, default 0
        Extra running cost of an upgraded tower (its site already runs).
    satellite_terminal : float, default 75
        A satellite community terminal for one village: dish, router, outdoor Wi-Fi and a
        solar kit (about USD 3,000; assumption from LEO community Wi-Fi kits).
    satellite_opex_per_year : float, default 60
        The terminal's bandwidth and upkeep (about USD 200 a month: Hughes' community Wi-Fi
        installations take USD 150-200 a month each, SpaceIntelReport, September 2019).
    satellite_life_years : float, default 5
        Life of a terminal: bought again after it within the horizon.
    satellite_households_per_terminal : float, default 30
        Households one terminal serves at the service level: a village needs
        ceil(households without signal / this) terminals, capex and opex each. Assumption:
        a terminal of a few hundred Mbit/s gives about 10 Mbit/s per user at the busy hour
        (Hughes, SpaceIntelReport 2019) to some 30 households' users at once.
    satellite_service : str
        The service level a terminal gives, stated in every plan's settings: it serves
        only the households of its own village.
    """

    operator: str | None = None
    horizon_years: float = 10.0
    discount_rate: float = 0.02
    site_opex_per_year: float = 0.0
    colocation: float = 400.0
    colocation_opex_per_year: float = 120.0
    upgrade: float = 300.0
    upgrade_opex_per_year: float = 0.0
    satellite_terminal: float = 75.0
    satellite_opex_per_year: float = 60.0
    satellite_life_years: float = 5.0
    satellite_households_per_terminal: float = 30.0
    satellite_service: str = (
        "community Wi-Fi hotspot on a satellite terminal, about 10 Mbit/s per user at "
        "the busy hour, for the households of its own village only"
    )

    def __post_init__(self) -> None:
        for name in ("colocation", "upgrade", "satellite_terminal"):
            value = getattr(self, name)
            if np.isnan(value) or value < 0:
                raise InputError(f"OptionCosts {name}={value} must be >= 0 (inf turns it off)")
        for name in (
            "horizon_years",
            "site_opex_per_year",
            "colocation_opex_per_year",
            "upgrade_opex_per_year",
            "satellite_opex_per_year",
            "satellite_households_per_terminal",
        ):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise InputError(f"OptionCosts {name}={value} must be a finite number >= 0")
        if not (np.isfinite(self.discount_rate) and self.discount_rate > -1):
            raise InputError(f"OptionCosts discount_rate={self.discount_rate} must be > -1")
        if not (self.satellite_life_years > 0 and self.satellite_households_per_terminal > 0):
            raise InputError(
                f"OptionCosts satellite_life_years={self.satellite_life_years} and "
                f"satellite_households_per_terminal={self.satellite_households_per_terminal} "
                "must be > 0"
            )

    def lifetime(self, capex: np.ndarray, opex_per_year: float, life_years: float = np.inf):
        """Total cost of ownership of `capex` and `opex_per_year` over the horizon."""
        return lifetime_cost(
            capex,
            opex_per_year,
            horizon_years=self.horizon_years,
            rate=self.discount_rate,
            life_years=life_years,
        )

    def settings(self) -> dict[str, object]:
        """Return the table for a plan's settings, naming the fields left at their defaults."""
        defaults = [f.name for f in fields(self) if getattr(self, f.name) == f.default]
        return {
            **{f"option_{name}": value for name, value in asdict(self).items()},
            "option_defaults": ", ".join(defaults) or "none",
        }


def option_candidates(
    gaps: GapList,
    towers: gpd.GeoDataFrame | None,
    options: OptionCosts,
    *,
    technology: str = "4G",
) -> gpd.GeoDataFrame:
    """Candidates for co-location, upgrade and satellite terminals, with their costs.

    Co-location (``colocation:<tower_id>``) and upgrade (``upgrade:<tower_id>``)
    candidates stand at their tower, at its height (``height_m``, else the technology's
    default), and carry `technology`'s frequency and EIRP: their coverage is predicted like
    a new site's. Satellite terminals (``satellite:<village_id>``) stand at each village
    with households without signal and serve that village only, as many as its households
    need (``terminals``). An option whose capex is infinite is not offered.

    Parameters
    ----------
    gaps : GapList
        From :func:`whitespot.coverage.gap_list`.
    towers : geopandas.GeoDataFrame or None
        Existing towers (co-location and upgrade candidates); None: satellite only.
    options : OptionCosts
        Costs of each option (capex in the plan's currency, opex per year).
    technology : str, default "4G"
        Technology a co-location or upgrade brings.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id``, ``height_m``, ``source`` (the option), ``option``, ``village_id``
        and ``terminals`` (satellite terminals), ``capex``, ``power_option``, ``power_cost``,
        ``backhaul_option``, ``backhaul_cost``, ``total_cost`` (capex: the host's power and
        backhaul, or the terminal's own), ``opex_per_year`` and ``lifetime_cost``, in the
        gap list's CRS.
    """
    crs = gaps.villages.crs
    parts = []
    if towers is not None and len(towers):
        towers = towers.to_crs(crs)
        operator = towers["operator"].astype(str) if "operator" in towers else None
        tech = (
            towers["technology"].astype(str)
            if "technology" in towers
            else pd.Series("", index=towers.index)
        )
        own = (
            pd.Series(True, index=towers.index)
            if options.operator is None or operator is None
            else operator == options.operator
        )
        hosts = towers if options.operator is None else towers[~own]
        upgradable = towers[own & tech.isin(UPGRADABLE)]
        for kind, chosen, capex, opex in (
            ("colocation", hosts, options.colocation, options.colocation_opex_per_year),
            ("upgrade", upgradable, options.upgrade, options.upgrade_opex_per_year),
        ):
            if np.isfinite(capex) and len(chosen):
                parts.append(_at_towers(chosen, kind, capex, opex, technology))
    if np.isfinite(options.satellite_terminal):
        villages = gaps.villages[gaps.villages["households_without_signal"] > 0]
        ids = villages["village_id"].astype(str).to_numpy()
        terminals = np.maximum(
            np.ceil(
                villages["households_without_signal"].to_numpy(float)
                / options.satellite_households_per_terminal
            ),
            1.0,
        )
        frame = _costed(
            gpd.GeoDataFrame(
                {"site_id": np.char.add("satellite:", ids), "height_m": 0.0},
                geometry=villages.geometry.representative_point().to_numpy(),
                crs=crs,
            ).assign(village_id=ids, terminals=terminals.astype(np.int64)),
            "satellite",
            options.satellite_terminal,
            options.satellite_opex_per_year,
            power="solar (in terminal)",
            backhaul="satellite",
        )
        for column in ("capex", "total_cost", "opex_per_year"):
            frame[column] = frame[column] * terminals
        parts.append(frame)
    if not parts:
        return _costed(
            gpd.GeoDataFrame({"site_id": [], "height_m": []}, geometry=[], crs=crs),
            "satellite",
            0.0,
            0.0,
            power="",
            backhaul="",
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
    frame["lifetime_cost"] = (
        np.where(
            frame["option"] == "satellite",
            options.lifetime(frame["capex"].to_numpy(), 0.0, options.satellite_life_years),
            frame["capex"].to_numpy(),
        )
        + options.lifetime(0.0, 1.0) * frame["opex_per_year"].to_numpy()
    )
    return frame


def _at_towers(
    towers: gpd.GeoDataFrame, kind: str, capex: float, opex: float, technology: str
) -> gpd.GeoDataFrame:
    height = (
        towers["height_m"].astype(float).fillna(TECHNOLOGY_DEFAULTS[technology].height_m)
        if "height_m" in towers
        else TECHNOLOGY_DEFAULTS[technology].height_m
    )
    frame = gpd.GeoDataFrame(
        {
            "site_id": (kind + ":" + towers["tower_id"].astype(str)).to_numpy(),
            "height_m": np.asarray(height, dtype=float) * np.ones(len(towers)),
        },
        geometry=towers.geometry.to_numpy(),
        crs=towers.crs,
    )
    return _costed(frame, kind, capex, opex, power="host tower", backhaul="host tower")


def _costed(
    frame: gpd.GeoDataFrame, kind: str, capex: float, opex: float, *, power: str, backhaul: str
) -> gpd.GeoDataFrame:
    return frame.assign(
        source=kind,
        option=kind,
        capex=float(capex),
        power_option=power,
        power_cost=0.0,
        backhaul_option=backhaul,
        backhaul_cost=0.0,
        total_cost=float(capex),
        opex_per_year=float(opex),
    )
