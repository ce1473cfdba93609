"""An event's life as staff steer it, and the staff side of its waitlist.

    draft ──open──▶ open ◀──open/close──▶ closed
      └──────────────┴────────cancel (a reason)───────┴──▶ cancelled

Each transition is one guarded UPDATE (`WHERE status IN (allowed)`), as the reunion bookings'
are (handlers/reunion/lifecycle.py): two staff pressing at once change the event once and the
other is refused with the status found. Cancelling releases every seat (`seats_taken` back to 0 in
the same UPDATE), cancels every live registration in one UPDATE, and tells each registrant and
each one waiting through the outbox, in the same transaction: the notice is about their own
registration, so it carries no consent category and always goes.

By hand, staff may move someone in the waitlist (`reorder`: a position between two others) or
give them a seat (`promote`): the seat is taken through the same guarded UPDATE on
`Event.seats_taken` that sign-up uses (`seats_taken + n <= seats`), so a promotion never
over-fills the event, even racing sign-ups. Both need a reason, which the door writes to the
audit log.

The functions flush and never commit; a refusal (`Refused`, a Chinese message) writes nothing the
door keeps (it rolls back). Who may act on which event is the door's check (the scope).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.events import admin_texts as texts
from handlers.events.editing import Refused
from handlers.notices import Notify
from models.event import Event, EventStatus, Registration, RegistrationStatus

MAX_REASON = 200
E = EventStatus
R = RegistrationStatus
LIVE = (R.CONFIRMED, R.WAITLISTED, R.OFFERED)

__all__ = ["Refused", "cancel_event", "close_event", "open_event", "promote", "reorder", "waitlist"]


def _move(session: Session, event: Event, allowed: tuple[EventStatus, ...], action: str,
          **values) -> None:
    result = session.execute(
        update(Event).where(Event.id == event.id, Event.status.in_(allowed))
        .values(**values).execution_options(synchronize_session=False))
    session.refresh(event)
    if result.rowcount != 1:
        raise Refused(texts.WRONG_STATE.format(id=event.id, status=texts.STATUS_NAMES[event.status],
                                               action=texts.ACTIONS[action]))


def _reason(text: str | None, empty: str) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise Refused(empty)
    if len(reason) > MAX_REASON:
        raise Refused(texts.REASON_TOO_LONG.format(limit=MAX_REASON))
    return reason


def open_event(session: Session, event: Event, *, now: dt.datetime) -> None:
    """A draft (or a closed event) takes sign-ups again (within its sign-up window)."""
    if event.starts_at <= now:
        raise Refused(texts.OPEN_PAST)
    _move(session, event, (E.DRAFT, E.CLOSED), "open", status=E.OPEN, updated_at=now)


def close_event(session: Session, event: Event, *, now: dt.datetime) -> None:
    """No more sign-ups; those registered keep their seats and the event still takes place."""
    _move(session, event, (E.OPEN,), "close", status=E.CLOSED, updated_at=now)


def cancel_event(session: Session, event: Event, reason: str, *, now: dt.datetime, zone,
                 notify: Notify) -> list[int]:
    """Called off: every seat released, every live registration cancelled, each registrant and
    each one waiting told (the reason included). Returns the WeChat users told."""
    reason = _reason(reason, texts.REASON_EMPTY)
    _move(session, event, (E.DRAFT, E.OPEN, E.CLOSED), "cancel", status=E.CANCELLED,
          cancel_reason=reason, seats_taken=0, updated_at=now)
    users = sorted(session.scalars(
        select(Registration.wechat_user_id)
        .where(Registration.event_id == event.id, Registration.status.in_(LIVE))))
    session.execute(
        update(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(LIVE))
        .values(status=R.CANCELLED, position=None, offer_expires_at=None, cancelled_at=now,
                updated_at=now)
        .execution_options(synchronize_session=False))
    if users:
        notify(session, users, texts.cancelled(event.id, event.title, texts.when(event.starts_at, zone),
                                               reason),
               now, created_by="events:cancelled")
    return users


def waitlist(session: Session, event: Event) -> list[Registration]:
    """Those waiting, first in line first."""
    return list(session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == R.WAITLISTED)
        .order_by(Registration.position, Registration.id)))


def _waiting(session: Session, event: Event, registration: Registration, action: str) -> None:
    if registration.event_id != event.id or registration.status is not R.WAITLISTED:
        raise Refused(texts.NOT_WAITING.format(status=texts.REGISTRATION_NAMES[registration.status],
                                               action=texts.ACTIONS[action]))


def promote(session: Session, event: Event, registration: Registration, note: str, *,
            now: dt.datetime, zone, notify: Notify) -> str:
    """Give someone waiting a seat now (their party, guests included), ahead of the line. The seat
    is taken by the guarded UPDATE; full means refused. Returns the reason (for the audit log)."""
    note = _reason(note, texts.NOTE_EMPTY)
    _waiting(session, event, registration, "promote")
    if event.status not in (E.OPEN, E.CLOSED):
        raise Refused(texts.WRONG_STATE.format(id=event.id, status=texts.STATUS_NAMES[event.status],
                                               action=texts.ACTIONS["promote"]))
    seats = registration.seats
    taken = session.execute(
        update(Event)
        .where(Event.id == event.id, Event.status.in_((E.OPEN, E.CLOSED)),
               Event.seats_taken + seats <= Event.seats)
        .values(seats_taken=Event.seats_taken + seats, updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(event)
    if taken.rowcount != 1:
        raise Refused(texts.NO_SEATS.format(id=event.id, taken=event.seats_taken, seats=event.seats))
    moved = session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == R.WAITLISTED)
        .values(status=R.CONFIRMED, position=None, confirmed_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(registration)
    if moved.rowcount != 1:   # they cancelled meanwhile: the door rolls the seat back too
        raise Refused(texts.NOT_WAITING.format(status=texts.REGISTRATION_NAMES[registration.status],
                                               action=texts.ACTIONS["promote"]))
    notify(session, [registration.wechat_user_id],
           texts.promoted(event.id, event.title, texts.when(event.starts_at, zone), event.place),
           now, created_by="events:promoted")
    return note


def reorder(session: Session, event: Event, registration: Registration, place: int, note: str, *,
            now: dt.datetime) -> str:
    """Move someone waiting to `place` (1 = first in line): a position between their new
    neighbours, always below `waitlist_next`, so later sign-ups still queue behind. Returns the
    reason (for the audit log)."""
    note = _reason(note, texts.NOTE_EMPTY)
    _waiting(session, event, registration, "reorder")
    others = [r for r in waitlist(session, event) if r.id != registration.id]
    if not 1 <= place <= len(others) + 1:
        raise Refused(texts.PLACE_BAD.format(count=len(others) + 1))
    before = others[place - 2].position if place >= 2 else None
    after = others[place - 1].position if place <= len(others) else None
    if before is None and after is None:
        position = registration.position
    elif before is None:
        position = after - 1
    elif after is None:
        position = (before + event.waitlist_next) / 2
    else:
        position = (before + after) / 2
    moved = session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == R.WAITLISTED)
        .values(position=position, updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(registration)
    if moved.rowcount != 1:
        raise Refused(texts.NOT_WAITING.format(status=texts.REGISTRATION_NAMES[registration.status],
                                               action=texts.ACTIONS["reorder"]))
    return note
