"""The floors depend one way; each public name has one spelling, at its floor's face.

The root's private modules (``whitespot._errors``, ``_numba``, ``_parallel``) <- data <-
department <- radio <- evidence <- coverage <- planning <- maps <- report <- cli: a package
imports only the floors it is allowed (:data:`ALLOWED`, a partial order: the department's
reader of village lists serves coverage, report and cli only). ``_`` means "not for users",
house-wide: across floors a public name is taken only from the other floor's face
(``from whitespot.radio import SignalEngine``), plumbing only from its ``_``-modules
(``from whitespot.data._io import atomic_path``), so module paths are free to change. Every
module is either exported (some of its names are in its floor's ``__all__``) or private.
Read from the source with ast, so the rules hold for every module, not only the ones a test
happens to import.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

import whitespot

ROOT = Path(__file__).parents[1]
FLOORS = whitespot.FLOORS
"""Lowest first: each package may import the ones before it."""
ROOT_MODULES = {"whitespot._errors", "whitespot._numba", "whitespot._parallel"}
"""The house-private modules of the root package, which every floor may use."""
ALLOWED = {
    floor: set(FLOORS[: FLOORS.index(floor)])
    - ({"department"} if floor in {"radio", "evidence", "planning", "maps"} else set())
    for floor in FLOORS
}
"""The floors each floor may import: those below it, but the department only from coverage,
report and cli (radio, evidence, planning and maps work on layers, never on a department's
own files)."""


def imports(package: str) -> list[tuple[str, str, str]]:
    """(module file, imported whitespot module, imported name or "") for a package's imports."""
    found = []
    for path in sorted((ROOT / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found += [(path.name, node.module, a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                found += [(path.name, a.name, "") for a in node.names]
    return [
        (m, module, name)
        for m, module, name in found
        if module.startswith("whitespot.") and module not in ROOT_MODULES
    ]


def public(package: str) -> set[str]:
    return set(importlib.import_module(f"whitespot.{package}").__all__)


def test_every_package_is_a_floor():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "whitespot"}
    assert packages == set(FLOORS)


def test_the_root_imports_no_floor():
    root = imports("whitespot")
    assert [module for _, module, _ in root if module.split(".")[1] in FLOORS] == []


@pytest.mark.parametrize("package", FLOORS)
def test_dependencies_follow_the_partial_order(package):
    allowed = ALLOWED[package] | {package}
    wrong = {
        (module, imported)
        for module, imported, _ in imports(package)
        if imported.split(".")[1] not in allowed
    }
    assert not wrong


@pytest.mark.parametrize("package", FLOORS)
def test_public_names_come_from_the_face_and_plumbing_from_private_modules(package):
    """``from whitespot.radio import SignalEngine`` or ``from whitespot.data._io import
    atomic_path``; never a public module's path, never a public name by a second spelling."""
    wrong = set()
    for module, imported, name in imports(package):
        other = imported.split(".")[1]
        if other == package:
            continue
        parts = imported.split(".")[2:]
        if not parts:
            ok = name in public(other)  # the face: public names only
        else:
            ok = parts[0].startswith("_") and name not in public(other)
        if not ok:
            wrong.add((module, imported, name))
    assert not wrong


def test_the_rules_catch_what_they_forbid(tmp_path, monkeypatch):
    """The two rules above fail on a module that breaks them (a test that can fail)."""
    floor = tmp_path / "coverage"
    floor.mkdir()
    (floor / "bad.py").write_text(
        "from whitespot.radio.setup import SignalSetup\n"
        "from whitespot.data._io import read_layer\n"
        "from whitespot.data import atomic_path\n"
        "from whitespot.department._grid import read_grid\n"
        "from whitespot.planning import plan_sites\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = imports("coverage")
    assert len(found) == 5
    with pytest.raises(AssertionError):
        test_public_names_come_from_the_face_and_plumbing_from_private_modules("coverage")
    with pytest.raises(AssertionError):
        test_dependencies_follow_the_partial_order("coverage")
    (floor / "bad.py").write_text("from whitespot.department._grid import read_grid\n")
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "bad.py").write_text(
        "from whitespot.department import read_village_list\n"
    )
    test_dependencies_follow_the_partial_order("coverage")
    with pytest.raises(AssertionError):
        test_dependencies_follow_the_partial_order("maps")


@pytest.mark.parametrize("package", FLOORS)
def test_every_module_is_exported_or_private(package):
    init = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))
    exported = {
        node.module.split(".")[2]
        for node in ast.walk(init)
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.module.startswith(f"whitespot.{package}.")
        and any(a.name in public(package) for a in node.names)
    }
    modules = {p.stem for p in (ROOT / package).glob("*.py") if not p.stem.startswith("_")}
    assert modules <= exported, sorted(modules - exported)


@pytest.mark.parametrize("package", FLOORS)
def test_all_names_exist(package):
    module = importlib.import_module(f"whitespot.{package}")
    assert all(hasattr(module, name) for name in module.__all__)
