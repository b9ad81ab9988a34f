"""The front door: the root package, its version, the command's --version, an installed wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import whitespot
from whitespot.cli import main

ROOT = Path(__file__).parents[1]


def test_the_version_is_the_installed_distributions():
    assert whitespot.__version__ == version("whitespot")


def test_the_command_prints_its_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"whitespot {whitespot.__version__}\n"


def test_floors_load_when_first_used_and_not_before():
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, whitespot; before = 'pandas' in sys.modules;"
         "whitespot.coverage.gap_list; print(before, 'whitespot.coverage' in sys.modules)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert loaded == ["False", "True"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = whitespot.nothing


def test_every_error_and_warning_has_the_roots_base():
    from whitespot.data import ValidationError  # noqa: PLC0415
    from whitespot.data._problems import DefaultAppliedWarning  # noqa: PLC0415

    assert issubclass(ValidationError, whitespot.WhitespotError)
    assert issubclass(DefaultAppliedWarning, whitespot.WhitespotWarning)
    assert issubclass(whitespot.WhitespotWarning, UserWarning)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """whitespot built as a wheel, as `pip install whitespot` would get it."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", folder, ROOT],
        check=True, capture_output=True, cwd=folder,
    )  # fmt: skip
    return next(folder.glob("whitespot-*.whl"))


def test_the_wheel_carries_its_types_licence_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "whitespot/py.typed" in names
    assert "whitespot/data/sample_data/province.gpkg" in names
    assert "whitespot/maps/assets/leaflet.js" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert not any(n.startswith(("coverage/", "data/", "base/")) for n in names)


def test_a_type_checker_sees_whitespots_types_in_the_installed_wheel(wheel, tmp_path):
    pytest.importorskip("mypy")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel],
        check=True, capture_output=True,
    )  # fmt: skip
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from whitespot.radio import SignalSetup\n\nsetup: int = SignalSetup()\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent",
         "--ignore-missing-imports", snippet],
        check=False, capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": ""},
    )  # fmt: skip
    assert 'expression has type "SignalSetup"' in checked.stdout, checked.stdout


def test_the_command_stays_a_function_after_it_has_run(capsys):
    """Running the command loads its parser module; ``whitespot.cli.main`` stays callable."""
    with pytest.raises(SystemExit):
        main(["--help"])  # loads the command's modules
    import whitespot.cli  # noqa: PLC0415

    assert callable(whitespot.cli.main)
    assert whitespot.cli.main(["--version"]) == 0
