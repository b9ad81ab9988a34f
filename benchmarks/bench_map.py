"""HTML size and headless-browser load time of gap maps at growing sizes; prints a table.

Usage::

    python benchmarks/bench_map.py

Villages come from the sample generator (one point per village; a province of 10^5
households has about 10^3 villages). Load time is from navigation to the layer control
being drawn, in Debian's headless Chromium through Selenium.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait
from urllib3.exceptions import ReadTimeoutError

from whitespot.coverage import gap_list
from whitespot.data import make_province, validate_towers, validate_villages
from whitespot.maps import gap_map, save_map

SIZES = (1_000, 10_000, 100_000)
"""Villages drawn."""
LOAD_LIMIT_S = 120


def browser(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def main() -> None:
    print(f"{'villages':>9} {'households':>10} {'build s':>8} {'HTML MB':>8} {'load s':>7}")
    folder = Path(tempfile.mkdtemp())
    driver = browser(folder / "profile")
    try:
        for villages in SIZES:
            province = make_province(villages=villages, towers=max(villages // 10, 10), seed=3)
            started = time.perf_counter()
            towers = validate_towers(province.towers)
            gaps = gap_list(validate_villages(province.villages), towers, progress=False)
            path = save_map(gap_map(gaps, towers=towers), folder / f"map_{villages}.html")
            built = time.perf_counter() - started
            households = len(province.households)
            started = time.perf_counter()
            try:
                driver.get(path.as_uri())
                WebDriverWait(driver, LOAD_LIMIT_S).until(
                    lambda d: d.find_elements("css selector", ".leaflet-control-layers")
                )
                loaded = time.perf_counter() - started
            except (TimeoutException, ReadTimeoutError):
                loaded = float("inf")  # did not load within the limit
                driver.quit()
                driver = browser(folder / f"profile-{villages}")
            print(
                f"{villages:>9,} {households:>10,} {built:>8.1f} "
                f"{path.stat().st_size / 2**20:>8.1f} {loaded:>7.2f}",
                flush=True,
            )
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
