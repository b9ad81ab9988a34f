"""The public vocabularies and result types are what the functions take and return."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from whitespot.coverage import SignalRaster, signal_raster
from whitespot.data import (
    COLUMN_ALIASES,
    LAYER_COLUMNS,
    TECHNOLOGIES,
    TECHNOLOGY_DEFAULTS,
    AmbiguousNumberWarning,
    GuessedEncodingWarning,
    Problem,
    Province,
    ValidationError,
    read_layer,
    validate_candidates,
    validate_layer,
)
from whitespot.department import (
    HEADER_ALIASES,
    VillageList,
    read_village_list,
)
from whitespot.maps import GAP_COLOURS
from whitespot.planning import (
    METHODS,
    SiteSelection,
    coverage_curve,
    coverage_matrix,
    demand_points,
    select_sites,
)
from whitespot.radio import (
    BUILDING_TYPES,
    CALIBRATION_BOUNDS,
    CLIMATES,
    CLUTTER_TYPES,
    COST231_ENVIRONMENTS,
    HATA_ENVIRONMENTS,
    MODEL_NAMES,
    MODELS,
    ItmParameters,
    PathLossModel,
    SettingsMissingWarning,
    SignalSetup,
    default_location_sigma_db,
)


def test_the_sample_is_a_province(province):
    assert isinstance(province, Province)


def test_every_layer_declares_its_columns_and_their_aliases():
    assert set(COLUMN_ALIASES) <= set(LAYER_COLUMNS)
    for layer, specs in LAYER_COLUMNS.items():
        names = [spec.name for spec in specs]
        assert len(names) == len(set(names)), layer
    assert set(TECHNOLOGY_DEFAULTS) == set(TECHNOLOGIES) == {"2G", "3G", "4G", "5G"}


def test_candidates_are_validated_as_a_layer(layers):
    towers = layers["towers"].rename(columns={"tower_id": "site_id"})[["site_id", "geometry"]]
    assert validate_candidates(towers).equals(validate_layer("candidates", towers))
    towers.loc[towers.index[1], "site_id"] = towers["site_id"].iloc[0]
    with pytest.raises(ValidationError) as refused:
        validate_candidates(towers)
    assert all(isinstance(p, Problem) for p in refused.value.problems)
    assert refused.value.problems[0].column == "site_id"


def test_an_ambiguous_count_and_a_guessed_encoding_are_said(tmp_path):
    path = tmp_path / "candidates.csv"
    path.write_bytes(
        "site_id,capex,lon,lat,name\nS1,2.150,106.7,16.6,Café Müller\nS2,850,106.8,16.6,Ñandú\n"
        .encode("cp1252")
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        read = validate_candidates(read_layer(path))
    assert read["capex"].tolist() == [2150, 850]
    kinds = {type(w.message) for w in said}
    assert {AmbiguousNumberWarning, GuessedEncodingWarning} <= kinds


def test_a_department_list_reads_into_a_village_list(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Mã thôn,Số hộ,Kinh độ,Vĩ độ\nT1,12,106.7,16.6\n", encoding="utf-8")
    read = read_village_list(path)
    assert isinstance(read, VillageList)
    assert "village_id" in HEADER_ALIASES and "mã thôn" in HEADER_ALIASES["village_id"]


def test_the_vocabularies_are_what_the_setup_takes():
    assert set(MODELS) < set(MODEL_NAMES) and all(
        isinstance(model, PathLossModel) for model in MODELS.values()
    )
    for environment in HATA_ENVIRONMENTS:
        SignalSetup(model="hata", environment=environment)
    for environment in COST231_ENVIRONMENTS:
        SignalSetup(model="cost231", environment=environment)
    for climate in CLIMATES:
        ItmParameters(climate=climate)
    for clutter in CLUTTER_TYPES:
        SignalSetup(clutter=clutter)
    for building in BUILDING_TYPES:
        SignalSetup(indoor="p2109", building=building)
    with pytest.raises(Exception, match="environment"):
        SignalSetup(model="hata", environment="jungle")
    assert CALIBRATION_BOUNDS["offset_db"][2] == "dB"


def test_a_default_sigma_names_its_source():
    sigma_db, source = default_location_sigma_db("hata", "urban")
    assert 5.0 <= sigma_db <= 12.0 and source


def test_a_gap_list_without_settings_says_so():
    with pytest.warns(SettingsMissingWarning):
        SignalSetup.from_settings({})


def test_the_gap_colours_cover_every_gap_type(gaps):
    assert set(gaps.villages["gap_type"]) <= set(GAP_COLOURS)


def test_a_signal_raster_is_returned(layers):
    raster = signal_raster(
        layers["towers"], layers["villages"], resolution_m=2000.0, progress=False
    )
    assert isinstance(raster, SignalRaster)
    assert np.isfinite(raster.signal_dbm).any()


@pytest.mark.parametrize("method", METHODS)
def test_every_method_selects_and_the_curve_rises(gaps, method):
    candidates = gaps.villages[gaps.villages["households_without_signal"] > 0].head(6)
    candidates = candidates.rename(columns={"village_id": "site_id"})[["site_id", "geometry"]]
    matrix = coverage_matrix(candidates.assign(height_m=30.0), demand_points(gaps), progress=False)
    selection = select_sites(matrix, sites=2, method=method, time_limit_s=5.0)
    assert isinstance(selection, SiteSelection) and len(selection.sites) <= 2
    curve = coverage_curve(matrix, steps=3)
    assert np.all(np.diff(curve["households_covered"].to_numpy()) >= -1e-9)
