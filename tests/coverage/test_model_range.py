"""The model's distance limit: a village is never called without signal because of it.

RMa NLOS is valid to 5 km. A village covered just inside it and one just beyond must not
fall from covered to none at 5 km: the one beyond gets ``beyond_model_range``, counted apart
in every headline and sheet, and the field (a survey, measurements) decides it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from whitespot.coverage import dead_zones, gap_list, signal_raster
from whitespot.data import validate_measurements, validate_towers, validate_villages
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE
from whitespot.planning import demand_points
from whitespot.radio import SignalSetup, predict_signal
from whitespot.report import compare_gap_lists

pytestmark = pytest.mark.filterwarnings(
    "ignore::whitespot.data.DefaultAppliedWarning", "ignore::whitespot.data.TowersFarWarning"
)

TOWER = (105.5, 21.0)
DISTANCES_KM = (1.0, 4.99, 5.01, 5.5, 60.0)
"""Villages due east of the tower: inside, just inside, just beyond, beyond, far beyond."""
METRIC = "EPSG:32648"


def east_of_tower(distances_km) -> gpd.GeoSeries:
    """Points due east of the tower at `distances_km`, in EPSG:4326."""
    tower = gpd.GeoSeries([shapely.Point(*TOWER)], crs="EPSG:4326").to_crs(METRIC)
    x, y = tower.x.iloc[0], tower.y.iloc[0]
    points = [shapely.Point(x + 1000.0 * d, y) for d in distances_km]
    return gpd.GeoSeries(points, crs=METRIC).to_crs("EPSG:4326")


def towers_with_margin_at_5km(margin_db: float) -> gpd.GeoDataFrame:
    """One 4G tower whose RMa NLOS margin is `margin_db` at 5.0 km (the model continued)."""

    def tower(eirp_dbm: float) -> gpd.GeoDataFrame:
        return validate_towers(
            gpd.GeoDataFrame(
                {
                    "tower_id": ["T1"],
                    "operator": ["Viettel"],
                    "technology": ["4G"],
                    "frequency_mhz": [1800.0],
                    "height_m": [35.0],
                    "eirp_dbm": [eirp_dbm],
                },
                geometry=[shapely.Point(*TOWER)],
                crs="EPSG:4326",
            )
        )

    at_5km = gpd.GeoDataFrame(geometry=east_of_tower([5.0]))
    setup = SignalSetup(extrapolate=True, crs=METRIC)
    found = predict_signal(at_5km, tower(60.0), setup)["best_margin_db"].iloc[0]
    return tower(60.0 + margin_db - found)


@pytest.fixture(scope="module")
def towers():
    return towers_with_margin_at_5km(2.6)


def villages(survey=None) -> gpd.GeoDataFrame:
    table = gpd.GeoDataFrame(
        {
            "village_id": [f"V{i}" for i in range(len(DISTANCES_KM))],
            "households": [100, 80, 60, 40, 20],
            "commune_code": "01234",
            "electrified": 1.0,
        },
        geometry=east_of_tower(DISTANCES_KM),
    )
    if survey is not None:
        table["survey_signal"] = survey
    return validate_villages(table)


@pytest.fixture(scope="module")
def gaps(towers):
    return gap_list(villages(), towers, SignalSetup(crs=METRIC), progress=False)


def test_a_village_just_beyond_the_limit_is_not_called_without_signal(gaps):
    status = gaps.villages.set_index("village_id")["signal_status"]
    margin = gaps.villages.set_index("village_id")["best_margin_db"]
    assert status["V1"] == "covered" and margin["V1"] == pytest.approx(2.6, abs=0.2)
    # before: "none" at 5.01 km, a cliff of the validity limit
    assert status["V2"] == BEYOND_MODEL_RANGE
    assert status["V3"] == BEYOND_MODEL_RANGE  # weak or covered past the limit
    assert status["V4"] == "none"  # the continued model finds nothing either
    gap_type = gaps.villages.set_index("village_id")["gap_type"]
    assert gap_type["V2"] == BEYOND_MODEL_RANGE and gap_type["V4"] == "no_signal"
    assert "not judged by the model" in gaps.villages.set_index("village_id").loc["V2", "criteria"]


def test_extrapolating_judges_them(towers):
    extrapolated = gap_list(
        villages(), towers, SignalSetup(extrapolate=True, crs=METRIC), progress=False
    )
    status = extrapolated.villages.set_index("village_id")["signal_status"]
    assert status["V2"] == "covered" and status["V4"] == "none"
    assert extrapolated.totals()["villages_beyond_model_range"] == 0
    assert "towers heard up to 200 km" in extrapolated.settings["model_range"]


def test_beyond_the_range_is_counted_apart_in_every_headline_and_sheet(gaps):
    total = gaps.totals()
    assert total["villages_beyond_model_range"] == 2
    assert total["households_beyond_model_range"] == 60 + 40
    assert total["villages_without_signal"] == 1
    assert total["households_without_signal"] == 20  # the beyond villages' are not in it
    assert gaps.communes["villages_beyond_model_range"].sum() == 2
    assert "2 villages (100 households) beyond the model's range" in gaps.headline()
    assert "2 thôn, bản (100 hộ) ngoài cự ly" in gaps.headline("vi")
    assert "valid to 5 km: 2 villages" in gaps.settings["model_range"]


def test_the_field_decides_a_village_beyond_the_range(towers):
    surveyed = gap_list(
        villages([None, None, "không", "có", None]),
        towers,
        SignalSetup(crs=METRIC),
        progress=False,
    ).villages.set_index("village_id")
    assert surveyed.loc["V2", "signal_status"] == "none"
    assert surveyed.loc["V2", "households_without_signal"] == 60
    assert surveyed.loc["V2", "gap_type"] == "no_signal"
    assert surveyed.loc["V3", "signal_status"] == "covered"
    assert surveyed.loc["V3", "households_without_signal"] == 0
    assert set(surveyed.loc[["V2", "V3"], "evidence"]) == {"field_only"}
    assert (surveyed.loc[["V2", "V3"], "predicted_signal_status"] == BEYOND_MODEL_RANGE).all()
    # a phone finding signal decides too
    phone = validate_measurements(
        gpd.GeoDataFrame(
            {"signal_dbm": -90.0, "technology": "4G", "operator": "Viettel"},
            index=range(5),
            geometry=[east_of_tower([5.01]).iloc[0]] * 5,
            crs="EPSG:4326",
        )
    )
    measured = gap_list(
        villages(), towers, SignalSetup(crs=METRIC), measurements=phone, progress=False
    ).villages.set_index("village_id")
    assert measured.loc["V2", "signal_status"] == "covered"
    assert measured.loc["V2", "evidence"] == "field_only"


def test_progress_does_not_close_a_gap_that_is_only_beyond_the_range(towers, gaps):
    weaker = towers.assign(eirp_dbm=towers["eirp_dbm"] - 3.0)
    previous = gap_list(
        villages(), weaker, SignalSetup(extrapolate=True, crs=METRIC), progress=False
    )
    assert previous.villages.set_index("village_id").loc["V2", "gap_type"] == "no_signal"
    progress = compare_gap_lists(previous, gaps, target=5)
    status = progress.villages.set_index("village_id")["progress_status"]
    assert status["V2"] == BEYOND_MODEL_RANGE  # not "closed"
    totals = progress.totals()
    assert totals["not_judged"] == 2 and totals["covered"] == 5 - 1 - 2
    assert "2 locations not judged" in progress.headline()


def test_villages_beyond_the_range_are_not_demand_for_new_sites(gaps):
    demand = demand_points(gaps)
    assert set(demand["village_id"]) == {"V4"}
    assert np.isclose(demand["households"].sum(), 20)
    assert pd.Series(gaps.villages["village_id"]).is_unique


def test_a_dead_zone_is_not_drawn_where_only_the_limit_leaves_cells_dark(towers):
    """Cells just beyond 5 km that the continued model covers are beyond the range, not dead;
    households 60 km away, where the continued model finds nothing either, are a dead zone."""
    homes = gpd.GeoDataFrame(geometry=east_of_tower([5.3, 5.4, 60.0]))
    area = gpd.GeoDataFrame(geometry=east_of_tower([0.0, 62.0]))
    raster = signal_raster(towers, area, SignalSetup(crs=METRIC), resolution_m=250.0,
                           progress=False)  # fmt: skip
    assert raster.beyond_range is not None
    assert not (raster.beyond_range & (raster.margin_db >= 0)).any()  # only dark cells
    zones = dead_zones(raster, homes)
    assert zones["households"].tolist() == [1]  # the one at 60 km
    assert zones.geometry.iloc[0].contains(homes.geometry.iloc[2])
    extrapolated = signal_raster(towers, area, SignalSetup(extrapolate=True, crs=METRIC),
                                 resolution_m=250.0, progress=False)  # fmt: skip
    assert extrapolated.beyond_range is None  # the model judges every cell
    assert dead_zones(extrapolated, homes)["households"].tolist() == [1]


def phone_at(distance_km: float, operator: str, level_dbm: float) -> gpd.GeoDataFrame:
    """Five samples of one operator's 4G at a village east of the tower."""
    return gpd.GeoDataFrame(
        {"signal_dbm": level_dbm, "technology": "4G", "operator": operator},
        index=range(5),
        geometry=[east_of_tower([distance_km]).iloc[0]] * 5,
        crs="EPSG:4326",
    )


def test_beyond_the_range_a_village_is_dark_only_when_every_network_is_measured(towers):
    """Issue 39: phones of one operator set villages beyond the range none/weak, though
    another operator's network (the model continued says) may serve them."""
    two = validate_towers(
        pd.concat([towers, towers.assign(tower_id="T2", operator="VinaPhone")], ignore_index=True)
    )
    setup = SignalSetup(crs=METRIC)
    viettel_dark = validate_measurements(phone_at(5.01, "Viettel", -130.0))
    listed = gap_list(villages(), two, setup, measurements=viettel_dark, progress=False)
    assert listed.totals()["villages_beyond_model_range"] == 2
    one = listed.villages.set_index("village_id")
    assert one.loc["V2", "signal_status"] == BEYOND_MODEL_RANGE  # VinaPhone not measured
    assert one.loc["V2", "evidence"] == "measured_other_network"
    assert one.loc["V2", "measured_operator"] == "Viettel"
    both_dark = validate_measurements(
        pd.concat([viettel_dark, phone_at(5.01, "VinaPhone", -131.0)], ignore_index=True)
    )
    both = gap_list(
        villages(), two, setup, measurements=both_dark, progress=False
    ).villages.set_index("village_id")
    assert both.loc["V2", "signal_status"] == "none"  # every network measured, none reaches
    assert both.loc["V2", "evidence"] == "field_only"
    assert both.loc["V2", "households_without_signal"] == 60
    lit = validate_measurements(
        pd.concat([viettel_dark, phone_at(5.01, "VinaPhone", -90.0)], ignore_index=True)
    )
    found = gap_list(villages(), two, setup, measurements=lit, progress=False).villages.set_index(
        "village_id"
    )
    assert found.loc["V2", "signal_status"] == "covered"  # one network above threshold
    assert found.loc["V2", "evidence"] == "field_only"


def test_the_continued_model_is_asked_only_where_a_tower_is_beyond_the_limit(monkeypatch):
    """Within 5 km of every tower the continued model is RMa NLOS itself (issue 45): the
    raster asks it only of dark cells farther out, and marks the same cells."""
    from whitespot.coverage import deadzones  # noqa: PLC0415 - the module, to patch
    from whitespot.radio import SignalEngine  # noqa: PLC0415

    asked = []
    margin_past_range = SignalEngine.margin_past_range

    def recorded(self, point_xy):
        asked.append(len(point_xy))
        return margin_past_range(self, point_xy)

    def square(half_km: float) -> gpd.GeoDataFrame:
        x, y = east_of_tower([0.0]).to_crs(METRIC).iloc[0].coords[0]
        corners = [shapely.Point(x - 1000 * half_km, y - 1000 * half_km),
                   shapely.Point(x + 1000 * half_km, y + 1000 * half_km)]  # fmt: skip
        return gpd.GeoDataFrame(geometry=corners, crs=METRIC)

    monkeypatch.setattr(SignalEngine, "margin_past_range", recorded)
    weak = towers_with_margin_at_5km(-8.0)  # dark from about 3.2 km
    setup = SignalSetup(crs=METRIC)
    raster = signal_raster(weak, square(3.2), setup, resolution_m=250.0, progress=False)
    assert asked == [0]  # ±3.2 km: every cell within 5 km of the tower, the dark ones too
    assert (raster.margin_db < 0).sum() > 100
    asked.clear()
    raster = signal_raster(weak, square(6.0), setup, resolution_m=250.0, progress=False)
    monkeypatch.setattr(deadzones, "_tower_beyond", lambda engine, xy: np.ones(len(xy), bool))
    asking_all = signal_raster(weak, square(6.0), setup, resolution_m=250.0, progress=False)
    assert 0 < asked[0] < 0.8 * asked[1]
    assert raster.beyond_range is None and asking_all.beyond_range is None
