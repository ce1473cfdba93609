"""Searching the directory as a verified alumnus: who may, how often, what is logged and shown.

The lookup engine (`lookup.search_alumni`) finds and ranks, and applies each alumnus's privacy;
this module puts the people rules around it, for the bot and the API alike:

- only bound users search, as a `Viewer` made of their own records;
- page 1 of a query counts toward `searches_per_hour` (a sliding hour in Redis, per WeChat user);
  later pages of the same query do not, so paging through one answer costs one search, but they are
  capped at `max_pages_per_search`, so paging cannot be used to walk the whole roster;
- while Redis is down, page 1 is still answered, uncounted (an outage should not stop a verified
  alumnus); later pages need the last search, which Redis keeps, and wait for it;
- every page served is logged to `SearchLog` (who, what, which page, hits on that page, channel):
  handed to the caller's `log` (both doors queue it in Redis, wechat_bot.search_log, and the log
  is written in batches, `record_searches`, so a search's transaction writes nothing), or else in
  the caller's transaction;
- a hit carries name, degree, year, college/major, city, employer: never phone or e-mail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from handlers.context import STORE_DOWN
from handlers.directory import texts
from handlers.directory.binding import NotBound
from handlers.directory.lookup import QueryError, SearchFilters, SearchPage, Viewer, search_alumni
from handlers.directory.lookup_sql import fetch
from handlers.directory.settings import DirectorySettings
from handlers.limits import RateLimit, Remember, by_sha
from models import SearchLog, WechatUser

PER_PAGE = 10
HOUR = 3600
LOGGED_QUERY_CHARS = 200


class SearchLimitReached(Exception):
    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"search limit {limit}/h reached; retry after {retry_after}s")
        self.limit = limit
        self.retry_after = retry_after


class PageLimitReached(Exception):
    def __init__(self, max_pages: int) -> None:
        super().__init__(f"at most {max_pages} pages per search")
        self.max_pages = max_pages


@dataclass(frozen=True)
class SearchRecord:
    """One line of the search log, before it is written."""

    wechat_user_id: int
    searched_at: datetime
    channel: str
    query: str
    hits: int
    page: int = 1


def viewer_for(session: Session, user: WechatUser) -> Viewer:
    """The searcher as the lookup sees them: their (college, year) classes. NotBound if unbound."""
    viewer = load_viewer(session, user.id)
    if viewer is None or not viewer.classes:
        raise NotBound()
    return viewer


# The user and the classes of their records, in one statement; by openid for the bot, which
# knows no more of the sender before loading them.
# A user erased by 注销 is no one: the API's old token then meets 401, not 403 not_bound.
_VIEWER = ("SELECT wechat_user.id, alumnus.college, alumnus.graduation_year FROM wechat_user "
           "LEFT OUTER JOIN alumnus ON alumnus.wechat_user_id = wechat_user.id "
           "WHERE wechat_user.{} = :p0 AND wechat_user.erased_at IS NULL")
_VIEWER_BY_ID, _VIEWER_BY_OPENID = _VIEWER.format("id"), _VIEWER.format("openid")


def load_viewer(session: Session, user_id: int) -> Viewer | None:
    """The searcher by their WeChat user id: None if there is no such user; no classes if they
    hold no record (search_directory then raises NotBound)."""
    return _viewer(fetch(session, _VIEWER_BY_ID, {"p0": user_id}))


def load_viewer_by_openid(session: Session, openid: str) -> Viewer | None:
    """The searcher by their openid, in one statement, as `load_viewer`: None if the bot has
    never seen them, no classes if they hold no record."""
    return _viewer(fetch(session, _VIEWER_BY_OPENID, {"p0": openid}))


def _viewer(rows) -> Viewer | None:
    if not rows:
        return None
    return Viewer(wechat_user_id=rows[0][0],
                  classes=frozenset((college, year) for _, college, year in rows if year is not None))


def search_limit(store, settings: DirectorySettings) -> RateLimit:
    return RateLimit(store, f"{settings.key_prefix}search:")


def search_directory(session: Session, store, settings: DirectorySettings,
                     searcher: WechatUser | Viewer, query: str, *, now: datetime, channel: str,
                     page: int = 1, filters: SearchFilters | None = None,
                     log: Callable[[SearchRecord], object] | None = None,
                     round_trip: Callable[[list[tuple]], list] | None = None,
                     remember: bool = False) -> SearchPage:
    """One page of results for `searcher` (a user, or their `load_viewer`). Raises NotBound,
    SearchLimitReached, PageLimitReached, or QueryError (its message is Chinese, for the alumnus).

    The page served is logged: `log(record)` when given (the caller queues it), else added to
    the session for the caller's commit. The hourly limit is counted on the caller's
    `round_trip` when given (Context.round_trip), else through `store`; with `remember`, page 1
    is kept for `next_search` in that same step, and only if it was allowed.
    """
    viewer = searcher if isinstance(searcher, Viewer) else viewer_for(session, searcher)
    if not viewer.classes:
        raise NotBound()
    user_id = viewer.wechat_user_id
    page = max(page, 1)
    if page > settings.max_pages_per_search:
        raise PageLimitReached(settings.max_pages_per_search)
    limit, decision = search_limit(store, settings), None
    if page == 1:
        kept = Remember(_last_key(settings, user_id), settings.last_search_ttl_seconds,
                        {"query": query, "page": 1}) if remember else None  # fmt: skip
        try:
            decision = limit.allow(str(user_id), settings.searches_per_hour, HOUR, now, round_trip, kept)
        except STORE_DOWN:
            decision = None  # an outage must not stop a verified alumnus's search
        if decision is not None and not decision.allowed:
            raise SearchLimitReached(settings.searches_per_hour, decision.retry_after)
    try:
        result = search_alumni(session, viewer, query, page=page, per_page=PER_PAGE, filters=filters)
    except QueryError:
        if decision is not None:
            limit.release(str(user_id), decision)  # nothing was searched
            if remember:
                forget_last_search(store, settings, user_id)  # nor is there a page to continue
        raise
    record = SearchRecord(wechat_user_id=user_id, searched_at=now, channel=channel,
                          query=_logged(query, filters), hits=len(result.hits), page=page)
    if log is not None:
        log(record)
    else:
        session.execute(insert(SearchLog), [record.__dict__])
    return result


def record_searches(session: Session, records: list[SearchRecord]) -> int:
    """Write a batch of the search log (flushes, never commits). A line whose user has been
    deleted since is dropped, as the user's log lines are (ON DELETE CASCADE), rather than
    failing the batch for everyone."""
    if not records:
        return 0
    users = {r.wechat_user_id for r in records}
    present = set(session.scalars(select(WechatUser.id).where(WechatUser.id.in_(users))))
    rows = [r.__dict__ for r in records if r.wechat_user_id in present]
    if rows:
        session.execute(insert(SearchLog), rows)
    return len(rows)


def format_page(result: SearchPage) -> str:
    """The hits as the bot shows them: numbered across pages, with the 下一页 hint when there is more."""
    if not result.hits:
        return texts.SEARCH_NOTHING if result.page == 1 else texts.SEARCH_LAST_PAGE
    first = (result.page - 1) * result.per_page + 1
    lines = [texts.hit_lines(first + i, h.name, h.degree, h.graduation_year, h.college, h.major,
                             h.city, h.employer)
             for i, h in enumerate(result.hits)]
    return texts.search_page(result.page, lines, result.has_more)


# --- 下一页: the bot remembers each user's last search for a while ---

@dataclass(frozen=True)
class LastSearch:
    query: str
    page: int  # the page 下一页 shows now


def _last_key(settings: DirectorySettings, user_id: int) -> str:
    return f"{settings.key_prefix}paging:{user_id}"


# Turns the user's last search to its next page and returns {query, page}; {} if there is none.
_NEXT_PAGE = """
local query = redis.call('HGET', KEYS[1], 'query')
if not query then return {} end
return {query, redis.call('HINCRBY', KEYS[1], 'page', 1)}
"""
_NEXT_PAGE_SHA = hashlib.sha1(_NEXT_PAGE.encode()).hexdigest()


def next_search(store, settings: DirectorySettings, user_id: int,
                round_trip: Callable[[list[tuple]], list] | None = None) -> LastSearch | None:
    """The next page of the user's last search (page 1 is kept by `search_directory`'s
    `remember`), turned in the same step as it is read: one round trip for 下一页. A page that
    turns out to be past the end is turned back (`page_not_shown`)."""
    keys = [_last_key(settings, user_id)]
    answer = by_sha(round_trip, _NEXT_PAGE_SHA, keys, []) if round_trip is not None else None
    if answer is None:  # no round trip offered, or Redis does not hold the script yet
        answer = store.register_script(_NEXT_PAGE)(keys=keys)
    if not answer:
        return None
    query, page = answer
    return LastSearch(query, int(page))


def page_not_shown(writes, settings: DirectorySettings, user_id: int) -> None:
    """Turn back a page 下一页 did not show (past the end, or past the page cap), so the next
    下一页 says the same again."""
    writes.execute_command("HINCRBY", _last_key(settings, user_id), "page", -1)


def forget_last_search(store, settings: DirectorySettings, user_id: int) -> None:
    store.delete(_last_key(settings, user_id))


def _logged(query: str, filters: SearchFilters | None) -> str:
    parts = [query.strip()]
    if filters is not None:
        parts += [f"{name}={value}" for name, value in
                  (("year", filters.year), ("college", filters.college), ("city", filters.city)) if value]
    return " ".join(p for p in parts if p)[:LOGGED_QUERY_CHARS]
