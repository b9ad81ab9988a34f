"""Submissions of the department files in tests/report/data, built once per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from whitespot.department import QualityConfig
from whitespot.report import department_submission, write_submission

FILES = Path(__file__).parent / "data"
HOSTILE_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://example.com","x")'
QUALITY = QualityConfig(today=date(2026, 6, 1))


@pytest.fixture(scope="session")
def previous_package(tmp_path_factory, layers):
    """Last round: the Vietnamese list with only half the towers standing, in Vietnamese."""
    towers = layers["towers"].iloc[::2]
    submission = department_submission(
        FILES / "quang_tri_vi.xlsx", towers, grid=layers["grid"], quality=QUALITY
    )
    folder = tmp_path_factory.mktemp("previous")
    write_submission(submission, folder, language="vi", towers=towers)
    return submission, folder


@pytest.fixture(scope="session")
def submission(previous_package, layers):
    """This round: all towers, compared with the last round's workbook, against a target."""
    _, folder = previous_package
    return department_submission(
        FILES / "quang_tri_vi.xlsx",
        layers["towers"],
        grid=layers["grid"],
        towers_file=None,
        previous=folder / "gap_list.xlsx",
        target=100,
        quality=QUALITY,
    )


@pytest.fixture(scope="session")
def package(submission, tmp_path_factory, layers):
    folder = tmp_path_factory.mktemp("package")
    written = write_submission(
        submission, folder, language="vi", towers=layers["towers"], grid=layers["grid"]
    )
    return folder, written


@pytest.fixture(scope="session")
def broken_submission(layers):
    return department_submission(FILES / "broken.xlsx", layers["towers"], quality=QUALITY)


@pytest.fixture(scope="session")
def hostile_package(tmp_path_factory, layers):
    """The English list with a script and a formula as village names, written in English."""
    folder = tmp_path_factory.mktemp("hostile")
    text = (FILES / "quang_tri_en.csv").read_text(encoding="utf-8-sig").splitlines()
    for index, name in ((1, HOSTILE_NAME), (2, FORMULA_NAME)):
        cells = text[index].split(";")
        cells[4] = name
        cells[5] = f"{cells[5]} hộ"  # a problem, so that the summary lists the row
        text[index] = ";".join(cells)
    source = folder / "villages.csv"
    source.write_text("\n".join(text) + "\n", encoding="utf-8")
    submission = department_submission(source, layers["towers"], quality=QUALITY)
    written = write_submission(submission, folder / "out", language="en")
    return submission, folder / "out", written
