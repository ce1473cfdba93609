"""What 我的数据 shows and 注销 erases of events (handlers.privacy calls these).

A registration for an event still to start is cancelled exactly as 取消报名 does, so its seats go
back and the first in line is offered them. Past registrations stay as the event's numbers
(registered, checked in) but lose what the person typed (answers) and the link to their record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.events.signup import SignupRefused, cancel
from handlers.notices import Notify
from handlers.settings import Settings
from models import WechatUser
from models.event import Event, Registration, RegistrationStatus


def _rows(session: Session, user: WechatUser):
    return session.execute(select(Registration, Event).join(Event, Event.id == Registration.event_id)
                           .where(Registration.wechat_user_id == user.id)
                           .order_by(Event.starts_at, Registration.id)).all()


def export_registrations(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    return [{"event": e.id, "title": e.title, "starts_at": e.starts_at, "place": e.place,
             "status": r.status.value, "guests": r.guests, "answers": dict(r.answers or {}),
             "channel": r.channel, "signed_up_at": r.created_at, "cancelled_at": r.cancelled_at,
             "checked_in_at": r.checked_in_at} for r, e in _rows(session, user)]


def erase_registrations(session: Session, user: WechatUser, *, now: dt.datetime, settings: Settings,
                        notify: Notify | None) -> int:
    """Cancel the live registrations of events to come (the waitlist moves on), then clear the
    answers and the record link of every registration; returns how many were cancelled."""
    cancelled = 0
    for registration, event in _rows(session, user):
        if registration.status is RegistrationStatus.CANCELLED:
            continue
        try:
            cancel(session, user, event.id, now=now, settings=settings, notify=notify)
            cancelled += 1
        except SignupRefused:  # started already: it stays as the event's record
            pass
    session.execute(update(Registration).where(Registration.wechat_user_id == user.id)
                    .values(answers={}, alumnus_id=None).execution_options(synchronize_session=False))
    return cancelled
