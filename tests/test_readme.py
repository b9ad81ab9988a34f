"""The README's and the manual's Python blocks run as a reader types them, in order."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDES = ("planner.md", "planning.md", "maps.md", "scaling.md")
"""The manual's pages whose blocks follow one another: the tour, planning, the maps, the
country on Dask. The front page's block is the README's."""


def python_blocks(page: Path) -> list[str]:
    """A page's ```python blocks, in order."""
    text = page.read_text(encoding="utf-8")
    return [textwrap.dedent(block) for block in re.findall(r"```python\n(.*?)```", text, re.S)]


def run_blocks(pages: list[Path]) -> None:
    namespace: dict[str, object] = {}
    for page in pages:
        for block in python_blocks(page):
            exec(compile(block, str(page), "exec"), namespace)


def test_every_page_with_python_is_run_here():
    with_python = {p.name for p in (ROOT / "docs").glob("*.md") if python_blocks(p)}
    assert with_python == {*GUIDES, "index.md"}
    assert python_blocks(ROOT / "docs" / "index.md") == python_blocks(README)


def test_the_readme_runs_as_written(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run_blocks([README])
    printed = capsys.readouterr().out
    assert "villages" in printed and "households" in printed  # the gap list's headline
    assert "gap" in printed  # the selection's summary
    assert (tmp_path / "map.html").stat().st_size > 0


def test_the_guides_run_as_written(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the blocks write gaps.xlsx, sites.xlsx and map.html here
    run_blocks([ROOT / "docs" / page for page in GUIDES])
    printed = capsys.readouterr().out
    assert "villages" in printed and "gap" in printed
    for written in ("gaps.xlsx", "sites.xlsx", "map.html", "out/households"):
        assert (tmp_path / written).exists()
