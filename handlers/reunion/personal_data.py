"""What 我的数据 shows and 注销 erases of the reunion (handlers.privacy calls these).

A booking belongs to a class, not to the one who made it: on 注销 a future booking the person
made is cancelled exactly as 取消预约 does (its places, lodging, meals and venue go back and the
classmates are told), their place on a classmate's future booking is taken off with their
companions, and on past visits only their companions' names go: the visit and its headcount stay,
the school's record that the class came.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.notices import Notify
from handlers.reunion.booking import OPEN_STATUSES, BookingRefused, cancel, my_bookings
from handlers.settings import Settings
from models import WechatUser
from models.reunion import ReunionFeedback, ReunionMember

ERASED_COMPANION = "家属"


def export_reunions(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    """Every booking the person is on, with their own entry (companions, arrival, feedback)."""
    out = []
    for mine in my_bookings(session, user):
        b, m = mine.booking, mine.member
        feedback = session.scalar(select(ReunionFeedback).where(ReunionFeedback.member_id == m.id))
        out.append({
            "booking": b.id, "day": b.day.day.isoformat(), "status": b.status.value,
            "college": b.college, "graduation_year": b.graduation_year, "is_contact": m.is_contact,
            "people": b.people, "note": b.note if m.is_contact else None,
            "companions": list(m.companions or []), "joined_at": m.joined_at,
            "arrived_at": m.arrived_at,
            "feedback": ({"score": feedback.score, "text": feedback.text} if feedback else None),
        })
    return out


def erase_reunions(session: Session, user: WechatUser, *, now: dt.datetime, settings: Settings,
                   notify: Notify | None) -> int:
    """Cancel what is to come, strip names from what is past; returns the bookings touched.
    Runs while the person is still bound: cancelling checks that the booking is their class's."""
    touched = 0
    for mine in my_bookings(session, user):
        booking, member = mine.booking, mine.member
        future = booking.status in OPEN_STATUSES and booking.day.day >= now.date()
        if future and member.is_contact:
            try:
                cancel(session, user, booking.id, now=now, settings=settings, notify=notify)
            except BookingRefused:  # too late to cancel (the day has begun): it stays as it is
                pass
            else:
                booking.note = None
                touched += 1
                continue
        if future and not member.is_contact:
            session.execute(delete(ReunionMember).where(ReunionMember.id == member.id))
        else:
            member.companions = [ERASED_COMPANION] * len(member.companions or [])
            member.wechat_user_id = None
            if member.is_contact:
                booking.note = None
            for feedback in session.scalars(select(ReunionFeedback)
                                            .where(ReunionFeedback.member_id == member.id)):
                feedback.text = None
        touched += 1
    session.flush()
    return touched
