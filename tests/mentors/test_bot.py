"""Mentors through the webhook: opt in (a dialog), find, request, accept or decline; the contact
each side chose is shown only after acceptance, pushes reach the other side, caps hold, and a
hidden alumnus is not listed."""

from __future__ import annotations

import re

import pytest

from tests.mentors.support import OFFER_ANSWERS, add_person, become_mentor, pushes_to
from tests.wechat import say


@pytest.fixture
def people(runtime):
    add_person(runtime, "o-mentor", "2008010101", "王芳", year=2008, college="经济学院",
               phone="13900001111", email="wangfang@example.com")
    add_person(runtime, "o-mentee", "2024010101", "李雷", year=2024)
    return "o-mentor", "o-mentee"


def _tell(client, config, openid, text):
    return say(client, config.wechat.token, openid, text)


def _request_number(text: str) -> int:
    return int(re.search(r"#(\d+)", text).group(1))


def test_opt_in_then_a_mentee_finds_the_mentor_without_any_contact(client, config, people):
    mentor, mentee = people
    saved = become_mentor(client, config.wechat.token, mentor)
    assert "已登记为校友导师" in saved and "wangfang_hr" in saved  # the mentor sees their own choice
    found = _tell(client, config, mentee, "导师 互联网 上海")
    assert "王芳（2008 届 · 经济学院）" in found and "产品经理入门" in found
    assert "wangfang_hr" not in found and "13900001111" not in found and "wangfang@example.com" not in found
    listed = _tell(client, config, mentee, "导师")
    assert "成为导师" in listed and "请求导师 编号" in listed and "王芳" in listed
    assert "没有找到" in _tell(client, config, mentee, "导师 金融 北京")


def test_contact_is_shown_to_both_only_after_the_mentor_accepts(client, config, runtime, people):
    mentor, mentee = people
    become_mentor(client, config.wechat.token, mentor)
    mentor_id = re.search(r"#(\d+) 王芳", _tell(client, config, mentee, "导师")).group(1)
    asked = _tell(client, config, mentee, f"请求导师 {mentor_id} 想了解产品经理的工作，谢谢！")
    assert "联系方式" in asked
    sent = _tell(client, config, mentee, "微信 lilei_2024")
    assert "已发给导师王芳" in sent
    number = _request_number(sent)

    notice = pushes_to(runtime, mentor)[-1]
    assert f"接受 {number}" in notice and "李雷（2024 届 · 计算机学院）" in notice
    assert "想了解产品经理的工作，谢谢！" in notice  # the sentence keeps its punctuation
    assert "lilei_2024" not in notice and "13812345678" not in notice
    # Before acceptance neither side sees the other's contact.
    assert "wangfang_hr" not in _tell(client, config, mentee, "我的导师")
    assert "lilei_2024" not in _tell(client, config, mentor, "我的导师")

    accepted = _tell(client, config, mentor, f"接受 {number}")
    assert "已接受" in accepted and "微信号 lilei_2024" in accepted
    told = pushes_to(runtime, mentee)[-1]
    assert "接受了您的请求" in told and "微信号 wangfang_hr" in told
    assert "微信号 wangfang_hr" in _tell(client, config, mentee, "我的导师")
    assert "微信号 lilei_2024" in _tell(client, config, mentor, "我的导师")
    # Only the contact chosen crossed: never the roster's phone or e-mail.
    assert "13900001111" not in told and "wangfang@example.com" not in told


def test_a_declined_request_tells_the_mentee_and_shows_no_contact(client, config, runtime, people):
    mentor, mentee = people
    become_mentor(client, config.wechat.token, mentor)
    _tell(client, config, mentee, "请求导师 1 想请教读研还是工作")
    number = _request_number(_tell(client, config, mentee, "手机"))
    assert "已婉拒" in _tell(client, config, mentor, f"婉拒 {number}")
    assert "暂时无法接受" in pushes_to(runtime, mentee)[-1]
    mine = _tell(client, config, mentee, "我的导师")
    assert "已婉拒" in mine and "wangfang_hr" not in mine
    assert "已婉拒" in _tell(client, config, mentor, "我的导师")
    assert "13812345678" not in _tell(client, config, mentor, "我的导师")  # the mentee's phone
    assert "无需再操作" in _tell(client, config, mentor, f"接受 {number}")


def test_only_the_mentor_asked_can_answer(client, config, runtime, people):
    mentor, mentee = people
    become_mentor(client, config.wechat.token, mentor)
    _tell(client, config, mentee, "请求导师 1 想请教")
    number = _request_number(_tell(client, config, mentee, "不留"))
    refused = _tell(client, config, mentee, f"接受 {number}")
    assert "没有收到编号" in refused and f"确认 {number}" in refused


def test_a_hidden_alumnus_is_not_listed_even_as_mentor_and_cannot_be_asked(client, config, people):
    mentor, mentee = people
    assert "已将隐私设置为「隐藏」" in _tell(client, config, mentor, "隐私 隐藏")
    saved = become_mentor(client, config.wechat.token, mentor)
    assert "隐藏优先于导师登记" in saved
    assert "王芳" not in _tell(client, config, mentee, "导师")
    assert "没有编号为 1 的导师" in _tell(client, config, mentee, "请求导师 1 想请教")
    _tell(client, config, mentor, "隐私 同学")  # 同学 does not hide a mentor: opting in is an offer to all
    assert "王芳" in _tell(client, config, mentee, "导师")


def test_a_mentee_has_at_most_three_open_requests(client, config, runtime, people):
    _, mentee = people
    for n in range(4):
        openid = f"o-m{n}"
        add_person(runtime, openid, f"200901010{n}", f"导师{n}号")
        become_mentor(client, config.wechat.token, openid)
    for n in range(1, 4):
        _tell(client, config, mentee, f"请求导师 {n} 想请教")
        assert "已发给导师" in _tell(client, config, mentee, "不留")
    assert "已有 3 个请求在等待" in _tell(client, config, mentee, "请求导师 4 想请教")
    assert "已撤回请求" in _tell(client, config, mentee, "撤回请求 1")
    assert "已被对方撤回" in pushes_to(runtime, "o-m0")[-1]
    _tell(client, config, mentee, "请求导师 4 想请教")
    assert "已发给导师" in _tell(client, config, mentee, "不留")


def test_a_mentor_receives_no_more_than_their_monthly_cap(client, config, runtime, people):
    mentor, _ = people
    become_mentor(client, config.wechat.token, mentor, (*OFFER_ANSWERS[:4], "1"))
    add_person(runtime, "o-second", "2024010102", "韩梅梅")
    _tell(client, config, "o-mentee", "请求导师 1 想请教")
    _tell(client, config, "o-mentee", "不留")
    assert "本月名额已满" in _tell(client, config, "o-second", "导师")
    assert "本月的名额已满" in _tell(client, config, "o-second", "请求导师 1 想请教")


def test_pause_resume_and_withdraw(client, config, runtime, people):
    mentor, mentee = people
    become_mentor(client, config.wechat.token, mentor)
    assert "已暂停" in _tell(client, config, mentor, "暂停导师")
    assert "王芳" not in _tell(client, config, mentee, "导师")
    assert "暂停了接受请求" in _tell(client, config, mentee, "请求导师 1 想请教")
    assert "已恢复" in _tell(client, config, mentor, "恢复导师")
    _tell(client, config, mentee, "请求导师 1 想请教")
    number = _request_number(_tell(client, config, mentee, "不留"))
    assert "已退出校友导师" in _tell(client, config, mentor, "退出导师")
    assert f"#{number} 已关闭" in pushes_to(runtime, mentee)[-1]
    assert "王芳" not in _tell(client, config, mentee, "导师")


def test_an_unbound_user_is_told_to_bind(client, config):
    assert "请先发送「绑定" in _tell(client, config, "o-stranger", "导师")
    assert "请先发送「绑定" in _tell(client, config, "o-stranger", "成为导师")
    assert "请先发送「绑定" in _tell(client, config, "o-stranger", "我的导师")


def test_a_wrong_answer_in_the_dialog_asks_again(client, config, people):
    mentor, _ = people
    _tell(client, config, mentor, "成为导师")
    for answer in OFFER_ANSWERS[:3]:
        _tell(client, config, mentor, answer)
    assert "微信号是 6 到 20 位" in _tell(client, config, mentor, "微信 1")
    assert "第 5 步" in _tell(client, config, mentor, "邮箱")  # the roster's e-mail
    assert "1 到 10" in _tell(client, config, mentor, "99")
    assert "邮箱 wangfang@example.com" in _tell(client, config, mentor, "2")


@pytest.mark.parametrize("typed", ["导师", "导师 互联网 上海", "成为导师", "我的导师", "暂停导师",
                                   "恢复导师", "退出导师", "请求导师 1 想请教", "接受 1", "婉拒 1",
                                   "撤回请求 1", "接受", "婉拒"])
def test_every_mentor_keyword_answers_and_is_in_the_mentor_usage(client, config, people, typed):
    from handlers.mentors.texts import USAGE

    answer = _tell(client, config, "o-mentee", typed)
    assert answer and "没有听懂" not in answer and "系统开小差" not in answer, answer
    assert typed.split()[0] in USAGE
    _tell(client, config, "o-mentee", "取消")


def test_the_message_log_keeps_the_contact_answers_masked(client, config, runtime, people):
    from sqlalchemy import select

    from models import MessageLog

    mentor, mentee = people
    become_mentor(client, config.wechat.token, mentor)
    _tell(client, config, mentee, "请求导师 1 想请教")
    _tell(client, config, mentee, "手机 13700001234")
    runtime.inbox.flush()
    with runtime.sessions() as session:
        logged = list(session.scalars(select(MessageLog.content).order_by(MessageLog.id)))
    assert "微信 ***" in logged and "手机 ***" in logged
    assert not any("wangfang_hr" in text or "13700001234" in text for text in logged if text)


def test_a_full_page_of_long_offers_fits_in_one_reply_with_every_mentor(client, config, runtime):
    long = ("产品经理入门、求职面试、" * 20)[:200]
    for n in range(6):
        openid = f"o-long{n}"
        add_person(runtime, openid, f"200701010{n}", "欧阳娜娜", college="计算机科学与技术学院")
        become_mentor(client, config.wechat.token, openid,
                      ("互联网" * 20, "上海" * 30, long, "不留", "1"))
    add_person(runtime, "o-reader", "2024019999", "读者")
    for n in range(1, 6):  # each month full (cap 1): the longest a line gets
        add_person(runtime, f"o-asker{n}", f"202401020{n}", f"问者{n}")
        _tell(client, config, f"o-asker{n}", f"请求导师 {n} 想请教")
        assert "已发给导师" in _tell(client, config, f"o-asker{n}", "不留")
    answer = _tell(client, config, "o-reader", "导师")
    assert len(answer.encode()) <= 2048
    assert [f"#{n}" in answer for n in range(1, 6)] == [True] * 5 and "导师 2" in answer
    assert "#6" in _tell(client, config, "o-reader", "导师 2")


def test_a_mentor_who_unbinds_leaves_the_list_and_answers_nothing(client, config, people):
    mentor, mentee = people
    become_mentor(client, config.wechat.token, mentor)
    _tell(client, config, mentee, "请求导师 1 想请教")
    number = _request_number(_tell(client, config, mentee, "不留"))
    assert "已解除绑定" in _tell(client, config, mentor, "解绑")
    assert "王芳" not in _tell(client, config, mentee, "导师")
    assert "请先发送「绑定" in _tell(client, config, mentor, f"接受 {number}")


def test_同上_takes_the_industry_and_city_from_the_profile(client, config, runtime):
    add_person(runtime, "o-fin", "2006010101", "钱多多", industry="金融", city="北京")
    assert "回复「同上」沿用资料中的「金融」" in _tell(client, config, "o-fin", "成为导师")
    assert "沿用资料中的「北京」" in _tell(client, config, "o-fin", "同上")
    _tell(client, config, "o-fin", "同上")
    _tell(client, config, "o-fin", "投行入门")
    _tell(client, config, "o-fin", "不留")
    saved = _tell(client, config, "o-fin", "2")
    assert "行业：金融" in saved and "城市：北京" in saved and "未留联系方式" in saved
