"""The waitlist: freed seats offered to the first in line, who has `claim_hours` to take them
(确认 <编号>); an offer not taken lapses, once, and the seats pass to the next.

An offered registration holds its seats on the event's counter (models.event.HOLDING_SEATS), so a
newcomer's sign-up cannot take them meanwhile. Seats freed by a cancel (handlers.events.signup),
by a lapse (here) or by staff are offered at once, in the same transaction, to the waiting in
order of `position`: the first whose party (1 + guests) fits what is left; a bigger party keeps its
place until enough is free. The offer's deadline is `claim_hours` from now, but never after the
event starts.

The lapse is a job (scheduler.jobs `event-offers`, every few minutes): it lists the offers past
their deadline and passes each in its own transaction through a guarded UPDATE
(offered → cancelled where the deadline has passed), so of two runs (a restart, a failover) one
passes it and the other finds nothing: exactly once. The alumnus who let it lapse is told, and so
is the next one offered (notify, category None: notices about one's own registration).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from handlers.events import texts
from handlers.notices import Notify
from handlers.settings import Settings
from models.event import Event, EventStatus, Registration, RegistrationStatus

OFFER_BY = "events:offer"
LAPSE_BY = "events:lapse"
SCAN_EVERY = dt.timedelta(minutes=2)


def lock_event(session: Session, event_id: int) -> None:
    """Take the event's row lock first (a no-op UPDATE): the lock order of signup.py."""
    session.execute(update(Event).where(Event.id == event_id).values(seats_taken=Event.seats_taken)
                    .execution_options(synchronize_session=False))


def offer_freed(session: Session, event_id: int, *, now: dt.datetime, settings: Settings,
                notify: Notify | None) -> list[int]:
    """Offer what is free on the event to the waiting, in order; returns the registrations offered.
    The caller holds the event row (lock_event)."""
    event = session.execute(select(Event.status, Event.seats, Event.seats_taken, Event.starts_at,
                                   Event.title, Event.place).where(Event.id == event_id)).one()
    if event.status not in (EventStatus.OPEN, EventStatus.CLOSED) or now >= event.starts_at:
        return []
    left = event.seats - event.seats_taken
    offered = []
    expires = min(now + dt.timedelta(hours=settings.events.claim_hours), event.starts_at)
    zone = _zone(settings)
    while left > 0:
        waiting = session.execute(
            select(Registration.id, Registration.guests, Registration.wechat_user_id)
            .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED,
                   Registration.guests + 1 <= left)
            .order_by(Registration.position, Registration.id).limit(1)).first()
        if waiting is None:
            break
        seats = 1 + waiting.guests
        session.execute(update(Registration).where(Registration.id == waiting.id,
                                                   Registration.status == RegistrationStatus.WAITLISTED)
                        .values(status=RegistrationStatus.OFFERED, offered_at=now, offer_expires_at=expires,
                                position=None, updated_at=now)
                        .execution_options(synchronize_session=False))
        session.execute(update(Event).where(Event.id == event_id)
                        .values(seats_taken=Event.seats_taken + seats)
                        .execution_options(synchronize_session=False))
        left -= seats
        offered.append(waiting.id)
        if notify is not None:
            notify(session, [waiting.wechat_user_id], texts.OFFER_NOTICE.format(
                title=event.title, expires=texts.when(expires, zone), number=event_id,
                when=texts.when(event.starts_at, zone), place=event.place), now, created_by=OFFER_BY)
    return offered


def lapsed_offers(session: Session, now: dt.datetime) -> list[int]:
    """The offers past their deadline, oldest first."""
    return list(session.scalars(select(Registration.id).where(
        Registration.status == RegistrationStatus.OFFERED, Registration.offer_expires_at <= now)
        .order_by(Registration.offer_expires_at, Registration.id)))


def lapse(session: Session, registration_id: int, *, now: dt.datetime, settings: Settings,
          notify: Notify | None) -> bool:
    """Pass one lapsed offer on (guarded: False when it was taken, cancelled or passed already)."""
    from handlers.events.signup import end_registration

    row = session.execute(select(Registration.event_id, Registration.wechat_user_id,
                                 Registration.offer_expires_at).where(Registration.id == registration_id)).first()
    if row is None:
        return False
    lock_event(session, row.event_id)
    seats = end_registration(session, registration_id, now=now, only=(RegistrationStatus.OFFERED,),
                             extra=(Registration.offer_expires_at <= now,))
    if seats is None:
        return False
    event = session.get(Event, row.event_id)
    session.refresh(event)
    if notify is not None:
        notify(session, [row.wechat_user_id], texts.LAPSED_NOTICE.format(
            title=event.title, expires=texts.when(row.offer_expires_at, _zone(settings)), number=event.id),
            now, created_by=LAPSE_BY)
    offer_freed(session, row.event_id, now=now, settings=settings, notify=notify)
    return True


@dataclass(frozen=True)
class LapseReport:
    lapsed: int


def pass_lapsed_offers(sessions: sessionmaker[Session], *, now: dt.datetime, settings: Settings,
                       notify: Callable[..., None]) -> LapseReport:
    """The job's body: each lapsed offer passed in its own transaction (the scheduler hands in a
    notify that queues to the outbox)."""
    with sessions() as session:
        due = lapsed_offers(session, now)
    done = 0
    for registration_id in due:
        with sessions.begin() as session:
            if lapse(session, registration_id, now=now, settings=settings, notify=notify):
                done += 1
    return LapseReport(done)


def _zone(settings: Settings):
    from zoneinfo import ZoneInfo
    return ZoneInfo(settings.timezone)
