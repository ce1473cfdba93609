"""What the synthetic roster draws from: the tables of `data` as weighted pools, built once.

Cumulative weights, so that `random.choices` draws a batch at a time; the shares and exponents
that tune the mix of names and years are here, the per-row draws in `roster`.
"""

from __future__ import annotations

import random
import re
from bisect import bisect
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Generic, TypeVar

from wechat_bot.synthetic.data import (
    _CITIES,
    _COLLEGES,
    _FEMALE_CHARS,
    _INDUSTRIES,
    _MALE_CHARS,
    _POPULAR,
    _SURNAMES,
)

FIRST_YEAR, LAST_YEAR = 1960, 2026

# Surname spellings for e-mail addresses: pypinyin has no surname mode and would spell 单 dan,
# 区 qu (DESIGN, "Lookup and import"); the rest of the surnames it spells right.
_SURNAME_SPELLINGS = {"单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha"}
_SURNAME_SPELLINGS |= {"曾": "zeng", "覃": "qin"}

_CHAR_EXPONENT, _POPULAR_EXPONENT = 0.9, 0.5

# Graduates per year, relative: few before 1966, a trickle while regular admissions stopped
# (1966-1976 entries), the 1977 gaokao class from 1982, growth after the 1999 expansion.
_YEAR_WEIGHTS = {
    year: 4 if year < 1967 else 2 if year < 1971 else 1 if year < 1982
    else 6 + (year - 1982) // 4 if year < 1999 else 10 + 2 * (year - 1999) if year < 2004
    else 18 + (year - 2004) // 5
    for year in range(FIRST_YEAR, LAST_YEAR + 1)
}  # fmt: skip

T = TypeVar("T")


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """Items with cumulative weights: `random.choices` is fastest given those, k at a time."""

    items: list[T]
    cum: list[float]

    def draw(self, rng: random.Random, k: int) -> list[T]:
        return rng.choices(self.items, cum_weights=self.cum, k=k)

    def pick(self, u: float) -> T:
        """One item for a uniform u in [0, 1), for the odd draw that is not worth a batch."""
        return self.items[bisect(self.cum, u * self.cum[-1])]


def _weighted(items: list[T], weights: list[float]) -> Weighted[T]:
    return Weighted(items, list(accumulate(weights)))


def _by_rank(names: list[str], exponent: float) -> Weighted[str]:
    unique = list(dict.fromkeys(names))
    return _weighted(unique, [1 / (rank + 2) ** exponent for rank in range(len(unique))])


def _name_weights(table: str) -> Weighted[str]:
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
class College:
    code: int  # two digits of the student ID
    name: str
    male_share: float  # engineering is mostly men, languages mostly women
    industry: str  # where its graduates tend to go
    bachelor_years: int
    majors: tuple[_Major, ...]


def _colleges(table: str) -> tuple[list[College], list[float]]:
    heads = re.findall(
        r"^(\d+) (\S+) (\d+) ([\d.]+) (\S+) (\d)\n((?:   .*\n)+)", table, re.MULTILINE
    )
    colleges, weights = [], []
    for code, name, weight, male, industry, years, majors in heads:
        parsed = []
        for number, spec in enumerate(majors.split(), start=1):
            major, abbreviation, *since = spec.split("/")
            parsed.append(_Major(number, major, abbreviation, int(since[0]) if since else 0))
        colleges.append(College(int(code), name, float(male), industry, int(years), tuple(parsed)))
        weights.append(int(weight))
    return colleges, weights


@dataclass(frozen=True)
class Pools:
    surnames: Weighted[str]
    chars: dict[str, Weighted[str]]  # gender -> given-name characters
    popular: dict[tuple[int, str], Weighted[str]]  # (era, gender) -> whole given names
    years: Weighted[int]
    colleges: Weighted[College]
    cities: Weighted[str]
    industries: Weighted[str]
    employers: dict[str, list[str]]
    spelling: dict[str, str]  # a surname or given-name character -> pinyin, for e-mail


@cache
def load_pools() -> Pools:
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
    return Pools(
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
