"""Running a feature's scheduled notices (handlers.notices.ScheduledNotices): select, queue, mark.

The feature decides what is due and how it is marked done; this module only queues. Each due notice
gets one transaction: its push is queued (scheduler.outbox) and the feature marks it done in the
same commit, so a run repeated after a crash, a late run or a new leader's run queues nothing twice.
A notice whose audience is empty today is marked done with no push.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from handlers.notices import Notice, ScheduledNotices
from handlers.settings import Settings
from scheduler.app import JobSpec
from scheduler.outbox import count_recipients, queue_push


def send_due_notices(sessions: sessionmaker[Session], notices: ScheduledNotices, *,
                     now: datetime, settings: Settings) -> list[Any]:
    """Queue and mark what `notices` says is due; returns what the feature reported per notice."""
    with sessions() as session:
        due = notices.due(session, now, settings)
    done = []
    for item in due:
        notice = item.notice
        with sessions() as session:
            push = None
            if count_recipients(session, notice.audience, notice.category):
                push = _queue(session, notice, now)
                for follow_up in notice.follow_ups:
                    _queue(session, follow_up, now)
            marked = notices.mark(session, item, push, now)
            if marked is None:  # another run marked it first: its push stands, ours goes
                session.rollback()
                continue
            session.commit()
        done.append(marked)
    return done


def _queue(session: Session, notice: Notice, now: datetime):
    return queue_push(session, text=notice.text, audience=notice.audience, kind=notice.kind,
                      created_by=notice.created_by, category=notice.category, url=notice.url,
                      custom_message=notice.custom_message, now=now)


def notice_job(job_id: str, func, notices: ScheduledNotices, settings: Settings) -> JobSpec:
    """The job list's entry for a feature's scheduled notices: `func(context)` on their schedule."""
    when = notices.schedule
    if isinstance(when, time):
        trigger = CronTrigger(hour=when.hour, minute=when.minute,
                              timezone=ZoneInfo(settings.timezone))
    else:
        trigger = IntervalTrigger(seconds=when.total_seconds())
    return JobSpec(job_id, func, trigger, notices.describe(settings))
