"""The manual in docs/: it builds without a warning, and its glossary names every column."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from whitespot.coverage import GAP_LIST_COLUMNS, SUMMARY_COLUMNS
from whitespot.data import _vocabulary as vocabulary
from whitespot.evidence import EVIDENCE_CLASSES
from whitespot.planning._bidding import RANKING_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")


def test_the_manual_builds_with_warnings_as_errors(tmp_path):
    pytest.importorskip("mkdocstrings_handlers.python")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", tmp_path / "site"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    reference = (tmp_path / "site" / "reference" / "coverage" / "index.html").read_text("utf-8")
    assert 'id="whitespot.coverage.gap_list"' in reference  # generated from the face
    shutil.rmtree(ROOT / "build" / "docs-src", ignore_errors=True)


def test_the_glossary_names_every_output_column():
    for column in (*GAP_LIST_COLUMNS, *SUMMARY_COLUMNS, *RANKING_COLUMNS):
        assert f"`{column}`" in GLOSSARY, column


def test_the_glossary_names_every_status():
    statuses = (
        *vocabulary.SIGNAL_STATUSES, *vocabulary.POWER_STATUSES, *vocabulary.GAP_TYPES,
        *vocabulary.ADMIN_STATUSES, *vocabulary.PROGRESS_STATUSES, *EVIDENCE_CLASSES,
    )  # fmt: skip
    for status in statuses:
        assert f"`{status}`" in GLOSSARY, status
