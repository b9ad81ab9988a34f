"""Shared fixtures: the sample province and small layers built in code."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from whitespot.data import WGS84, load_sample


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
