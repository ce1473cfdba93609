"""Search keys: a name's full pinyin and initials, its surname read as a surname."""

import pytest
from pypinyin import lazy_pinyin

from handlers.directory.search_keys import name_search_keys, typed_spellings
from handlers.directory.surnames import COMPOUND_SURNAMES, SURNAME_READINGS, split_surname


@pytest.mark.parametrize("name, keys", [
    ("单晓明", ("shanxiaoming", "sxm")),  # pypinyin alone: dan
    ("曾国藩", ("zengguofan", "zgf")),  # ceng
    ("解晓东", ("xiexiaodong", "xxd")),  # jie
    ("覃强", ("qinqiang", "qq")),  # tan
    ("区志伟", ("ouzhiwei", "ozw")),  # qu
    ("仇英", ("qiuying", "qy")),  # chou
    ("朴树", ("piaoshu", "ps")),  # pu
    ("查良镛", ("zhaliangyong", "zly")),  # cha
    ("吕雯", ("lvwen", "lw")),
    ("乐嘉", ("yuejia", "yj")),  # le
    ("盖聂", ("genie", "gn")),  # gai
    ("缪可", ("miaoke", "mk")),  # mou
    ("翟欣", ("zhaixin", "zx")),  # di
])  # fmt: skip
def test_polyphonic_surnames_are_read_as_surnames(name, keys):
    assert name_search_keys(name) == keys


def test_the_surname_reading_applies_to_the_surname_only():
    assert name_search_keys("张曾") == ("zhangceng", "zc")  # 曾 as a given name: ceng
    assert name_search_keys("李单") == ("lidan", "ld")
    assert name_search_keys("曾曾") == ("zengceng", "zc")


@pytest.mark.parametrize("name, keys", [
    ("欧阳明月", ("ouyangmingyue", "oymy")),
    ("司马光", ("simaguang", "smg")),
    ("诸葛亮", ("zhugeliang", "zgl")),
    ("上官婉儿", ("shangguanwaner", "sgwe")),
    ("尉迟恭", ("yuchigong", "ycg")),  # 尉 alone: wei
    ("长孙无忌", ("zhangsunwuji", "zswj")),  # 长 alone: chang
    ("万俟卨", ("moqixie", "mqx")),
    ("乐正明", ("yuezhengming", "yzm")),  # pypinyin: lezheng
])  # fmt: skip
def test_compound_surnames_come_first(name, keys):
    assert name_search_keys(name) == keys


def test_how_a_name_is_split():
    assert split_surname("欧阳明月") == ("欧阳", "明月")
    assert split_surname("欧阳") == ("欧", "阳")  # two characters: surname + given name
    assert split_surname("单于洋") == ("单", "于洋")  # 单于 is left out on purpose
    assert split_surname("张") == ("", "张")
    assert split_surname("John Smith") == ("", "John Smith")


def test_every_reading_in_the_table_differs_from_pypinyins():
    """Each entry earns its place; and a pypinyin upgrade that fixes one shows here."""
    assert all(lazy_pinyin(char)[0] != reading for char, reading in SURNAME_READINGS.items())
    assert all(len(surname) == 2 for surname in COMPOUND_SURNAMES)


@pytest.mark.parametrize("name, keys", [
    ("张　伟", ("zhangwei", "zw")),  # an ideographic space
    ("Ｌü Wen", ("lvwen", "lw")),  # full-width, ü
    ("John Smith", ("johnsmith", "js")),
    ("阿依·古丽", ("ayiguli", "aygl")),
    ("略", ("lve", "l")),  # one character: no surname to read
])  # fmt: skip
def test_spaces_dots_latin_and_umlauts(name, keys):
    assert name_search_keys(name) == keys


@pytest.mark.parametrize("typed, spellings", [
    ("lv", ("lv",)),
    ("lü", ("lv",)),
    ("LYU", ("lv",)),
    ("lu", ("lu", "lv")),  # 吕 typed without ü: tried both ways, as typed first
    ("luwen", ("luwen", "lvwen")),
    ("nuli", ("nuli", "nvli")),
    ("zhangwei", ("zhangwei",)),
])  # fmt: skip
def test_typed_spellings_for_u_umlaut(typed, spellings):
    assert typed_spellings(typed) == spellings
