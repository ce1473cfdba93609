"""What 注销 does to each feature, through the real webhook: a future booking the person made is
cancelled (its places go back) and their place on a classmate's goes; their event seat passes to
the first in line; their mentor contact is gone from both sides; circles, consents and pushes
still waiting follow; the rows that are the school's record stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Alumnus, ContactKind, Delivery, MentorRequest, PushOptOut, WechatUser
from models.circle import Circle, CircleMember, CircleStatus
from models.event import Registration, RegistrationStatus
from models.mentor import Mentor
from models.push import DeliveryStatus, Push
from models.reunion import BookingStatus, ReunionBooking, ReunionDay, ReunionMember
from scheduler.outbox import notify_users
from tests.circles.support import interest_circle
from tests.events.support import add_event, add_registration
from tests.mentors.support import become_mentor
from tests.privacy.support import add_people
from tests.reunion.support import add_booking, add_classmate
from tests.wechat import say


def _erase(client, config, openid: str) -> str:
    say(client, config.wechat.token, openid, "注销")
    return say(client, config.wechat.token, openid, "确认注销")


def _saturday_ahead(days: int = 30) -> dt.date:
    day = dt.date.today() + dt.timedelta(days=days)
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


def test_event_seat_goes_to_the_first_in_line_and_past_answers_lose_their_text(client, config, runtime):
    ids = add_people(runtime)
    now = dt.datetime.now(dt.UTC)
    with runtime.sessions.begin() as session:
        event = add_event(session, "校园马拉松", seats=1, now=now)
        add_registration(session, event, ids["王芳"], now=now).answers = {"衣服尺码": "M"}
        add_registration(session, event, ids["李雷"], status=RegistrationStatus.WAITLISTED, now=now)
        event_id = event.id
    assert "已注销" in _erase(client, config, "o-wang")
    with runtime.sessions() as session:
        rows = {r.wechat_user_id: r for r in session.scalars(
            select(Registration).where(Registration.event_id == event_id))}
        assert rows[ids["王芳"]].status is RegistrationStatus.CANCELLED and rows[ids["王芳"]].answers == {}
        assert rows[ids["李雷"]].status is RegistrationStatus.OFFERED   # the waitlist moved on
        offers = [p.text for p in session.scalars(select(Push)) if p.audience == f"users:{ids['李雷']}"]
        assert offers and "校园马拉松" in offers[-1]


def test_a_booking_i_made_is_cancelled_and_my_place_on_a_classmates_goes(client, config, runtime):
    ids = add_people(runtime)
    day = _saturday_ahead()
    with runtime.sessions.begin() as session:
        wang_record = session.scalar(select(Alumnus).where(Alumnus.student_id == "2012001"))
        li_record = session.scalar(select(Alumnus).where(Alumnus.student_id == "2012002"))
        mine = add_booking(session, wang_record, day=day, people=6, members=(li_record,))
        other_class = add_classmate(session, "o-han", "2016003", "韩梅", year=2016)
        theirs = add_booking(session, other_class, day=day, people=4)
        theirs.members.append(ReunionMember(alumnus_id=wang_record.id, wechat_user_id=ids["王芳"],
                                            companions=["王小明"], party=2,
                                            joined_at=dt.datetime.now(dt.UTC)))
        mine_id, theirs_id, day_id = mine.id, theirs.id, mine.day_id
    _erase(client, config, "o-wang")
    with runtime.sessions() as session:
        mine, theirs = session.get(ReunionBooking, mine_id), session.get(ReunionBooking, theirs_id)
        assert mine.status is BookingStatus.CANCELLED and mine.class_key is None
        assert session.get(ReunionDay, day_id).people_booked == 4   # only the other class's places
        assert [m.alumnus_id for m in theirs.members] == [theirs.contact_alumnus_id]
        told = [p.text for p in session.scalars(select(Push)) if p.audience == f"users:{ids['李雷']}"]
        assert told and str(mine_id) in told[-1]   # the classmate on the booking is told


def test_mentor_contacts_are_gone_from_both_sides(client, config, runtime):
    ids = add_people(runtime)
    token = config.wechat.token
    become_mentor(client, token, "o-wang")
    with runtime.sessions() as session:
        mentor_id = session.scalar(select(Mentor.id))
    say(client, token, "o-li", f"请求导师 {mentor_id} 想了解产品经理的工作")
    say(client, token, "o-li", "微信 lilei_2024")
    with runtime.sessions() as session:
        number = session.scalar(select(MentorRequest.id))
    say(client, token, "o-wang", f"接受 {number}")
    assert "wangfang_hr" in say(client, token, "o-li", "我的导师")
    with runtime.sessions() as session:
        notices = [p.text for p in session.scalars(select(Push).where(Push.created_by == "mentors:accept"))]
        assert notices and "wangfang_hr" in notices[0]
    _erase(client, config, "o-wang")   # the mentor goes: her contact leaves the mentee's notice too
    assert "wangfang_hr" not in say(client, token, "o-li", "我的导师")
    _erase(client, config, "o-li")     # the mentee goes: his contact leaves the request
    with runtime.sessions() as session:
        mentor = session.get(Mentor, mentor_id)
        assert mentor.contact_value is None and mentor.contact_kind is ContactKind.NONE
        request = session.get(MentorRequest, number)
        assert request.contact_value is None and request.contact_kind is ContactKind.NONE
        texts = " ".join(p.text for p in session.scalars(select(Push)))
        assert "wangfang_hr" not in texts and "lilei_2024" not in texts
    assert ids


def test_circles_consents_and_waiting_pushes_follow_the_account(client, config, runtime):
    ids = add_people(runtime)
    token = config.wechat.token
    now = dt.datetime.now(dt.UTC)
    with runtime.sessions.begin() as session:
        wang, li = session.get(WechatUser, ids["王芳"]), session.get(WechatUser, ids["李雷"])
        circle = interest_circle(session, wang, "羽毛球", li)
        circle_id = circle.id
        notify_users(session, [wang.id], "明天的活动提醒", now, created_by="test")
    say(client, token, "o-wang", "退订 活动")
    say(client, token, "o-wang", "创建校友圈 摄影 一起拍照")
    _erase(client, config, "o-wang")
    with runtime.sessions() as session:
        members = list(session.scalars(select(CircleMember.wechat_user_id)
                                       .where(CircleMember.circle_id == circle_id)))
        assert members == [ids["李雷"]]
        kept = session.get(Circle, circle_id)
        assert kept.status is CircleStatus.ACTIVE and kept.proposed_by is None
        proposal = session.scalar(select(Circle).where(Circle.name == "摄影"))
        assert proposal.status is CircleStatus.REJECTED and proposal.proposed_by is None
        assert session.scalar(select(PushOptOut).where(PushOptOut.wechat_user_id == ids["王芳"])) is None
        waiting = session.scalar(select(Delivery).where(Delivery.wechat_user_id == ids["王芳"]))
        assert waiting.status is DeliveryStatus.CANCELLED
