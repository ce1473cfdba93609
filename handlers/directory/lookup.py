"""The lookup engine: a searcher's words -> the alumni they may see, ranked, a page at a time.

A word is a 4-digit graduation year, a spelling (Latin letters: full pinyin `zhangwei`, a pinyin
prefix `zhang`, initials `zw`, a Latin name) or a text (a name or its start, a class, college,
major, city, employer or industry, exactly or, from two characters on, by its start). Several
words narrow the result: every word must match.

Ranking comes from one word, the *lead*: the first spelling, else the first text that starts a
name, else the first text. Each way the lead can match is a rank, best first (exact name, name
prefix, exact pinyin, initials, pinyin prefix, initials prefix, then the other columns), and each
rank walks an index in its own order (every search index ends in graduation_year DESC, id DESC:
models.alumnus) and stops after the page, excluding what better ranks returned; the ranks are the
branches of one UNION ALL, run in order until the page is full. So a page costs a few index range
scans however many rows match, in one round trip; never a full scan, never a sort of all matches. A text word first asks the database (one round trip of EXISTS probes) which
columns hold it, so no rank or filter is spent on a column that cannot match.

Privacy is applied in the same queries: a record is seen if it is public, or `classmates` and of
one of the searcher's own (college, graduation year) classes; hidden records never.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from handlers.directory.names import name_key
from handlers.directory.search_keys import is_latin_word, normalize_latin, typed_spellings
from models.alumnus import Privacy

MAX_WORDS = 5
MAX_WORD_LENGTH = 32

EMPTY_QUERY = ("请告诉我要找谁：姓名、拼音或首字母都可以，还可以加上毕业年份、学院、城市或工作单位，"
               "例如「查找 张伟 2012」")  # fmt: skip
TOO_MANY_WORDS = f"查找最多 {MAX_WORDS} 个词，请少写几个"
WORD_TOO_LONG = "「{word}」太长了：每个词最多 " + str(MAX_WORD_LENGTH) + " 个字"
BAD_PAGE = "页码应从 1 开始"

_SPLIT = re.compile(r"[\s,，、;；|/]+")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Viewer:
    wechat_user_id: int
    classes: frozenset[tuple[str | None, int]]  # (college, graduation_year) of their own records


@dataclass(frozen=True)
class Hit:
    """What another alumnus may see of a record; never the phone or the e-mail address."""

    alumnus_id: int
    name: str
    degree: str | None
    graduation_year: int
    college: str | None
    major: str | None
    city: str | None  # current: the alumnus's own, else the roster's
    employer: str | None  # current, likewise


@dataclass(frozen=True)
class SearchPage:
    hits: tuple[Hit, ...]
    page: int
    per_page: int
    has_more: bool


@dataclass(frozen=True)
class SearchFilters:
    """The mini-program's extra fields (GET /alumni?year=&college=&city=): exact, and ANDed."""

    year: int | None = None
    college: str | None = None
    city: str | None = None


class QueryError(ValueError):
    """The query cannot be searched; str(error) is a Chinese sentence for the searcher."""


# The columns a search reads, as SQL. The current city, employer and industry are written exactly
# as their expression indexes are (models.alumnus), or no index would serve them.
NAME_KEY, PINYIN, INITIALS = "name_key", "search_pinyin", "search_initials"
CITY = "coalesce(profile_city, city)"
EMPLOYER = "coalesce(profile_employer, employer)"
INDUSTRY = "coalesce(profile_industry, industry)"
# The columns a text word may name, in the order their matches rank.
_TEXT_COLUMNS = ("class_name", "college", "major", CITY, EMPLOYER, INDUSTRY)
_NEWEST = "graduation_year DESC, id DESC"
_HIT_SQL = (
    f"SELECT id, name, degree, graduation_year, college, major, {CITY} AS current_city, "
    f"{EMPLOYER} AS current_employer FROM alumnus"
)


class _Params(dict):
    """The bound values of one search; `bind` names a new one and returns its placeholder."""

    def bind(self, value) -> str:
        name = f"p{len(self)}"
        self[name] = value
        return f":{name}"


@dataclass(frozen=True)
class _Rank:
    """One way a word matches: its condition, and the column whose index walks its matches."""

    condition: str  # SQL with placeholders bound in the search's _Params
    key: str | None  # the column matched; None for "everything" (a query of years only)
    prefix: bool = False  # a range over `key`, walked in `key` order; else one value of it
    names: bool = False  # a match on the name itself (or its pinyin, its initials)

    @property
    def order(self) -> str:
        return f"{self.key}, {_NEWEST}" if self.prefix else _NEWEST


_EVERYONE = _Rank("true", None)


def search_alumni(
    session: Session,
    viewer: Viewer,
    query: str,
    *,
    page: int = 1,
    per_page: int = 10,
    filters: SearchFilters | None = None,
) -> SearchPage:
    """One page of the alumni `viewer` may see that match every word of `query`, best first.

    Raises QueryError for an empty query (unless `filters` say something), more than MAX_WORDS
    words, a word longer than MAX_WORD_LENGTH, or a page below 1.
    """
    if page < 1:
        raise QueryError(BAD_PAGE)
    words = split_query(query)
    params = _Params()
    conditions = _filter_conditions(filters, params)
    if not words and not conditions:
        raise QueryError(EMPTY_QUERY)
    with _index_walks(session):
        return _search(session, viewer, words, conditions, params, page, per_page)


def _search(session, viewer, words, conditions, params, page, per_page) -> SearchPage:
    texts = [w for w in words if not _YEAR.match(w) and not is_latin_word(w)]
    held = _probe(session, texts, params)
    matched: list[list[_Rank]] = []
    for word in words:
        if _YEAR.match(word):
            conditions.append(f"graduation_year = {params.bind(int(word))}")
            continue
        ranks = _spelling_ranks(word, params) if is_latin_word(word) else held[word]
        if not ranks:
            return SearchPage((), page, per_page, False)  # a word nothing holds: no one matches
        matched.append(ranks)
    lead = next((ranks for ranks in matched if ranks[0].names),
                matched[0] if matched else [_EVERYONE])  # fmt: skip
    conditions += [_any(ranks) for ranks in matched if ranks is not lead]
    conditions.append(_visible_to(viewer, params))
    rows = _walk(session, lead, conditions, params, (page - 1) * per_page, per_page + 1)
    hits = tuple(Hit(*row) for row in rows[:per_page])
    return SearchPage(hits, page, per_page, has_more=len(rows) > per_page)


def split_query(query: str) -> list[str]:
    """The query's words: full-width folded, split on spaces and punctuation; consecutive Latin
    words joined (`zhang wei` is zhangwei, `John Smith` johnsmith). Raises QueryError."""
    parts = [p for p in _SPLIT.split(unicodedata.normalize("NFKC", query or "")) if p]
    if len(parts) > MAX_WORDS:
        raise QueryError(TOO_MANY_WORDS)
    words: list[str] = []
    for part in parts:
        if words and is_latin_word(part) and is_latin_word(words[-1]):
            words[-1] += part
        else:
            words.append(part)
        if len(words[-1]) > MAX_WORD_LENGTH:
            raise QueryError(WORD_TOO_LONG.format(word=words[-1][:12] + "…"))
    return words


def _filter_conditions(filters: SearchFilters | None, params: _Params) -> list[str]:
    if filters is None:
        return []
    conditions = []
    if filters.year is not None:
        conditions.append(f"graduation_year = {params.bind(int(filters.year))}")
    if filters.college and filters.college.strip():
        conditions.append(f"college = {params.bind(filters.college.strip())}")
    if filters.city and filters.city.strip():
        conditions.append(f"{CITY} = {params.bind(filters.city.strip())}")
    return conditions


def _spelling_ranks(word: str, params: _Params) -> list[_Rank]:
    """Latin letters: pinyin and initials, exact before prefix, the spelling typed before its ü
    reading. A Latin name needs no rank of its own: its pinyin key is its letters (johnsmith)."""
    letters = normalize_latin(word)
    spellings = typed_spellings(word)
    return [
        *(_equal_rank(PINYIN, s, params, names=True) for s in spellings),
        _equal_rank(INITIALS, letters, params, names=True),
        *(_prefix_rank(PINYIN, s, params, names=True) for s in spellings),
        _prefix_rank(INITIALS, letters, params, names=True),
    ]


def _text_candidates(word: str, params: _Params) -> list[_Rank]:
    """A name (exact, then by its start), then each column that may hold the word."""
    key = name_key(word)
    candidates = [_equal_rank(NAME_KEY, key, params, names=True),
                  _prefix_rank(NAME_KEY, key, params, names=True)]  # fmt: skip
    candidates += [_equal_rank(column, word, params) for column in _TEXT_COLUMNS]
    if len(word) >= 2:
        candidates += [_prefix_rank(column, word, params) for column in _TEXT_COLUMNS]
    return candidates


def _probe(session: Session, words: list[str], params: _Params) -> dict[str, list[_Rank]]:
    """Each text word's candidates that some record holds: one round trip of EXISTS for all."""
    candidates = {word: _text_candidates(word, params) for word in dict.fromkeys(words) if word}
    every = [rank for ranks in candidates.values() for rank in ranks]
    if not every:
        return {}
    probes = ", ".join(f"EXISTS (SELECT 1 FROM alumnus WHERE {rank.condition})" for rank in every)
    found = iter(session.execute(_sql(f"SELECT {probes}"), params).one())
    return {word: [rank for rank in ranks if next(found)] for word, ranks in candidates.items()}


def _equal_rank(column: str, value: str, params: _Params, *, names: bool = False) -> _Rank:
    return _Rank(f"{column} = {params.bind(value)}", column, False, names)


def _prefix_rank(column: str, prefix: str, params: _Params, *, names: bool = False) -> _Rank:
    """Values that start with `prefix` and are longer (the exact value is a rank of its own).

    A range, not LIKE: a btree serves it in any collation (DESIGN: the prefix trap) and walks it
    in the column's order.
    """
    low, high = params.bind(prefix), params.bind(_successor(prefix))
    return _Rank(f"{column} > {low} AND {column} < {high}", column, True, names)


def _successor(prefix: str) -> str:
    """The least string above every string that starts with `prefix` (code-point order)."""
    code = ord(prefix[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be sent to a database
        code = 0xE000
    return prefix[:-1] + chr(min(code, 0x10FFFF))


def _any(ranks: list[_Rank]) -> str:
    return "(" + " OR ".join(f"({rank.condition})" for rank in ranks) + ")"


def _visible_to(viewer: Viewer, params: _Params) -> str:
    public = f"privacy = '{Privacy.PUBLIC.value}'"
    if not viewer.classes:
        return public
    classes = " OR ".join(
        f"({'college IS NULL' if college is None else f'college = {params.bind(college)}'}"
        f" AND graduation_year = {params.bind(year)})"
        for college, year in sorted(viewer.classes, key=lambda c: (c[0] or "", c[1]))
    )
    return f"({public} OR (privacy = '{Privacy.CLASSMATES.value}' AND ({classes})))"


def _walk(session: Session, ranks: list[_Rank], conditions: list[str], params: _Params,
          skip: int, want: int) -> list[tuple]:  # fmt: skip
    """Rows skip .. skip+want-1 of the ranks laid end to end, in one round trip.

    Each rank is a branch of one UNION ALL that walks its own index in its own order, stops
    after `skip + want` rows and leaves out what an earlier rank holds. The outer LIMIT stops
    the whole statement once the page is full: the database runs the branches in order (a plain
    Append; _index_walks turns parallel plans off on PostgreSQL), so a later rank is never
    started when the earlier ones filled the page, as when each rank was a statement of its own.
    """
    shared = " AND ".join(conditions)
    enough = params.bind(skip + want)
    branches, earlier = [], ""
    for number, rank in enumerate(ranks):
        branches.append(
            f"SELECT * FROM ({_HIT_SQL} WHERE {rank.condition} AND {shared}{earlier} "
            f"ORDER BY {rank.order} LIMIT {enough}) AS rank{number}")  # fmt: skip
        earlier += f" AND NOT coalesce(({rank.condition}), false)"
    union = " UNION ALL ".join(branches)
    found = session.execute(_sql(f"SELECT * FROM ({union}) AS ranked LIMIT {enough}"), params).all()
    return [tuple(row) for row in found[skip:skip + want]]


_PLANNER = {  # what a search sets on PostgreSQL, and why: _index_walks
    "plan_cache_mode": "force_custom_plan",
    "enable_bitmapscan": "off",
    "enable_seqscan": "off",
    "max_parallel_workers_per_gather": "0",
}


@contextmanager
def _index_walks(session: Session) -> Iterator[None]:
    """On PostgreSQL, plan the search's statements as the index walks they are meant to be.

    - Custom plans: psycopg prepares a statement once it has run five times, and PostgreSQL may
      then switch to a generic plan, made without the values. For a range over a name, or an
      EXISTS probe, that plan can walk the wrong index or the whole table: seconds, not a
      millisecond (measured: benchmarks/README.md). make_engine turns preparing off; this
      keeps a search safe on an engine made otherwise.
    - No bitmap scans: the planner estimates a prefix range from its histogram by interpolating
      between letters, and pinyin is anything but uniform: it took `guo` (郭, 17,000 rows) for 24
      rows, fetched them all and sorted them (20 ms) instead of walking the index in order and
      stopping after a page (0.7 ms). Every rank is such a walk, so nothing here wants a bitmap.
    - No sequential scans: an EXISTS probe of a common college would otherwise read the table
      until its first match; fast while the statistics are right, a full scan when they are not.
    - No parallel plans: the ranks of a page are the branches of one UNION ALL (_walk), which
      must run one after the other, in order, and stop when the page is full.

    The settings are the transaction's own (set_config(..., true)), so they end with it. Should
    the caller run another statement in the same transaction, they are put back as they were just
    before it (one more round trip, then); a request that commits after the search, as the API's
    does, pays only the one that sets them.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = session.connection()
    names = list(_PLANNER)
    before = connection.execute(
        _sql(
            "SELECT "
            + ", ".join(f"current_setting('{n}')" for n in names)
            + ", "
            + ", ".join(f"set_config('{n}', '{v}', true)" for n, v in _PLANNER.items())
        )
    ).one()
    try:
        yield
    finally:
        restore = "SELECT " + ", ".join(
            f"set_config('{n}', {_quoted(v)}, true)" for n, v in zip(names, before, strict=False))
        event.listen(connection, "before_cursor_execute", _restore_first(restore), once=True)


def _restore_first(statement: str):
    def restore(_conn, cursor, *_args) -> None:
        cursor.execute(statement)  # on the caller's cursor, just before the caller's statement

    return restore


def _quoted(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@lru_cache(maxsize=512)
def _sql(statement: str):
    """One TextClause per distinct statement, so SQLAlchemy parses and caches it once."""
    return text(statement)
