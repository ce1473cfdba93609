"""The dashboard's mentor numbers: listed mentors, requests waiting, accepted this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.mentors.people import visible_mentor
from handlers.mentors.quota import month_start
from models import Mentor, MentorRequest, MentorStatus, RequestStatus


@dataclass(frozen=True)
class MentorNumbers:
    mentors: int              # active and visible: what alumni can find
    open_requests: int        # waiting for a mentor's answer
    accepted_this_month: int  # accepted since the 1st, local time


def mentor_numbers(session: Session, *, now: datetime, zone) -> MentorNumbers:
    def count(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return MentorNumbers(
        mentors=count(Mentor, Mentor.status == MentorStatus.ACTIVE, visible_mentor()),
        open_requests=count(MentorRequest, MentorRequest.status == RequestStatus.OPEN),
        accepted_this_month=count(MentorRequest, MentorRequest.status == RequestStatus.ACCEPTED,
                                  MentorRequest.answered_at >= month_start(now, zone)))
