"""The lookup engine: a searcher's words -> the alumni they may see, ranked, a page at a time.

A word is a 4-digit graduation year, a spelling (Latin letters: full pinyin `zhangwei`, a pinyin
prefix `zhang`, initials `zw`, a Latin name) or a text (a name or its start, a class, college,
major, city, employer or industry, exactly or, from two characters on, by its start). Several
words narrow the result: every word must match.

Ranking comes from one word, the *lead*: the first spelling, else the first text that starts a
name, else the first text. Each way the lead can match is a rank, best first (exact name, name
prefix, exact pinyin, initials, pinyin prefix, initials prefix, then the other columns). A page
costs a few index range scans however many rows match, in one round trip; never a full scan,
never a sort of all matches: the SQL is `lookup_sql`'s, and on PostgreSQL the planner is held to
those index walks by `lookup_planner`.

Privacy is applied in the same queries: a record is seen if it is public, or `classmates` and of
one of the searcher's own (college, graduation year) classes; hidden records never. Staff search
through the same engine as a `StaffViewer`: privacy hides no one from them, their role's scope
(handlers.staff.scope) bounds what they see instead, in the same statements.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from handlers.directory.lookup_planner import index_walks
from handlers.directory.lookup_sql import (
    EVERYONE,
    Params,
    Rank,
    any_of,
    filter_conditions,
    in_scope,
    probe,
    spelling_ranks,
    visible_to,
    walk,
)
from handlers.directory.search_keys import is_latin_word

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
class StaffViewer:
    """A staff member on the admin page: privacy is the alumni's word to one another, not to the
    association, so it hides no one here; `rows` (their scope's WHERE clause on alumnus, from
    handlers.staff.scope) keeps them to their college or chapter. None: every record."""

    rows: ColumnElement[bool] | None = None


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


def search_alumni(
    session: Session,
    viewer: Viewer | StaffViewer,
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
    params = Params()
    conditions = filter_conditions(filters, params)
    if not words and not conditions:
        raise QueryError(EMPTY_QUERY)
    with index_walks(session):
        return _search(session, viewer, words, conditions, params, page, per_page)


def _search(session, viewer, words, conditions, params, page, per_page) -> SearchPage:
    texts = [w for w in words if not _YEAR.match(w) and not is_latin_word(w)]
    held = probe(session, texts, params)
    matched: list[list[Rank]] = []
    for word in words:
        if _YEAR.match(word):
            conditions.append(f"graduation_year = {params.bind(int(word))}")
            continue
        ranks = spelling_ranks(word, params) if is_latin_word(word) else held[word]
        if not ranks:
            return SearchPage((), page, per_page, False)  # a word nothing holds: no one matches
        matched.append(ranks)
    lead = next((ranks for ranks in matched if ranks[0].names),
                matched[0] if matched else [EVERYONE])  # fmt: skip
    conditions += [any_of(ranks) for ranks in matched if ranks is not lead]
    conditions.append(in_scope(viewer.rows, params) if isinstance(viewer, StaffViewer)
                      else visible_to(viewer, params))
    rows = walk(session, lead, conditions, params, (page - 1) * per_page, per_page + 1)
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
