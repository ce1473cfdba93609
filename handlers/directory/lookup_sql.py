"""The lookup's SQL: each way a word matches as a rank, and a page as one statement.

Each rank walks an index in its own order (every search index ends in graduation_year DESC, id
DESC: models.alumnus) and stops after the page, excluding what better ranks returned; the ranks
are the branches of one UNION ALL, run in order until the page is full. A text word first asks the
database (one round trip of EXISTS probes) which columns hold it, so no rank or filter is spent on
a column that cannot match. Statements are SQL text with bound values, each compiled once (`sql`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, text
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.orm import Session

from handlers.directory.names import name_key
from handlers.directory.search_keys import normalize_latin, typed_spellings
from models.alumnus import Privacy

if TYPE_CHECKING:
    from handlers.directory.lookup import SearchFilters, Viewer

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


class Params(dict):
    """The bound values of one search; `bind` names a new one and returns its placeholder."""

    def bind(self, value) -> str:
        name = f"p{len(self)}"
        self[name] = value
        return f":{name}"


@dataclass(frozen=True)
class Rank:
    """One way a word matches: its condition, and the column whose index walks its matches."""

    condition: str  # SQL with placeholders bound in the search's Params
    key: str | None  # the column matched; None for "everything" (a query of years only)
    prefix: bool = False  # a range over `key`, walked in `key` order; else one value of it
    names: bool = False  # a match on the name itself (or its pinyin, its initials)

    @property
    def order(self) -> str:
        return f"{self.key}, {_NEWEST}" if self.prefix else _NEWEST


EVERYONE = Rank("true", None)


def filter_conditions(filters: SearchFilters | None, params: Params) -> list[str]:
    """The mini-program's exact filters (year, college, current city) as conditions."""
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


def spelling_ranks(word: str, params: Params) -> list[Rank]:
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


def _text_candidates(word: str, params: Params) -> list[Rank]:
    """A name (exact, then by its start), then each column that may hold the word."""
    key = name_key(word)
    candidates = [_equal_rank(NAME_KEY, key, params, names=True),
                  _prefix_rank(NAME_KEY, key, params, names=True)]  # fmt: skip
    candidates += [_equal_rank(column, word, params) for column in _TEXT_COLUMNS]
    if len(word) >= 2:
        candidates += [_prefix_rank(column, word, params) for column in _TEXT_COLUMNS]
    return candidates


def probe(session: Session, words: list[str], params: Params) -> dict[str, list[Rank]]:
    """Each text word's candidates that some record holds: one round trip of EXISTS for all."""
    candidates = {word: _text_candidates(word, params) for word in dict.fromkeys(words) if word}
    every = [rank for ranks in candidates.values() for rank in ranks]
    if not every:
        return {}
    probes = ", ".join(f"EXISTS (SELECT 1 FROM alumnus WHERE {rank.condition})" for rank in every)
    found = iter(fetch(session, f"SELECT {probes}", params)[0])
    return {word: [rank for rank in ranks if next(found)] for word, ranks in candidates.items()}


def _equal_rank(column: str, value: str, params: Params, *, names: bool = False) -> Rank:
    return Rank(f"{column} = {params.bind(value)}", column, False, names)


def _prefix_rank(column: str, prefix: str, params: Params, *, names: bool = False) -> Rank:
    """Values that start with `prefix` and are longer (the exact value is a rank of its own).

    A range, not LIKE: a btree serves it in any collation (DESIGN: the prefix trap) and walks it
    in the column's order.
    """
    low, high = params.bind(prefix), params.bind(_successor(prefix))
    return Rank(f"{column} > {low} AND {column} < {high}", column, True, names)


def _successor(prefix: str) -> str:
    """The least string above every string that starts with `prefix` (code-point order)."""
    code = ord(prefix[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be sent to a database
        code = 0xE000
    return prefix[:-1] + chr(min(code, 0x10FFFF))


def any_of(ranks: list[Rank]) -> str:
    return "(" + " OR ".join(f"({rank.condition})" for rank in ranks) + ")"


def visible_to(viewer: Viewer, params: Params) -> str:
    public = f"privacy = '{Privacy.PUBLIC.value}'"
    if not viewer.classes:
        return public
    classes = " OR ".join(
        f"({'college IS NULL' if college is None else f'college = {params.bind(college)}'}"
        f" AND graduation_year = {params.bind(year)})"
        for college, year in sorted(viewer.classes, key=lambda c: (c[0] or "", c[1]))
    )
    return f"({public} OR (privacy = '{Privacy.CLASSMATES.value}' AND ({classes})))"


# Renders a scope's clause as SQL text with :named placeholders that both databases read alike:
# true/false rather than SQLite's 1/0, which PostgreSQL refuses after AND.
_SCOPE_DIALECT = DefaultDialect(paramstyle="named")
_SCOPE_DIALECT.supports_native_boolean = True
_PLACEHOLDER = re.compile(r":(\w+)")


def in_scope(rows: ColumnElement[bool] | None, params: Params) -> str:
    """A staff scope's WHERE clause (handlers.staff.scope, written there as SQLAlchemy) as one
    more condition of the search, its values bound in `params`. The text is the same for every
    college (or chapter), so each statement shape is still compiled once (`sql`)."""
    if rows is None:
        return "true"
    compiled = rows.compile(dialect=_SCOPE_DIALECT)
    values = compiled.params
    return "(" + _PLACEHOLDER.sub(lambda m: params.bind(values[m.group(1)]), compiled.string) + ")"


def walk(session: Session, ranks: list[Rank], conditions: list[str], params: Params,
          skip: int, want: int) -> list[tuple]:  # fmt: skip
    """Rows skip .. skip+want-1 of the ranks laid end to end, in one round trip.

    Each rank is a branch of one UNION ALL that walks its own index in its own order, stops
    after `skip + want` rows and leaves out what an earlier rank holds. The outer LIMIT stops
    the whole statement once the page is full: the database runs the branches in order (a plain
    Append; lookup_planner turns parallel plans off on PostgreSQL), so a later rank is never
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
    found = fetch(session, f"SELECT * FROM ({union}) AS ranked LIMIT {enough}", params)
    return [tuple(row) for row in found[skip:skip + want]]


def fetch(session: Session, statement: str, params: dict) -> list[tuple]:
    """The rows of `statement` (SQL text with :named placeholders), run on the session's own
    connection and transaction through the driver's cursor.

    A search's statements are already text with plain values and plain columns, so SQLAlchemy's
    execution path adds only cost: per statement 26-41 µs of CPU on SQLite against 8 on the
    cursor, 160-175 µs on PostgreSQL against about 100, more for the page's wide UNION, whose
    result columns SQLAlchemy describes anew each time (issue 23). Should the driver fail, the
    statement runs once more through SQLAlchemy, so that a dropped connection invalidates the pool
    and the caller meets SQLAlchemy's exception, as for any other statement.
    """
    connection = session.connection()
    driver_sql = _driver_sql(statement, connection.dialect.name)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(driver_sql, params)
        return cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error:
        pass
    finally:
        cursor.close()
    return [tuple(row) for row in connection.exec_driver_sql(driver_sql, params)]


@lru_cache(maxsize=512)
def _driver_sql(statement: str, database: str) -> str:
    """`statement` in the driver's own placeholder style: sqlite3 reads :named as it is;
    psycopg wants %(named)s, and a literal % doubled."""
    if database != "postgresql":
        return statement
    return _PARAMETER.sub(r"%(\1)s", statement.replace("%", "%%"))


_PARAMETER = re.compile(r"(?<![:\w]):(p\d+)\b")


@lru_cache(maxsize=512)
def sql(statement: str):
    """One TextClause per distinct statement, so SQLAlchemy parses and caches it once."""
    return text(statement)
