"""查找 / 下一页 / the ALUMNI_SEARCH button through the bot: who may search, what a hit shows (and
never shows), paging, the hourly limit, and the search log."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from handlers.directory import searching
from menus.keys import MenuKey
from models import Privacy, SearchLog, WechatUser
from tests.roster import add_alumnus
from tests.wechat import click_xml, post, reply_content, say

IMPORTED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
HOWTO_EXAMPLES = ("查找 张伟", "查找 zhangwei", "查找 zw 2012", "查找 计算机学院 上海")




def phone(i: int) -> str:
    return f"139{i:08d}"


def email(i: int) -> str:
    return f"alumnus{i:03d}@mail.example.edu"


@pytest.fixture
def roster(runtime):
    """The searcher (赵敏), and 25 public 王磊 of different years, colleges, cities and employers,
    each with a phone and an e-mail that must never be shown."""
    with runtime.sessions.begin() as session:
        add_alumnus(session, "2010010001", "赵敏", 2010)
        for i in range(25):
            add_alumnus(session, f"20{i:02d}0500{i:02d}", "王磊", 2000 + i, college=f"学院{i:02d}",
                        major=f"专业{i:02d}", city="上海" if i % 2 else "北京", employer=f"公司{i:02d}",
                        industry="金融", class_name=f"班级{i:02d}", phone=phone(i), email=email(i),
                        privacy=Privacy.PUBLIC.value)


@pytest.fixture
def replies():
    return []


@pytest.fixture
def talk(client, config, replies):
    def talk(openid, text):
        reply = say(client, config.wechat.token, openid, text)
        replies.append(reply)
        return reply
    return talk


@pytest.fixture
def me(talk, roster):
    assert talk("o-me", "绑定 赵敏 2010010001").startswith("绑定成功")
    return "o-me"


@pytest.fixture(autouse=True)
def nothing_private_in_any_reply(replies):
    """After every test: no roster phone or e-mail appeared in anything the bot said."""
    yield
    for reply in replies:
        for i in range(25):
            assert phone(i) not in reply and email(i) not in reply, reply


def logs(runtime) -> list[SearchLog]:
    """The search log as written: the bot queues each line, and its flusher's next round writes it."""
    runtime.search_log.flush()
    with runtime.sessions() as session:
        return list(session.scalars(select(SearchLog).order_by(SearchLog.id)))


def test_unbound_users_are_told_to_bind_before_searching(client, config, talk, roster):
    assert talk("o-new", "查找 王磊").startswith("请先认证校友身份")
    assert talk("o-new", "找 王磊").startswith("请先认证校友身份")
    response = post(client, config.wechat.token, click_xml("o-new", MenuKey.ALUMNI_SEARCH))
    assert reply_content(response.get_data(as_text=True)).startswith("请先认证校友身份")


def test_an_empty_query_explains_how_to_search_with_examples(talk, me):
    for text in ("查找", "找", "校友", "search"):
        reply = talk(me, text)
        assert all(example in reply for example in HOWTO_EXAMPLES), reply


def test_next_page_without_a_previous_search_says_what_to_do(talk, me):
    assert "请先发送「查找 姓名」" in talk(me, "下一页")


def test_a_hit_shows_name_degree_year_college_major_city_employer_and_nothing_else(talk, runtime, me):
    reply = talk(me, "查找 王磊 2003")
    assert reply == ("为您找到以下校友（第 1 页）：\n"
                     "1. 王磊（本科 2003届）\n   学院03/专业03 · 上海 · 公司03")
    assert "班级03" not in reply and "金融" not in reply and "2003050003" not in reply


def test_pinyin_initials_and_several_words_find_through_the_bot(talk, me):
    for text in ("查找 wanglei 2004", "找 wl 2004", "校友 王磊 学院04", "search 王磊 北京 2004"):
        assert "王磊（本科 2004届）" in talk(me, text), text


def test_every_search_is_logged_with_who_what_and_hits(talk, runtime, me):
    talk(me, "查找 王磊 2003")
    talk(me, "查找 无此人")
    with runtime.sessions() as session:
        searcher = session.scalar(select(WechatUser.id).where(WechatUser.openid == me))
    assert [(r.wechat_user_id, r.query, r.hits, r.channel) for r in logs(runtime)] == [
        (searcher, "王磊 2003", 1, "bot"), (searcher, "无此人", 0, "bot")]


def test_nothing_found_says_so_gently(talk, me):
    assert talk(me, "查找 无此人").startswith("没有找到符合条件的校友")


def test_ten_per_page_and_next_page_continues_the_last_search(talk, runtime, me):
    first = talk(me, "查找 王磊")
    second = talk(me, "下一页")
    third = talk(me, "下一页")
    assert first.startswith("为您找到以下校友（第 1 页）") and first.endswith("发送「下一页」查看更多")
    assert second.startswith("为您找到以下校友（第 2 页）") and second.endswith("发送「下一页」查看更多")
    assert third.startswith("为您找到以下校友（第 3 页）") and "下一页" not in third
    pages = (first, second, third)
    numbers = [line.split(".")[0] for page in pages for line in page.splitlines()
               if line[:1].isdigit()]
    assert numbers == [str(n) for n in range(1, 26)]
    employers = [f"公司{i:02d}" for i in range(25)]
    assert all(sum(e in page for page in pages) == 1 for e in employers)
    assert "最后一页" in talk(me, "下一页")
    assert "最后一页" in talk(me, "下一页")  # turned back: still the page after the last
    assert [(r.query, r.page, r.hits) for r in logs(runtime)] == [
        ("王磊", 1, 10), ("王磊", 2, 10), ("王磊", 3, 5), ("王磊", 4, 0), ("王磊", 4, 0)]


def test_a_new_search_restarts_paging(talk, me):
    talk(me, "查找 王磊")
    talk(me, "下一页")
    assert "第 1 页" in talk(me, "查找 王磊 北京")  # 13 of the 25 live in 北京
    second = talk(me, "下一页")
    assert "第 2 页" in second and "上海" not in second and "11. 王磊" in second


def test_the_31st_search_in_an_hour_is_refused_politely_and_next_page_does_not_count(
        talk, runtime, me):
    talk(me, "查找 王磊")
    assert "第 2 页" in talk(me, "下一页")  # continues the same search: not counted
    for i in range(29):
        assert "已达到上限" not in talk(me, f"查找 王磊 {2000 + i % 25}")
    refused = talk(me, "查找 王磊 2001")
    assert refused.startswith("为保护校友信息，每小时最多查找 30 次，您已达到上限。")
    assert "请约 1 小时后再试" in refused  # the first of the 30 leaves the hour in about an hour
    assert len(logs(runtime)) == 31  # 30 searches and one page turn; the refused one did not search


def test_a_refused_search_is_not_the_one_next_page_continues(talk, me):
    for i in range(29):
        talk(me, f"查找 王磊 {2000 + i % 25}")
    assert "第 1 页" in talk(me, "查找 王磊")  # the 30th: 25 hits, kept for 下一页
    assert "已达到上限" in talk(me, "查找 王磊 北京")
    second = talk(me, "下一页")
    assert "第 2 页" in second and "11. 王磊" in second and "上海" in second  # not only 北京


def test_a_query_the_lookup_rejects_leaves_nothing_for_next_page(talk, me, monkeypatch):
    def reject(*args, **kwargs):
        raise searching.QueryError("关键词太长了，请精简后再试。")

    monkeypatch.setattr(searching, "search_alumni", reject)
    talk(me, "查找 王磊")
    monkeypatch.undo()
    assert "请先发送「查找 姓名」" in talk(me, "下一页")


def test_next_page_past_the_cap_says_so_each_time(make_app, config, roster):
    client = make_app(directory={"max_pages_per_search": 2}).test_client()
    assert say(client, config.wechat.token, "o-me", "绑定 赵敏 2010010001").startswith("绑定成功")
    say(client, config.wechat.token, "o-me", "查找 王磊")
    assert "第 2 页" in say(client, config.wechat.token, "o-me", "下一页")
    for _ in range(2):
        assert "已为您显示前 2 页" in say(client, config.wechat.token, "o-me", "下一页")


def test_the_search_limit_lifts_after_an_hour(talk, runtime, config, me):
    for i in range(30):
        talk(me, f"查找 王磊 {2000 + i % 25}")
    assert "已达到上限" in talk(me, "查找 王磊")
    settings = config.directory
    with runtime.sessions.begin() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == me)).one()
        later = datetime.now(UTC) + timedelta(hours=1, seconds=1)
        page = searching.search_directory(session, runtime.store, settings, user, "王磊 2003",
                                          now=later, channel="bot")
    assert [h.employer for h in page.hits] == ["公司03"]


def test_menu_button_asks_what_to_search_then_searches(client, config, talk, me):
    response = post(client, config.wechat.token, click_xml(me, MenuKey.ALUMNI_SEARCH))
    assert "请输入要查找的校友" in reply_content(response.get_data(as_text=True))
    assert "王磊（本科 2003届）" in talk(me, "王磊 2003")
    assert "没有听懂" in talk(me, "王磊 2003")  # the dialog was one question


def test_a_query_the_lookup_rejects_is_explained_and_not_counted(talk, runtime, me, monkeypatch):
    def reject(*args, **kwargs):
        raise searching.QueryError("关键词太长了，请精简后再试。")

    monkeypatch.setattr(searching, "search_alumni", reject)
    for _ in range(31):
        assert talk(me, "查找 王磊") == "关键词太长了，请精简后再试。"
    assert logs(runtime) == []


def test_paging_is_capped_per_search(runtime, config, me):
    settings = dataclasses.replace(config.directory, max_pages_per_search=2)
    with runtime.sessions.begin() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == me)).one()
        now = datetime.now(UTC)
        searching.search_directory(session, runtime.store, settings, user, "王磊", now=now,
                                   channel="api", page=2)
        with pytest.raises(searching.PageLimitReached):
            searching.search_directory(session, runtime.store, settings, user, "王磊", now=now,
                                       channel="api", page=3)
        assert session.scalar(select(func.count()).select_from(SearchLog)) == 1


def test_the_hourly_limit_comes_from_the_configuration(make_app, config, roster):
    client = make_app(directory={"searches_per_hour": 2}).test_client()
    assert say(client, config.wechat.token, "o-me", "绑定 赵敏 2010010001").startswith("绑定成功")
    for year in (2003, 2004):
        assert "王磊" in say(client, config.wechat.token, "o-me", f"查找 王磊 {year}")
    assert "每小时最多查找 2 次" in say(client, config.wechat.token, "o-me", "查找 王磊")
