"""GET /alumni: verified alumni only, the bot's shared limit, privacy, stable pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers.directory import searching
from models import SearchLog, WechatUser
from tests.api import add_alumnus
from wechat_bot.api.context import search_log

pytestmark = pytest.mark.skipif(searching.search_alumni is None,
                                reason="the lookup engine (handlers/directory/lookup.py) has not landed")


@pytest.fixture
def zhangwei(live, roster) -> str:
    """A token of 张伟 (本科 2012, 计算机学院), bound."""
    return live.bound_token(live.person(), "张伟", "2012010101")


def search(live, token, **params):
    return live.call("GET", "/alumni", token, params=params)


def names(answer) -> list[str]:
    return [item["name"] for item in answer.json()["items"]]


def test_an_unbound_user_may_not_search(live, roster):
    answer = search(live, live.login(live.person()), q="李娜")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_bound"


def test_a_public_alumnus_is_found_by_name_pinyin_and_initials(live, zhangwei):
    for q in ("李娜", "lina", "ln 2013"):
        answer = search(live, zhangwei, q=q)
        assert answer.status_code == 200, q
        assert "李娜" in names(answer), q
    item = next(i for i in search(live, zhangwei, q="李娜").json()["items"] if i["name"] == "李娜")
    assert set(item) == {"id", "name", "degree", "graduation_year", "college", "major", "city", "employer"}
    assert (item["graduation_year"], item["college"], item["city"]) == (2013, "经济学院", "北京")


def test_phone_and_email_never_leave_and_hidden_alumni_never_show(live, zhangwei):
    answer = search(live, zhangwei, q="张")
    assert "13812345678" not in answer.text and "@" not in answer.text
    assert "张丽" not in names(answer)


def test_classmates_see_each_other(live, zhangwei):
    assert "王芳" in names(search(live, zhangwei, q="王芳"))


def test_filters_narrow_the_search(live, zhangwei):
    assert "王芳" in names(search(live, zhangwei, q="王芳", year=2012, city="上海"))
    assert names(search(live, zhangwei, q="王芳", year=2013)) == []


def test_pages_are_stable_and_say_whether_there_is_more(live, zhangwei):
    with live.runtime.sessions.begin() as session:
        for i in range(23):
            add_alumnus(session, f"2010{i:06}", f"陈{'一二三四五六七八九十'[i % 10]}{i}", 2010,
                        privacy="public")
    first = search(live, zhangwei, q="陈").json()
    second = search(live, zhangwei, q="陈", page=2).json()
    third = search(live, zhangwei, q="陈", page=3).json()
    assert (first["page"], first["per_page"], first["has_more"]) == (1, 10, True)
    assert second["has_more"] is True and third["has_more"] is False
    ids = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert len(ids) == len(set(ids)) == 23
    assert [i["id"] for i in search(live, zhangwei, q="陈").json()["items"]] == \
        [i["id"] for i in first["items"]]


def test_a_later_page_needs_its_first(live, zhangwei):
    answer = search(live, zhangwei, q="李娜", page=2)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "search_first"


def test_paging_is_bounded(live, zhangwei):
    assert search(live, zhangwei, q="李娜", page=11).status_code == 422
    assert search(live, zhangwei, q="李娜", page=0).status_code == 422


def test_the_search_limit_is_shared_with_the_bot(live, zhangwei):
    settings = live.runtime.config.directory
    limit = searching.search_limit(live.runtime.store, settings)
    user_id = _user_id(live, zhangwei)
    now = datetime.now(UTC)
    for _ in range(settings.searches_per_hour):  # as 30 查找 in the chat count
        assert limit.allow(str(user_id), settings.searches_per_hour, 3600, now).allowed
    answer = search(live, zhangwei, q="李娜")
    assert answer.status_code == 429 and answer.json()["error"]["code"] == "rate_limited"
    assert int(answer.headers["Retry-After"]) > 0


def test_searches_are_logged_as_the_api_s(live, zhangwei):
    search(live, zhangwei, q="李娜")
    search_log(live.runtime).flush()
    with live.runtime.sessions() as session:
        rows = list(session.scalars(select(SearchLog)))
    assert [(r.channel, r.query) for r in rows] == [("api", "李娜")]


def test_a_search_queued_for_the_log_appears_in_the_search_log_after_the_flush(live, zhangwei):
    search(live, zhangwei, q="李娜")
    search(live, zhangwei, q="王芳", year=2012, city="上海")
    search(live, zhangwei, q="李娜", page=2)
    search_log(live.runtime).flush()
    with live.runtime.sessions() as session:
        rows = list(session.scalars(select(SearchLog).order_by(SearchLog.id)))
    assert [(r.wechat_user_id, r.query, r.page, r.hits) for r in rows] == [
        (_user_id(live, zhangwei), "李娜", 1, 1),
        (_user_id(live, zhangwei), "王芳 year=2012 city=上海", 1, 1),
        (_user_id(live, zhangwei), "李娜", 2, 0)]
    assert all(r.searched_at is not None and r.channel == "api" for r in rows)


def test_a_queued_search_of_a_user_deleted_meanwhile_does_not_block_the_log(live, zhangwei, roster):
    other = live.bound_token(live.person("王芳"), "王芳", "2012010102")
    search(live, zhangwei, q="李娜")
    search(live, other, q="李娜")
    with live.runtime.sessions.begin() as session:
        session.delete(session.get(WechatUser, _user_id(live, other)))
    search_log(live.runtime).flush()
    with live.runtime.sessions() as session:
        rows = list(session.scalars(select(SearchLog)))
    assert [r.wechat_user_id for r in rows] == [_user_id(live, zhangwei)]
    assert live.runtime.store.llen(live.runtime.keys("search-log")) == 0


def test_the_limit_still_trips_at_the_31st_search(live, zhangwei):
    for i in range(30):
        assert search(live, zhangwei, q="李娜", year=1990 + i).status_code == 200, i
    refused = search(live, zhangwei, q="李娜")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert search(live, zhangwei, q="李娜", year=1990, page=2).status_code == 200  # paging is free


def test_a_token_whose_user_was_deleted_cannot_search(live, zhangwei):
    with live.runtime.sessions.begin() as session:
        session.delete(session.get(WechatUser, _user_id(live, zhangwei)))
    answer = search(live, zhangwei, q="李娜")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "invalid_token"


def test_query_parameters_are_validated(live, zhangwei):
    for params in ({"q": "x" * 51}, {"year": "abc"}, {"year": 1800}, {"page": "two"},
                   {"q": "张\x00伟"}, {"city": "长" * 65}):
        answer = search(live, zhangwei, **params)
        assert answer.status_code == 422, params
        assert answer.json()["error"]["code"] == "validation_failed"


def _user_id(live, token) -> int:
    from wechat_bot.api.tokens import TokenService

    rt = live.runtime
    return TokenService(rt.config.app.secret_key, rt.store, rt.keys).verify(token).user_id
