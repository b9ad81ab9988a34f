"""MkDocs hook: a view of the sources as they are installed, for the API reference.

whitespot's floors live in top-level folders (``radio/``, ``coverage/`` ...) that the wheel
installs as ``whitespot.radio`` ...; griffe (mkdocstrings) reads sources from folders laid
out as the package is. The hook links them into ``build/docs-src/whitespot/`` before the
build; ``mkdocs.yml`` points mkdocstrings there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import whitespot

ROOT = Path(__file__).resolve().parents[2]
VIEW = ROOT / "build" / "docs-src" / "whitespot"


def on_startup(**kwargs: object) -> None:
    """Link the root package's files and every floor into the view."""
    if VIEW.exists():
        shutil.rmtree(VIEW)
    VIEW.mkdir(parents=True)
    for path in (ROOT / "whitespot").iterdir():
        (VIEW / path.name).symlink_to(path)
    for floor in whitespot.FLOORS:
        (VIEW / floor).symlink_to(ROOT / floor, target_is_directory=True)
