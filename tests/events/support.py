"""Builders for the event tests: an event as staff leave it, a registration as sign-up leaves it.

Tests of signing up go through the real doors (the webhook, the API) or handlers.events; these
builders are for what follows (reminders, check-in, exports, the admin pages)."""

from __future__ import annotations

import datetime as dt

from models.event import Event, EventStatus, Registration, RegistrationStatus

NOW = dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)    # 10:00 in Shanghai, a Monday


def add_event(session, title: str = "校友午餐沙龙", *, seats: int = 20, starts_in: dt.timedelta = dt.timedelta(days=5),
              status: EventStatus = EventStatus.OPEN, now: dt.datetime = NOW, **fields) -> Event:
    fields.setdefault("kind", "校友午餐沙龙")
    fields.setdefault("place", "校友之家")
    fields.setdefault("audience", "bound")
    starts = now + starts_in
    event = Event(title=title, seats=seats, seats_taken=0, waitlist_next=1, status=status,
                  starts_at=starts, ends_at=starts + dt.timedelta(hours=2), created_by="test",
                  created_at=now, updated_at=now, **fields)
    session.add(event)
    session.flush()
    return event


def add_registration(session, event: Event, user_id: int, *, guests: int = 0,
                     status: RegistrationStatus = RegistrationStatus.CONFIRMED,
                     now: dt.datetime = NOW, alumnus_id: int | None = None) -> Registration:
    """A registration with the event's counters moved as sign-up moves them."""
    position = None
    if status is RegistrationStatus.WAITLISTED:
        position, event.waitlist_next = float(event.waitlist_next), event.waitlist_next + 1
    elif status in (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED):
        event.seats_taken += 1 + guests
    registration = Registration(event_id=event.id, wechat_user_id=user_id, alumnus_id=alumnus_id,
                                status=status, guests=guests, answers={}, position=position,
                                channel="bot", created_at=now, updated_at=now,
                                confirmed_at=now if status is RegistrationStatus.CONFIRMED else None)
    session.add(registration)
    session.flush()
    return registration
