"""The module of sentences of a language: :func:`words`.

Each language has one module of sentences, the same names in each (``_words_en``,
``_words_vi``); callers that write in the user's language take it from here, callers that
write English only (a gap list's ``criteria`` column, the objects' ``headline()``) import
``_words_en`` directly.
"""

from __future__ import annotations

from types import ModuleType

from whitespot.data import _words_en, _words_vi
from whitespot.data._labels import Language

WORDS: dict[str, ModuleType] = {"en": _words_en, "vi": _words_vi}
"""The module of sentences of each language, by its ISO 639-1 code."""


def words(language: Language) -> ModuleType:
    """Return the module of sentences of `language` ("en" or "vi")."""
    return WORDS[language]
