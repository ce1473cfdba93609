"""Announcing an open event to its audience (发布报名通知): one step from the admin page.

The announcement is a broadcast (category "events", 活动: whoever opted out of event news is left
out, handlers.consent.categories) to the event's own audience string, which is already an outbox
audience ("all", "bound", "chapter:3", "year:2010-2015&college:计算机学院" …), so it shows in 推送
with its progress like any other. The admin route (wechat_bot/admin/events_announce.py) queues it
through the outbox, as 秩年邀请 does; this module says what it says, when it may go, and marks it.

Once a day at most: the event's `announce` EventNotice row holds the time of the last
announcement. Taking it is an insert (the unique event + kind stops a second one) or, when the
row exists, a guarded UPDATE that only moves a time older than a day, so a double click or two
staff at once queue one push, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.events import notice_texts as texts
from handlers.settings import Settings
from models.event import Event, EventNotice, EventStatus

CATEGORY = "events"        # handlers.consent.categories: 活动
KIND = "announce"          # the EventNotice kind holding the last announcement's time
AGAIN_AFTER = dt.timedelta(days=1)
DESCRIPTION_CHARS = 200    # the rest is one 「活动」 away


def refusal(event: Event, now: dt.datetime) -> str | None:
    """Why this event cannot be announced now (Chinese, for staff), or None."""
    if event.status is not EventStatus.OPEN:
        return "只有已开放报名的活动才能发布报名通知"
    if event.starts_at <= now:
        return "活动已经开始，不再发布报名通知"
    if event.signup_closes_at is not None and event.signup_closes_at <= now:
        return "报名已截止，不再发布报名通知"
    return None


def announcement_text(event: Event, settings: Settings, now: dt.datetime) -> str:
    zone = ZoneInfo(settings.timezone)
    seats = texts.SEATS.format(seats=event.seats)
    if event.seats_left == 0:
        seats += texts.SEATS_FULL
    elif event.seats_taken:
        seats += texts.SEATS_LEFT.format(left=event.seats_left)
    text = texts.ANNOUNCE.format(title=event.title, when=texts.when_label(event.starts_at.astimezone(zone)),
                                 place=event.place, seats=seats, event_id=event.id)
    if event.signup_opens_at is not None and event.signup_opens_at > now:
        text += "\n" + texts.OPENS.format(when=texts.when_label(event.signup_opens_at.astimezone(zone)))
    if event.description:
        description = event.description.strip()
        if len(description) > DESCRIPTION_CHARS:
            description = description[:DESCRIPTION_CHARS] + "…"
        text += "\n\n" + description
    return text


def last_announced(session: Session, event_id: int) -> dt.datetime | None:
    return session.scalar(select(EventNotice.queued_at)
                          .where(EventNotice.event_id == event_id, EventNotice.kind == KIND))


def take_turn(session: Session, event_id: int, now: dt.datetime) -> dt.datetime | None:
    """Take the event's announcement for `now`: None when taken; otherwise the time of the last
    announcement, less than a day ago, which stands (nothing to queue)."""
    try:
        with session.begin_nested():
            session.add(EventNotice(event_id=event_id, kind=KIND, queued_at=now))
        return None
    except IntegrityError:
        pass
    moved = session.execute(
        update(EventNotice)
        .where(EventNotice.event_id == event_id, EventNotice.kind == KIND,
               EventNotice.queued_at <= now - AGAIN_AFTER)
        .values(queued_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if moved:
        return None
    return last_announced(session, event_id) or now


def record_push(session: Session, event_id: int, push_id: int) -> None:
    """The announcement's push, beside its time (the admin page links it)."""
    session.execute(update(EventNotice)
                    .where(EventNotice.event_id == event_id, EventNotice.kind == KIND)
                    .values(push_id=push_id).execution_options(synchronize_session=False))
