"""Render docs/summary.png: the summary page of a department's package, in headless Chromium.

Run ``whitespot report ... --out out/report`` (docs/department.md), then
``python docs/screenshot_summary.py out/report/summary.html``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from selenium import webdriver


def main(page: Path, out: Path) -> None:
    """Open `page` at 1200 px wide and save the whole page as a PNG at `out`."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    with tempfile.TemporaryDirectory() as profile:
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--hide-scrollbars",
                         f"--user-data-dir={profile}"):  # fmt: skip
            options.add_argument(argument)
        driver = webdriver.Chrome(
            options=options,
            service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")),
        )
        driver.set_window_size(1200, 900)
        driver.get(page.resolve().as_uri())
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1200, min(height + 40, 1800))
        driver.save_screenshot(str(out))
        driver.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).parent / "summary.png")
