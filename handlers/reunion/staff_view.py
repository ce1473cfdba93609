"""What the reunion admin pages read: bookings for a scope, one booking's people and history, a
day's plan, the feedback. Every query takes the viewer's `Scope` (a college sees its own classes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from handlers.staff.scope import Scope
from models import Alumnus, AuditEntry
from models.reunion import (
    BookingStatus,
    ReunionBooking,
    ReunionDay,
    ReunionFeedback,
    ReunionMember,
    ReunionVenue,
)

# The bookings a day's plan lists: the classes coming (or that came).
ON_THE_PLAN = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.APPROVED,
               BookingStatus.VISITED, BookingStatus.NO_SHOW)


def target(booking_id: int) -> str:
    """The audit log's name of a booking (its history is the log's entries with this target)."""
    return f"返校预约 #{booking_id}"


def class_name(booking: ReunionBooking) -> str:
    return f"{booking.college}{booking.graduation_year}届" if booking.college else f"{booking.graduation_year}届"


@dataclass(frozen=True)
class BookingPage:
    rows: list[ReunionBooking]
    contacts: dict[int, str]     # alumnus id → name
    page: int
    has_next: bool


def bookings_page(session: Session, scope: Scope, *, statuses: tuple[BookingStatus, ...] = (),
                  day: dt.date | None = None, page: int = 1, per_page: int = 50) -> BookingPage:
    """Soonest day first, then slot and number; one row more than a page says there is a next."""
    statement = (scope.apply(select(ReunionBooking), ReunionBooking)
                 .join(ReunionDay, ReunionDay.id == ReunionBooking.day_id)
                 .options(selectinload(ReunionBooking.day), selectinload(ReunionBooking.slot)))
    if statuses:
        statement = statement.where(ReunionBooking.status.in_(statuses))
    if day is not None:
        statement = statement.where(ReunionDay.day == day)
    page = max(page, 1)
    rows = list(session.scalars(statement.order_by(ReunionDay.day, ReunionBooking.slot_id,
                                                   ReunionBooking.id)
                                .offset((page - 1) * per_page).limit(per_page + 1)))
    contacts = _names(session, {r.contact_alumnus_id for r in rows if r.contact_alumnus_id})
    return BookingPage(rows[:per_page], contacts, page, len(rows) > per_page)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Alumnus.id, Alumnus.name).where(Alumnus.id.in_(ids))).all())


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    student_id: str
    is_contact: bool
    companions: list[str]
    party: int
    arrived_at: dt.datetime | None
    pass_revoked_at: dt.datetime | None


def members(session: Session, booking: ReunionBooking) -> list[MemberRow]:
    rows = session.execute(
        select(ReunionMember, Alumnus.name, Alumnus.student_id)
        .join(Alumnus, Alumnus.id == ReunionMember.alumnus_id)
        .where(ReunionMember.booking_id == booking.id).order_by(ReunionMember.id))
    return [MemberRow(m.id, name, student_id, m.is_contact, [str(c) for c in m.companions or []],
                      m.party, m.arrived_at, m.pass_revoked_at) for m, name, student_id in rows]


def contact_name(session: Session, booking: ReunionBooking) -> str | None:
    if booking.contact_alumnus_id is None:
        return None
    return session.scalar(select(Alumnus.name).where(Alumnus.id == booking.contact_alumnus_id))


def venue_of(session: Session, booking: ReunionBooking) -> ReunionVenue | None:
    return session.scalar(select(ReunionVenue).where(ReunionVenue.booking_id == booking.id))


def history(session: Session, booking: ReunionBooking) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.target == target(booking.id))
                                .order_by(AuditEntry.at, AuditEntry.id)))


@dataclass(frozen=True)
class PlanRow:
    booking: ReunionBooking
    contact: str | None
    venue: str | None
    headcount: int


@dataclass(frozen=True)
class DayPlanView:
    day: dt.date
    rows: list[PlanRow]
    people: int
    lodging: int
    lunch: int
    dinner: int
    tours: int


def day_plan(session: Session, scope: Scope, day: dt.date) -> DayPlanView:
    """Every class on the day's plan, by slot: headcount, rooms, venue, meals, tour, programme."""
    bookings = list(session.scalars(
        scope.apply(select(ReunionBooking), ReunionBooking)
        .join(ReunionDay, ReunionDay.id == ReunionBooking.day_id)
        .where(ReunionDay.day == day, ReunionBooking.status.in_(ON_THE_PLAN))
        .options(selectinload(ReunionBooking.slot), selectinload(ReunionBooking.day),
                 selectinload(ReunionBooking.members))
        .order_by(ReunionBooking.slot_id, ReunionBooking.id)))
    ids = [b.id for b in bookings]
    venues = dict(session.execute(select(ReunionVenue.booking_id, ReunionVenue.name)
                                  .where(ReunionVenue.booking_id.in_(ids))).all()) if ids else {}
    contacts = _names(session, {b.contact_alumnus_id for b in bookings if b.contact_alumnus_id})
    rows = [PlanRow(b, contacts.get(b.contact_alumnus_id), venues.get(b.id),
                    max(b.people, b.headcount)) for b in bookings]
    return DayPlanView(
        day=day, rows=rows, people=sum(r.booking.people for r in rows),
        lodging=sum(r.booking.lodging for r in rows),
        lunch=sum(r.booking.people for r in rows if r.booking.lunch),
        dinner=sum(r.booking.people for r in rows if r.booking.dinner),
        tours=sum(1 for r in rows if r.booking.tour))


def next_planned_day(session: Session, scope: Scope, today: dt.date) -> dt.date | None:
    """The first day from today with a class on it (the day plan opens there)."""
    return session.scalar(
        scope.apply(select(func.min(ReunionDay.day)), ReunionBooking)
        .select_from(ReunionBooking).join(ReunionDay, ReunionDay.id == ReunionBooking.day_id)
        .where(ReunionDay.day >= today, ReunionBooking.status.in_(ON_THE_PLAN)))


@dataclass(frozen=True)
class FeedbackRow:
    booking: ReunionBooking
    count: int
    average: float
    lines: list[tuple[int, str]]   # (score, text) for each answer with text


@dataclass(frozen=True)
class FeedbackView:
    rows: list[FeedbackRow]
    count: int
    average: float | None


def feedback(session: Session, scope: Scope, *, limit: int = 200) -> FeedbackView:
    """The answers per booking (latest visit first) and the average over all the scope sees."""
    answers = session.execute(
        select(ReunionFeedback, ReunionBooking)
        .join(ReunionBooking, ReunionBooking.id == ReunionFeedback.booking_id)
        .join(ReunionDay, ReunionDay.id == ReunionBooking.day_id)
        .where(scope.rows(ReunionBooking))
        .options(selectinload(ReunionBooking.day))
        .order_by(ReunionDay.day.desc(), ReunionBooking.id, ReunionFeedback.created_at)
        .limit(limit * 20)).all()
    grouped: dict[int, list] = {}
    bookings: dict[int, ReunionBooking] = {}
    for answer, booking in answers:
        grouped.setdefault(booking.id, []).append(answer)
        bookings[booking.id] = booking
    rows = [FeedbackRow(bookings[bid], len(items), sum(a.score for a in items) / len(items),
                        [(a.score, a.text) for a in items if a.text])
            for bid, items in list(grouped.items())[:limit]]
    total = sum(r.count for r in rows)
    average = sum(r.average * r.count for r in rows) / total if total else None
    return FeedbackView(rows, total, average)
