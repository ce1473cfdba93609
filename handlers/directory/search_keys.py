"""A name's search keys, stored by the import and matched by lookup: full pinyin and initials.

单晓明 -> ("shanxiaoming", "sxm"), 欧阳明月 -> ("ouyangmingyue", "oymy"), 吕雯 -> ("lvwen", "lw"). The
surname is read as a surname (`surnames.py`); the given name as pypinyin reads it. ü is written v
in the keys, as pypinyin writes it; what people type for it (lü, lu, lyu) is `typed_spellings`'s job.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

from pypinyin import lazy_pinyin

from handlers.directory.surnames import split_surname, surname_syllables

# The stored columns' lengths (models.alumnus); a longer key is cut, which prefix search survives.
PINYIN_LENGTH, INITIALS_LENGTH = 160, 32

_LETTERS = re.compile(r"[a-z]+")
_SEPARATORS = str.maketrans({"·": " ", "•": " ", "・": " ", ".": " ", "-": " "})
_LATIN_WORD = re.compile(r"^[a-zv]+$")
# How many lu/nu a typed word may hold and still be tried both ways (2**3 spellings at most).
_MAX_UMLAUT_GUESSES = 3


@lru_cache(maxsize=1 << 19)
def name_search_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lower case without separators, for a roster name.

    Cached by name: a million rows hold a few hundred thousand distinct names, and pypinyin costs
    some 18 µs a name (DESIGN). The cache is bounded, so a long import keeps a bounded footprint.
    """
    text = unicodedata.normalize("NFKC", name or "").translate(_SEPARATORS).strip()
    surname, given = split_surname("".join(text.split()) if _starts_han(text) else text)
    syllables = (surname_syllables(surname) or _syllables(surname)) + _syllables(given)
    return "".join(syllables)[:PINYIN_LENGTH], "".join(s[0] for s in syllables)[:INITIALS_LENGTH]


@lru_cache(maxsize=1 << 16)
def _syllables(text: str) -> tuple[str, ...]:
    """Han characters become their pinyin; Latin words stay words (John Smith -> john, smith).

    Cached too: given names repeat far more than whole names (建国, 子涵), so most names of a
    large roster cost pypinyin nothing.
    """
    if not text:
        return ()
    out: list[str] = []
    for chunk in lazy_pinyin(text):
        out += _LETTERS.findall(chunk.lower().replace("ü", "v"))
    return tuple(out)


def _starts_han(text: str) -> bool:
    return bool(text) and unicodedata.name(text[0], "").startswith("CJK UNIFIED")


def normalize_latin(word: str) -> str:
    """A typed Latin word as the keys spell it: lower case, ü (and u:, and lyu) written v."""
    word = unicodedata.normalize("NFKC", word).lower().replace("u:", "v").replace("ü", "v")
    # A passport writes 吕 Lyu; no pinyin syllable ends in l, so "lyu" can only mean lü.
    return word.replace("lyu", "lv")


def is_latin_word(word: str) -> bool:
    """Whether a typed word can only be a spelling (pinyin, initials, a Latin name)."""
    return bool(_LATIN_WORD.match(normalize_latin(word)))


def typed_spellings(word: str) -> tuple[str, ...]:
    """The stored spellings a typed Latin word may mean, the word as typed first.

    Keyboards have no ü, so 吕 (lv) is typed lu as often as lv: each lu or nu is tried both ways
    (luxiaoming is 陆晓明 as typed, and 吕晓明 second).
    """
    word = normalize_latin(word)
    parts = re.split(r"(?<=[ln])u", word)
    if len(parts) == 1 or len(parts) - 1 > _MAX_UMLAUT_GUESSES:
        return (word,)
    spellings = []
    for vowels in product("uv", repeat=len(parts) - 1):
        spelled = parts[0] + "".join(v + part for v, part in zip(vowels, parts[1:], strict=True))
        spellings.append(spelled)
    return tuple(spellings)
