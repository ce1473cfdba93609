"""The reminders 24 hours and 2 hours before an event, run as the scheduler runs them.

Each test drives the job through the registry (`scheduled_jobs`) with a clock of its own; "a new
scheduler instance" is a new JobContext over the same database, as after a restart or on a new
leader. The event starts STARTS (Saturday 9 May 2026, 09:00 in Shanghai).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select

from handlers.events.reminders import EVENT_REMINDERS
from handlers.events.settings import EventSettings
from handlers.settings import Settings
from models.event import Event, EventNotice, EventStatus, Registration, RegistrationStatus
from models.push import Delivery, Push
from models.wechat_user import WechatUser
from scheduler.jobs import JobContext, JobSettings, scheduled_jobs
from tests.events.support import NOW, add_event, add_registration

STARTS = dt.datetime(2026, 5, 9, 1, 0, tzinfo=dt.UTC)
DAY_BEFORE = STARTS - dt.timedelta(hours=24)
TWO_HOURS_BEFORE = STARTS - dt.timedelta(hours=2)
MINUTE = dt.timedelta(minutes=1)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def scheduler(runtime, now: dt.datetime, **events) -> JobContext:
    """A scheduler's job context as a fresh process builds it."""
    features = Settings(school_name="示例大学")
    if events:
        features = replace(features, events=EventSettings(**events))
    return JobContext(sessions=runtime.sessions, store=runtime.store, settings=JobSettings(),
                      features=features, clock=Clock(now))


def run(ctx: JobContext):
    return {job.id: job for job in scheduled_jobs(ctx)}["event-reminders"].func(ctx)


def lunch_with_registrants(runtime, status=EventStatus.OPEN, tag="lunch"):
    """A lunch with two confirmed registrants, one waitlisted, one holding an offer, one who
    cancelled; returns the event's id and the confirmed users."""
    with runtime.sessions.begin() as session:
        event = add_event(session, "五月校友午餐沙龙", seats=3, starts_in=STARTS - NOW, status=status,
                          place="校友之家二楼")
        users = []
        for n, state in enumerate((RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                                   RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED,
                                   RegistrationStatus.CANCELLED)):
            user = WechatUser(openid=f"o-{tag}-{n}", subscribed=True, created_at=NOW)
            session.add(user)
            session.flush()
            add_registration(session, event, user.id, status=state)
            users.append(user.id)
        return event.id, set(users[:2])


def pushes(runtime) -> list[Push]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Push).order_by(Push.id)))


def recipients(runtime, push_id: int) -> set[int]:
    with runtime.sessions() as session:
        return set(session.scalars(select(Delivery.wechat_user_id).where(Delivery.push_id == push_id)))


def test_the_day_before_reminder_is_due_at_24_hours_and_goes_once_across_runs_and_a_restart(runtime):
    event_id, confirmed = lunch_with_registrants(runtime)
    assert run(scheduler(runtime, DAY_BEFORE - MINUTE)) == []           # 24 h 1 min before
    assert pushes(runtime) == []

    leader = scheduler(runtime, DAY_BEFORE + MINUTE)                     # 23 h 59 min before
    [sent] = run(leader)
    assert (sent.event_id, sent.kind, sent.recipients) == (event_id, "remind-24h", 2)
    assert run(leader) == []                                             # the next scan
    assert run(scheduler(runtime, DAY_BEFORE + 6 * MINUTE)) == []       # a new leader, later
    [push] = pushes(runtime)
    assert recipients(runtime, push.id) == confirmed     # not the waitlisted, offered, cancelled
    assert push.category is None and push.kind == "reminder"   # about their own registration
    assert "「五月校友午餐沙龙」" in push.text and f"编号 {event_id}" in push.text
    assert "时间：2026年5月9日（星期六）09:00" in push.text and "地点：校友之家二楼" in push.text
    assert f"「取消报名 {event_id}」" in push.text


def test_the_two_hour_reminder_follows_once_and_tells_how_to_check_in(runtime):
    _, confirmed = lunch_with_registrants(runtime)
    run(scheduler(runtime, DAY_BEFORE))
    assert run(scheduler(runtime, TWO_HOURS_BEFORE - MINUTE)) == []
    [sent] = run(scheduler(runtime, TWO_HOURS_BEFORE + MINUTE))
    assert (sent.kind, sent.recipients) == ("remind-2h", 2)
    assert run(scheduler(runtime, TWO_HOURS_BEFORE + 2 * MINUTE)) == []
    _, last = pushes(runtime)
    assert recipients(runtime, last.id) == confirmed
    assert "约 2 小时后开始" in last.text and "签到" in last.text and "「我的活动」" in last.text
    with runtime.sessions() as session:
        assert set(session.scalars(select(EventNotice.kind))) == {"remind-24h", "remind-2h"}


def test_two_leaders_scanning_at_once_send_each_reminder_once(runtime):
    lunch_with_registrants(runtime)
    first, second = scheduler(runtime, DAY_BEFORE), scheduler(runtime, DAY_BEFORE)
    with runtime.sessions() as session:   # the second leader looked before the first marked
        seen_by_second = EVENT_REMINDERS.due(session, DAY_BEFORE, second.features)
    assert len(run(first)) == 1
    with runtime.sessions() as session:   # its mark, in its own transaction, finds the row taken
        assert EVENT_REMINDERS.mark(session, seen_by_second[0], None, DAY_BEFORE) is None
        session.rollback()
    assert len(pushes(runtime)) == 1


def test_an_event_found_late_gets_only_the_reminder_now_due(runtime):
    lunch_with_registrants(runtime)
    [sent] = run(scheduler(runtime, STARTS - dt.timedelta(hours=1)))    # the scheduler was down
    assert sent.kind == "remind-2h"
    assert run(scheduler(runtime, STARTS - 30 * MINUTE)) == []
    assert len(pushes(runtime)) == 1


def test_no_reminder_after_the_start_nor_for_cancelled_or_draft_events(runtime):
    lunch_with_registrants(runtime)
    assert run(scheduler(runtime, STARTS)) == []
    assert run(scheduler(runtime, STARTS + dt.timedelta(hours=1))) == []
    assert pushes(runtime) == []
    with runtime.sessions.begin() as session:
        session.scalar(select(Event)).status = EventStatus.CANCELLED
    lunch_with_registrants(runtime, status=EventStatus.DRAFT, tag="draft")
    assert run(scheduler(runtime, DAY_BEFORE)) == []
    assert run(scheduler(runtime, TWO_HOURS_BEFORE)) == []
    assert pushes(runtime) == []


def test_a_closed_event_still_reminds_its_confirmed_registrants(runtime):
    lunch_with_registrants(runtime, status=EventStatus.CLOSED)
    [sent] = run(scheduler(runtime, DAY_BEFORE))
    assert sent.recipients == 2


def test_an_event_with_nobody_confirmed_is_not_marked_so_a_later_confirmation_is_reminded(runtime):
    with runtime.sessions.begin() as session:
        event = add_event(session, seats=1, starts_in=STARTS - NOW)
        user = WechatUser(openid="o-late", subscribed=True, created_at=NOW)
        session.add(user)
        session.flush()
        registration = add_registration(session, event, user.id, status=RegistrationStatus.OFFERED)
        registration_id = registration.id
    assert run(scheduler(runtime, DAY_BEFORE)) == []
    with runtime.sessions.begin() as session:
        session.get(Registration, registration_id).status = RegistrationStatus.CONFIRMED
    [sent] = run(scheduler(runtime, DAY_BEFORE + dt.timedelta(hours=3)))
    assert (sent.kind, sent.recipients) == ("remind-24h", 1)


def test_the_offsets_come_from_reminder_hours(runtime):
    lunch_with_registrants(runtime)
    hours = {"reminder_hours": [48, 0.5]}
    assert run(scheduler(runtime, STARTS - dt.timedelta(hours=49), **hours)) == []
    assert [s.kind for s in run(scheduler(runtime, DAY_BEFORE, **hours))] == ["remind-48h"]
    assert run(scheduler(runtime, TWO_HOURS_BEFORE, **hours)) == []
    assert [s.kind for s in run(scheduler(runtime, STARTS - 20 * MINUTE, **hours))] == ["remind-0.5h"]
    assert "约 30 分钟后开始" in pushes(runtime)[-1].text
