"""The reminders before a visit: a week before (the day's arrangements and the school's
publications as news cards) and the day before (time, gate, pass).

Who: the members of an **approved** booking who are bound (the contact is a member), about their
own booking, so no consent category stops them. A pending or confirmed booking gets none: the
visit is not settled yet and a reminder would promise what staff may still decline; if it is
approved later, the scan after the approval sends what is then due (the week's reminder until a
day before the visit, then only the day-before one). Declined, cancelled, visited and no-show
bookings get none.

When: a scan every few minutes (scheduler.jobs `reunion-reminders`) picks what became due; a
reminder is due from its offset before the slot's start (local time) until the next one is due.
A ReunionNotice row (unique booking + kind), written in the transaction that queues the push,
makes each reminder happen once, whether the scan runs twice, late, or on a new leader after a
restart or failover. A booking with nobody bound yet is not marked: whoever binds in time still
gets it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from handlers.notices import Notice, ScheduledNotices
from handlers.publications.categories import REUNION_CATEGORIES
from handlers.publications.library import latest_of_each, news_article
from handlers.reunion import notice_texts as texts
from handlers.settings import Settings
from models.alumnus import Alumnus
from models.push import Push
from models.reunion import (
    BookingStatus,
    ReunionBooking,
    ReunionDay,
    ReunionMember,
    ReunionNotice,
    ReunionVenue,
)

WEEK = "remind-7d"
DAY = "remind-1d"
# kind → how long before the slot's start it becomes due; each stays due until the next one is.
OFFSETS = {WEEK: dt.timedelta(days=7), DAY: dt.timedelta(days=1)}
SCAN_EVERY = dt.timedelta(minutes=5)
MAX_CARDS = 3   # one customer-service news message carries one article (PROTOCOL.md 6)
CREATED_BY = "reunion:reminder"


@dataclass(frozen=True)
class BookingNotice:
    """One booking's notice that is due: the item the scheduler queues and hands back to mark."""

    booking_id: int
    kind: str
    notice: Notice


@dataclass(frozen=True)
class Sent:
    """What the job reports per notice queued."""

    booking_id: int
    kind: str
    recipients: int
    push_id: int | None


def visit_starts(booking: ReunionBooking, settings: Settings) -> dt.datetime:
    """The slot's start on the day, as an aware local time."""
    return dt.datetime.combine(booking.day.day, booking.slot.starts,
                               tzinfo=ZoneInfo(settings.timezone))


def due_kind(starts: dt.datetime, now: dt.datetime) -> str | None:
    """Which reminder is due at `now` for a visit starting at `starts` (None: none now)."""
    if now >= starts:
        return None
    if now >= starts - OFFSETS[DAY]:
        return DAY
    if now >= starts - OFFSETS[WEEK]:
        return WEEK
    return None


def bound_member_users(session: Session, booking_id: int) -> list[int]:
    """The WeChat users of the booking's members who are still bound to that record, and whose
    pass was not revoked (a revoked member is no longer expected on the day)."""
    return sorted(set(session.scalars(
        select(ReunionMember.wechat_user_id)
        .join(Alumnus, Alumnus.id == ReunionMember.alumnus_id)
        .where(ReunionMember.booking_id == booking_id,
               ReunionMember.wechat_user_id.is_not(None),
               Alumnus.wechat_user_id == ReunionMember.wechat_user_id,
               ReunionMember.pass_revoked_at.is_(None)))))


def users_audience(user_ids: list[int]) -> str:
    return "users:" + ",".join(str(i) for i in user_ids)


def already_sent(session: Session, booking_ids: list[int]) -> set[tuple[int, str]]:
    if not booking_ids:
        return set()
    return set(tuple(row) for row in session.execute(select(ReunionNotice.booking_id, ReunionNotice.kind)
                               .where(ReunionNotice.booking_id.in_(booking_ids))).all())


def reminders_due(session: Session, now: dt.datetime, settings: Settings) -> list[BookingNotice]:
    """Approved bookings whose week's or day's reminder is due and not sent yet."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    bookings = list(session.scalars(
        select(ReunionBooking).join(ReunionDay, ReunionDay.id == ReunionBooking.day_id)
        .where(ReunionBooking.status == BookingStatus.APPROVED,
               ReunionDay.day >= today, ReunionDay.day <= today + dt.timedelta(days=8))
        .options(selectinload(ReunionBooking.members))
        .order_by(ReunionDay.day, ReunionBooking.id)))
    sent = already_sent(session, [b.id for b in bookings])
    due = []
    for booking in bookings:
        kind = due_kind(visit_starts(booking, settings), now)
        if kind is None or (booking.id, kind) in sent:
            continue
        users = bound_member_users(session, booking.id)
        if not users:
            continue
        notice = (week_notice(session, booking, users, settings) if kind == WEEK
                  else day_notice(booking, users, settings))
        due.append(BookingNotice(booking.id, kind, notice))
    return due


def week_notice(session: Session, booking: ReunionBooking, users: list[int],
                settings: Settings) -> Notice:
    audience = users_audience(users)
    publications = latest_of_each(session, REUNION_CATEGORIES)[:MAX_CARDS]
    cards = tuple(
        Notice(text=texts.CARD_TEXT.format(category=p.category, title=p.title), audience=audience,
               kind="reminder", created_by=CREATED_BY, url=p.url,
               custom_message={"msgtype": "news", "news": {"articles": [news_article(p)]}})
        for p in publications)
    text = arrangements(session, booking, settings)
    if cards:
        text += "\n" + texts.READING.format(
            categories="、".join(dict.fromkeys(p.category for p in publications)))
    return Notice(text=text, audience=audience, kind="reminder", created_by=CREATED_BY,
                  follow_ups=cards)


def arrangements(session: Session, booking: ReunionBooking, settings: Settings) -> str:
    """The week's reminder: the day's arrangements as the school holds them."""
    venue = session.scalar(select(ReunionVenue.name).where(ReunionVenue.booking_id == booking.id))
    meals = [name for wanted, name in ((booking.lunch, texts.LUNCH), (booking.dinner, texts.DINNER))
             if wanted]
    reunion = settings.reunion
    values = {
        "booking_id": booking.id, "day": texts.day_label(booking.day.day),
        "slot": booking.slot.label, "people": booking.people, "members": len(booking.members),
        "lodging": (texts.LODGING.format(count=booking.lodging, unit=reunion.lodging_unit)
                    if booking.lodging else texts.NONE),
        "venue": venue or texts.NONE,
        "tour": texts.TOUR_YES if booking.tour else texts.NONE,
        "meals": "、".join(meals) + texts.MEALS_FREE if meals else texts.NONE,
    }
    lines = [texts.REMIND_7D_HEAD.format(who=who(booking), anniversary=booking.anniversary,
                                         school=settings.school_name)]
    lines += [line.format(**values) for line in texts.REMIND_7D_LINES]
    lines.append(texts.PROGRAMME_LINE.format(programme=booking.programme) if booking.programme
                 else texts.PROGRAMME_PENDING)
    lines.append(texts.REMIND_7D_TAIL.format(booking_id=booking.id))
    return "\n".join(lines)


def day_notice(booking: ReunionBooking, users: list[int], settings: Settings) -> Notice:
    text = texts.REMIND_1D.format(who=who(booking), day=texts.day_label(booking.day.day),
                                  slot=booking.slot.label, gate=settings.reunion.entry_gate,
                                  booking_id=booking.id)
    return Notice(text=text, audience=users_audience(users), kind="reminder",
                  created_by=CREATED_BY)


def who(booking: ReunionBooking) -> str:
    return texts.class_label(booking.graduation_year, booking.college)


def mark_sent(session: Session, item: BookingNotice, push: Push | None,
              now: dt.datetime) -> Sent | None:
    """Record the booking's notice as sent with its push; None if another run recorded it."""
    try:
        with session.begin_nested():
            session.add(ReunionNotice(booking_id=item.booking_id, kind=item.kind,
                                      push_id=push.id if push is not None else None,
                                      queued_at=now))
    except IntegrityError:  # another leader's run, between our look and our insert
        return None
    return Sent(item.booking_id, item.kind, push.recipient_count if push is not None else 0,
                push.id if push is not None else None)


REUNION_REMINDERS = ScheduledNotices(
    describe=lambda settings: (f"每 {int(SCAN_EVERY.total_seconds() // 60)} 分钟查看已批准的返校预约，"
                               "返校前 7 天和前 1 天各提醒一次"),
    schedule=SCAN_EVERY,
    due=reminders_due,
    mark=mark_sent,
)
