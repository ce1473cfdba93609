"""Queueing pushes: audiences, one row per recipient in the caller's transaction, the registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.push import Delivery, Push, SubscribeConsent, grant_subscribe_consents
from models.wechat_user import WechatUser
from scheduler.audiences import (
    AUDIENCES,
    Audience,
    AudienceError,
    describe_audience,
    register_audience,
)
from scheduler.outbox import TemplateContent, count_recipients, queue_push
from scheduler.progress import push_progress
from tests.push.support import NOW, add_user, bind


def _people(session):
    followers = [add_user(session) for _ in range(3)]
    gone = add_user(session, subscribed=False)
    bind(session, followers[0], 2016)
    bind(session, followers[1], 2006)
    bind(session, gone, 2016)
    bind(session, gone, 2016)  # two roster records (本科, 硕士): still one recipient
    return followers, gone


def _deliveries(session, push):
    return list(session.scalars(select(Delivery).where(Delivery.push_id == push.id)))


def test_bound_and_year_audiences_get_one_row_per_person(sessions):
    with sessions.begin() as session:
        followers, gone = _people(session)
        bound = queue_push(session, text="通知", audience="bound", kind="broadcast", now=NOW)
        year = queue_push(session, text="通知", audience="year:2016", kind="broadcast", now=NOW)
        assert {d.wechat_user_id for d in _deliveries(session, bound)} == {
            followers[0].id, followers[1].id, gone.id}
        assert {d.wechat_user_id for d in _deliveries(session, year)} == {followers[0].id, gone.id}
        assert (bound.recipient_count, year.recipient_count) == (3, 2)
        assert all(d.status == "pending" and d.next_attempt_at == NOW
                   for d in _deliveries(session, year))


def test_all_followers_is_one_mass_send(sessions):
    with sessions.begin() as session:
        _people(session)
        push = queue_push(session, text="新年快乐", audience="all", kind="broadcast", now=NOW)
        (row,) = _deliveries(session, push)
        assert (push.mass, push.recipient_count) == (True, 3)
        assert (row.channel, row.wechat_user_id, row.status) == ("mass", None, "pending")


def test_openids_no_user_holds_are_recorded_unreachable(sessions):
    with sessions.begin() as session:
        user = add_user(session)
        push = queue_push(session, text="您的预约已通过", audience=f"openids:{user.openid},o-nobody",
                          kind="notification", now=NOW)
        rows = {d.openid or d.wechat_user_id: d.status for d in _deliveries(session, push)}
        assert rows == {user.id: "pending", "o-nobody": "unreachable"}
        assert push.recipient_count == 2


def test_the_push_lives_and_dies_with_the_callers_transaction(sessions):
    with sessions.begin() as session:
        add_user(session)
    session = sessions()
    with session.begin():
        queue_push(session, text="审核通过", audience="bound", kind="notification", now=NOW)
        queue_push(session, text="审核通过", audience="all", kind="broadcast", now=NOW)
        session.rollback()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Push)) == 0
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_a_scheduled_push_waits_for_its_time(sessions):
    with sessions.begin() as session:
        add_user(session)
        later = queue_push(session, text="提醒", audience="users:1", kind="reminder",
                           at=NOW + timedelta(days=1), now=NOW)
        past = queue_push(session, text="提醒", audience="users:1", kind="reminder",
                          at=NOW - timedelta(days=1), now=NOW)
        assert later.not_before == NOW + timedelta(days=1)
        assert past.not_before == NOW  # a time already gone means now
        assert _deliveries(session, later)[0].next_attempt_at == NOW + timedelta(days=1)


def test_a_notification_may_carry_its_own_template(sessions):
    with sessions.begin() as session:
        add_user(session)
        push = queue_push(session, text="活动明天开始", audience="users:1", kind="reminder", now=NOW,
                          template=TemplateContent("alumni-sandbox-tpl-event-reminder",
                                                   {"thing1": "秋季校友论坛"}))
        assert (push.template_id, push.template_data) == (
            "alumni-sandbox-tpl-event-reminder", {"thing1": "秋季校友论坛"})


@pytest.mark.parametrize("spec", ["everyone", "year:16", "year", "bound:2016", "users:a",
                                  "openids:"])
def test_an_audience_it_does_not_know_is_refused_in_chinese(sessions, spec):
    with sessions.begin() as session, pytest.raises(AudienceError) as raised:
        queue_push(session, text="x", audience=spec, kind="broadcast", now=NOW)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(raised.value))


def test_a_feature_can_add_an_audience(sessions):
    register_audience(Audience(
        "early", lambda arg: select(WechatUser.id).where(WechatUser.id <= int(arg)),
        lambda arg: f"前 {arg} 位用户"))
    try:
        with sessions.begin() as session:
            for _ in range(4):
                add_user(session)
            assert count_recipients(session, "early:2") == 2
            push = queue_push(session, text="x", audience="early:2", kind="broadcast", now=NOW)
            assert push.recipient_count == 2
            assert describe_audience(push.audience) == "前 2 位用户"
    finally:
        del AUDIENCES["early"]


def test_counts_and_progress(sessions):
    with sessions.begin() as session:
        _people(session)
        assert [count_recipients(session, a) for a in ("all", "bound", "year:2016", "year:1990")] \
            == [3, 3, 2, 0]
        push = queue_push(session, text="x", audience="bound", kind="broadcast", now=NOW)
    with sessions() as session:
        progress = push_progress(session, push.id)
        assert (progress.total, progress.pending, progress.sent) == (3, 3, 0)
        assert push_progress(session, 999) is None


def test_consents_add_up_per_template(sessions):
    with sessions.begin() as session:
        user = add_user(session)
        grant_subscribe_consents(session, user.id, ["tpl-a", "tpl-b", "tpl-a"], NOW)
        grant_subscribe_consents(session, user.id, ["tpl-a"], NOW)
        remaining = dict(session.execute(select(SubscribeConsent.template_id,
                                                SubscribeConsent.remaining)).all())
        assert remaining == {"tpl-a": 2, "tpl-b": 1}


def _chapter(session, name: str, *members) -> None:
    from models.chapter import Chapter, ChapterMember

    chapter = Chapter(name=name, kind="地区", city=name[:2], created_at=NOW, updated_at=NOW)
    session.add(chapter)
    session.flush()
    for user in members:
        session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=user.id, joined_at=NOW))
    session.flush()


def test_a_chapter_audience_reaches_its_members_once_each(sessions):
    with sessions.begin() as session:
        members = [add_user(session) for _ in range(2)]
        outsider = add_user(session)
        _chapter(session, "北京校友会", *members)
        _chapter(session, "上海校友会", outsider)
        push = queue_push(session, text="北京分会秋季沙龙", audience="chapter:北京校友会",
                          kind="broadcast", now=NOW)
        assert {d.wechat_user_id for d in _deliveries(session, push)} == {m.id for m in members}
        assert (push.recipient_count, push.audience) == (2, "chapter:北京校友会")
        assert describe_audience(push.audience) == "北京校友会成员"


def test_a_chapter_may_be_named_by_the_start_of_its_name(sessions):
    with sessions.begin() as session:
        _chapter(session, "北京校友会", add_user(session))
        assert count_recipients(session, "chapter:北京") == 1
        push = queue_push(session, text="通知", audience="chapter:北京", kind="broadcast", now=NOW)
        assert push.audience == "chapter:北京校友会"


def test_an_unknown_or_ambiguous_chapter_is_refused_with_what_exists(sessions):
    with sessions.begin() as session:
        _chapter(session, "南京校友会")
        _chapter(session, "南京理工校友会")
        with pytest.raises(AudienceError, match="没有名为「火星」的分会"):
            count_recipients(session, "chapter:火星")
        with pytest.raises(AudienceError, match="对应多个分会：南京校友会、南京理工校友会"):
            queue_push(session, text="通知", audience="chapter:南京", kind="broadcast", now=NOW)
        with pytest.raises(AudienceError, match="需要参数"):
            count_recipients(session, "chapter:")
