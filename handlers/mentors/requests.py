"""Requests between alumni: a mentee asks (a sentence and the contact they share), the mentor
accepts or declines, the mentee may withdraw while it waits. Every step reaches the other side
through the push outbox (`notify`). Contacts cross only on acceptance (`RequestView.contact`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from handlers.directory.binding import bound_records
from handlers.mentors import texts
from handlers.mentors.contact import Contact
from handlers.mentors.errors import NOT_BOUND, MentorError
from handlers.mentors.offers import mentor_of
from handlers.mentors.people import PublicPerson, public_people, visible_mentor
from handlers.mentors.quota import open_requests, requests_this_month
from handlers.notices import Notify
from handlers.settings import Settings
from models import Mentor, MentorRequest, MentorStatus, RequestStatus, WechatUser

MAX_MESSAGE = 200
MAX_ID = 2**31 - 1


def requestable_mentor(session: Session, mentee: WechatUser, mentor_id: int, *, now: datetime,
                       settings: Settings, lock: bool = False) -> Mentor:
    """The mentor `mentee` may ask now, or a MentorError saying why not."""
    if not bound_records(session, mentee):
        raise MentorError(*NOT_BOUND)
    query = select(Mentor).where(Mentor.id == mentor_id, visible_mentor())
    if lock:  # two requests at once cannot both take the last place of the month (PostgreSQL)
        query = query.with_for_update(of=Mentor)
    mentor = session.scalar(query) if 0 < mentor_id <= MAX_ID else None
    if mentor is None or mentor.status is MentorStatus.WITHDRAWN:
        raise MentorError("no_such_mentor", texts.no_such_mentor(mentor_id), 404)
    if mentor.wechat_user_id == mentee.id:
        raise MentorError("own_offer", texts.OWN_OFFER, 409)
    if mentor.status is MentorStatus.PAUSED:
        raise MentorError("mentor_paused", texts.MENTOR_PAUSED, 409)
    if session.scalar(select(MentorRequest.id).where(
            MentorRequest.mentor_id == mentor.id, MentorRequest.mentee_user_id == mentee.id,
            MentorRequest.status.in_((RequestStatus.OPEN, RequestStatus.ACCEPTED)))):
        raise MentorError("already_requested", texts.ALREADY_REQUESTED, 409)
    limit = settings.mentors.max_open_requests
    if open_requests(session, mentee.id) >= limit:
        raise MentorError("too_many_open", texts.too_many_open(limit), 429)
    used = requests_this_month(session, [mentor.id], now=now, zone=ZoneInfo(settings.timezone))
    if used.get(mentor.id, 0) >= mentor.monthly_cap:
        raise MentorError("mentor_full", texts.MENTOR_FULL, 409)
    return mentor


def clean_message(message: str) -> str:
    cleaned = " ".join((message or "").split())
    if not cleaned:
        raise MentorError("invalid", texts.REQUEST_USAGE, 422)
    if len(cleaned) > MAX_MESSAGE:
        raise MentorError("invalid", f"请把想请教的话写在 {MAX_MESSAGE} 字以内。", 422)
    return cleaned


def send_request(session: Session, mentee: WechatUser, mentor_id: int, message: str,
                 contact: Contact, *, now: datetime, settings: Settings,
                 notify: Notify | None) -> MentorRequest:
    message = clean_message(message)
    # The mentee's row too, so two requests sent at once cannot both take the last open place.
    session.execute(select(WechatUser.id).where(WechatUser.id == mentee.id).with_for_update())
    mentor = requestable_mentor(session, mentee, mentor_id, now=now, settings=settings, lock=True)
    request = MentorRequest(mentor_id=mentor.id, mentee_user_id=mentee.id, message=message,
                            contact_kind=contact.kind, contact_value=contact.value, created_at=now)
    session.add(request)
    session.flush()
    if notify is not None:
        who = public_people(session, [mentee.id])[mentee.id]
        notify(session, [mentor.wechat_user_id], texts.request_notice(request.id, who, message),
               now, created_by="mentors:request")
    return request


def answer_request(session: Session, mentor_user: WechatUser, request_id: int, *, accept: bool,
                   now: datetime, notify: Notify | None) -> MentorRequest:
    """The mentor accepts or declines a request that waits; the mentee is told (and on acceptance
    given the mentor's contact choice). Bound alumni only: an unbound mentor is off the list and
    answers nothing."""
    if not bound_records(session, mentor_user):
        raise MentorError(*NOT_BOUND)
    request = _request_to(session, mentor_user, request_id)
    if request.status is not RequestStatus.OPEN:
        raise MentorError("already_answered", texts.already_answered(request.id, request.status), 409)
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.answered_at = now
    session.flush()
    if notify is not None:
        mentor = public_people(session, [mentor_user.id]).get(mentor_user.id)
        name = mentor.name if mentor else "导师"
        text = (texts.accepted_notice(request.id, name, _contact(request.mentor))
                if accept else texts.declined_notice(request.id, name))
        notify(session, [request.mentee_user_id], text, now,
               created_by="mentors:accept" if accept else "mentors:decline")
    return request


def withdraw_request(session: Session, mentee: WechatUser, request_id: int, *, now: datetime,
                     notify: Notify | None) -> MentorRequest:
    request = session.get(MentorRequest, request_id) if 0 < request_id <= MAX_ID else None
    if request is None or request.mentee_user_id != mentee.id:
        raise MentorError("no_such_request", texts.no_such_sent(request_id), 404)
    if request.status is not RequestStatus.OPEN:
        raise MentorError("already_answered", texts.already_answered(request.id, request.status), 409)
    request.status, request.answered_at = RequestStatus.WITHDRAWN, now
    session.flush()
    if notify is not None:
        notify(session, [request.mentor.wechat_user_id], texts.withdrawn_notice(request.id), now,
               created_by="mentors:withdraw")
    return request


@dataclass(frozen=True)
class RequestView:
    """One request as one side sees it: `other` is the other side, `contact` theirs, and only once
    the request is accepted (None before)."""

    id: int
    sent: bool  # True: I asked; False: I was asked
    other: PublicPerson
    mentor_id: int
    industry: str
    message: str
    status: RequestStatus
    created_at: datetime
    contact: Contact | None


def my_requests(session: Session, user: WechatUser, limit: int = 20) -> list[RequestView]:
    """The user's requests both ways, newest first."""
    mine = mentor_of(session, user)
    condition = MentorRequest.mentee_user_id == user.id
    if mine is not None:
        condition = or_(condition, MentorRequest.mentor_id == mine.id)
    rows = list(session.scalars(select(MentorRequest).where(condition)
                                .order_by(MentorRequest.id.desc()).limit(limit)))
    others = public_people(session, [r.mentor.wechat_user_id for r in rows]
                           + [r.mentee_user_id for r in rows])
    views = []
    for r in rows:
        sent = r.mentee_user_id == user.id
        other_id = r.mentor.wechat_user_id if sent else r.mentee_user_id
        other = others.get(other_id) or PublicPerson("（已解绑的校友）", 0, None)
        accepted = r.status is RequestStatus.ACCEPTED
        contact = (_contact(r.mentor) if sent else Contact(r.contact_kind, r.contact_value)) \
            if accepted else None
        views.append(RequestView(r.id, sent, other, r.mentor_id, r.mentor.industry, r.message,
                                 r.status, r.created_at, contact))
    return views


def _request_to(session: Session, mentor_user: WechatUser, request_id: int) -> MentorRequest:
    request = session.get(MentorRequest, request_id) if 0 < request_id <= MAX_ID else None
    if request is None or request.mentor.wechat_user_id != mentor_user.id:
        raise MentorError("no_such_request", texts.no_such_received(request_id), 404)
    return request


def _contact(mentor: Mentor) -> Contact:
    return Contact(mentor.contact_kind, mentor.contact_value)
