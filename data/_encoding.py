"""Text encodings of department files: detected, checked as Vietnamese, and reported.

Department CSV files come in UTF-8 (with or without BOM), in Windows-1258 (the Vietnamese
code page: base letters plus combining tone marks) and sometimes in Windows-1252/Latin-1,
which holds only some Vietnamese letters. The single-byte code pages decode almost any
bytes, so decoding without an error proves nothing: ``Xã`` written in Windows-1252 reads as
``Xă`` in Windows-1258. :func:`decode_text` therefore decodes with UTF-8 when it can,
else with each single-byte candidate (Windows-1258, Windows-1252 and the guess of
charset-normalizer), and keeps the reading whose words are plausible Vietnamese syllables
(:func:`vietnamese_plausibility`). It says which encoding it used and whether it is unsure.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

SINGLE_BYTE_CANDIDATES = ("cp1258", "cp1252")
"""Code pages tried when a file is not UTF-8, in order of preference on a tie."""
PLAUSIBLE_SHARE = 0.9
"""Share of accented words that must read as Vietnamese syllables for a reading to count."""

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWEL_MARKS = {"\u0302": "aeo", "\u0306": "a", "\u031b": "ou"}
_VOWELS = frozenset("aeiouy")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class DecodedText:
    """A file's text and how it was read.

    Attributes
    ----------
    text : str
        The text, NFC.
    encoding : str
        The encoding used (``"utf-8"``, ``"utf-8-sig"``, ``"cp1258"`` ...).
    sure : bool
        False when the encoding was chosen among readings that all look plausible, or when
        no reading looks like Vietnamese.
    note : str
        What a user should know (empty when UTF-8): the encoding chosen, the other readings.
    """

    text: str
    encoding: str
    sure: bool
    note: str = ""


_UNICODE_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16's: its mark begins the same
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
"""Byte-order marks of the Unicode encodings other than UTF-8, and what each says."""


def _letter_tones(char: str) -> int | None:
    """Tone marks on one letter (0 or 1), or None if it is not a Vietnamese letter."""
    if char in "đĐ":
        return 0
    base, *marks = unicodedata.normalize("NFD", char)
    lower = base.lower()
    if unicodedata.combining(base) or not base.isascii():
        return None  # a tone mark that found no letter to sit on; ø, ß, þ ...
    tones = 0
    for mark in marks:
        if mark in _TONES and lower in _VOWELS:
            tones += 1
        elif lower not in _VOWEL_MARKS.get(mark, ""):
            return None  # ñ, ç, ë, å ... are not Vietnamese letters
    return tones


def _plausible_word(word: str) -> bool:
    """Whether a word with non-ASCII letters reads as a Vietnamese syllable."""
    tones = [_letter_tones(char) for char in word]
    inner_capital = any(c.isupper() for c in word[1:]) and not word.isupper()  # "QuaÒng"
    # ă and â never end a syllable (Xă, Tâ): both need a final consonant
    last = unicodedata.normalize("NFD", word[-1].lower())
    open_short = "\u0306" in last or ("\u0302" in last and last[0] == "a")
    return None not in tones and sum(tones) <= 1 and not inner_capital and not open_short


def vietnamese_plausibility(text: str) -> float:
    """Share of words with non-ASCII letters that read as Vietnamese syllables (1.0 if none).

    A syllable has at most one tone mark, and on a vowel; only a, e, o take a circumflex,
    only a a breve, only o and u a horn; no capital inside a word; ă and â are never last.
    """
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    if not words:
        return 1.0
    return sum(_plausible_word(w) for w in words) / len(words)


def decode_text(raw: bytes) -> DecodedText:
    """Decode a text file's bytes, detecting the encoding (see the module notes).

    Parameters
    ----------
    raw : bytes
        The file's content.

    Returns
    -------
    DecodedText
    """
    marked = _by_mark(raw)
    if marked is not None:
        return marked
    try:
        return DecodedText(_nfc(raw.decode("utf-8")), "utf-8", True)
    except UnicodeDecodeError:
        pass
    guess = from_bytes(raw).best()
    candidates = list(SINGLE_BYTE_CANDIDATES)
    if guess is not None and codecs.lookup(guess.encoding).name not in candidates:
        candidates.append(codecs.lookup(guess.encoding).name)
    readings = []
    for encoding in candidates:
        try:
            text = _nfc(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
        readings.append((vietnamese_plausibility(text), encoding, text))
    best_score = max(score for score, _, _ in readings)
    score, encoding, text = next(r for r in readings if r[0] == best_score)
    rivals = [e for s, e, t in readings if s >= PLAUSIBLE_SHARE and e != encoding and t != text]
    if score < PLAUSIBLE_SHARE:
        note = (
            f"not UTF-8, and no encoding tried ({', '.join(candidates)}) gives Vietnamese "
            f"text: read as {encoding} ({100 * score:.0f}% of accented words plausible); "
            "names may be corrupted: save the file as UTF-8"
        )
        return DecodedText(text, encoding, False, note)
    if rivals:
        note = (
            f"not UTF-8; read as {encoding}, but {', '.join(rivals)} also gives plausible "
            "text: check the names, or save the file as UTF-8"
        )
        return DecodedText(text, encoding, False, note)
    unicode = codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))  # without a mark
    if encoding != "cp1258" and not unicode:
        note = (
            f"not UTF-8; detected {encoding}, which cannot hold most Vietnamese letters "
            "(ơ, ư, đ, ắ ...): names may have lost letters when the file was saved; save it "
            "as UTF-8"
        )
        return DecodedText(text, encoding, False, note)
    return DecodedText(text, encoding, True, f"not UTF-8; detected {encoding}")


def _by_mark(raw: bytes) -> DecodedText | None:
    """Decode a text that starts with a Unicode byte-order mark; None without one."""
    if raw.startswith(codecs.BOM_UTF8):
        return DecodedText(_nfc(raw.decode("utf-8-sig", errors="strict")), "utf-8-sig", True)
    for mark, encoding in _UNICODE_MARKS:  # Excel's "Unicode text" is UTF-16 with its mark
        if raw.startswith(mark):
            text = _nfc(raw[len(mark) :].decode(encoding))
            return DecodedText(text, encoding, True, f"read as {encoding} (Unicode)")
    return None


def _nfc(text: str) -> str:
    """Compose letters and tone marks (Windows-1258 and macOS store them apart)."""
    return unicodedata.normalize("NFC", text)
