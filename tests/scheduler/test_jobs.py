"""The scheduler's jobs, run directly with a context: delivery (scheduled broadcasts included),
the yearly anniversary outreach, the message-log clean-up, and the registry itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from handlers.reunion.settings import ReunionSettings
from handlers.settings import Settings
from models.message_log import MessageLog
from models.outreach import AnniversaryOutreach
from models.push import Delivery, DeliveryStatus, Push
from scheduler.jobs import Delivery as DeliveryParts
from scheduler.jobs import (
    JobContext,
    JobSettings,
    anniversary_outreach,
    clean_up,
    deliver_pushes,
    scheduled_jobs,
)
from scheduler.outbox import queue_push
from tests.push.support import FakeLimiter, FakeSender, add_user, bind

MARCH_2 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def context(runtime, now=MARCH_2, features=None, **settings) -> JobContext:
    return JobContext(sessions=runtime.sessions, store=runtime.store,
                      settings=JobSettings(**settings), features=features or Settings(),
                      clock=Clock(now))


def reunion(**values) -> Settings:
    return Settings(school_name="示例大学", reunion=ReunionSettings(**values))


def test_a_scheduled_broadcast_goes_out_on_the_first_delivery_run_after_its_time(runtime):
    with runtime.sessions.begin() as session:
        user = add_user(session, messaged=timedelta(minutes=5), now=MARCH_2)
        push = queue_push(session, text="周六校庆，欢迎回家", audience=f"users:{user.id}",
                          kind="broadcast", at=MARCH_2 + timedelta(hours=2), now=MARCH_2)
    sender = FakeSender()
    ctx = context(runtime, delivery_batch=10)
    ctx.delivery = DeliveryParts(sender, FakeLimiter())
    assert deliver_pushes(ctx) == 0 and sender.sent == []  # not yet its time
    ctx.clock.now = MARCH_2 + timedelta(hours=2, seconds=1)
    assert deliver_pushes(ctx) == 1
    assert [m.address for m in sender.sent] == [user.openid]
    with runtime.sessions() as session:
        assert session.scalar(select(Delivery.status).where(Delivery.push_id == push.id)) == \
            DeliveryStatus.SENT


def test_one_delivery_run_drains_batch_after_batch(runtime):
    with runtime.sessions.begin() as session:
        users = [add_user(session, messaged=timedelta(minutes=5), now=MARCH_2) for _ in range(7)]
        queue_push(session, text="通知", audience="users:" + ",".join(str(u.id) for u in users),
                   kind="broadcast", now=MARCH_2)
    sender = FakeSender()
    ctx = context(runtime, delivery_batch=3)
    ctx.delivery = DeliveryParts(sender, FakeLimiter())
    assert deliver_pushes(ctx) == 7
    assert sorted(m.address for m in sender.sent) == sorted(u.openid for u in users)


def test_a_delivery_tick_during_a_running_drain_returns_at_once(runtime):
    ctx = context(runtime)
    ctx.delivery = DeliveryParts(FakeSender(), FakeLimiter())
    with ctx._delivering:
        assert deliver_pushes(ctx) == 0


def test_anniversary_outreach_invites_each_anniversary_class_once_a_year(runtime):
    with runtime.sessions.begin() as session:
        tenth = [bind(session, add_user(session, now=MARCH_2), 2016) for _ in range(3)]
        bind(session, add_user(session, now=MARCH_2), 2006)  # 20 years
        bind(session, add_user(session, now=MARCH_2), 2015)  # 11 years: not an anniversary
    ctx = context(runtime, features=reunion(anniversary_years=[10, 20, 30]))
    invited = anniversary_outreach(ctx)
    assert [(i.graduation_year, i.recipients) for i in invited] == [(2016, 3), (2006, 1), (1996, 0)]
    assert anniversary_outreach(ctx) == []  # the next day's run, or a new leader's: nothing twice
    with runtime.sessions() as session:
        pushes = session.scalars(select(Push).order_by(Push.id)).all()
        assert [p.audience for p in pushes] == ["year:2016", "year:2006"]
        assert "2016 届" in pushes[0].text and "10 周年" in pushes[0].text and "示例大学" in pushes[0].text
        assert session.scalar(select(func.count()).select_from(Delivery)
                              .where(Delivery.push_id == pushes[0].id)) == len(tenth)
        assert session.scalar(select(func.count()).select_from(AnniversaryOutreach)) == 3


def test_anniversary_outreach_waits_for_its_date_and_comes_again_next_year(runtime):
    with runtime.sessions.begin() as session:
        bind(session, add_user(session, now=MARCH_2), 2016)
        bind(session, add_user(session, now=MARCH_2), 2017)
    tenth = reunion(anniversary_years=[10], anniversary_outreach_date="03-01")
    early = context(runtime, now=datetime(2026, 2, 28, 2, 0, tzinfo=UTC), features=tenth)
    assert anniversary_outreach(early) == []
    # 1 March 00:30 in Beijing is still 28 February in UTC: the local date counts.
    on_the_day = context(runtime, now=datetime(2026, 2, 28, 16, 30, tzinfo=UTC), features=tenth)
    assert [i.graduation_year for i in anniversary_outreach(on_the_day)] == [2016]
    next_year = context(runtime, now=datetime(2027, 3, 5, 2, 0, tzinfo=UTC), features=tenth)
    assert [i.graduation_year for i in anniversary_outreach(next_year)] == [2017]


def test_an_invitation_another_run_recorded_first_queues_nothing(runtime):
    import dataclasses

    from handlers.reunion.outreach import ANNIVERSARY_INVITATIONS, invitations_due
    from scheduler.notices import send_due_notices

    with runtime.sessions.begin() as session:
        bind(session, add_user(session, now=MARCH_2), 2016)
    features = reunion(anniversary_years=[10])

    def due_then_raced(session, now, settings):
        due = invitations_due(session, now, settings)
        with runtime.sessions.begin() as other:  # a second leader, between our look and our mark
            other.add(AnniversaryOutreach(year=2026, graduation_year=2016, anniversary=10,
                                          recipients=0, queued_at=now))
        return due

    raced = dataclasses.replace(ANNIVERSARY_INVITATIONS, due=due_then_raced)
    assert send_due_notices(runtime.sessions, raced, now=MARCH_2, settings=features) == []
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Push)) == 0
        assert session.scalar(select(func.count()).select_from(AnniversaryOutreach)) == 1


def test_the_anniversary_invitation_is_listed_at_ten_local_once_bookings_open(runtime, monkeypatch):
    monkeypatch.setattr("scheduler.jobs.BOOKINGS_OPEN", True)
    ctx = context(runtime, features=reunion(anniversary_outreach_date="04-01"))
    jobs = {j.id: j for j in scheduled_jobs(ctx)}
    outreach = jobs["anniversary-outreach"]
    assert "hour='10', minute='0'" in str(outreach.trigger)
    assert str(outreach.trigger.timezone) == "Asia/Shanghai"
    assert "04-01" in outreach.description
    assert [i.graduation_year for i in outreach.func(ctx)] == []  # 2 March: before 1 April


def test_notices_scanned_every_few_minutes_get_an_interval_job():
    import dataclasses

    from handlers.reunion.outreach import ANNIVERSARY_INVITATIONS
    from scheduler.notices import notice_job

    reminders = dataclasses.replace(ANNIVERSARY_INVITATIONS, schedule=timedelta(minutes=5))
    spec = notice_job("event-reminders", clean_up, reminders, Settings())
    assert str(spec.trigger) == "interval[0:05:00]"


def _log(session, openid: str, at: datetime) -> None:
    session.add(MessageLog(openid=openid, received_at=at, msg_type="text", content="你好"))


def test_clean_up_deletes_message_log_rows_past_the_retention_only(runtime, monkeypatch):
    monkeypatch.setattr("scheduler.jobs.CLEANUP_CHUNK", 4)  # several chunks
    with runtime.sessions.begin() as session:
        for days in range(10):
            _log(session, f"o-old-{days}", MARCH_2 - timedelta(days=181 + days))
        _log(session, "o-recent", MARCH_2 - timedelta(days=179))
    assert clean_up(context(runtime, message_log_retention_days=180)) == 10
    with runtime.sessions() as session:
        assert session.scalars(select(MessageLog.openid)).all() == ["o-recent"]
    assert clean_up(context(runtime, message_log_retention_days=180)) == 0


def test_the_registry_holds_each_job_the_context_can_run(runtime):
    bare = context(runtime)
    reunion_jobs = ["anniversary-outreach", "reunion-reminders", "reunion-thanks", "event-offers",
                    "event-reminders"]
    assert [j.id for j in scheduled_jobs(bare)] == ["clean-up", "privacy-retention", *reunion_jobs]
    full = context(runtime, alumni_tag="已认证校友")
    full.delivery = DeliveryParts(FakeSender(), FakeLimiter())
    full.wechat = object()
    jobs = {j.id: j for j in scheduled_jobs(full)}
    assert list(jobs) == ["deliver-pushes", "clean-up", "privacy-retention", *reunion_jobs, "link-unionids",
                          "sync-alumni-tag"]
    assert str(jobs["reunion-reminders"].trigger) == "interval[0:05:00]"
    assert str(jobs["event-offers"].trigger) == "interval[0:02:00]"
    assert str(jobs["event-reminders"].trigger) == "interval[0:05:00]"
    assert "24 小时、2 小时" in jobs["event-reminders"].description
    assert str(jobs["deliver-pushes"].trigger) == "interval[0:00:02]"
    assert "03:30" in jobs["clean-up"].description


def test_no_reunion_job_is_scheduled_while_reunion_bookings_are_closed(runtime, monkeypatch):
    # The invitation tells classes to send 「返校」: with bookings closed it would lead nowhere.
    monkeypatch.setattr("scheduler.jobs.BOOKINGS_OPEN", False)
    full = context(runtime, alumni_tag="已认证校友")
    full.delivery = DeliveryParts(FakeSender(), FakeLimiter())
    full.wechat = object()
    ids = {j.id for j in scheduled_jobs(full)}
    assert not ids & {"anniversary-outreach", "reunion-reminders", "reunion-thanks"}


def test_delivery_threads_keep_that_many_calls_in_flight(runtime):
    import threading

    with runtime.sessions.begin() as session:
        users = [add_user(session, messaged=timedelta(minutes=5), now=MARCH_2) for _ in range(6)]
        queue_push(session, text="通知", audience="users:" + ",".join(str(u.id) for u in users),
                   kind="broadcast", now=MARCH_2)
    together = threading.Barrier(3, timeout=10)  # passes only with three sends out at once
    sender = FakeSender()
    sender.during_send = lambda message: together.wait()
    ctx = context(runtime, delivery_batch=6, delivery_threads=3)  # two rows a claim, a lane
    ctx.delivery = DeliveryParts(sender, FakeLimiter())
    assert deliver_pushes(ctx) == 6
    assert sorted(m.address for m in sender.sent) == sorted(u.openid for u in users)
    with runtime.sessions() as session:
        lanes = set(session.scalars(select(Delivery.claimed_by)))
    assert lanes == {"scheduler#1", "scheduler#2", "scheduler#3"}


def test_delivery_lanes_share_the_rate_in_the_group_rule():
    from wechat_bot.push_sender import group_size

    assert group_size(120, 5, 20, threads=4) == 11  # 11 × (5 s + 4/20 s) = 57.2 s, inside 60 s
    assert group_size(120, 5, 20, threads=16) == 10  # each lane's turn only every 0.8 s
