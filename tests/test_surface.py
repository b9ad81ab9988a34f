"""Each floor's face is what a user is taught: documented, tested, one spelling.

Every name in an ``__all__`` has a numpydoc docstring (a function's lists its Parameters
and what it Returns; a class its Parameters or Attributes, and a result class every field
with its unit), appears in the generated reference (which is made from the ``__all__``) and
is used by at least one test other than this file. No name is exported by two faces.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from pathlib import Path

import pytest

import whitespot

TESTS = Path(__file__).parent
FACES = [f for f in whitespot.FLOORS if f != "cli"]
RESULTS = {
    "coverage": ["GapList"],
    "planning": ["Plan", "SiteSelection"],
    "radio": ["Calibration"],
}
"""Result classes whose docstrings name every field (pvlib's ``ModelChainResult``)."""


def exported(floor: str) -> list[tuple[str, object]]:
    module = importlib.import_module(f"whitespot.{floor}")
    return [(name, getattr(module, name)) for name in module.__all__]


def callables(floor: str) -> list[tuple[str, object]]:
    return [(n, o) for n, o in exported(floor) if inspect.isfunction(o) or inspect.isclass(o)]


def _sections(doc: str) -> set[str]:
    return set(re.findall(r"^\s*(\w[\w ]*)\n\s*-{3,}\s*$", doc, flags=re.M))


@pytest.mark.parametrize("floor", FACES)
def test_every_public_callable_has_a_numpydoc_docstring(floor):
    wrong = []
    for name, obj in callables(floor):
        doc = inspect.getdoc(obj) or ""
        sections = _sections(doc)
        if not doc:
            wrong.append((name, "no docstring"))
        elif inspect.isfunction(obj):
            takes = [p for p in inspect.signature(obj).parameters.values()]
            if takes and "Parameters" not in sections:
                wrong.append((name, "no Parameters"))
            returns = inspect.signature(obj).return_annotation
            if returns not in (None, "None", inspect.Signature.empty) and not (
                {"Returns", "Yields"} & sections
            ):
                wrong.append((name, "no Returns"))
        elif (
            dataclasses.is_dataclass(obj)
            and dataclasses.fields(obj)
            and not {"Parameters", "Attributes"} & sections
        ):
            wrong.append((name, "no Parameters or Attributes"))
    assert not wrong


@pytest.mark.parametrize(("floor", "name"), [(f, n) for f, ns in RESULTS.items() for n in ns])
def test_result_classes_document_every_field(floor, name):
    cls = getattr(importlib.import_module(f"whitespot.{floor}"), name)
    doc = inspect.getdoc(cls) or ""
    listed = {
        name.strip()
        for line in re.findall(r"^([\w, ]+) : ", doc, flags=re.M)
        for name in line.split(",")
    }
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in listed]
    assert not missing


def test_every_public_name_is_used_by_a_test():
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py") if p.name != Path(__file__).name
    )
    unused = [
        (floor, name)
        for floor in FACES
        for name, _ in exported(floor)
        if not re.search(rf"\b{re.escape(name)}\b", text)
    ]
    assert not unused


def test_no_name_has_two_faces():
    seen: dict[str, str] = {}
    twice = []
    for floor in FACES:
        for name, _ in exported(floor):
            if name in seen:
                twice.append((name, seen[name], floor))
            seen[name] = floor
    assert not twice
