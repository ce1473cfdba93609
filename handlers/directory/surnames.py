"""How surnames are read: the one table the search keys take a name's first syllables from.

pypinyin has no surname mode (DESIGN, "Lookup and import"): it reads 单 dan, 曾 ceng, 区 qu, 仇 chou,
where a surname is read shàn, zēng, ōu, qiú. So a name is split into surname and given name here
(compound surnames first, from 百家姓 and the few common outside it), and the surname's reading comes
from this table when it has one, from pypinyin otherwise. Readings are toneless, ü written v
(吕 lv), as pypinyin writes them and as the search keys are stored.
"""

from __future__ import annotations

# Single-character surnames whose surname reading is not the one pypinyin gives the character
# alone (checked against pypinyin 0.55; a test keeps this true). Other surnames read as pypinyin
# reads them (张 zhang, 李 li) and need no entry.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan", "曾": "zeng", "解": "xie", "覃": "qin", "区": "ou", "仇": "qiu", "朴": "piao",
    "查": "zha", "乐": "yue", "盖": "ge", "缪": "miao", "员": "yun", "繁": "po", "种": "chong",
    "秘": "bi", "折": "she", "召": "shao", "能": "nai", "句": "gou", "翟": "zhai", "祭": "zhai",
    "蕃": "pi", "黑": "he", "粘": "nian", "薄": "bo", "乜": "nie", "都": "du", "便": "pian",
    "重": "chong", "说": "yue", "长": "chang", "佴": "nai", "隗": "wei", "角": "jue", "么": "yao",
    "洗": "xian", "阚": "kan", "藏": "zang", "卜": "bu", "番": "pan", "颉": "xie", "炅": "gui",
    "沓": "ta",
}  # fmt: skip

# Compound surnames: the 百家姓's (万俟 … 第五) and a few common outside it (独孤). Listed with the
# reading where pypinyin's differs (乐正 yuezheng, not lezheng); the rest read as pypinyin reads them.
# 单于 is left out on purpose: as a surname it has all but vanished, and 单于洋 is far more likely
# 单 (shan) + 于洋 than 单于 (chanyu) + 洋.
_COMPOUNDS = """
万俟 司马 上官 欧阳 夏侯 诸葛 闻人 东方 赫连 皇甫 尉迟 公羊 澹台 公冶 宗政 濮阳 淳于 太叔 申屠
公孙 仲孙 轩辕 令狐 钟离 宇文 长孙 慕容 鲜于 闾丘 司徒 司空 亓官 司寇 仉督 子车 颛孙 端木 巫马
公西 漆雕 乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 归海 羊舌 微生 梁丘 左丘
东门 西门 伯赏 南宫 第五 独孤
"""
COMPOUND_SURNAMES: frozenset[str] = frozenset(_COMPOUNDS.split())
COMPOUND_READINGS: dict[str, tuple[str, ...]] = {
    "乐正": ("yue", "zheng"),
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "仉督": ("zhang", "du"),
}


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name: 欧阳明月 -> (欧阳, 明月), 单晓明 -> (单, 晓明).

    A name of one character, or one that does not start with a Chinese character (John Smith), has
    no surname to split off: ("", name).
    """
    if len(name) < 2 or not _is_han(name[0]):
        return "", name
    # A two-character name is surname + given name even when it spells a compound: 长孙 alone is
    # Mr 长 (chang) called 孙, since nobody's name is a bare surname.
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[0], name[1:]


def surname_syllables(surname: str) -> tuple[str, ...] | None:
    """The surname's reading from the table, or None where pypinyin's own reading is right."""
    if len(surname) == 1:
        reading = SURNAME_READINGS.get(surname)
        return (reading,) if reading else None
    return COMPOUND_READINGS.get(surname)


def _is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FA1F
