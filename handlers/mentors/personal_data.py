"""What 我的数据 shows and 注销 erases of mentoring (handlers.privacy calls these).

The export shows the other side of a request as the bot does (name, year, college) and their
contact only once the request was accepted: what they chose to share with this person, nothing
more. 注销 withdraws the mentor profile (open requests to it close and their mentees are told) and
the person's own open requests, then erases their contact wherever it was kept: the mentor row,
the requests they sent, and the acceptance notices that carried the mentor's contact to mentees.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.mentors.errors import MentorError
from handlers.mentors.offers import mentor_of, set_mentor_status
from handlers.mentors.requests import my_requests, withdraw_request
from handlers.notices import Notify
from models import ContactKind, MentorRequest, MentorStatus, Push, RequestStatus, WechatUser

ERASED = "（已注销）"
EXPORTED_REQUESTS = 1000


def export_mentoring(session: Session, user: WechatUser) -> dict[str, Any]:
    mentor = mentor_of(session, user)
    profile = None if mentor is None else {
        "number": mentor.id, "industry": mentor.industry, "city": mentor.city, "topics": mentor.topics,
        "contact_kind": mentor.contact_kind.value, "contact": mentor.contact_value,
        "monthly_cap": mentor.monthly_cap, "status": mentor.status.value, "since": mentor.created_at}
    own = {r.id: r for r in session.scalars(select(MentorRequest)
                                            .where(MentorRequest.mentee_user_id == user.id))}
    requests = []
    for view in my_requests(session, user, limit=EXPORTED_REQUESTS):
        mine = own.get(view.id) if view.sent else None
        requests.append({
            "number": view.id, "direction": "sent" if view.sent else "received",
            "other": view.other.line(),
            "message": view.message, "status": view.status.value, "created_at": view.created_at,
            "my_contact": (mine.contact_value or mine.contact_kind.value) if mine else None,
            "their_contact": view.contact.shown() if view.contact else None})
    return {"mentor": profile, "requests": requests}


def erase_mentoring(session: Session, user: WechatUser, *, now: dt.datetime,
                    notify: Notify | None) -> int:
    """Returns how many rows lost a contact or a message."""
    mentor = mentor_of(session, user)
    touched = 0
    if mentor is not None:
        if mentor.status is not MentorStatus.WITHDRAWN:
            set_mentor_status(session, user, MentorStatus.WITHDRAWN, now=now, notify=notify)
        _strip_from_notices(session, mentor.id, mentor.contact_value)
        mentor.contact_kind, mentor.contact_value = ContactKind.NONE, None
        mentor.topics, mentor.updated_at = "", now
        touched += 1
    sent = list(session.scalars(select(MentorRequest).where(MentorRequest.mentee_user_id == user.id)))
    for request in sent:
        if request.status is RequestStatus.OPEN:
            try:
                withdraw_request(session, user, request.id, now=now, notify=notify)
            except MentorError:  # answered meanwhile
                pass
    result = session.execute(update(MentorRequest).where(MentorRequest.mentee_user_id == user.id)
                             .values(contact_kind=ContactKind.NONE, contact_value=None, message=ERASED)
                             .execution_options(synchronize_session=False))
    session.flush()
    return touched + result.rowcount


def _strip_from_notices(session: Session, mentor_id: int, contact: str | None) -> None:
    """The acceptance notices queued to mentees carried the mentor's contact: take it out."""
    if not contact:
        return
    for push in session.scalars(select(Push).where(Push.created_by == "mentors:accept",
                                                   Push.text.contains(contact))):
        push.text = push.text.replace(contact, ERASED)
