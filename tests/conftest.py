"""Shared fixtures: the sample province and small layers built in code."""

from __future__ import annotations

import html
import shutil

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree

from whitespot.coverage import gap_list
from whitespot.data import (
    load_sample,
    utm_crs,
    validate_grid,
    validate_households,
    validate_towers,
    validate_villages,
)
from whitespot.data._crs import WGS84


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


@pytest.fixture(scope="session")
def sample_footprints(layers):
    """Footprints of the sample: six houses around each village, and three hamlets of eight.

    The hamlets lie 4 km or more from every village. Returns the footprints (EPSG:4326,
    as ``read_buildings`` gives them), the hamlets' centres and the metric CRS of those.
    """
    villages = layers["villages"]
    crs = utm_crs(*villages.union_all().centroid.coords[0])
    xy = shapely.get_coordinates(villages.to_crs(crs).geometry)
    rng = np.random.default_rng(43)
    around = np.repeat(xy, 6, axis=0) + rng.uniform(-150, 150, (6 * len(xy), 2))
    axes = [np.linspace(lo, hi, 60) for lo, hi in zip(xy.min(0), xy.max(0), strict=True)]
    grid = np.stack(np.meshgrid(*axes), -1).reshape(-1, 2)
    far = grid[cKDTree(xy).query(grid)[0] > 4000]
    chosen = far[np.linspace(0, len(far) - 1, 3).astype(int)]
    hamlets = np.vstack([c + rng.uniform(-40, 40, (8, 2)) for c in chosen])
    points = np.vstack([around, hamlets])
    buildings = gpd.GeoDataFrame(
        {"area_m2": np.full(len(points), 60.0, np.float32), "confidence": np.float32(0.9)},
        geometry=shapely.points(points),
        crs=crs,
    ).to_crs(WGS84)
    return buildings, chosen, crs


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Debian's headless Chromium driven by Selenium; never a downloaded browser.

    Skips when ``chromium`` and ``chromium-driver`` are not installed (``.ci/run`` installs
    them). The flags keep Chromium off the network, as the closed test machines need.
    """
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs a system Chromium and ChromeDriver: apt-get install chromium "
                    "chromium-driver")  # fmt: skip
    from selenium import webdriver  # noqa: PLC0415 only when a browser is installed

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER)
    )
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def shown_in_html():
    """Whether a text is in an HTML page as HTML shows it, or as the page's JSON holds that
    HTML (``tojson`` writes ``&``, ``<``, ``>`` and ``'`` as ``\\u00XX``)."""

    def shown(page: str, text: str) -> bool:
        escaped = html.escape(text)
        in_json = (
            escaped.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("'", "\\u0027")
        )  # fmt: skip
        return escaped in page or in_json in page

    return shown
