"""Make what alumni type comparable: full-width forms, case, stray punctuation and spaces."""

from __future__ import annotations

import re
import unicodedata

# Kept because they carry meaning inside arguments: dates (2026-05-01), e-mail, decimals.
_KEPT = set("-.@_+#/")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """`　查找：张伟！` -> `查找 张伟`; text made only of punctuation (`？`) is kept (`?`)."""
    folded = unicodedata.normalize("NFKC", text).lower().strip()
    cleaned = "".join(
        " " if unicodedata.category(ch)[0] in "PSZ" and ch not in _KEPT else ch for ch in folded
    )
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return cleaned or folded


def is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
