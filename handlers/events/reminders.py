"""The reminders before an event: by default 24 hours and 2 hours before it starts
(`[events] reminder_hours`).

Who: every **confirmed** registrant, about their own registration, so no consent category stops
them (category None). Waitlisted registrants and those holding an offer get none: they have no
seat yet. Draft, closed-before-it-happened and cancelled events: closed events still take place,
so their confirmed registrants are reminded; cancelled and draft ones get nothing.

When: a scan every few minutes (scheduler.jobs `event-reminders`) picks what became due; a
reminder is due from its offset before the start until the next one is due, and none is due once
the event has started (a reminder after the start would only confuse). An EventNotice row (unique
event + kind), written in the transaction that queues the push, makes each reminder happen once,
whether the scan runs twice, late, or on a new leader after a restart or failover. An event with
nobody confirmed yet is not marked: whoever is confirmed in time (a seat offered from the
waitlist and taken) still gets it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.events import notice_texts as texts
from handlers.notices import Notice, ScheduledNotices
from handlers.settings import Settings
from models.event import Event, EventNotice, EventStatus, Registration, RegistrationStatus
from models.push import Push

SCAN_EVERY = dt.timedelta(minutes=5)
CREATED_BY = "events:reminder"
REMINDED = (EventStatus.OPEN, EventStatus.CLOSED)   # a closed event still takes place


def kind_for(hours: float) -> str:
    """The EventNotice kind of the reminder `hours` before: remind-24h, remind-2h, remind-0.5h."""
    return f"remind-{hours:g}h"


@dataclass(frozen=True)
class EventReminder:
    """One event's reminder that is due: the item the scheduler queues and hands back to mark."""

    event_id: int
    kind: str
    notice: Notice


@dataclass(frozen=True)
class Sent:
    """What the job reports per reminder queued."""

    event_id: int
    kind: str
    recipients: int
    push_id: int | None


def due_hours(starts: dt.datetime, now: dt.datetime, hours: list[float]) -> float | None:
    """Which reminder (its hours before) is due at `now` for an event starting at `starts`: the
    latest whose offset has passed; None before the first and from the start on."""
    if now >= starts:
        return None
    passed = [h for h in hours if now >= starts - dt.timedelta(hours=h)]
    return min(passed) if passed else None


def confirmed_users(session: Session, event_id: int) -> list[int]:
    return sorted(session.scalars(
        select(Registration.wechat_user_id)
        .where(Registration.event_id == event_id,
               Registration.status == RegistrationStatus.CONFIRMED)))


def users_audience(user_ids: list[int]) -> str:
    return "users:" + ",".join(str(i) for i in user_ids)


def reminders_due(session: Session, now: dt.datetime, settings: Settings) -> list[EventReminder]:
    """Open or closed events starting within the furthest offset whose reminder is due and not
    sent yet, with at least one confirmed registrant."""
    hours = sorted(set(settings.events.reminder_hours))
    if not hours:
        return []
    horizon = now + dt.timedelta(hours=max(hours))
    events = list(session.scalars(
        select(Event).where(Event.status.in_(REMINDED), Event.starts_at > now,
                            Event.starts_at <= horizon)
        .order_by(Event.starts_at, Event.id)))
    if not events:
        return []
    sent = set(tuple(row) for row in session.execute(
        select(EventNotice.event_id, EventNotice.kind)
        .where(EventNotice.event_id.in_([e.id for e in events]))).all())
    zone = ZoneInfo(settings.timezone)
    due = []
    for event in events:
        ahead = due_hours(event.starts_at, now, hours)
        if ahead is None or (event.id, kind_for(ahead)) in sent:
            continue
        users = confirmed_users(session, event.id)
        if not users:
            continue
        last = ahead == hours[0]
        due.append(EventReminder(event.id, kind_for(ahead),
                                 reminder(event, users, ahead, last=last, zone=zone)))
    return due


def reminder(event: Event, users: list[int], ahead: float, *, last: bool, zone: ZoneInfo) -> Notice:
    text = texts.REMIND.format(title=event.title, event_id=event.id, ahead=texts.hours_label(ahead),
                               when=texts.when_label(event.starts_at.astimezone(zone)),
                               place=event.place)
    tail = texts.REMIND_LAST_TAIL if last else texts.REMIND_EARLY_TAIL
    text += "\n" + tail.format(event_id=event.id)
    return Notice(text=text, audience=users_audience(users), kind="reminder", created_by=CREATED_BY)


def mark_sent(session: Session, item: EventReminder, push: Push | None,
              now: dt.datetime) -> Sent | None:
    """Record the event's reminder as sent with its push; None if another run recorded it."""
    try:
        with session.begin_nested():
            session.add(EventNotice(event_id=item.event_id, kind=item.kind,
                                    push_id=push.id if push is not None else None, queued_at=now))
    except IntegrityError:  # another leader's run, between our look and our insert
        return None
    return Sent(item.event_id, item.kind, push.recipient_count if push is not None else 0,
                push.id if push is not None else None)


def _describe(settings: Settings) -> str:
    hours = "、".join(texts.hours_label(h) for h in sorted(set(settings.events.reminder_hours),
                                                          reverse=True))
    return (f"每 {int(SCAN_EVERY.total_seconds() // 60)} 分钟查看即将开始的活动，"
            f"开始前 {hours}各提醒已确认报名的校友一次")


EVENT_REMINDERS = ScheduledNotices(describe=_describe, schedule=SCAN_EVERY, due=reminders_due,
                                   mark=mark_sent)
