"""Browsing and signing up for events through the real webhook (signed XML): 活动, 报名 and its
dialog, the waitlist, 取消报名 (the freed seat offered to the first in line), 确认, 我的活动, the
EVENT_LIST / EVENT_MINE buttons, and the offer lapsing through the scheduler's job.

The webhook reads the wall clock, so the events are placed relative to now."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from handlers.settings import Settings
from models.chapter import Chapter, ChapterKind, ChapterMember
from models.event import Event, EventStatus, Registration, RegistrationStatus
from models.push import Push
from scheduler.jobs import JobContext, JobSettings, event_offers
from tests.events.support import add_event
from tests.reunion.support import add_classmate
from tests.wechat import click_xml, post, reply_content, say


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def alumni(runtime):
    """Bound alumni: 王芳 (2012 计算机学院), 李雷 (2012), 韩梅 (2016 数学学院); o-nobody is unbound."""
    with runtime.sessions.begin() as session:
        people = {
            "王芳": add_classmate(session, "o-wang", "2012001", "王芳", year=2012),
            "李雷": add_classmate(session, "o-li", "2012002", "李雷", year=2012),
            "韩梅": add_classmate(session, "o-han", "2016003", "韩梅", year=2016, college="数学学院"),
        }
        return {name: a.wechat_user_id for name, a in people.items()}


def event(runtime, title="校友午餐沙龙", **fields) -> int:
    with runtime.sessions.begin() as session:
        return add_event(session, title, now=now(), **fields).id


def registrations(runtime, event_id: int) -> dict[int, Registration]:
    with runtime.sessions() as session:
        return {r.wechat_user_id: r for r in session.scalars(
            select(Registration).where(Registration.event_id == event_id))}


def the_event(runtime, event_id: int) -> Event:
    with runtime.sessions() as session:
        return session.get(Event, event_id)


def pushes(runtime) -> list[Push]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Push).order_by(Push.id)))


def test_the_list_shows_what_one_may_join_soonest_first_with_seats_left(client, config, runtime, alumni):
    later = event(runtime, "地区校友见面会", starts_in=dt.timedelta(days=9), seats=30)
    sooner = event(runtime, "羽毛球友谊赛", starts_in=dt.timedelta(days=2), seats=8)
    event(runtime, "数学学院报告会", audience="college:数学学院")      # not for 王芳
    event(runtime, "草稿", status=EventStatus.DRAFT)
    event(runtime, "已过去", starts_in=dt.timedelta(days=-1))
    answer = say(client, config.wechat.token, "o-wang", "活动")
    assert answer.index(f"【{sooner}】羽毛球友谊赛") < answer.index(f"【{later}】地区校友见面会")
    assert "余 8/8 座" in answer and "余 30/30 座" in answer
    assert "数学学院报告会" not in answer and "草稿" not in answer and "已过去" not in answer
    assert f"报名 {sooner}" in answer
    assert "数学学院报告会" in say(client, config.wechat.token, "o-han", "活动")


def test_one_event_with_a_picture_comes_as_a_news_card_and_the_button_lists_too(client, config, runtime, alumni):
    number = event(runtime, "校园马拉松", picture_url="https://example.org/run.jpg")
    xml = post(client, config.wechat.token, click_xml("o-wang", "EVENT_LIST")).get_data(as_text=True)
    assert "<ArticleCount>1</ArticleCount>" in xml and "https://example.org/run.jpg" in xml
    assert f"【{number}】校园马拉松" in xml and f"报名 {number}" in xml


def test_an_unbound_follower_sees_no_alumni_events_and_is_told_to_bind(client, config, runtime, alumni):
    number = event(runtime)
    assert "绑定 姓名 学号" in say(client, config.wechat.token, "o-nobody", "活动")
    assert "绑定" in say(client, config.wechat.token, "o-nobody", f"报名 {number}")
    assert registrations(runtime, number) == {}


def test_sign_up_confirms_a_seat_and_a_second_sign_up_is_refused(client, config, runtime, alumni):
    number = event(runtime, seats=5)
    answer = say(client, config.wechat.token, "o-wang", f"报名 {number}")
    mine = registrations(runtime, number)[alumni["王芳"]]
    assert "报名成功" in answer and f"活动报名号：{mine.id}" in answer
    assert mine.status is RegistrationStatus.CONFIRMED and the_event(runtime, number).seats_taken == 1
    again = say(client, config.wechat.token, "o-wang", f"报名{number}")
    assert "您已报名" in again and the_event(runtime, number).seats_taken == 1


def test_every_refusal_says_why(client, config, runtime, alumni):
    token = config.wechat.token
    t = now()
    not_yet = event(runtime, "未开始报名", signup_opens_at=t + dt.timedelta(days=1))
    over = event(runtime, "已截止", signup_closes_at=t - dt.timedelta(hours=1))
    closed = event(runtime, "已停止", status=EventStatus.CLOSED)
    cancelled = event(runtime, "已取消", status=EventStatus.CANCELLED, cancel_reason="场地维修")
    others = event(runtime, "2016届", audience="year:2016")
    chapter_only = event(runtime, "分会活动", audience="bound&chapter:北京校友会")
    assert "开始报名" in say(client, token, "o-wang", f"报名 {not_yet}")
    assert "截止" in say(client, token, "o-wang", f"报名 {over}")
    assert "停止报名" in say(client, token, "o-wang", f"报名 {closed}")
    answer = say(client, token, "o-wang", f"报名 {cancelled}")
    assert "已取消" in answer and "场地维修" in answer
    assert "只面向2016 届校友" in say(client, token, "o-wang", f"报名 {others}")
    assert "北京校友会成员" in say(client, token, "o-wang", f"报名 {chapter_only}")
    assert "没有编号为 999999 的活动" in say(client, token, "o-wang", "报名 999999")
    assert "例如「报名 3」" in say(client, token, "o-wang", "报名")
    with runtime.sessions.begin() as session:
        chapter = Chapter(name="北京校友会", city="北京", kind=ChapterKind.REGIONAL, created_at=now(), updated_at=now())
        session.add(chapter)
        session.flush()
        session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=alumni["王芳"], joined_at=now()))
    assert "报名成功" in say(client, token, "o-wang", f"报名 {chapter_only}")
    assert "报名成功" in say(client, token, "o-han", f"报名 {others}")


def test_the_dialog_asks_guests_shirt_and_questions_and_bad_answers_lose_nothing(client, config, runtime, alumni):
    token = config.wechat.token
    number = event(runtime, "校园马拉松", max_guests=2, ask_shirt_size=True, questions=["饮食禁忌？"], seats=10)
    assert "最多 2 人" in say(client, token, "o-wang", f"报名 {number}")
    assert "0 到 2" in say(client, token, "o-wang", "5")
    assert "T 恤尺码" in say(client, token, "o-wang", "1")
    assert "XS / S / M" in say(client, token, "o-wang", "特大号")
    assert "饮食禁忌" in say(client, token, "o-wang", "xl")
    answer = say(client, token, "o-wang", "不吃辣")
    assert "报名成功" in answer and "同行 1 人，共 2 人" in answer
    mine = registrations(runtime, number)[alumni["王芳"]]
    assert mine.guests == 1 and mine.answers == {"shirt_size": "XL", "questions": {"饮食禁忌？": "不吃辣"}}
    assert the_event(runtime, number).seats_taken == 2


def test_leaving_the_dialog_signs_up_nothing(client, config, runtime, alumni):
    number = event(runtime, ask_shirt_size=True)
    say(client, config.wechat.token, "o-wang", f"报名 {number}")
    say(client, config.wechat.token, "o-wang", "取消")
    assert registrations(runtime, number) == {}


def test_a_full_event_puts_one_on_the_waitlist_with_the_position_told(client, config, runtime, alumni):
    token = config.wechat.token
    number = event(runtime, seats=1)
    assert "报名成功" in say(client, token, "o-wang", f"报名 {number}")
    assert "排在第 1 位" in say(client, token, "o-li", f"报名 {number}")
    assert "排在第 2 位" in say(client, token, "o-han", f"报名 {number}")   # audience bound: all may
    assert "已满" in say(client, token, "o-li", "活动")
    mine = say(client, token, "o-han", "我的活动")
    assert "候补第 2 位" in mine
    # The first in line leaves: the second becomes the first.
    assert "退出候补" in say(client, token, "o-li", f"取消报名 {number}")
    assert "候补第 1 位" in say(client, token, "o-han", "我的活动")


def test_a_cancel_offers_the_seat_to_the_first_in_line_who_confirms(client, config, runtime, alumni):
    token = config.wechat.token
    number = event(runtime, seats=1)
    say(client, token, "o-wang", f"报名 {number}")
    say(client, token, "o-li", f"报名 {number}")
    say(client, token, "o-han", f"报名 {number}")
    assert "让给其他校友" in say(client, token, "o-wang", f"取消报名 {number}")
    regs = registrations(runtime, number)
    assert regs[alumni["李雷"]].status is RegistrationStatus.OFFERED
    assert regs[alumni["韩梅"]].status is RegistrationStatus.WAITLISTED
    assert the_event(runtime, number).seats_taken == 1     # held for 李雷, not up for grabs
    [offer] = [p for p in pushes(runtime) if p.created_by == "events:offer"]
    assert offer.audience == f"users:{alumni['李雷']}" and f"确认 {number}" in offer.text
    assert offer.category is None
    assert f"确认 {number}" in say(client, token, "o-li", "我的活动")
    # Someone else cannot take the held seat by signing up.
    assert "候补" in say(client, token, "o-wang", f"报名 {number}")
    assert "确认成功" in say(client, token, "o-li", f"确认 {number}")
    assert registrations(runtime, number)[alumni["李雷"]].status is RegistrationStatus.CONFIRMED
    assert "没有为您保留的名额" in say(client, token, "o-li", f"确认 {number}")


def job_context(runtime, clock) -> JobContext:
    return JobContext(sessions=runtime.sessions, store=runtime.store, settings=JobSettings(),
                      features=Settings(), clock=clock)


def test_an_offer_not_taken_lapses_once_and_passes_to_the_next(client, config, runtime, alumni):
    token = config.wechat.token
    number = event(runtime, seats=1, starts_in=dt.timedelta(days=5))
    for openid in ("o-wang", "o-li", "o-han"):
        say(client, token, openid, f"报名 {number}")
    say(client, token, "o-wang", f"取消报名 {number}")
    offered = registrations(runtime, number)[alumni["李雷"]]
    assert offered.offer_expires_at - now() < dt.timedelta(hours=12, minutes=1)
    # Before the deadline the job does nothing.
    assert event_offers(job_context(runtime, now)).lapsed == 0
    late = offered.offer_expires_at + dt.timedelta(minutes=1)
    assert event_offers(job_context(runtime, lambda: late)).lapsed == 1
    assert event_offers(job_context(runtime, lambda: late)).lapsed == 0     # exactly once
    regs = registrations(runtime, number)
    assert regs[alumni["李雷"]].status is RegistrationStatus.CANCELLED
    assert regs[alumni["韩梅"]].status is RegistrationStatus.OFFERED
    assert the_event(runtime, number).seats_taken == 1
    lapsed = [p for p in pushes(runtime) if p.created_by == "events:lapse"]
    offers = [p for p in pushes(runtime) if p.created_by == "events:offer"]
    assert [p.audience for p in lapsed] == [f"users:{alumni['李雷']}"]
    assert [p.audience for p in offers] == [f"users:{alumni['李雷']}", f"users:{alumni['韩梅']}"]
    # 李雷 is too late now; 韩梅 is not.
    assert "没有为您保留的名额" in say(client, token, "o-li", f"确认 {number}")
    assert "确认成功" in say(client, token, "o-han", f"确认 {number}")


def test_an_event_command_typed_in_the_dialog_is_that_command(client, config, runtime, alumni):
    number = event(runtime, ask_shirt_size=True)
    say(client, config.wechat.token, "o-wang", f"报名 {number}")
    assert "您还没有报名任何活动" in say(client, config.wechat.token, "o-wang", "我的活动")
    assert "报名成功" not in say(client, config.wechat.token, "o-wang", "M")


def test_my_events_button_lists_registrations_and_cancel_twice_says_so(client, config, runtime, alumni):
    token = config.wechat.token
    number = event(runtime, "企业家论坛")
    say(client, token, "o-wang", f"报名 {number}")
    mine = reply_content(post(client, token, click_xml("o-wang", "EVENT_MINE")).get_data(as_text=True))
    reg = registrations(runtime, number)[alumni["王芳"]]
    assert f"【{number}】企业家论坛" in mine and f"活动报名号 {reg.id}" in mine
    say(client, token, "o-wang", f"取消报名 {number}")
    assert "已经取消" in say(client, token, "o-wang", f"取消报名 {number}")
    assert "您没有报名" in say(client, token, "o-li", f"取消报名 {number}")
    # Signing up again revives the row at the end of the line.
    assert "报名成功" in say(client, token, "o-wang", f"报名 {number}")
    assert the_event(runtime, number).seats_taken == 1
