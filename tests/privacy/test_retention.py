"""The daily privacy-retention job, run through the scheduler's registry with a clock of its own:
search and binding logs older than their days go, in batches, and newer ones stay; a finished
push's per-recipient rows past their days forget the recipient and keep the result, while newer
rows and rows still waiting keep theirs."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.privacy.settings import PrivacySettings
from handlers.settings import Settings
from models import Delivery, WechatUser
from models.audit import BindingEvent, SearchLog
from models.push import DeliveryStatus
from scheduler.jobs import JobContext, JobSettings, scheduled_jobs
from scheduler.outbox import queue_push
from wechat_bot.config import ConfigError, load_config

NOW = datetime(2026, 12, 7, 19, 45, tzinfo=UTC)


def _run(runtime, privacy: PrivacySettings):
    ctx = JobContext(sessions=runtime.sessions, store=runtime.store, settings=JobSettings(),
                     features=dataclasses.replace(Settings(), privacy=privacy), clock=lambda: NOW)
    job = {j.id: j for j in scheduled_jobs(ctx)}["privacy-retention"]
    assert "03:45" in job.description
    return job.func(ctx)


def test_the_retention_job_purges_only_rows_past_their_days(runtime):
    with runtime.sessions.begin() as session:
        user = WechatUser(openid="o-wang", subscribed=True, created_at=NOW - timedelta(days=800))
        session.add(user)
        session.flush()
        for days in (200, 190, 181, 179, 1):
            session.add(SearchLog(wechat_user_id=user.id, searched_at=NOW - timedelta(days=days),
                                  channel="bot", query=f"查找 {days}", hits=1))
        for days in (400, 30):
            session.add(BindingEvent(wechat_user_id=user.id, kind="failed", channel="bot",
                                     at=NOW - timedelta(days=days)))
        old = queue_push(session, text="去年的通知", audience=f"users:{user.id}", kind="notification",
                         now=NOW - timedelta(days=400))
        recent = queue_push(session, text="上周的通知", audience=f"users:{user.id}", kind="notification",
                            now=NOW - timedelta(days=7))
        waiting = queue_push(session, text="很久以前排队、仍未发出", audience=f"users:{user.id}",
                             kind="notification", now=NOW - timedelta(days=400))
        session.flush()
        for push, days in ((old, 400), (recent, 7)):
            for row in session.scalars(select(Delivery).where(Delivery.push_id == push.id)):
                row.status, row.finished_at = DeliveryStatus.SENT, NOW - timedelta(days=days)
        pushes = old.id, recent.id, waiting.id

    purged = _run(runtime, PrivacySettings(purge_batch=2))   # several batches
    assert (purged.searches, purged.binding_events, purged.deliveries) == (3, 1, 1)
    with runtime.sessions() as session:
        assert sorted(session.scalars(select(SearchLog.query))) == ["查找 1", "查找 179"]
        assert [e.at.date() for e in session.scalars(select(BindingEvent))] == \
            [(NOW - timedelta(days=30)).date()]
        rows = {d.push_id: d for d in session.scalars(select(Delivery))}
        assert rows[pushes[0]].wechat_user_id is None and rows[pushes[0]].status is DeliveryStatus.SENT
        assert rows[pushes[1]].wechat_user_id is not None
        assert rows[pushes[2]].wechat_user_id is not None   # still waiting: not a record yet
    again = _run(runtime, PrivacySettings())
    assert (again.searches, again.binding_events, again.deliveries) == (0, 0, 0)


def test_a_bad_privacy_setting_is_refused_with_one_line_naming_its_key():
    with pytest.raises(ConfigError, match=r"privacy\.export_link_minutes"):
        load_config(environ={"ALUMNI_BOT_PRIVACY_EXPORT_LINK_MINUTES": "0"})
    assert load_config(environ={"ALUMNI_BOT_PRIVACY_SEARCH_LOG_DAYS": "30"}).privacy.search_log_days == 30
