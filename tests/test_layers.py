"""The floors depend one way, and each package's public surface is its ``__all__``.

The root's private modules (``whitespot._errors``, ``_numba``, ``_parallel``) <- data <-
department <- radio <- evidence <- coverage <- planning <- maps <- report <- cli: a package
imports only the floors below it. Across packages only names in the other package's
``__all__`` are imported, or plumbing from its ``_``-modules (``whitespot.data._table``:
DESIGN.md, "a floor may import a lower floor's ``_``-module"), and every module is either
exported (some of its names are in its package's ``__all__``) or private (``_``-prefixed).
Read from the source with ast, so the rules hold for every module, not only the ones a test
happens to import.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import whitespot

ROOT = Path(__file__).parents[1]
FLOORS = whitespot.FLOORS
"""Lowest first: each package may import the ones before it."""
ROOT_MODULES = {"whitespot._errors", "whitespot._numba", "whitespot._parallel"}
"""The house-private modules of the root package, which every floor may use."""


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
def test_dependencies_point_one_way(package):
    below = set(FLOORS[: FLOORS.index(package)]) | {package}
    wrong = {
        (module, imported)
        for module, imported, _ in imports(package)
        if imported.split(".")[1] not in below
    }
    assert not wrong


@pytest.mark.parametrize("package", FLOORS)
def test_other_packages_are_used_through_their_public_names(package):
    wrong = set()
    for module, imported, name in imports(package):
        other = imported.split(".")[1]
        if other == package:
            continue
        parts = imported.split(".")[2:]
        if len(parts) == 1 and parts[0].startswith("_"):
            continue  # plumbing from a lower floor's _-module
        if (name and name not in public(other)) or any(p.startswith("_") for p in parts):
            wrong.add((module, imported, name))
    assert not wrong


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
