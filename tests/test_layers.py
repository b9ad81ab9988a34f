"""The packages depend one way, and none imports another's private module.

data <- department <- coverage <- planning / maps <- report <- cli (maps may read planning's
results). Read from the source with ast, so the rule holds for every module, not only the
ones a test happens to import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
ALLOWED = {
    "data": set(),
    "department": {"data"},
    "coverage": {"data", "department"},
    "planning": {"data", "department", "coverage"},
    "maps": {"data", "department", "coverage", "planning"},
    "report": {"data", "department", "coverage", "planning", "maps"},
    "cli": {"data", "department", "coverage", "planning", "maps", "report"},
}


def imports(package: str) -> list[tuple[str, str]]:
    """(module file, imported whitespot module) for every import in a package."""
    found = []
    for path in sorted((ROOT / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [(path.name, n) for n in names if n.startswith("whitespot.")]
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_dependencies_point_one_way(package):
    wrong = {
        (module, name)
        for module, name in imports(package)
        if name.split(".")[1] not in ALLOWED[package] | {package}
    }
    assert not wrong


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_package_imports_another_private_module(package):
    private = {
        (module, name)
        for module, name in imports(package)
        if name.split(".")[1] != package
        and any(part.startswith("_") and part != "__init__" for part in name.split(".")[2:3])
    }
    assert not private
