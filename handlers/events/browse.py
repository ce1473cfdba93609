"""Which events an alumnus sees (活动, GET /events): open events not yet started, inside their
audience (handlers.events.audience.may_join), soonest first, at most `list_size`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.events import audience as audiences
from handlers.events import texts
from handlers.events.signup import registration_of, signup_open, zone
from handlers.settings import Settings
from models.event import Event, EventStatus, Registration, RegistrationStatus

SCANNED = 200   # open events looked at per listing: the audience filter runs on these


@dataclass(frozen=True)
class Listed:
    event: Event
    waiting: int                      # how many are on its waitlist
    mine: Registration | None         # the user's live registration, if any
    closed_reason: str | None         # why nobody may sign up now (window), None: open


def visible_events(session: Session, user_id: int, *, now: dt.datetime, settings: Settings,
                   limit: int | None = None) -> list[Listed]:
    limit = limit or settings.events.list_size
    candidates = session.scalars(
        select(Event).where(Event.status == EventStatus.OPEN, Event.starts_at > now)
        .order_by(Event.starts_at, Event.id).limit(SCANNED)).all()
    out = []
    for event in candidates:
        if not audiences.may_join(session, event, user_id):
            continue
        mine = registration_of(session, event.id, user_id)
        if mine is not None and mine.status is RegistrationStatus.CANCELLED:
            mine = None
        closed = signup_open(event, now, settings)
        out.append(Listed(event, waiting_count(session, event.id), mine, closed[1] if closed else None))
        if len(out) >= limit:
            break
    return out


def waiting_count(session: Session, event_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)) or 0


def seats_line(listed: Listed, now: dt.datetime, settings: Settings) -> str:
    e = listed.event
    line = (texts.SEATS_LEFT.format(left=e.seats_left, seats=e.seats) if e.seats_left > 0
            else texts.SEATS_FULL.format(waiting=listed.waiting))
    if e.signup_opens_at is not None and now < e.signup_opens_at:
        line += texts.WINDOW_NOT_YET.format(opens=texts.when(e.signup_opens_at, zone(settings)))
    elif listed.closed_reason:
        line += texts.WINDOW_CLOSED
    if listed.mine is not None:
        line += texts.MINE_MARK
    return line
