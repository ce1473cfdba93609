"""A synthetic alumni roster: realistic, deterministic for a seed, streamed to CSV (SPEC section 9).

It feeds `alumni-bot demo` and `alumni-bot gen-roster N OUT.csv`, so it has to look like a real
school's roster to the features that read it (name lookup by pinyin and by surname reading, class
reunions by year, chapters by city) and stay fast at a million rows: every pool is built once, the
random draws are made a batch at a time with cumulative weights, and rows go out in batches.
"""

from __future__ import annotations

import csv
import os
import random
import re
from bisect import bisect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Generic, TextIO, TypeVar

from handlers.directory.roster_columns import CHINESE_HEADERS, DEGREES

FIRST_YEAR, LAST_YEAR = 1960, 2026
PERSONS_PER_BATCH = 5000  # fixed, so that a shorter roster is the start of a longer one

# Surnames with their share in ten-thousandths (roughly the 2020 census). The special-reading
# surnames (单 shàn, 解 xiè, 区 ōu, 仇 qiú, 朴 piáo, 查 zhā) and the compound ones are raised to about
# 0.1%, above their real share, so that even a demo roster of a few thousand holds some to look up.
_SURNAMES = """
王712 李708 张664 刘538 陈461 杨320 黄225 赵220 吴200 周192 徐160 孙150 马145 朱140 胡132 郭118
何116 林110 高108 罗104 郑102 梁96 谢84 宋78 唐77 许72 韩70 冯68 邓68 曹64 彭60 曾58 肖56 田54
董52 袁51 潘50 于49 蒋48 蔡47 余46 杜45 叶44 程43 苏42 魏41 吕40 丁39 任38 沈37 姚36 卢35 姜34
崔33 钟33 谭32 陆31 汪30 范30 金29 石29 廖28 贾28 夏27 韦27 付26 方26 白25 邹25 孟24 熊24 秦23
邱23 江22 尹22 薛21 闫21 段20 雷20 侯19 龙19 史18 陶18 黎17 贺17 顾16 毛16 郝15 龚15 邵14 万14
钱13 严13 覃12 武12 戴11 莫11 孔10 向10 汤10 常10 单10 解10 区10 仇10 朴10 查10 欧阳10 司马6
诸葛6 上官6 皇甫3 东方3 慕容2
"""
# Surname spellings for e-mail addresses: pypinyin has no surname mode and would spell 单 dan,
# 区 qu (DESIGN, "Lookup and import"); the rest of the surnames it spells right.
_SURNAME_SPELLINGS = {"单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha"}
_SURNAME_SPELLINGS |= {"曾": "zeng", "覃": "qin"}

# Given-name characters, most popular first; weights fall off with rank (Zipf), which is what makes
# common names such as 张伟 and 王芳 repeat across a large roster as they do in real ones.
_MALE_CHARS = """
伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林建国峰志文晨博亮阳海东成毅
坤昊哲晖松振兴永忠民庆春德学新利光荣生胜祥福贵江河山岩金铭锋锐睿轩泽然航豪子梓一天
思嘉家逸瑞翔晓达武立伦良才友义仁宏泉辰晟煜烨炜琦骏驰腾远韬钧勋瀚楠桐森柏铮彬洋杨
"""
_FEMALE_CHARS = """
芳娜敏静丽艳秀娟英华慧巧美霞玲燕萍红玉兰凤洁梅琳素云莲雪荣爱香月媛瑞佳嘉琼珍莉桂
璐娅琦晶妍茜秋珊莎锦青倩婷婉娴瑾颖露瑶怡雁蓓仪荷丹蓉君琴蕊薇菁梦岚婕馨韵艺卿澜纯
悦昭冰爽茗羽希宁欣滢筠柔竹凝晓欢枫芸菲寒伊亚宜可舒影思涵萱诗语雨梓子晨一心若彤
"""
# Each generation's favourite given names, taken whole (a 1960s 建国, a 2020s 子涵), so names repeat
# as in real rosters: a million rows hold about 350,000 distinct names.
# era (graduated by 1990 / by 2010 / later), gender, names most popular first
_POPULAR = """
0 男 建国 建华 建军 国强 志强 志刚 国华 卫东 卫国 永刚 建新 建平 国庆 振华 学军 立新
1 男 海涛 晓东 俊杰 文杰 志伟 建伟 晓明 海峰 鹏飞 永强 小龙 宏伟 春雷 振宇 剑锋 志勇
2 男 浩然 子轩 梓轩 宇轩 俊熙 子豪 浩宇 一鸣 家豪 天宇 博文 明轩 皓轩 宇航 子墨 梓豪
0 女 秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉珍 玉英 淑珍 淑英 秀梅 丽华 秀华 红梅 桂珍
1 女 丽娟 晓燕 海燕 丽丽 婷婷 晓红 艳红 丽萍 海霞 晓丽 春燕 雪梅 小红 玉洁 晓静 慧敏
2 女 欣怡 子涵 梓涵 雨涵 诗涵 雨萱 一诺 可馨 思涵 佳怡 欣妍 紫涵 语嫣 梦瑶 诗琪 雨欣
"""
_CHAR_EXPONENT, _POPULAR_EXPONENT = 0.9, 0.5
_SINGLE, _POPULAR_SHARE = 0.12, 0.25  # shares of one-character and of whole popular given names

# Graduates per year, relative: few before 1966, a trickle while regular admissions stopped
# (1966-1976 entries), the 1977 gaokao class from 1982, growth after the 1999 expansion.
_YEAR_WEIGHTS = {
    year: 4 if year < 1967 else 2 if year < 1971 else 1 if year < 1982
    else 6 + (year - 1982) // 4 if year < 1999 else 10 + 2 * (year - 1999) if year < 2004
    else 18 + (year - 2004) // 5
    for year in range(FIRST_YEAR, LAST_YEAR + 1)
}  # fmt: skip

# code name enrolment-weight male-share favoured-industry bachelor-years, then its majors as
# name/abbreviation[/first entry year]: a 1980 entrant cannot have studied 人工智能.
_COLLEGES = """
01 计算机学院 12 0.76 互联网 4
   计算机科学与技术/计科 软件工程/软工/2002 人工智能/智能/2018 信息安全/信安/2001
   数据科学与大数据技术/数据/2016
02 电子信息学院 9 0.72 通信 4
   电子信息工程/电信 通信工程/通信/1985 微电子科学与工程/微电/1998 光电信息科学与工程/光电/2000
03 机械工程学院 9 0.86 制造业 4
   机械设计制造及其自动化/机设 车辆工程/车辆 工业设计/工设/1990 机器人工程/机器人/2017
04 土木工程学院 8 0.80 建筑与房地产 4
   土木工程/土木 建筑学/建筑 给排水科学与工程/给排水 工程管理/工管/1998
05 经济管理学院 11 0.45 金融 4
   经济学/经济 金融学/金融/1985 会计学/会计/1980 工商管理/工商/1990 市场营销/营销/1993
   国际经济与贸易/国贸/1985
06 法学院 5 0.44 法律 4
   法学/法学 知识产权/知产/2004 政治学与行政学/政治
07 外国语学院 6 0.22 教育 4
   英语/英语 日语/日语 法语/法语/1978 德语/德语/1978 翻译/翻译/2006
08 文学院 6 0.35 文化传媒 4
   汉语言文学/汉语言 新闻学/新闻/1983 历史学/历史 哲学/哲学
09 数学与统计学院 6 0.56 金融 4
   数学与应用数学/数学 统计学/统计/1980 信息与计算科学/信计/1998
10 物理学院 5 0.72 科研 4
   物理学/物理 应用物理学/应物/1980 天文学/天文/1990
11 化学化工学院 6 0.58 能源化工 4
   化学/化学 应用化学/应化/1980 化学工程与工艺/化工 材料科学与工程/材料/1995
12 生命科学学院 5 0.44 医药健康 4
   生物科学/生科 生物技术/生技/1990 生态学/生态/2000
13 医学院 8 0.42 医药健康 5
   临床医学/临床 口腔医学/口腔/1980 护理学/护理/1995 药学/药学 预防医学/预防/1985
14 环境学院 4 0.55 政府机关 4
   环境科学/环科/1980 环境工程/环工/1985 地理科学/地理
15 艺术学院 4 0.36 文化传媒 4
   音乐学/音乐 美术学/美术 设计学/设计/2012 广播电视编导/编导/2000
"""

# industry weight employers…
_INDUSTRIES = """
互联网 14 腾讯 阿里巴巴 字节跳动 百度 京东 美团 网易 拼多多 小米 快手 携程 微软 谷歌
金融 12 中国工商银行 中国建设银行 中国银行 招商银行 中信证券 中国平安 华泰证券 兴业银行
教育 11 北京大学 复旦大学 浙江大学 武汉大学 中山大学 北京四中 深圳中学 新东方
制造业 11 比亚迪 上汽集团 三一重工 美的集团 格力电器 海尔集团 宁德时代 中国中车
通信 6 华为 中兴通讯 中国移动 中国电信 中国联通
建筑与房地产 6 中国建筑 中国中铁 中国铁建 万科 中国交建
能源化工 6 国家电网 中国石油 中国石化 中国海油 南方电网 万华化学
医药健康 7 北京协和医院 四川大学华西医院 上海瑞金医院 恒瑞医药 迈瑞医疗 药明康德
政府机关 8 市人民政府 省发展和改革委员会 海关总署 国家税务总局 生态环境局
科研 4 中国科学院 中国工程物理研究院 中国航天科技集团 中国电子科技集团
法律 3 金杜律师事务所 君合律师事务所 中伦律师事务所 人民法院 人民检察院
文化传媒 4 新华社 人民日报社 中央广播电视总台 湖南广电 澎湃新闻 故宫博物院
专业服务 3 麦肯锡 德勤 普华永道 安永 毕马威
"""

# Where alumni live now: Chinese prefecture-level cities and a few overseas, weighted.
_CITIES = """
北京40 上海36 深圳28 广州22 杭州18 成都14 武汉14 南京14 西安10 重庆10 天津9 苏州9 长沙8 郑州7
青岛6 济南6 合肥6 厦门5 福州5 宁波5 无锡4 东莞4 佛山4 昆明4 沈阳4 大连4 贵阳3 南宁3 南昌3 太原3
石家庄3 长春3 哈尔滨3 呼和浩特2 兰州2 西宁1 银川1 乌鲁木齐2 拉萨1 海口2 珠海2 温州2 绍兴2 常州2
南通2 徐州2 烟台2 泉州2 洛阳1 襄阳1 宜昌1 芜湖1 惠州1 绵阳1 桂林1 唐山1 香港3 纽约2 旧金山2
伦敦2 新加坡2 东京1 悉尼1 多伦多1
"""
# Mobile number prefixes the three carriers hand out; 154 was never issued.
_PHONE_PREFIXES = [
    str(prefix)
    for prefix in (*range(130, 140), *range(150, 160), *range(175, 179), *range(180, 190), 166, 198)
    if prefix != 154
]
_MAIL_DOMAINS = ("163.com",) * 3 + ("126.com",) * 2 + ("sina.com", "gmail.com", "outlook.com")

T = TypeVar("T")


@dataclass(frozen=True)
class _Weighted(Generic[T]):
    """Items with cumulative weights: `random.choices` is fastest given those, k at a time."""

    items: list[T]
    cum: list[float]

    def draw(self, rng: random.Random, k: int) -> list[T]:
        return rng.choices(self.items, cum_weights=self.cum, k=k)

    def pick(self, u: float) -> T:
        """One item for a uniform u in [0, 1), for the odd draw that is not worth a batch."""
        return self.items[bisect(self.cum, u * self.cum[-1])]


def _weighted(items: list[T], weights: list[float]) -> _Weighted[T]:
    return _Weighted(items, list(accumulate(weights)))


def _by_rank(names: list[str], exponent: float) -> _Weighted[str]:
    unique = list(dict.fromkeys(names))
    return _weighted(unique, [1 / (rank + 2) ** exponent for rank in range(len(unique))])


def _name_weights(table: str) -> _Weighted[str]:
    """'王712 李708' -> 王 and 李 with those weights."""
    pairs = re.findall(r"(\D+?)(\d+)\s*", table.strip())
    return _weighted([name.strip() for name, _ in pairs], [int(w) for _, w in pairs])


@dataclass(frozen=True)
class _Major:
    number: int  # one digit of the student ID
    name: str
    abbreviation: str  # what its class names start with: 计科2012-1班
    since: int  # first entry year


@dataclass(frozen=True)
class _College:
    code: int  # two digits of the student ID
    name: str
    male_share: float  # engineering is mostly men, languages mostly women
    industry: str  # where its graduates tend to go
    bachelor_years: int
    majors: tuple[_Major, ...]


def _colleges(table: str) -> tuple[list[_College], list[float]]:
    heads = re.findall(
        r"^(\d+) (\S+) (\d+) ([\d.]+) (\S+) (\d)\n((?:   .*\n)+)", table, re.MULTILINE
    )
    colleges, weights = [], []
    for code, name, weight, male, industry, years, majors in heads:
        parsed = []
        for number, spec in enumerate(majors.split(), start=1):
            major, abbreviation, *since = spec.split("/")
            parsed.append(_Major(number, major, abbreviation, int(since[0]) if since else 0))
        colleges.append(_College(int(code), name, float(male), industry, int(years), tuple(parsed)))
        weights.append(int(weight))
    return colleges, weights


@dataclass(frozen=True)
class _Pools:
    surnames: _Weighted[str]
    chars: dict[str, _Weighted[str]]  # gender -> given-name characters
    popular: dict[tuple[int, str], _Weighted[str]]  # (era, gender) -> whole given names
    years: _Weighted[int]
    colleges: _Weighted[_College]
    cities: _Weighted[str]
    industries: _Weighted[str]
    employers: dict[str, list[str]]
    spelling: dict[str, str]  # a surname or given-name character -> pinyin, for e-mail


@cache
def _pools() -> _Pools:
    from pypinyin import lazy_pinyin  # only the pools need it, once

    surnames = _name_weights(_SURNAMES)
    chars = {"男": _MALE_CHARS, "女": _FEMALE_CHARS}
    popular = {(int(era), gender): names for era, gender, *names in
               (line.split() for line in _POPULAR.strip().splitlines())}  # fmt: skip
    industries = {name: (int(weight), employers) for name, weight, *employers in
                  (line.split() for line in _INDUSTRIES.strip().splitlines())}  # fmt: skip
    texts = (*chars.values(), *map("".join, popular.values()))
    characters = {c for text in texts for c in text if not c.isspace()}
    spelling = {text: "".join(lazy_pinyin(text)) for text in {*surnames.items, *characters}}
    return _Pools(
        surnames=surnames,
        chars={
            gender: _by_rank(list(text.strip().replace("\n", "")), _CHAR_EXPONENT)
            for gender, text in chars.items()
        },
        popular={key: _by_rank(names, _POPULAR_EXPONENT) for key, names in popular.items()},
        years=_weighted(list(_YEAR_WEIGHTS), list(_YEAR_WEIGHTS.values())),
        colleges=_weighted(*_colleges(_COLLEGES)),
        cities=_name_weights(_CITIES),
        industries=_weighted(list(industries), [weight for weight, _ in industries.values()]),
        employers={name: employers for name, (_, employers) in industries.items()},
        spelling=spelling | _SURNAME_SPELLINGS,
    )


class _StudentIds:
    """Unique, plausible student IDs: entry year, college, major, class, seat — 12 digits.

    Each (entry year, degree, college, major) fills classes of 30 in order, so the ID's class is
    the class in 班级. Graduate classes are numbered from 501 (硕士) and 801 (博士) so that they
    never meet undergraduate ones. Only rosters of tens of millions fill every class of a cohort;
    the late-comers take seats 31-99, and an ID that still does not fit raises rather than repeat.
    """

    CLASS_SIZE = 30

    def __init__(self) -> None:
        self._first_class = dict(zip(DEGREES, (1, 501, 801), strict=True))
        self._classes = dict(zip(DEGREES, (499, 299, 199), strict=True))
        self._taken: dict[tuple[int, str, int, int], int] = {}

    def allocate(self, entry_year: int, degree: str, college: int, major: int) -> tuple[str, int]:
        """The next free ID in that cohort, and the number (1, 2, ...) of its class."""
        key = (entry_year, degree, college, major)
        taken = self._taken.get(key, 0)
        self._taken[key] = taken + 1
        classes = self._classes[degree]
        if taken < classes * self.CLASS_SIZE:
            klass, seat = divmod(taken, self.CLASS_SIZE)
        else:
            seat, klass = divmod(taken - classes * self.CLASS_SIZE, classes)
            seat += self.CLASS_SIZE
            if seat >= 99:
                raise ValueError(f"no student IDs left for {entry_year} {degree}: roster too big")
        number = self._first_class[degree] + klass
        return f"{entry_year}{college:02d}{major}{number:03d}{seat + 1:02d}", klass + 1


def _degree_for(graduation_year: int, u: float) -> str:
    """Nobody took a master's degree here before 1981, or a doctorate before 1985."""
    if graduation_year < 1981:
        return "本科"
    if graduation_year < 1985:
        master, doctor = 0.04, 0.0
    else:
        master, doctor = (0.10, 0.02) if graduation_year < 2000 else (0.27, 0.07)
    return "博士" if u < doctor else "硕士" if u < doctor + master else "本科"


class _RosterRows:
    """Draws people a batch at a time and turns each into one row, or two for 本科 then 硕士."""

    # A share of bachelor's graduates stays on for a master's; over the years where that is
    # possible, this puts about 5% of people on the roster twice.
    SECOND_DEGREE_SHARE = 0.083

    def __init__(self, rng: random.Random) -> None:
        self._rng, self._pools, self._ids = rng, _pools(), _StudentIds()

    def batch(self) -> list[list[str]]:
        rng, pools, k = self._rng, self._pools, PERSONS_PER_BATCH
        rand = rng.random
        surnames, years = pools.surnames.draw(rng, k), pools.years.draw(rng, k)
        colleges, cities = pools.colleges.draw(rng, k), pools.cities.draw(rng, k)
        industries = pools.industries.draw(rng, k)
        chars = {g: (w.draw(rng, k), w.draw(rng, k)) for g, w in pools.chars.items()}
        rows: list[list[str]] = []
        for i in range(k):
            college, graduation = colleges[i], years[i]
            gender = "男" if rand() < college.male_share else "女"
            first, second = chars[gender]
            u = rand()
            if u < _SINGLE:
                given = first[i]
            elif u < _SINGLE + _POPULAR_SHARE:
                era = 0 if graduation <= 1990 else 1 if graduation <= 2010 else 2
                given = pools.popular[era, gender].pick(rand())
            else:
                given = first[i] + second[i]
            degree = _degree_for(graduation, rand())
            industry = college.industry if rand() < 0.4 else industries[i]
            person = (
                surnames[i] + given,
                gender,
                self._phone(graduation),
                self._email(surnames[i], given),
                cities[i] if rand() > 0.04 else "",
                *self._work(graduation, industry),
            )
            rows.append(self._record(person, college, degree, graduation))
            if (
                degree == "本科"
                and 1978 <= graduation <= LAST_YEAR - 3
                and rand() < self.SECOND_DEGREE_SHARE
            ):
                rows.append(self._master_after(person, college, graduation))
        return rows

    def _record(
        self,
        person: tuple[str, ...],
        college: _College,
        degree: str,
        graduation: int,
        entry: int | None = None,
    ) -> list[str]:
        """One roster row, in ROSTER_COLUMNS order."""
        rand = self._rng.random
        if entry is None:
            u = rand()
            if degree == "本科":
                entry = graduation - college.bachelor_years
            elif degree == "硕士":
                entry = graduation - (2 if u < 0.15 else 3)
            else:
                entry = graduation - (4 if u < 0.3 else 5 if u < 0.75 else 6)
        major = college.majors[int(rand() * len(college.majors))]
        if major.since > entry:
            major = college.majors[0]  # that major did not exist yet; the college's first did
        student_id, klass = self._ids.allocate(entry, degree, college.code, major.number)
        tag = "" if degree == "本科" else degree[0]  # 计科2012-1班, 计科硕2016-1班
        name, gender, phone, email, city, employer, industry = person
        class_name = f"{major.abbreviation}{tag}{entry}-{klass}班"
        return [
            student_id, name, str(graduation), gender, degree, college.name, major.name,
            class_name, str(entry), phone, email, city, employer, industry,
        ]  # fmt: skip

    def _master_after(
        self, person: tuple[str, ...], college: _College, graduation: int
    ) -> list[str]:
        """The same person's 硕士 record: straight on, or after a year or two of work."""
        rand = self._rng.random
        u = rand()
        entry = graduation + (0 if u < 0.8 else 1 if u < 0.95 else 2)
        years = 2 if rand() < 0.15 else 3
        if entry + years > LAST_YEAR:
            entry, years = graduation, 2
        if rand() < 0.3:  # some change field for the master's
            college = self._pools.colleges.pick(rand())
        return self._record(person, college, "硕士", entry + years, entry)

    def _phone(self, graduation: int) -> str:
        # The oldest alumni are the likeliest to have no mobile number on file.
        rand = self._rng.random
        if rand() < (0.25 if graduation < 1980 else 0.05):
            return ""
        prefix = _PHONE_PREFIXES[int(rand() * len(_PHONE_PREFIXES))]
        return f"{prefix}{int(rand() * 100_000_000):08d}"

    def _email(self, surname: str, given: str) -> str:
        rand, spelling = self._rng.random, self._pools.spelling
        u = rand()
        if u < 0.15:
            return ""
        if u < 0.45:  # a QQ number is many Chinese people's address
            return f"{10_000_000 + int(rand() * 3_000_000_000)}@qq.com"
        login = spelling[surname] + "".join(spelling[c] for c in given)
        domain = _MAIL_DOMAINS[int(rand() * len(_MAIL_DOMAINS))]
        return f"{login}{int(rand() * 1000) if rand() < 0.7 else ''}@{domain}"

    def _work(self, graduation: int, industry: str) -> tuple[str, str]:
        # Retired alumni often leave the employer blank; a few give only the industry.
        rand = self._rng.random
        u = rand()
        if u < (0.45 if graduation < 1985 else 0.12):
            return "", (industry if u < 0.04 else "")
        employers = self._pools.employers[industry]
        return employers[int(rand() * len(employers))], industry


@contextmanager
def _text_stream(out: TextIO | str | os.PathLike[str]) -> Iterator[TextIO]:
    """A path is opened (and closed) here; a stream the caller passed stays theirs to close."""
    if isinstance(out, (str, os.PathLike)):
        with open(out, "w", encoding="utf-8", newline="") as stream:
            yield stream
    else:
        yield out


def write_synthetic_roster(
    n: int,
    out: TextIO | str | os.PathLike[str],
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `n` synthetic alumni rows to `out` as UTF-8 CSV and return how many were written.

    `out` is a path or an open text stream (open it with newline=""). The header row is the
    Chinese one from ROSTER_COLUMNS. The same seed writes the same file, and a shorter roster is
    the start of a longer one. Rows are streamed a batch at a time, never all held in memory;
    `progress`, if given, is called after each batch with the number of rows that batch added
    (an increment, as `click.progressbar(...).update` takes it).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    rows = _RosterRows(random.Random(seed))
    written = 0
    with _text_stream(out) as stream:
        writer = csv.writer(stream)
        writer.writerow(CHINESE_HEADERS)
        while written < n:
            batch = rows.batch()[: n - written]
            writer.writerows(batch)
            written += len(batch)
            if progress is not None:
                progress(len(batch))
    return written
