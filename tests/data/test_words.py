"""One module of sentences per language: the same names, the same fields, the same facts."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pandas as pd
import pytest

from whitespot.data._labels import LANGUAGES
from whitespot.data._words import WORDS, words

ROOT = Path(__file__).parents[2]


def own_names(module) -> set[str]:
    """The public names a words module defines itself (not the ones it imports)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


def test_every_language_has_one_module_of_sentences():
    assert set(WORDS) == set(LANGUAGES)
    assert all(language == words(language).LANGUAGE for language in LANGUAGES)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_language_defines_the_same_sentences_as_english(language):
    english, other = words("en"), words(language)
    assert own_names(other) == own_names(english)
    for name in own_names(english):
        mine, theirs = getattr(english, name), getattr(other, name)
        assert type(mine) is type(theirs), name
        if callable(mine):
            assert inspect.signature(mine) == inspect.signature(theirs), name
        elif isinstance(mine, dict):
            assert set(mine) == set(theirs), name
        else:
            assert theirs, name  # a text of its own, not left empty


def numbers_in(text: str, language: str) -> list[float]:
    """The numbers a sentence says, read as its language writes them (1,354.5 or 1.354,5)."""
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    pattern = rf"\d{{1,3}}(?:\{thousands}\d{{3}})+(?:\{decimal}\d+)?|\d+(?:\{decimal}\d+)?"
    found = re.findall(pattern, text)
    return [float(n.replace(thousands, "").replace(decimal, ".")) for n in found]


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_are_written_the_way_the_language_reads_them(language):
    written = words(language).number(2853000.5, 1)
    assert written == {"en": "2,853,000.5", "vi": "2.853.000,5"}[language]
    assert numbers_in(written, language) == [2853000.5]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_headlines_say_the_same_numbers_in_every_language(language):
    quality = words(language).quality_headline(87, 2, 1354, 300)
    assert numbers_in(quality, language) == [87, 100, 2, 1354, 300]
    progress = {"previous": 40, "current": 25, "closed": 18, "new": 3, "not_judged": 0}
    said = words(language).progress_headline({**progress, "covered": 1250}, 1354)
    assert numbers_in(said, language) == [1250, 1354, 92.3, 25, 18, 3]
    said = words(language).progress_headline({**progress, "covered": 18}, None)
    assert numbers_in(said, language) == [18, 40, 22, 3, 25]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_criteria_are_rendered_from_the_gap_lists_fields(gaps, language):
    villages = pd.DataFrame(gaps.villages)
    said = words(language).criteria(villages, gaps.settings)
    assert said.index.equals(villages.index)
    assert said.str.len().gt(40).all()
    # a village's own numbers are in its sentence: the best level, in the language's notation
    row = villages["best_signal_dbm"].notna().idxmax()
    level = words(language).number(villages.loc[row, "best_signal_dbm"], 1)
    assert level in said[row]
    assert villages.loc[row, "best_tower_id"] in said[row]


def test_the_gap_lists_own_criteria_are_the_english_sentences(gaps):
    villages = pd.DataFrame(gaps.villages)
    english = words("en").criteria(villages, gaps.settings)
    assert english.tolist() == villages["criteria"].tolist()
    assert gaps.headline() == words("en").gaps_headline(
        gaps.totals(), gaps.settings, gaps.unlisted_counts()
    )


def code_strings(path: Path) -> str:
    """The string constants of a module's code (its docstrings left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return "\n".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    )


def test_coverage_writes_no_sentence_of_its_own():
    """The criteria and headlines live in the modules of sentences; coverage has the fields."""
    said = re.compile(
        r"households covered|no tower in reach|counted as 0|no usable coordinates|"
        r"model's range, not judged|no list names"
    )
    for path in sorted((ROOT / "coverage").glob("*.py")):
        assert not said.search(code_strings(path)), path.name
