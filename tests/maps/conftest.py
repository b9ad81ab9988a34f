"""A map of the sample province with a hostile village name, built once."""

from __future__ import annotations

import pytest

from whitespot.coverage import dead_zones, gap_list, signal_raster
from whitespot.data import validate_measurements, validate_villages
from whitespot.evidence import measured_pairs, synthetic_measurements
from whitespot.maps import gap_map, plan_map, save_map
from whitespot.planning import Objective, plan_sites

HOSTILE_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def map_file(tmp_path_factory, province, layers):
    villages = province.villages.copy()
    villages.loc[0, "name"] = HOSTILE_NAME
    villages = validate_villages(villages)
    gaps = gap_list(
        villages,
        layers["towers"],
        households=layers["households"],
        grid=layers["grid"],
        progress=False,
    )
    raster = signal_raster(layers["towers"], villages, resolution_m=1000.0, progress=False)
    zones = dead_zones(raster, layers["households"])
    plan = plan_sites(
        gaps, Objective.sites(6), towers=layers["towers"], grid=layers["grid"], curve_steps=0
    )
    fmap = plan_map(
        plan, gaps, towers=layers["towers"], grid=layers["grid"], raster=raster, zones=zones
    )
    path = save_map(fmap, tmp_path_factory.mktemp("map") / "map.html")
    return path, villages["village_id"].iloc[0]


@pytest.fixture(scope="session")
def expected_layers():
    """Names of the switchable layers of the plan map."""
    return (
        "Predicted best signal (rma)",
        "Dead zones",
        "Power grid",
        "Villages without power",
        "Towers: MobiFone",
        "Towers: Viettel",
        "Towers: VinaPhone",
        "Villages by gap",
        "Sites to villages served",
        "Backhaul (microwave)",
        "Power-line extension",
        "Proposed sites",
    )


@pytest.fixture(scope="session")
def cluster_map_file(tmp_path_factory, province, layers):
    """The gap map drawn with clustered village markers, hostile name included."""
    villages = province.villages.copy()
    villages.loc[0, "name"] = HOSTILE_NAME
    gaps = gap_list(validate_villages(villages), layers["towers"], progress=False)
    fmap = gap_map(gaps, towers=layers["towers"], cluster=True)
    return save_map(fmap, tmp_path_factory.mktemp("cluster") / "map.html"), villages.iloc[0][
        "village_id"
    ]


@pytest.fixture(scope="session")
def measured_map_file(tmp_path_factory, province, layers):
    """A gap map with 4,000 measurements (clustered), their residuals, villages to check,
    and a hostile operator name on the measurements."""
    towers = layers["towers"]
    drive = validate_measurements(
        synthetic_measurements(towers, samples=4_000, offset_db=10.0, seed=2)
    )
    drive.loc[0, "operator"] = HOSTILE_NAME
    villages = province.villages.copy()
    villages["survey_signal"] = "không"
    gaps = gap_list(validate_villages(villages), towers, measurements=drive, progress=False)
    pairs = measured_pairs(drive, towers, gaps.setup)
    fmap = gap_map(gaps, towers=towers, measurements=pairs)
    return save_map(fmap, tmp_path_factory.mktemp("measured") / "map.html"), pairs
