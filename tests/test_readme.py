"""The README's Python blocks run as a reader types them, one after the other."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    """The README's ```python blocks, in order."""
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_its_tour_planning_and_maps():
    joined = "\n".join(python_blocks())
    for step in ("gap_list(", "plan_sites(", "plan_map(", "save_map("):
        assert step in joined


def test_the_readme_runs_as_written(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the blocks write gaps.xlsx, sites.xlsx and map.html here
    namespace: dict[str, object] = {}
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), namespace)
    printed = capsys.readouterr().out
    assert "villages" in printed and "households" in printed  # the gap list's headline
    assert "gap" in printed  # the selection's summary
    for written in ("gaps.xlsx", "sites.xlsx", "map.html"):
        assert (tmp_path / written).stat().st_size > 0
