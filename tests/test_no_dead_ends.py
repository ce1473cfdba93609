"""Nothing the bot shows leads nowhere: every menu button and every SPEC 5 keyword answers, and a
longer command or an everyday phrase is never taken for a shorter keyword plus an argument."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from handlers.coming import ComingSoon
from handlers.help import COMMANDS, help_text
from menus.loader import load_menus
from models import SearchLog
from tests.roster import add_alumnus
from tests.wechat import click_xml, event_xml, post, reply_content, say

NOT_UNDERSTOOD = "没有听懂"
APOLOGY = "系统开小差"

# SPEC 5, as an alumnus types each command (the subscribe event and location are tested elsewhere).
SPEC_KEYWORDS = [
    "帮助", "help", "?", "绑定", "绑定 张伟 2012010101", "解绑", "我的", "修改资料", "修改 城市 南京",
    "隐私 公开", "隐私 同学", "隐私 隐藏", "查找 张伟", "找 张伟", "校友 张伟", "下一页", "返校",
    "预约返校 2027-05-08 20", "我的预约", "取消预约 1", "活动", "报名 1", "取消报名 1", "我的活动",
    "分会", "分会 南京", "加入返校 1", "我的返校码", "确认 1", "退订 活动", "订阅 活动", "新闻",
    "校友卡", "校友圈", "加入校友圈 1", "退出校友圈 1", "创建校友圈 羽毛球", "圈成员 1", "圈通知 1 周六见",
    "移出圈成员 1 张三", "导师", "导师 互联网 上海", "我的数据", "注销", "取消",
]


def _menu_keys() -> list[str]:
    menus = load_menus()
    keys = []
    for menu in [menus.default, *(p.menu for p in menus.personalized)]:
        for button in menu["button"]:
            for entry in [button, *button.get("sub_button", [])]:
                if entry.get("type") == "click":
                    keys.append(entry["key"])
    return sorted(set(keys))


@pytest.fixture
def bound(client, config, runtime):
    with runtime.sessions.begin() as session:
        add_alumnus(session, "2012010101", "张伟", 2012, city="上海")
    assert say(client, config.wechat.token, "o-bound", "绑定 张伟 2012010101").startswith("绑定成功")
    return "o-bound"


@pytest.mark.parametrize("key", _menu_keys())
@pytest.mark.parametrize("who", ["visitor", "alumnus"])
def test_every_published_menu_button_answers(client, config, bound, key, who):
    openid = "o-visitor" if who == "visitor" else bound
    response = post(client, config.wechat.token, click_xml(openid, key))
    assert response.status_code == 200
    answer = reply_content(response.get_data(as_text=True))
    assert answer and NOT_UNDERSTOOD not in answer and APOLOGY not in answer, f"{key}: {answer!r}"


@pytest.mark.parametrize("typed", SPEC_KEYWORDS)
def test_every_spec_keyword_answers_with_its_feature_or_says_it_is_coming(client, config, bound,
                                                                          typed):
    answer = say(client, config.wechat.token, bound, typed)
    assert answer and NOT_UNDERSTOOD not in answer and APOLOGY not in answer, f"{typed}: {answer!r}"


def test_a_coming_feature_says_so_and_names_what_works_today(runtime):
    # Every SPEC 5 command is open now (我的数据 and 注销 were the last, issue 25); a feature
    # that comes later answers through ComingSoon until it lands.
    available = runtime.router.available_commands - {"校友卡"}
    answer = ComingSoon("校友卡", "可先使用「我的」。")(SimpleNamespace(available_commands=available))
    assert "「校友卡」功能即将开放" in answer and "可先使用「我的」" in answer
    assert "查找" in answer and "分会" in answer and "返校" in answer and "我的数据" in answer
    assert "发送「帮助」" in answer
    assert "校友卡、" not in answer.split("现在可以使用：")[1]  # a coming command is not offered


def test_the_reunion_buttons_answer_with_the_class_and_the_bookings(client, config, bound):
    info = reply_content(post(client, config.wechat.token, click_xml(bound, "REUNION_INFO"))
                         .get_data(as_text=True))
    assert "秩年" in info and "即将开放" not in info
    mine = reply_content(post(client, config.wechat.token, click_xml(bound, "REUNION_MINE"))
                         .get_data(as_text=True))
    assert "您还没有返校预约" in mine


def test_the_event_buttons_answer_with_the_events_and_my_registrations(client, config, bound):
    for key, expected in [("EVENT_LIST", "活动"), ("EVENT_MINE", "您还没有报名任何活动")]:
        answer = reply_content(post(client, config.wechat.token, click_xml(bound, key))
                               .get_data(as_text=True))
        assert expected in answer and "即将开放" not in answer


def test_scanning_the_check_in_code_of_no_event_says_so_and_where_to_look(client, config, bound):
    scan = event_xml(bound, "SCAN", "<EventKey><![CDATA[checkin:12]]></EventKey><Ticket>t</Ticket>")
    answer = reply_content(post(client, config.wechat.token, scan).get_data(as_text=True))
    assert "没有找到这个活动" in answer and "「活动」" in answer


def _searches(runtime) -> int:
    runtime.search_log.flush()  # the bot queues its search log; the flusher writes it
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(SearchLog))


def test_my_bookings_is_not_my_profile(client, config, bound):
    answer = say(client, config.wechat.token, bound, "我的预约")
    assert "您的资料" not in answer and "返校预约" in answer


@pytest.mark.parametrize("typed", ["校友会在哪", "找工作", "校友卡片", "我的资料呢"])
def test_an_everyday_phrase_is_not_taken_for_a_search_or_the_profile(client, config, runtime, bound,
                                                                    typed):
    answer = say(client, config.wechat.token, bound, typed)
    runtime.inbox.flush()
    assert "为您找到" not in answer and "没有找到" not in answer and "您的资料" not in answer
    assert _searches(runtime) == 0  # none of the hour's 30 searches spent


@pytest.mark.parametrize("typed", ["查找张伟", "查找 张伟", "找 张伟", "校友 张伟", "校友，张伟"])
def test_a_search_still_reaches_the_directory_with_a_space_or_after_查找(client, config, runtime,
                                                                      bound, typed):
    assert "张伟" in say(client, config.wechat.token, bound, typed)
    runtime.inbox.flush()
    assert _searches(runtime) == 1


@pytest.mark.parametrize("typed", ["校友圈"])
def test_longer_keywords_win_over_their_prefix(client, config, bound, typed):
    answer = say(client, config.wechat.token, bound, typed)
    assert "我的校友圈" in answer and "为您找到" not in answer


def test_the_card_keyword_is_not_a_search_for_卡(client, config, bound):
    answer = say(client, config.wechat.token, bound, "校友卡")  # no WeChat here: the card as text
    assert "电子校友卡" in answer and "为您找到" not in answer


def test_glued_arguments_of_the_right_shape_still_work(client, config, runtime, bound):
    assert "已将隐私设置为「公开」" in say(client, config.wechat.token, bound, "隐私公开")
    assert "已将所在城市更新为「南京」" in say(client, config.wechat.token, bound, "修改城市南京")


def test_the_help_with_every_command_fits_in_one_wechat_text_reply():
    everything = frozenset(keyword for keyword, *_ in COMMANDS)
    for available in (everything, frozenset({"帮助", "绑定"})):
        assert len(help_text("示例大学", available).encode("utf-8")) <= 2048
