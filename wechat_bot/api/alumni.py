"""GET /alumni: the directory search, for verified alumni only, through the bot's own service.

`handlers.directory.searching.search_directory` holds the rules (who may search, 30 searches an
hour shared with the bot's 查找, at most 10 pages a search, privacy, the search log); this view
only maps them onto HTTP. One rule of this door's own: a page after the first is served only for
a query this user searched (page 1) in the last half hour — the API's 下一页 — so paging, which
the shared limit does not count, cannot stand in for new searches.
"""

from __future__ import annotations

import hashlib
import json
import time

from flask import Blueprint

from handlers.directory import searching
from handlers.directory.binding import NotBound
from telemetry import metrics
from wechat_bot.api.context import CHANNEL, now, search_log, settings, user_gone
from wechat_bot.api.errors import ApiError
from wechat_bot.api.me import not_bound
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import AlumniPage, AlumniQuery, AlumnusOut
from wechat_bot.api.tokens import current_identity
from wechat_bot.runtime import current_runtime

bp = Blueprint("alumni", __name__)


def _fingerprint(query: AlumniQuery) -> str:
    wanted = [" ".join(query.q.lower().split()), query.year, query.college, query.city]
    return hashlib.blake2s(json.dumps(wanted, ensure_ascii=False).encode(), digest_size=12).hexdigest()


def _searched_key(user_id: int, fingerprint: str) -> str:
    return current_runtime().keys("api", "searched", str(user_id), fingerprint)


@bp.get("/alumni")
@operation(ok=AlumniPage, errors=(403, 429), tags=["alumni"])
def search(query: AlumniQuery):
    """查找已认证的校友：姓名（汉字、全拼或首字母）、毕业年份、学院、专业、城市或单位。

    多个词同时满足。每页 10 人，顺序稳定，`has_more` 表示还有下一页。从不返回手机和邮箱；
    按每位校友的隐私设置过滤。未绑定时 403 `not_bound`；每小时超过 30 次时 429 `rate_limited`
    （与公众号共用）；无法查找的关键词，或没有先查第一页就翻页，返回 422。
    """
    started = time.perf_counter()
    rt, directory = current_runtime(), settings().directory
    filters, logged = _filters(query), []
    user_id = current_identity().user_id
    marker = _searched_key(user_id, _fingerprint(query))
    with rt.sessions.begin() as session:
        viewer = searching.load_viewer(session, user_id)  # the user and their classes, one query
        if viewer is None:
            raise user_gone()
        if query.page > 1 and not rt.store.exists(marker):
            raise ApiError(422, "search_first", "请先查看第一页结果，再往后翻页。")
        try:
            result = searching.search_directory(session, rt.store, directory, viewer, query.q,
                                                now=now(), channel=CHANNEL, page=query.page,
                                                filters=filters, log=logged.append)
        except NotBound:
            raise not_bound() from None
        except searching.SearchLimitReached as exc:
            raise ApiError(429, "rate_limited",
                           f"查找太频繁了：每小时最多 {exc.limit} 次，请稍后再试。",
                           retry_after=exc.retry_after) from None
        except searching.PageLimitReached as exc:
            raise ApiError(422, "page_limit", f"每次查找最多翻 {exc.max_pages} 页，请换个条件再找。") from None
        except searching.QueryError as exc:
            raise ApiError(422, "invalid_query", str(exc) or "请换个条件再找。") from None
    with rt.store.pipeline(transaction=False) as pipe:  # one round trip for what follows
        for record in logged:
            search_log(rt).push(record, pipe)
        if query.page == 1:
            pipe.set(marker, "1", ex=directory.last_search_ttl_seconds)
        pipe.execute()
    metrics.SEARCH_SECONDS.labels("api").observe(time.perf_counter() - started)
    return AlumniPage(
        items=[AlumnusOut(id=h.alumnus_id, name=h.name, degree=h.degree,
                          graduation_year=h.graduation_year, college=h.college, major=h.major,
                          city=h.city, employer=h.employer) for h in result.hits],
        page=result.page, per_page=result.per_page, has_more=result.has_more)


def _filters(query: AlumniQuery):
    if query.year is None and not query.college and not query.city:
        return None
    return searching.SearchFilters(year=query.year, college=query.college or None,
                                   city=query.city or None)
