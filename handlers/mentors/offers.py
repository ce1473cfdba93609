"""Becoming a mentor, pausing, resuming, withdrawing (bound alumni only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.directory.binding import bound_records
from handlers.directory.privacy import current_privacy
from handlers.mentors import texts
from handlers.mentors.contact import Contact
from handlers.mentors.errors import NOT_BOUND, MentorError
from handlers.mentors.settings import MentorSettings
from handlers.notices import Notify
from models import Mentor, MentorRequest, MentorStatus, Privacy, RequestStatus, WechatUser

FIELD_LIMITS = {"industry": ("行业", 64), "city": ("城市", 64), "topics": ("可以聊的话题", 200)}


def mentor_of(session: Session, user: WechatUser) -> Mentor | None:
    return session.scalar(select(Mentor).where(Mentor.wechat_user_id == user.id))


def is_hidden(session: Session, user: WechatUser) -> bool:
    records = bound_records(session, user)
    return bool(records) and current_privacy(records) is Privacy.HIDDEN


def clean_field(name: str, value: str) -> str:
    """One offered field, spaces folded; refused when empty or too long."""
    label, length = FIELD_LIMITS[name]
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise MentorError("invalid", f"请填写{label}。", 422)
    if len(cleaned) > length:
        raise MentorError("invalid", f"{label}太长了，请不超过 {length} 个字。", 422)
    return cleaned


def check_cap(value: int | str, settings: MentorSettings) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= settings.max_monthly_cap:
        raise MentorError("invalid", texts.cap_range(settings.max_monthly_cap), 422)
    return int(text)


def save_mentor(session: Session, user: WechatUser, *, industry: str, city: str, topics: str,
                contact: Contact, monthly_cap: int, now: datetime,
                settings: MentorSettings) -> Mentor:
    """Opt in, or update what one offers; an opt-in (again) makes the mentor active."""
    if not bound_records(session, user):
        raise MentorError(*NOT_BOUND)
    values = {"industry": clean_field("industry", industry), "city": clean_field("city", city),
              "topics": clean_field("topics", topics),
              "monthly_cap": check_cap(monthly_cap, settings),
              "contact_kind": contact.kind, "contact_value": contact.value}
    mentor = mentor_of(session, user)
    if mentor is None:
        mentor = Mentor(wechat_user_id=user.id, created_at=now, **values)
        session.add(mentor)
    else:
        for key, value in values.items():
            setattr(mentor, key, value)
    mentor.status, mentor.updated_at = MentorStatus.ACTIVE, now
    session.flush()
    return mentor


def set_mentor_status(session: Session, user: WechatUser, status: MentorStatus, *, now: datetime,
                      notify: Notify | None = None) -> Mentor:
    """Pause, resume or withdraw. Withdrawing closes the requests still waiting, and their mentees
    are told; pausing keeps them for the mentor to answer."""
    mentor = mentor_of(session, user)
    if mentor is None or mentor.status is MentorStatus.WITHDRAWN:
        raise MentorError("not_a_mentor", texts.NOT_A_MENTOR, 404)
    mentor.status, mentor.updated_at = MentorStatus(status), now
    if mentor.status is MentorStatus.WITHDRAWN:
        waiting = list(session.scalars(select(MentorRequest).where(
            MentorRequest.mentor_id == mentor.id, MentorRequest.status == RequestStatus.OPEN)))
        for request in waiting:
            request.status, request.answered_at = RequestStatus.CLOSED, now
        if waiting and notify is not None:
            for request in waiting:
                notify(session, [request.mentee_user_id], texts.request_closed(request.id), now,
                       created_by="mentors:withdraw")
    session.flush()
    return mentor
