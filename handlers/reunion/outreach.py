"""The yearly anniversary outreach: invite the classes whose graduation was N years ago (秩年).

Each year, from `scheduler.anniversary_outreach_date` on (local time; ReunionSettings carries it),
the classes that graduated N years ago for N in `reunion.anniversary_years` — the class of 2016 in
2026 for N = 10 — get one invitation push, to their bound alumni (`year:<class>` audience). The
scheduler looks daily (scheduler.jobs, through scheduler.notices); an AnniversaryOutreach row per
(year, class), written in the same transaction as the push and guarded by a unique constraint,
makes each class's invitation happen once a year, whether the job runs again, late, or on a new
leader after a failover. A class with nobody bound is recorded too (0 recipients): the outreach is
to those bound on the day it runs, not a standing offer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.notices import Notice, ScheduledNotices
from handlers.settings import Settings
from models.outreach import AnniversaryOutreach
from models.push import Push

log = logging.getLogger(__name__)

INVITATION = (
    "【秩年返校邀请】{graduation_year} 届的校友，您好！今年是您毕业 {anniversary} 周年，"
    "{school}诚邀您与同窗重回母校看看。发送「返校」查看可预约的返校日期，"
    "或点击菜单「返校活动 → 秩年返校」。"
)
CREATED_BY = "scheduler:anniversary"
CHECKED_AT = time(10, 0)  # local: an invitation arrives in the morning, not at midnight


@dataclass(frozen=True)
class ClassInvitation:
    """One class due its invitation this year."""

    year: int
    graduation_year: int
    anniversary: int
    notice: Notice


@dataclass(frozen=True)
class Invitation:
    """One class invited: what the job reports."""

    graduation_year: int
    anniversary: int
    recipients: int
    push_id: int | None


def outreach_day(year: int, month_day: str) -> date:
    month, day = (int(part) for part in month_day.split("-"))
    return date(year, month, day)


def invitations_due(session: Session, now: datetime, settings: Settings) -> list[ClassInvitation]:
    """This year's anniversary classes not invited yet, once the outreach day has come."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    reunion = settings.reunion
    if today < outreach_day(today.year, reunion.anniversary_outreach_date):
        return []
    invited = set(session.scalars(select(AnniversaryOutreach.graduation_year)
                                  .where(AnniversaryOutreach.year == today.year)))
    due = []
    for anniversary in sorted(set(reunion.anniversary_years)):
        graduation_year = today.year - anniversary
        if graduation_year in invited:
            continue
        text = INVITATION.format(graduation_year=graduation_year, anniversary=anniversary,
                                 school=settings.school_name)
        notice = Notice(text=text, audience=f"year:{graduation_year}", kind="broadcast",
                        created_by=CREATED_BY)
        due.append(ClassInvitation(today.year, graduation_year, anniversary, notice))
    return due


def mark_invited(session: Session, invitation: ClassInvitation, push: Push | None,
                 now: datetime) -> Invitation | None:
    """Record the class as invited this year with its push; None if another run recorded it."""
    recipients = push.recipient_count if push is not None else 0
    try:
        with session.begin_nested():
            session.add(AnniversaryOutreach(
                year=invitation.year, graduation_year=invitation.graduation_year,
                anniversary=invitation.anniversary, recipients=recipients,
                push_id=push.id if push is not None else None, queued_at=now))
    except IntegrityError:  # another run recorded it between our look and our insert
        return None
    log.info("秩年返校邀请：%d 届（%d 周年），%d 位已绑定的校友", invitation.graduation_year,
             invitation.anniversary, recipients)
    return Invitation(invitation.graduation_year, invitation.anniversary, recipients,
                      push.id if push is not None else None)


ANNIVERSARY_INVITATIONS = ScheduledNotices(
    describe=lambda settings: (f"每年 {settings.reunion.anniversary_outreach_date} 起邀请秩年校友返校"
                               f"（每天 {CHECKED_AT:%H:%M} 检查）"),
    schedule=CHECKED_AT,
    due=invitations_due,
    mark=mark_invited,
)
