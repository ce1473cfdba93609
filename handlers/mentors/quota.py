"""The limits: a mentor's monthly cap (requests received in a calendar month, local time) and a
mentee's open requests at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import MentorRequest, RequestStatus


def month_start(now: datetime, zone) -> datetime:
    """The first instant of `now`'s calendar month where the school is, in UTC."""
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def requests_this_month(session: Session, mentor_ids: list[int], *, now: datetime,
                        zone) -> dict[int, int]:
    """Requests each mentor received this month, whatever became of them (a withdrawn one was
    still a request the mentor was asked)."""
    if not mentor_ids:
        return {}
    return dict(session.execute(
        select(MentorRequest.mentor_id, func.count())
        .where(MentorRequest.mentor_id.in_(mentor_ids),
               MentorRequest.created_at >= month_start(now, zone))
        .group_by(MentorRequest.mentor_id)).all())


def open_requests(session: Session, mentee_user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(MentorRequest).where(
        MentorRequest.mentee_user_id == mentee_user_id,
        MentorRequest.status == RequestStatus.OPEN)) or 0
