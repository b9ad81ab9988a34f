"""Shared fixtures: the sample province and small layers built in code."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from whitespot.coverage import gap_list
from whitespot.data import (
    WGS84,
    load_sample,
    validate_grid,
    validate_households,
    validate_towers,
    validate_villages,
)


@pytest.fixture(scope="session")
def province():
    """The sample province shipped with the package."""
    return load_sample()


@pytest.fixture
def villages() -> gpd.GeoDataFrame:
    """Five valid villages in Quảng Trị, EPSG:4326."""
    return gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "V5"],
            "name": ["Thôn A", "Bản Pa Tầng", "Thôn Mai Xá", "Bản Xy", "Thôn Đông"],
            "households": [10, 25, 0, 140, 7],
            "commune_code": ["19429", "19429", "19495", "19432", "19432"],
            "electrified": [1.0, 0.5, 0.0, 1.0, 0.0],
        },
        geometry=shapely.points(
            [(106.70, 16.60), (106.75, 16.62), (107.10, 16.90), (106.60, 16.62), (106.61, 16.63)]
        ),
        crs=WGS84,
    )


@pytest.fixture(scope="session")
def layers(province):
    """The sample's vector layers, validated."""
    return {
        "villages": validate_villages(province.villages),
        "towers": validate_towers(province.towers),
        "households": validate_households(province.households),
        "grid": validate_grid(province.grid),
    }


@pytest.fixture(scope="session")
def gaps(layers):
    """The sample's gap list, signal per household (RMa NLOS)."""
    return gap_list(
        layers["villages"],
        layers["towers"],
        households=layers["households"],
        grid=layers["grid"],
        progress=False,
    )
