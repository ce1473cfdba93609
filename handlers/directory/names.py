"""How names are compared: binding matches 姓名 after folding full-width forms and spaces."""

from __future__ import annotations

import unicodedata

_DOTS = str.maketrans({"·": "", "•": "", "・": "", ".": "", "-": ""})


def name_key(name: str) -> str:
    """`张　伟` and `张伟` and `ＺＨＡＮＧ Wei` compare equal to their folded forms.

    NFKC folds full-width letters, digits and the ideographic space; spaces and the middle dots of
    minority and foreign names (阿依·古丽) are dropped; Latin letters are lower-cased.
    """
    folded = unicodedata.normalize("NFKC", name or "")
    return "".join(folded.split()).translate(_DOTS).lower()
