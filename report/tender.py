"""The bid package: a plan's lots as a tender states them, with the prediction behind them.

The gaps a province lists are closed through bidding: the ministry pays operators to cover
the villages of a lot. A tender names, per lot, the villages to cover (codes, coordinates,
households), the sites proposed with their costs, the coverage promised (at a threshold and
a location probability, outdoors and indoors), a ceiling on the subsidy, and the model's
supporting data (as the US FCC's Broadband Data Collection asks: threshold, cell-edge
probability, receiver height, terrain source and resolution, tool and version).

Every gap village is in exactly one lot: the lot of the best-ranked chosen site that
serves it, or lot 0 ("not reached by this plan") when none does; so the lots' households
add up to the gap list's, and their households covered to the plan's, to the household.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import whitespot
from whitespot.coverage import GapList
from whitespot.data import TECHNOLOGY_DEFAULTS, Terrain, write_layer
from whitespot.data._labels import Language, counted, localize
from whitespot.data._swap import staged_folder
from whitespot.data._words import words
from whitespot.maps import write_kmz
from whitespot.planning._bidding import site_lots
from whitespot.radio import SignalSetup, area_coverage_probability, default_location_sigma_db
from whitespot.report._workbook import write_workbook

NOT_REACHED = 0
"""Lot of the gap villages that no chosen site serves."""

GAP_TYPES_WITHOUT_SIGNAL = ("no_signal", "no_signal_no_power")
"""The gap types a tender is for: villages without signal (with or without power)."""

TENDER_FILES = ("tender.xlsx", "tender_villages.csv", "tender_sites.csv", "tender.kmz")
"""Files of a bid package."""

SETTING_KEYS = (
    "model",
    "model_description",
    "environment",
    "extrapolate",
    "technology",
    "mobile_height_m",
    "threshold_2G_dbm",
    "threshold_3G_dbm",
    "threshold_4G_dbm",
    "threshold_5G_dbm",
    "location_probability",
    "location_sigma",
    "location_rule",
    "receiver",
    "indoor",
    "indoor_model",
    "indoor_percent",
    "building_type",
    "clutter_model",
    "calibration",
    "calibration_file",
    "calibration_groups",
    "model_range",
)
"""Settings of the gap list and the plan declared as the tender's supporting data."""

VIETNAMESE = {
    "lot": "Gói thầu",
    "sites": "Số vị trí",
    "site_ids": "Mã vị trí",
    "villages": "Số thôn",
    "village_ids": "Mã thôn",
    "households_without_signal": "Số hộ chưa có sóng",
    "households_covered": "Số hộ được phủ sóng",
    "capex": "Chi phí đầu tư (triệu đồng)",
    "power_cost": "Chi phí điện (triệu đồng)",
    "backhaul_cost": "Chi phí truyền dẫn (triệu đồng)",
    "contingency": "Dự phòng (triệu đồng)",
    "max_subsidy": "Mức hỗ trợ tối đa (triệu đồng)",
    "area_coverage_probability": "Xác suất phủ sóng diện tích",
    "setting": "Thông số",
    "value": "Giá trị",
}
"""Vietnamese headers of the bid package's own columns (the rest: the gap list's)."""


@dataclass(frozen=True)
class Tender:
    """A plan's bid lots, with their villages, sites, ceilings and supporting data.

    Attributes
    ----------
    lots : pandas.DataFrame
        One row per lot (lot 0 holds the gap villages no chosen site serves): ``lot``,
        ``sites``, ``site_ids``, ``villages``, ``village_ids``,
        ``households_without_signal`` (of its villages, households), ``households_covered``
        (newly covered by its sites, households), ``capex``, ``power_cost``,
        ``backhaul_cost``, ``contingency`` and ``max_subsidy`` (million VND), and the
        ``area_coverage_probability`` of its sites' cells where a location probability is
        stated.
    villages : geopandas.GeoDataFrame
        Every gap village without signal once, with its ``lot`` and the gap list's columns
        (post-2025 codes, ``lon``/``lat``, households, statuses outdoors and indoors).
    sites : geopandas.GeoDataFrame
        The plan's ranked sites with their ``lot``.
    settings : dict
        The supporting data: tool and version, model and validity, thresholds per
        technology, location probability and sigma, receiver height, indoor model, terrain
        source and resolution, calibration, contingency.
    """

    lots: pd.DataFrame
    villages: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    settings: dict[str, object]

    def headline(self) -> str:
        """One sentence: lots, villages, households and the total subsidy ceiling."""
        bid = self.lots[self.lots["lot"] != NOT_REACHED]
        left = self.lots.loc[self.lots["lot"] == NOT_REACHED, "villages"].sum()
        return (
            f"{counted(len(bid), 'bid lot')}: {counted(int(bid['villages'].sum()), 'village')}, "
            f"{counted(int(bid['households_covered'].sum()), 'household')} covered, subsidy at "
            f"most {bid['max_subsidy'].sum():,.0f} million VND; "
            f"{counted(int(left), 'village')} without signal not reached by this plan"
        )


def tender_package(
    plan: object, gaps: GapList, *, contingency: float = 0.1, terrain: Terrain | None = None
) -> Tender:
    """Group a plan's sites and the gap villages into bid lots with a subsidy ceiling each.

    Parameters
    ----------
    plan : whitespot.planning.Plan
        From :func:`whitespot.planning.plan_sites` for `gaps`.
    gaps : GapList
        The gap list the plan was made for.
    contingency : float, default 0.1
        Share added to each lot's capex, power and backhaul for the unforeseen: the
        maximum subsidy is their sum times ``1 + contingency``.
    terrain : Terrain, optional
        The DEM the plan used: its source and resolution are declared.

    Returns
    -------
    Tender
    """
    if not 0.0 <= contingency <= 1.0:
        raise whitespot.InputError(f"contingency={contingency!r} must be a share from 0 to 1")
    sites = plan.sites.copy()
    sites["lot"] = sites["site_id"].map(site_lots(plan.lots)).astype("Int64")
    served = (
        sites.sort_values("rank")[["lot", "villages_served"]]
        .assign(village_id=lambda t: t["villages_served"].fillna("").str.split("; "))
        .explode("village_id")
        .drop_duplicates("village_id")  # the best-ranked site that serves it
        .set_index("village_id")["lot"]
    )
    without = gaps.villages["gap_type"].isin(GAP_TYPES_WITHOUT_SIGNAL).to_numpy()
    villages = gaps.villages[without].copy()
    villages["lot"] = (
        villages["village_id"].map(served).fillna(NOT_REACHED).astype(np.int64).to_numpy()
    )
    lots = _lot_table(villages, sites, plan.lots, contingency)
    setup = SignalSetup.from_settings(gaps.settings, terrain=terrain)  # the DEM read once
    settings = _supporting_data(plan, gaps, setup, contingency, terrain)
    coverage = _new_site_area_coverage(setup, plan)
    if coverage is not None:
        lots["area_coverage_probability"] = np.where(lots["sites"] > 0, coverage, np.nan)
        settings["area_coverage_probability"] = coverage
    return Tender(lots, villages, sites, settings)


def _new_site_area_coverage(setup: SignalSetup, plan: object) -> float | None:
    """Area-coverage probability of a new site's cell where a location probability is stated.

    Jakes-Reudink (:func:`whitespot.radio.area_coverage_probability`) at the stated edge
    probability and sigma, with the path-loss exponent n of the plan's model for a new
    site of the plan's technology at its default height (the loss per decade / 10 between
    1 and 10 km). None when the prediction is the median (nothing stated).
    """
    if not setup.location_stated:
        return None
    technology = str(getattr(plan, "settings", {}).get("technology", "4G"))
    defaults = TECHNOLOGY_DEFAULTS.get(technology, TECHNOLOGY_DEFAULTS["4G"])
    loss = setup.path_model.loss_db(
        np.full(2, defaults.frequency_mhz), np.array([1.0, 10.0]),
        np.full(2, defaults.height_m), np.full(2, setup.budget.mobile_height_m),
        setup.environment,
    )  # fmt: skip
    sigma = setup.location_sigma_db or default_location_sigma_db(setup.model, setup.environment)[0]
    exponent = float(loss[1] - loss[0]) / 10.0
    return round(float(area_coverage_probability(setup.location_probability, sigma, exponent)), 4)


def _lot_table(
    villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, plan_lots: pd.DataFrame, contingency: float
) -> pd.DataFrame:
    """One row per lot: its villages and sites, their households, costs and ceiling."""
    by_village = villages.groupby("lot").agg(
        villages=("village_id", "size"),
        village_ids=("village_id", "; ".join),
        households_without_signal=("households_without_signal", "sum"),
    )
    costs = plan_lots.set_index("lot")[
        ["sites", "site_ids", "households_new", "capex", "power_cost", "backhaul_cost"]
    ].rename(columns={"households_new": "households_covered"})
    lots = costs.join(by_village, how="outer").sort_index()
    lots.index.name = "lot"
    for column in ("sites", "villages", "households_without_signal", "households_covered"):
        lots[column] = lots[column].fillna(0).astype(np.int64)
    for column in ("capex", "power_cost", "backhaul_cost"):
        lots[column] = lots[column].fillna(0.0)
    lots[["site_ids", "village_ids"]] = lots[["site_ids", "village_ids"]].fillna("")
    base = lots["capex"] + lots["power_cost"] + lots["backhaul_cost"]
    lots["contingency"] = np.round(base * contingency, 3)
    lots["max_subsidy"] = np.round(base + lots["contingency"], 3)
    order = ["sites", "site_ids", "villages", "village_ids", "households_without_signal",
             "households_covered", "capex", "power_cost", "backhaul_cost", "contingency",
             "max_subsidy"]  # fmt: skip
    return lots[order].reset_index()


def _supporting_data(
    plan: object,
    gaps: GapList,
    setup: SignalSetup,
    contingency: float,
    terrain: Terrain | None,
) -> dict[str, object]:
    """Declare the prediction as tender supporting data (as FCC BDC asks), and the costs."""
    merged = {**gaps.settings, **getattr(plan, "settings", {})}
    settings: dict[str, object] = {
        "tool": "whitespot",
        "tool_version": whitespot.__version__,
        "location_probability": 0.5,
        "receiver": "outdoor",
    }
    settings.update({key: merged[key] for key in SETTING_KEYS if key in merged})
    model = setup.path_model
    settings["model_validity"] = "; ".join(
        [f"{r.parameter} {r.low:g}-{r.high:g}" for r in model.ranges]
        + [f"distance_km {model.min_distance_km:g}-{model.max_distance_km:g}"]
    )
    if "location_sigma" not in settings:
        sigma, source = default_location_sigma_db(setup.model, setup.environment)
        settings["location_sigma"] = f"{sigma:g} dB ({source}); not applied at the median"
    settings.setdefault("indoor_model", "none: households judged outdoors")
    calibration_file = Path(str(merged.get("calibration_file", "")))
    if calibration_file.is_file():
        modified = datetime.fromtimestamp(calibration_file.stat().st_mtime, tz=UTC)
        settings["calibration_date"] = modified.date().isoformat()
    settings["terrain"] = merged.get("terrain_file", "none: no DEM, the model's own terrain")
    if terrain is not None:
        settings["terrain"] = terrain.source or settings["terrain"]
        settings["terrain_resolution_m"] = round(abs(terrain.transform.a), 3)
    settings["contingency"] = contingency
    settings["max_subsidy_rule"] = (
        f"(capex + power + backhaul) x (1 + {contingency:g}) per lot, million VND"
    )
    settings["lot_rule"] = (
        "each gap village without signal in the lot of the best-ranked chosen site that "
        f"serves it; lot {NOT_REACHED}: the villages no chosen site serves"
    )
    return settings


def write_tender(
    tender: Tender, folder: str | PathLike, *, language: Language = "vi"
) -> list[Path]:
    """Write a bid package into `folder`, whole or not at all.

    Parameters
    ----------
    tender : Tender
        From :func:`tender_package`.
    folder : path-like
        Created if needed; files of the user's own in it are kept.
    language : {"vi", "en"}, default "vi"
        Headers, status words and sheet names.

    Returns
    -------
    list of pathlib.Path
        ``tender.xlsx`` (sheets lots, villages, sites, settings), ``tender_villages.csv``,
        ``tender_sites.csv`` and ``tender.kmz`` (villages in a folder per lot, sites per
        lot), in `folder`.
    """
    names = {"vi": ("Gói thầu", "Thôn bản", "Vị trí", "Thiết lập"),
             "en": ("lots", "villages", "sites", "settings")}[language]  # fmt: skip
    settings = pd.DataFrame(
        {"setting": list(tender.settings), "value": [str(v) for v in tender.settings.values()]}
    )
    tables = [tender.lots, _flat(tender.villages), _flat(tender.sites), settings]
    if language == "vi":
        tables = [localize(t, "vi").rename(columns=VIETNAMESE) for t in tables]
    written = []
    with staged_folder(folder, replaces=TENDER_FILES) as staged:
        write_workbook(dict(zip(names, tables, strict=True)), staged / "tender.xlsx")
        write_layer(tender.villages, staged / "tender_villages.csv")
        write_layer(tender.sites, staged / "tender_sites.csv")
        villages = GapList(tender.villages, pd.DataFrame(), pd.DataFrame(), None, {}, None)
        write_kmz(
            villages, staged / "tender.kmz", plan=_LotPlan(tender.sites, tender.lots),
            title=words(language).BID_TITLE, folders_by="lot",
        )  # fmt: skip
        written = [Path(folder) / name for name in TENDER_FILES]
    return written


def _flat(layer: gpd.GeoDataFrame) -> pd.DataFrame:
    return pd.DataFrame(layer.drop(columns=layer.geometry.name))


@dataclass(frozen=True)
class _LotPlan:
    """What :func:`whitespot.maps.write_kmz` draws of a tender: its sites by lot."""

    sites: gpd.GeoDataFrame
    lots: pd.DataFrame
