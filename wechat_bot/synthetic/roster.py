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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from handlers.directory.roster_columns import CHINESE_HEADERS, DEGREES
from wechat_bot.synthetic.pools import LAST_YEAR, College, load_pools

PERSONS_PER_BATCH = 5000  # fixed, so that a shorter roster is the start of a longer one
_SINGLE, _POPULAR_SHARE = 0.12, 0.25  # shares of one-character and of whole popular given names

# Mobile number prefixes the three carriers hand out; 154 was never issued.
_PHONE_PREFIXES = [
    str(prefix)
    for prefix in (*range(130, 140), *range(150, 160), *range(175, 179), *range(180, 190), 166, 198)
    if prefix != 154
]
_MAIL_DOMAINS = ("163.com",) * 3 + ("126.com",) * 2 + ("sina.com", "gmail.com", "outlook.com")


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
        self._rng, self._pools, self._ids = rng, load_pools(), _StudentIds()

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
        college: College,
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
        self, person: tuple[str, ...], college: College, graduation: int
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
