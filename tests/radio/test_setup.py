"""The signal setup: checked once when made, written into settings, read back unchanged."""

from __future__ import annotations

import dataclasses

import pytest
from pyproj import CRS

from whitespot.coverage import GapList, gap_list, read_gap_list, write_gap_list
from whitespot.coverage._export import settings_table
from whitespot.planning import candidates_from_gaps, coverage_matrix, demand_points, plan_sites
from whitespot.radio import LinkBudget, SetupError, SignalSetup, predict_signal


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"model": "okumura"}, "model='okumura' must be one of"),
        ({"model": "terrain"}, "needs a DEM"),
        ({"model": "rma", "environment": "urban"}, "environment='urban' is not one of model 'rma'"),
        ({"model": "hata", "environment": "metropolitan"}, "suburban, open"),
        ({"model": "cost231", "environment": "suburban"}, "metropolitan, medium"),
        ({"technology": "6G"}, "technology='6G' must be one of 2G, 3G, 4G, 5G"),
    ],
)
def test_a_setup_that_cannot_apply_is_refused_when_made(parts, message):
    with pytest.raises(SetupError, match=message):
        SignalSetup(**parts)


def test_settings_round_trip_through_every_gap_list_format(layers, tmp_path):
    setup = SignalSetup(
        model="hata",
        environment="suburban",
        extrapolate=True,
        technology="4G",
        budget=LinkBudget(building_loss_db=15, fading_margin_db=5, thresholds_dbm={"4G": -105}),
    )
    gaps = gap_list(layers["villages"], layers["towers"], setup, progress=False)
    expected = setup.replace(crs=CRS.from_user_input(gaps.settings["metric_crs"]))
    assert gaps.setup == expected
    for suffix in (".xlsx", ".geojson", ".csv"):
        write_gap_list(gaps, tmp_path / f"gaps{suffix}")
        assert read_gap_list(tmp_path / f"gaps{suffix}").setup == expected, suffix


def test_a_dem_made_in_memory_must_be_given_back(province):
    in_memory = dataclasses.replace(province.terrain, source="")
    settings = SignalSetup(model="terrain", terrain=in_memory).settings()
    assert settings["terrain_file"] == "(a DEM in memory)"
    with pytest.warns(UserWarning, match="predicting with RMa LOS"):
        assert SignalSetup.from_settings(settings).model == "rma_los"  # its base model
    back = SignalSetup.from_settings(settings, terrain=in_memory)
    assert back.model == "terrain" and back.terrain is in_memory


def test_the_setup_decides_the_prediction(layers):
    points = layers["households"].iloc[::50]
    plain = predict_signal(points, layers["towers"], SignalSetup(), progress=False)
    indoor = predict_signal(
        points,
        layers["towers"],
        SignalSetup(budget=LinkBudget(building_loss_db=15)),
        progress=False,
    )
    heard = plain["best_signal_dbm"].notna() & indoor["best_signal_dbm"].notna()
    assert heard.any()
    difference = plain.loc[heard, "best_signal_dbm"] - indoor.loc[heard, "best_signal_dbm"]
    assert difference.to_numpy() == pytest.approx(15.0)


def test_the_plan_is_made_with_the_gap_lists_setup(layers):
    harsh = SignalSetup(budget=LinkBudget(building_loss_db=20))
    gaps = gap_list(layers["villages"], layers["towers"], harsh, progress=False)
    plan = plan_sites(gaps, sites=5, curve_steps=0, progress=False)
    assert plan.settings["building_loss_db"] == 20
    demand = demand_points(gaps)
    candidates = candidates_from_gaps(gaps)
    same = coverage_matrix(candidates, demand, gaps.setup, progress=False)
    loose = coverage_matrix(candidates, demand, SignalSetup(), progress=False)
    assert same.cover.nnz < loose.cover.nnz  # 20 dB of building loss covers fewer
    assert plan.matrix.cover.nnz == pytest.approx(same.cover.nnz, rel=0.05)


def test_settings_sheet_holds_every_part(layers):
    gaps = gap_list(
        layers["villages"],
        layers["towers"],
        SignalSetup(model="hata", environment="urban", extrapolate=True),
        progress=False,
    )
    table = settings_table(gaps.settings).set_index("setting")["value"]
    parts = ["model", "environment", "extrapolate", "building_loss_db", "fading_margin_db",
             "threshold_4G_dbm", "threshold_4G_measure", "metric_crs", "technology"]  # fmt: skip
    for part in parts:
        assert part in table.index
    assert isinstance(gaps, GapList)


def test_a_terrain_gap_list_reads_its_dem_again_from_the_file(province, layers, tmp_path):
    from whitespot.data import read_terrain, write_terrain  # noqa: PLC0415

    path = write_terrain(province.terrain, tmp_path / "dem.tif")
    setup = SignalSetup(model="terrain", terrain=read_terrain(path, fallback="flat"))
    settings = setup.settings()
    assert settings["terrain_file"] == str(path.resolve())
    back = SignalSetup.from_settings(settings)
    assert back.model == "terrain" and back.terrain.source == str(path.resolve())
    assert back.terrain.fallback == "flat"
    path.unlink()
    with pytest.warns(UserWarning, match="no longer there: predicting with RMa LOS"):
        assert SignalSetup.from_settings(settings).model == "rma_los"
