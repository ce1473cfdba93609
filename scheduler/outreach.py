"""The yearly anniversary outreach: invite the classes whose graduation was N years ago (秩年).

Each year, from `scheduler.anniversary_outreach_date` on (local time), the classes that graduated
N years ago for N in `reunion.anniversary_years` — the class of 2016 in 2026 for N = 10 — get one
invitation push, to their bound alumni, through the outbox (`year:<class>` audience). The job runs
daily; an AnniversaryOutreach row per (year, class), written in the same transaction as the push
and guarded by a unique constraint, makes each class's invitation happen once a year, whether the
job runs again, late, or on a new leader after a failover. A class with nobody bound is recorded
too (0 recipients): the outreach is to those bound on the day it runs, not a standing offer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models.outreach import AnniversaryOutreach
from scheduler.outbox import count_recipients, queue_push

log = logging.getLogger(__name__)

INVITATION = (
    "【秩年返校邀请】{graduation_year} 届的校友，您好！今年是您毕业 {anniversary} 周年，"
    "{school}诚邀您与同窗重回母校看看。发送「返校」查看可预约的返校日期，"
    "或点击菜单「返校活动 → 秩年返校」。"
)
CREATED_BY = "scheduler:anniversary"


@dataclass(frozen=True)
class Invitation:
    graduation_year: int
    anniversary: int
    recipients: int
    push_id: int | None


def outreach_day(year: int, month_day: str) -> date:
    month, day = (int(part) for part in month_day.split("-"))
    return date(year, month, day)


def invite_anniversary_classes(sessions: sessionmaker[Session], *, now: datetime, zone: tzinfo,
                               years, outreach_date: str, school_name: str) -> list[Invitation]:
    """Queue this year's invitations not queued yet; returns those queued by this run."""
    today = now.astimezone(zone).date()
    if today < outreach_day(today.year, outreach_date):
        return []
    queued = []
    for anniversary in sorted(set(years)):
        invitation = _invite(sessions, today.year, today.year - anniversary, anniversary, now,
                             school_name)
        if invitation is not None:
            queued.append(invitation)
    return queued


def _invite(sessions: sessionmaker[Session], year: int, graduation_year: int, anniversary: int,
            now: datetime, school_name: str) -> Invitation | None:
    with sessions() as session, session.begin():
        done = session.scalar(select(AnniversaryOutreach.id).where(
            AnniversaryOutreach.year == year, AnniversaryOutreach.graduation_year == graduation_year))
        if done is not None:
            return None
        marker = AnniversaryOutreach(year=year, graduation_year=graduation_year,
                                     anniversary=anniversary, recipients=0, queued_at=now)
        try:
            with session.begin_nested():
                session.add(marker)
                session.flush()
        except IntegrityError:  # another run recorded it between our look and our insert
            return None
        audience = f"year:{graduation_year}"
        if count_recipients(session, audience):
            text = INVITATION.format(graduation_year=graduation_year, anniversary=anniversary,
                                     school=school_name)
            push = queue_push(session, text=text, audience=audience, kind="broadcast",
                              created_by=CREATED_BY, now=now)
            marker.push_id = push.id
            marker.recipients = push.recipient_count
    log.info("秩年返校邀请：%d 届（%d 周年），%d 位已绑定的校友", graduation_year, anniversary,
             marker.recipients)
    return Invitation(graduation_year, anniversary, marker.recipients, marker.push_id)
