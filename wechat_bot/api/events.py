"""校友活动 in the mini-program: the events one may join, signing up, cancelling, taking an offered
seat, my events.

Thin over handlers.events (browse, signup, waitlist): the same rules and the same Chinese reasons
as the bot's 活动, 报名, 取消报名, 确认 and 我的活动. What this door adds is the outbox: whoever is
offered a freed seat hears of it through WeChat (notify_users).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from handlers.events import audience as audiences
from handlers.events import texts
from handlers.events.bot import signed_up_text
from handlers.events.browse import Listed, visible_events, waiting_count
from handlers.events.signup import (
    Extras,
    SignupRefused,
    cancel,
    confirm,
    get_event,
    my_registrations,
    place_in_line,
    questions,
    registration_of,
    sign_up,
    signup_open,
)
from models.event import Event, Registration, RegistrationStatus
from wechat_bot.api.context import CHANNEL, current_user, now, settings
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import Body, text
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("events", __name__)

# A refusal's code (handlers.events.signup) → the status the mini-program gets.
STATUS = {
    "not_found": 404, "not_in_audience": 403, "not_registered": 404,
    "already_registered": 409, "already_cancelled": 409, "no_offer": 409, "offer_lapsed": 409,
    "cancelled": 409, "closed": 409, "started": 409, "not_yet": 409, "window_over": 409,
    "bad_input": 422,
}


# --- shapes ----------------------------------------------------------------------------------------

class MyRegistrationOut(BaseModel):
    id: int = Field(description="活动报名号")
    status: str = Field(description="confirmed / waitlisted / offered / cancelled")
    status_name: str
    guests: int
    place_in_line: int | None = Field(description="候补中的位次（1 为下一位），不在候补时为空")
    offer_expires_at: dt.datetime | None = Field(description="保留名额的确认截止时间（offered 时）")
    checked_in: bool
    shirt_size: str | None
    answers: dict[str, str]


class EventOut(BaseModel):
    id: int = Field(description="活动编号（公众号里「报名 编号」的编号）")
    title: str
    kind: str
    description: str | None
    picture_url: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    latitude: float | None
    longitude: float | None
    seats: int
    seats_left: int
    waiting: int = Field(description="候补人数")
    signup_opens_at: dt.datetime | None
    signup_closes_at: dt.datetime | None
    signup_open: bool = Field(description="现在是否可以报名")
    signup_note: str | None = Field(description="不能报名时的原因")
    status: str = Field(description="open / closed / cancelled")
    audience: str = Field(description="报名范围的中文说明")
    max_guests: int
    ask_shirt_size: bool
    questions: list[str]
    mine: MyRegistrationOut | None = Field(description="我的报名（没有或已取消时为空）")


class EventsOut(BaseModel):
    items: list[EventOut]


class RegistrationIn(Body):
    guests: int = Field(0, ge=0, le=100, description="同行人数（不超过活动的 max_guests）")
    shirt_size: str | None = Field(None, max_length=8, description="T 恤尺码（活动要求时必填）：" + " / ".join(texts.SHIRT_SIZES))
    answers: dict[text(200, 1), text(texts.ANSWER_CHARS)] = Field(
        default_factory=dict, max_length=20, description="活动问题的回答：{问题: 回答}，每个问题都要回答")


class RegistrationOut(BaseModel):
    event: EventOut
    registration: MyRegistrationOut
    waitlisted: bool = Field(description="名额已满，进入候补")
    message: str = Field(description="给校友看的说明，与公众号的回复相同")


class MyEventOut(BaseModel):
    event: EventOut
    registration: MyRegistrationOut


class MyEventsOut(BaseModel):
    items: list[MyEventOut]


# --- views -----------------------------------------------------------------------------------------

@bp.get("/events")
@operation(ok=EventsOut, tags=["events"])
def list_events():
    """我可以报名的近期活动（开放中、尚未开始、在报名范围内），时间最近的在前。"""
    config = settings()
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        listed = visible_events(session, user.id, now=now(), settings=config)
        return EventsOut(items=[_event_out(session, item.event, user.id, item) for item in listed])


@bp.get("/events/<int:event_id>")
@operation(ok=EventOut, errors=(403, 404), tags=["events"])
def get_one(event_id: int):
    """一个活动的详情、余量与我的报名。草稿 404；不在报名范围内且未报名时 403 `not_in_audience`。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            event = get_event(session, event_id)
        except SignupRefused as refused:
            raise _refusal(refused) from None
        if registration_of(session, event.id, user.id) is None and not audiences.may_join(session, event, user.id):
            raise ApiError(403, "not_in_audience", texts.R_AUDIENCE.format(
                title=event.title, audience=audiences.label(session, event.audience)))
        return _event_out(session, event, user.id)


@bp.post("/events/<int:event_id>/registrations")
@operation(ok=RegistrationOut, status=201, errors=(403, 404, 409), tags=["events"])
def register(event_id: int, json: RegistrationIn):
    """报名活动：有名额即报名成功，名额已满则进入候补（`waitlisted`，`place_in_line` 为位次）。

    拒绝时给出原因：活动已取消、已停止报名、已开始、未到或已过报名时间、已报名（409），
    不在报名范围内（403），同行人数、T 恤尺码或问题的回答不合要求（422）。"""
    config = settings()
    with current_runtime().sessions() as session:
        user = current_user(session)
        try:
            # It commits (the event row's lock ends with its last statement), so the answer's
            # reads below (the event's counters, the line) run after it, not under that lock.
            done = sign_up(session, user, event_id, Extras(guests=json.guests, shirt_size=json.shirt_size,
                                                           answers=dict(json.answers)),
                           now=now(), settings=config, channel=CHANNEL, commit=True)
        except SignupRefused as refused:
            session.rollback()
            raise _refusal(refused) from None
        message = signed_up_text(done, config)
        return RegistrationOut(event=_event_out(session, done.event, user.id),
                               registration=_registration_out(session, done.registration),
                               waitlisted=done.waitlisted, message=message), 201


@bp.delete("/events/<int:event_id>/registrations/me")
@operation(ok=MyEventOut, errors=(404, 409), tags=["events"])
def unregister(event_id: int):
    """取消报名（或退出候补、放弃保留的名额）。空出的名额按候补顺序保留给下一位，并通知对方。"""
    config = settings()
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            registration, _ = cancel(session, user, event_id, now=now(), settings=config, notify=notify_users)
        except SignupRefused as refused:
            raise _refusal(refused) from None
        return MyEventOut(event=_event_out(session, registration.event, user.id),
                          registration=_registration_out(session, registration))


@bp.post("/events/<int:event_id>/registrations/me/confirm")
@operation(ok=MyEventOut, errors=(404, 409), tags=["events"])
def confirm_offer(event_id: int):
    """领取从候补为我保留的名额（须在 `offer_expires_at` 之前）。过期 409 `offer_lapsed`，
    没有保留的名额 409 `no_offer`。"""
    config = settings()
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            registration = confirm(session, user, event_id, now=now(), settings=config)
        except SignupRefused as refused:
            raise _refusal(refused) from None
        return MyEventOut(event=_event_out(session, registration.event, user.id),
                          registration=_registration_out(session, registration))


@bp.get("/me/events")
@operation(ok=MyEventsOut, tags=["events"])
def my_events():
    """我的活动：已报名、候补（含位次）和为我保留名额的活动，时间最近的在前。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        return MyEventsOut(items=[
            MyEventOut(event=_event_out(session, m.event, user.id), registration=_registration_out(session, m.registration))
            for m in my_registrations(session, user, now=now())])


# --- helpers ---------------------------------------------------------------------------------------

def _refusal(refused: SignupRefused) -> ApiError:
    return ApiError(STATUS.get(refused.code, 422), refused.code, refused.reason)


def _registration_out(session: Session, r: Registration) -> MyRegistrationOut:
    answers = r.answers or {}
    return MyRegistrationOut(
        id=r.id, status=r.status.value, status_name=texts.STATUS_NAMES[r.status.value], guests=r.guests,
        place_in_line=place_in_line(session, r), checked_in=r.checked_in_at is not None,
        offer_expires_at=r.offer_expires_at if r.status is RegistrationStatus.OFFERED else None,
        shirt_size=answers.get("shirt_size"), answers=dict(answers.get("questions") or {}))


def _event_out(session: Session, e: Event, user_id: int, listed: Listed | None = None) -> EventOut:
    session.refresh(e)
    closed = signup_open(e, now(), settings())
    mine = listed.mine if listed else registration_of(session, e.id, user_id)
    if mine is not None and mine.status is RegistrationStatus.CANCELLED:
        mine = None
    return EventOut(
        id=e.id, title=e.title, kind=e.kind, description=e.description, picture_url=e.picture_url,
        starts_at=e.starts_at, ends_at=e.ends_at, place=e.place, latitude=e.latitude, longitude=e.longitude,
        seats=e.seats, seats_left=e.seats_left,
        waiting=listed.waiting if listed else waiting_count(session, e.id),
        signup_opens_at=e.signup_opens_at, signup_closes_at=e.signup_closes_at, signup_open=closed is None,
        signup_note=closed[1] if closed else None, status=e.status.value,
        audience=audiences.label(session, e.audience), max_guests=e.max_guests,
        ask_shirt_size=e.ask_shirt_size, questions=questions(e),
        mine=_registration_out(session, mine) if mine else None)
