"""How place names are compared: the one rule the gazetteer's build, the import and the search share.

`place_key` folds what people type differently for the same place: full-width forms, case, spaces,
hyphens, apostrophes and accents (`New York`, `new-york`, `ＮＥＷ ＹＯＲＫ`; `Xi'an`; `São Paulo`), and the 市 that Chinese
city names carry or drop (`苏州市`, `苏州`).
"""

from __future__ import annotations

import unicodedata

_DROPPED = str.maketrans({ch: "" for ch in " -'’‘.·•・,，、()（）\u3000"})


def place_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))  # São -> Sao
    folded = unicodedata.normalize("NFKC", bare).lower()
    key = "".join(folded.split()).translate(_DROPPED)
    if len(key) >= 3 and key.endswith("市"):
        key = key[:-1]
    return key


def is_chinese(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
