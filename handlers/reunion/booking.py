"""Booking a reunion visit, joining a class's booking, cancelling it: one rule for bot and API.

Capacity is taken only by guarded UPDATEs (`booked + n <= capacity`, rowcount checked) on the day,
the slot and each quota, and a venue by `UPDATE … WHERE booking_id IS NULL`; never by reading
what is left and then writing. The whole booking runs inside one savepoint, so a refusal part-way
(the slot is full after the day's people were taken) rolls back everything it took, and the door
may still commit the request's other writes. One booking per class and anniversary is the unique
`class_key`; of two contacts of one class booking at once the second insert fails and is told the
first's number.

Lock order, so PostgreSQL never deadlocks two of these (nor one of these and the lifecycle's
decline, which changes the booking's status and then releases its places): the booking row first
(a new booking's insert; join's and cancel's guarded UPDATE of its status), then the day, then the
slot, then a venue. SQLite serializes writers, and pysqlite begins the transaction at the first
write, so the reads before it hold no snapshot that the write could find stale.

Operations flush and never commit: the request boundary commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from handlers.notices import Notify
from handlers.reunion import texts
from handlers.reunion.calendar import (
    day_row,
    default_view,
    first_bookable_day,
    local_today,
    materialize,
    row_view,
)
from handlers.reunion.capacity import release
from handlers.reunion.eligibility import ReunionClass, anniversary_on, class_of
from handlers.reunion.policy import next_anniversary
from handlers.settings import Settings
from models import Alumnus, WechatUser
from models.reunion import (
    HOLDING,
    BookingStatus,
    ReunionBooking,
    ReunionDay,
    ReunionMember,
    ReunionSlot,
    ReunionVenue,
)

DAY_COUNTERS = ["people_booked", "lodging_booked", "tour_booked", "lunch_booked", "dinner_booked"]
MAX_PEOPLE = 2000          # a typo guard; what is left on the day is the real limit
MAX_COMPANIONS = 10
NOTE_CHARS = 500
# While a booking is in one of these, its class may still join it and its contact cancel it.
OPEN_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.APPROVED)
JOIN_NOTICE_BY = "reunion:join"
CANCEL_NOTICE_BY = "reunion:cancel"
COMPANION_NAME = re.compile(r"[\u3400-\u9fffA-Za-z·. ]{1,20}")


class BookingRefused(Exception):
    """A refusal the alumnus reads: `reason` in Chinese, `code` for the API's status."""

    def __init__(self, code: str, reason: str, booking_id: int | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.booking_id = booking_id


@dataclass(frozen=True)
class Needs:
    lodging: int = 0        # rooms or beds (reunion.lodging_unit)
    venue_size: int = 0     # seats wanted; 0 = no venue
    tour: bool = False      # one campus-tour group for the class
    lunch: bool = False     # a canteen lunch for every place held
    dinner: bool = False
    note: str | None = None


# 预约返校 YYYY-MM-DD 人数: a tour and lunch, no lodging and no venue; dropped if they do not fit.
DEFAULT_NEEDS = Needs(tour=True, lunch=True)


@dataclass(frozen=True)
class Booked:
    booking: ReunionBooking
    venue: ReunionVenue | None = None
    dropped: tuple[str, ...] = ()   # needs left out because nothing was left (texts.DROPPED_NAMES)


@dataclass(frozen=True)
class Joined:
    booking: ReunionBooking
    member: ReunionMember
    grew: int = 0                   # places added to the booking for this party


@dataclass(frozen=True)
class MyBooking:
    booking: ReunionBooking
    member: ReunionMember
    headcount: int
    members: int

    @property
    def is_contact(self) -> bool:
        return self.member.is_contact


# --- book ------------------------------------------------------------------------------------------

def book(session: Session, alumnus: Alumnus | None, day: dt.date, people: int,
         needs: Needs = DEFAULT_NEEDS, slot: dt.time | None = None, *, now: dt.datetime,
         settings: Settings, channel: str, optional: bool = False) -> Booked:
    """Book `day` for the alumnus's class, the alumnus as its contact. With `optional` (the
    defaults of 预约返校), a need the day has no room for is left out and named in `dropped`;
    otherwise it refuses. Raises BookingRefused."""
    if alumnus is None or alumnus.wechat_user_id is None:
        raise BookingRefused("not_bound", texts.R_NOT_BOUND)
    klass = class_of(alumnus, settings)
    label = texts.full_date(day)
    today = local_today(now, settings)
    if day < today:
        raise BookingRefused("past", texts.R_PAST.format(day=label))
    first = first_bookable_day(today, settings)
    if day < first:
        raise BookingRefused("too_late", texts.R_TOO_LATE.format(
            lead=settings.reunion.booking_lead_days, first=texts.full_date(first)))
    anniversary = anniversary_on(klass, day, settings)
    if anniversary is None:
        raise BookingRefused("not_eligible", _not_eligible(klass, day, settings))
    if people < 1:
        raise BookingRefused("bad_headcount", texts.R_HEADCOUNT)
    if people > MAX_PEOPLE:
        raise BookingRefused("bad_headcount", texts.R_HEADCOUNT_MAX.format(max=MAX_PEOPLE))
    if needs.lodging < 0 or needs.venue_size < 0:
        raise BookingRefused("bad_input", texts.R_HEADCOUNT)
    # One read of the day serves the checks below and the booking itself (its row and slots).
    existing = day_row(session, day, venues=False)
    view = row_view(existing, venues=False) if existing is not None else default_view(day, settings)
    if not view.is_open:
        raise BookingRefused("closed", texts.R_CLOSED.format(
            day=label, note=f"（{view.note}）" if view.note else ""))
    key = klass.key(anniversary)
    _refuse_second(session, klass, key, day, alumnus.id)
    if slot is not None and all(s.starts != slot for s in view.slots):
        raise BookingRefused("bad_slot", texts.R_NO_SUCH_SLOT.format(
            day=label, slot=f"{slot:%H:%M}", slots="、".join(s.label for s in view.slots)))
    # Nothing is taken yet: a day that already has no room is told so without writing a row.
    if view.people.left < people:
        raise _day_full(label, view.people.left, people)
    row = existing if existing is not None else materialize(session, day, settings, now)
    # Read before the savepoint: on SQLite a write must be a transaction's first statement, or a
    # writer committing meanwhile makes ours fail at once instead of waiting its turn. An existing
    # day's slots came with it (ordered by starts); which of them has room the guarded UPDATEs say.
    slots = list(row.slots)
    try:
        with session.begin_nested():
            booked = _take(session, row, slots, klass, key, anniversary, people, needs, slot,
                           alumnus=alumnus, now=now, settings=settings, channel=channel,
                           optional=optional, label=label)
    except IntegrityError:
        # The class's other contact was faster: the unique class_key refused our insert.
        _refuse_second(session, klass, key, day, alumnus.id)
        raise
    # The counters changed under the ORM's feet (Core UPDATEs); the date and labels did not, so
    # the reply reads them without another query.
    session.expire(row, DAY_COUNTERS)
    for s in slots:
        session.expire(s, ["booked"])
    return booked


def _take(session: Session, row: ReunionDay, slots: list[ReunionSlot], klass: ReunionClass, key: str,
          anniversary: int, people: int, needs: Needs, slot: dt.time | None, *, alumnus: Alumnus,
          now: dt.datetime, settings: Settings, channel: str, optional: bool, label: str) -> Booked:
    day_id = row.id
    candidates = [s for s in slots if slot is None or s.starts == slot]
    if not candidates:   # staff changed the day's slots since we looked
        raise BookingRefused("bad_slot", texts.R_NO_SUCH_SLOT.format(
            day=label, slot=f"{slot:%H:%M}" if slot else "",
            slots="、".join(s.label for s in slots) or "无"))
    # The booking row first (the lock order: a booking, then its day): the unique class_key
    # decides here between two contacts of one class, before either takes a place.
    booking = ReunionBooking(
        day=row, slot=candidates[0], college=klass.college,
        graduation_year=klass.graduation_year, anniversary=anniversary, class_key=key,
        contact_user_id=alumnus.wechat_user_id, contact_alumnus_id=alumnus.id, people=people,
        # What is wanted, so a day with room for all of it needs no second UPDATE of the booking.
        lodging=needs.lodging, venue_size=0, tour=needs.tour, lunch=needs.lunch, dinner=needs.dinner,
        note=(needs.note or "").strip()[:NOTE_CHARS] or None, channel=channel,
        status=BookingStatus.PENDING, created_at=now, updated_at=now)
    booking.members = [ReunionMember(alumnus_id=alumnus.id, wechat_user_id=alumnus.wechat_user_id,
                                     is_contact=True, companions=[], party=1, joined_at=now)]
    session.add(booking)
    session.flush()
    # From here on the day's row is locked until the request commits: as few statements as may be.
    wanted = {"people": people, "lodging": needs.lodging, "tour": 1 if needs.tour else 0,
              "lunch": people if needs.lunch else 0, "dinner": people if needs.dinner else 0}
    dropped: list[str] = []
    if not _add_day(session, day_id, wanted):
        # Something ran out: take them one at a time, to say which (or leave an optional one out).
        wanted = _one_by_one(session, day_id, wanted, dropped, optional=optional, label=label,
                             unit=settings.reunion.lodging_unit)
    if dropped:   # only then does the booking differ from what was inserted
        booking.lodging = wanted["lodging"]
        booking.tour, booking.lunch, booking.dinner = (bool(wanted[n]) for n in ("tour", "lunch", "dinner"))
    # Earliest first: without a chosen slot the booking gets the earliest with room.
    chosen = next((s for s in candidates if _add(session, ReunionSlot, s.id, "booked", "capacity", people)),
                  None)
    if chosen is None:
        raise _slot_full(session, label, candidates, people, chosen=slot is not None)
    if chosen is not candidates[0]:
        booking.slot = chosen
    venue = None
    if needs.venue_size > 0:
        venue = _take_venue(session, day_id, booking.id, needs.venue_size)
        if venue is not None:
            booking.venue_size = needs.venue_size
        elif optional:
            dropped.append("venue")
        else:
            raise BookingRefused("full", texts.R_VENUE.format(day=label, seats=needs.venue_size))
    session.flush()
    return Booked(booking, venue, tuple(dropped))


def _add_day(session: Session, day_id: int, wanted: dict[str, int]) -> bool:
    """Every quota of `wanted` (people, lodging, tour, lunch, dinner) at once, each within its
    capacity, on an open day: one guarded UPDATE, all or nothing."""
    names = tuple(name for name, amount in wanted.items() if amount > 0)
    params = {"day_id": day_id, **{f"add_{name}": wanted[name] for name in names}}
    result = session.execute(_day_update(names), params, execution_options={"synchronize_session": False})
    return result.rowcount == 1


_DAY_UPDATES: dict[tuple[str, ...], object] = {}


def _day_update(names: tuple[str, ...]):
    """The guarded UPDATE for these quotas, built once per set of names (a handful exist):
    constructing it each time cost more CPU than PostgreSQL spends running it."""
    statement = _DAY_UPDATES.get(names)
    if statement is None:
        conditions, values = [ReunionDay.id == bindparam("day_id"), ReunionDay.is_open.is_(True)], {}
        for name in names:
            booked, capacity = getattr(ReunionDay, f"{name}_booked"), getattr(ReunionDay, f"{name}_capacity")
            amount = bindparam(f"add_{name}", type_=Integer)
            conditions.append(booked + amount <= capacity)
            values[f"{name}_booked"] = booked + amount
        statement = _DAY_UPDATES[names] = update(ReunionDay).where(*conditions).values(values)
    return statement


def _one_by_one(session: Session, day_id: int, wanted: dict[str, int], dropped: list[str], *,
                optional: bool, label: str, unit: str) -> dict[str, int]:
    """The people first (refused when they do not fit), then each need: what was taken."""
    people = wanted["people"]
    if not _add_day(session, day_id, {"people": people}):
        fresh = _day_row(session, day_id)
        if not fresh.is_open:
            raise BookingRefused("closed", texts.R_CLOSED.format(
                day=label, note=f"（{fresh.note}）" if fresh.note else ""))
        raise _day_full(label, fresh.people_capacity - fresh.people_booked, people)
    taken = {"people": people}
    for name in ("lodging", "tour", "lunch", "dinner"):
        amount = wanted[name]
        if amount <= 0 or _add_day(session, day_id, {name: amount}):
            taken[name] = max(amount, 0)
            continue
        if not optional:
            raise _quota_short(session, day_id, name, amount, label, unit)
        dropped.append(name)
        taken[name] = 0
    return taken


def _quota_short(session: Session, day_id: int, name: str, amount: int, label: str, unit: str) -> BookingRefused:
    if name == "tour":
        return BookingRefused("full", texts.R_TOUR.format(day=label))
    left = _left(_day_row(session, day_id), name)
    template = {"lodging": texts.R_LODGING, "lunch": texts.R_LUNCH, "dinner": texts.R_DINNER}[name]
    return BookingRefused("full", template.format(day=label, left=left, unit=unit, wanted=amount))


def _take_venue(session: Session, day_id: int, booking_id: int, seats: int) -> ReunionVenue | None:
    """The smallest free venue with enough seats; another booking taking it first moves us on."""
    free = session.scalars(select(ReunionVenue.id).where(
        ReunionVenue.day_id == day_id, ReunionVenue.booking_id.is_(None), ReunionVenue.seats >= seats)
        .order_by(ReunionVenue.seats, ReunionVenue.id)).all()
    for venue_id in free:
        taken = session.execute(
            update(ReunionVenue).where(ReunionVenue.id == venue_id, ReunionVenue.booking_id.is_(None))
            .values(booking_id=booking_id).execution_options(synchronize_session=False))
        if taken.rowcount == 1:
            venue = session.get(ReunionVenue, venue_id)
            session.refresh(venue)
            return venue
    return None


def _add(session: Session, model, row_id: int, booked: str, capacity: str, amount: int) -> bool:
    """`booked += amount` where it stays within `capacity`: the one way capacity is taken."""
    key = (model, booked, capacity)
    statement = _ADDS.get(key)
    if statement is None:   # built once per counter, as _day_update
        booked_col, capacity_col = getattr(model, booked), getattr(model, capacity)
        amount_param = bindparam("amount", type_=Integer)
        statement = _ADDS[key] = (
            update(model).where(model.id == bindparam("row_id"), booked_col + amount_param <= capacity_col)
            .values({booked: booked_col + amount_param}))
    result = session.execute(statement, {"row_id": row_id, "amount": amount},
                             execution_options={"synchronize_session": False})
    return result.rowcount == 1


_ADDS: dict[tuple, object] = {}


def _day_row(session: Session, day_id: int):
    return session.execute(select(
        ReunionDay.is_open, ReunionDay.note, ReunionDay.people_capacity, ReunionDay.people_booked,
        ReunionDay.lodging_capacity, ReunionDay.lodging_booked, ReunionDay.lunch_capacity,
        ReunionDay.lunch_booked, ReunionDay.dinner_capacity, ReunionDay.dinner_booked)
        .where(ReunionDay.id == day_id)).one()


def _left(fresh, name: str) -> int:
    return max(getattr(fresh, f"{name}_capacity") - getattr(fresh, f"{name}_booked"), 0)


def _day_full(label: str, left: int, people: int) -> BookingRefused:
    if left <= 0:
        return BookingRefused("full", texts.R_FULL_DAY.format(day=label))
    return BookingRefused("full", texts.R_TOO_MANY_DAY.format(day=label, left=left, people=people))


def _slot_full(session: Session, label: str, candidates, people: int, *, chosen: bool) -> BookingRefused:
    rows = session.execute(select(ReunionSlot.id, ReunionSlot.capacity - ReunionSlot.booked)
                           .where(ReunionSlot.id.in_([c.id for c in candidates]))).all()
    lefts = {row[0]: max(row[1], 0) for row in rows}
    best = max(lefts.values(), default=0)
    if not chosen:
        # Every slot is short: to the alumnus the day is as good as full.
        return (BookingRefused("full", texts.R_FULL_DAY.format(day=label)) if best <= 0 else
                BookingRefused("full", texts.R_TOO_MANY_DAY.format(day=label, left=best, people=people)))
    only = candidates[0]
    slot_label = f"{only.starts:%H:%M}-{only.ends:%H:%M}"
    if best <= 0:
        return BookingRefused("full", texts.R_FULL_SLOT.format(day=label, slot=slot_label))
    return BookingRefused("full", texts.R_TOO_MANY_SLOT.format(day=label, slot=slot_label, left=best,
                                                               people=people))


def _not_eligible(klass: ReunionClass, day: dt.date, settings: Settings) -> str:
    years = settings.reunion.anniversary_years
    nxt = next_anniversary(klass.graduation_year, day, years)
    if nxt is not None:
        after = texts.R_NOT_ELIGIBLE_NEXT.format(year=nxt[0], n=nxt[1])
    else:
        after = texts.R_NOT_ELIGIBLE_NONE.format(years="、".join(str(y) for y in sorted(years)))
    return texts.R_NOT_ELIGIBLE.format(label=klass.label, year=day.year,
                                       elapsed=day.year - klass.graduation_year, next=after)


def _refuse_second(session: Session, klass: ReunionClass, key: str, day: dt.date, alumnus_id: int) -> None:
    existing = session.scalar(_BY_CLASS_KEY, {"key": key})
    if existing is not None:
        if _member(session, existing.id, alumnus_id) is not None:   # their own class's booking
            raise BookingRefused("duplicate", texts.R_DUPLICATE_MINE.format(
                number=existing.id, day=texts.full_date(existing.day.day)), booking_id=existing.id)
        raise BookingRefused("duplicate", texts.R_DUPLICATE.format(
            label=klass.label, year=day.year, number=existing.id,
            day=texts.full_date(existing.day.day)), booking_id=existing.id)


_BY_CLASS_KEY = (select(ReunionBooking).options(selectinload(ReunionBooking.day))
                 .where(ReunionBooking.class_key == bindparam("key")))   # built once


# --- join ------------------------------------------------------------------------------------------

def clean_companions(raw: list[str]) -> list[str]:
    """Names as given, trimmed; BookingRefused for too many or one that is no name."""
    names = [n.strip() for n in raw if n and n.strip()]
    if len(names) > MAX_COMPANIONS:
        raise BookingRefused("bad_input", texts.COMPANIONS_TOO_MANY.format(max=MAX_COMPANIONS))
    for name in names:
        if not COMPANION_NAME.fullmatch(name):
            raise BookingRefused("bad_input", texts.COMPANION_BAD.format(name=name[:20]))
    return names


def join(session: Session, alumnus: Alumnus | None, booking_id: int, companions: list[str], *,
         now: dt.datetime, settings: Settings, notify: Notify | None = None) -> Joined:
    """Add the alumnus (with companions) to their class's booking; when the class's headcount
    would pass the places held, the booking grows by the difference, or the join is refused."""
    if alumnus is None or alumnus.wechat_user_id is None:
        raise BookingRefused("not_bound", texts.R_NOT_BOUND)
    names = clean_companions(companions)
    booking = check_join(session, alumnus, booking_id, now=now, settings=settings)
    label = texts.full_date(booking.day.day)
    party = 1 + len(names)
    try:
        with session.begin_nested():
            # The booking's row lock first (then the day's, in _grow): concurrent joins of one
            # booking count each other's members, and a decline or cancel waits or wins whole.
            locked = session.execute(_LOCK_OPEN, {"booking_id": booking.id, "now": now},
                                     execution_options={"synchronize_session": False})
            if locked.rowcount != 1:
                session.refresh(booking)
                raise BookingRefused("not_open", texts.R_NOT_HOLDING.format(
                    number=booking.id, status=texts.STATUS_NAMES[booking.status.value]))
            # Read after the lock: a join that committed while we waited is counted.
            # One statement, so one snapshot, taken after the lock: the places and the headcount.
            places, headcount = session.execute(_PLACES_AND_HEADCOUNT, {"booking_id": booking.id}).one()
            headcount += party
            member = ReunionMember(booking_id=booking.id, alumnus_id=alumnus.id,
                                   wechat_user_id=alumnus.wechat_user_id, is_contact=False,
                                   companions=names, party=party, joined_at=now)
            session.add(member)
            session.flush()
            # The notice is queued before the day is locked (a refusal below takes it back too):
            # the day's row stays locked for as few statements as may be.
            if notify is not None and booking.contact_user_id is not None \
                    and booking.contact_user_id != alumnus.wechat_user_id:
                extra = texts.JOIN_NOTICE_COMPANIONS.format(count=len(names)) if names else ""
                notify(session, [booking.contact_user_id], texts.JOIN_NOTICE.format(
                    name=alumnus.name, number=booking.id, day=label, companions=extra,
                    headcount=headcount), now, created_by=JOIN_NOTICE_BY)
            grew = max(headcount - places, 0)
            if grew:
                _grow(session, booking, grew, label)
    except IntegrityError:
        # The same alumnus joining twice at once: the unique (booking, alumnus) keeps one.
        raise BookingRefused("already_member", texts.R_ALREADY_MEMBER.format(
            number=booking.id, day=label)) from None
    session.expire(booking, ["people", "updated_at", "members"])
    return Joined(booking, member, grew)


def check_join(session: Session, alumnus: Alumnus | None, booking_id: int, *, now: dt.datetime,
               settings: Settings) -> ReunionBooking:
    """The booking the alumnus may join, or BookingRefused: what the bot checks before asking
    for companions' names, and join checks again."""
    if alumnus is None or alumnus.wechat_user_id is None:
        raise BookingRefused("not_bound", texts.R_NOT_BOUND)
    booking = get_booking(session, booking_id)
    klass = class_of(alumnus, settings)
    if (booking.college, booking.graduation_year) != (klass.college, klass.graduation_year):
        raise BookingRefused("other_class", texts.R_OTHER_CLASS.format(
            number=booking.id, label=texts.class_label(booking.graduation_year, booking.college)))
    label = texts.full_date(booking.day.day)
    if booking.status not in OPEN_STATUSES:
        raise BookingRefused("not_open", texts.R_NOT_HOLDING.format(
            number=booking.id, status=texts.STATUS_NAMES[booking.status.value]))
    if booking.day.day < local_today(now, settings):
        raise BookingRefused("past", texts.R_PAST.format(day=label))
    # The members came with the booking (get_booking); two joins at once are told apart by the
    # unique (booking, alumnus) in join, not here.
    if any(m.alumnus_id == alumnus.id for m in booking.members):
        raise BookingRefused("already_member", texts.R_ALREADY_MEMBER.format(number=booking.id, day=label))
    return booking


def _grow(session: Session, booking: ReunionBooking, grow: int, label: str) -> None:
    """`grow` more places for the booking (its day, its meals, its slot), or BookingRefused."""
    meals = {meal: grow for meal, chosen in (("lunch", booking.lunch), ("dinner", booking.dinner)) if chosen}
    if not _add_day(session, booking.day_id, {"people": grow, **meals}):
        fresh = _day_row(session, booking.day_id)
        if not fresh.is_open:   # staff closed the day: no more places on it, not even for a class
            raise BookingRefused("closed", texts.R_CLOSED.format(
                day=label, note=f"（{fresh.note}）" if fresh.note else ""))
        meal = next((m for m in meals if _left(fresh, m) < grow), None)
        if _left(fresh, "people") < grow or meal is None:
            raise BookingRefused("full", texts.R_JOIN_FULL.format(
                day=label, left=_left(fresh, "people"), more=grow))
        refusal = texts.R_LUNCH if meal == "lunch" else texts.R_DINNER
        raise BookingRefused("full", refusal.format(day=label, left=_left(fresh, meal), wanted=grow))
    if not _add(session, ReunionSlot, booking.slot_id, "booked", "capacity", grow):
        left = session.scalar(select(ReunionSlot.capacity - ReunionSlot.booked)
                              .where(ReunionSlot.id == booking.slot_id))
        raise BookingRefused("full", texts.R_JOIN_FULL.format(day=label, left=max(left, 0), more=grow))
    session.execute(update(ReunionBooking).where(ReunionBooking.id == booking.id)
                    .values(people=ReunionBooking.people + grow)
                    .execution_options(synchronize_session=False))


# --- cancel ----------------------------------------------------------------------------------------

def cancel(session: Session, user: WechatUser, booking_id: int, *, now: dt.datetime,
           settings: Settings, notify: Notify | None = None) -> ReunionBooking:
    """The contact cancels until midnight (local) at the start of the visit day: every counter and
    the venue are given back and class_key cleared, so the class may book again."""
    records = _records(session, user)
    if not records:
        raise BookingRefused("not_bound", texts.R_NOT_BOUND)
    booking = get_booking(session, booking_id)
    classes = {(class_of(r, settings).college, r.graduation_year) for r in records}
    if (booking.college, booking.graduation_year) not in classes:
        raise BookingRefused("not_yours", texts.R_NOT_YOURS.format(number=booking.id))
    if booking.contact_user_id != user.id and booking.contact_alumnus_id not in {r.id for r in records}:
        contact = session.get(Alumnus, booking.contact_alumnus_id) if booking.contact_alumnus_id else None
        raise BookingRefused("not_contact", texts.R_NOT_CONTACT.format(
            name=contact.name if contact else "本班预约人", number=booking.id))
    label = texts.full_date(booking.day.day)
    if booking.status not in OPEN_STATUSES:
        raise BookingRefused("not_open", texts.R_ALREADY_CANCELLED.format(
            number=booking.id, status=texts.STATUS_NAMES[booking.status.value]))
    deadline = dt.datetime.combine(booking.day.day, dt.time(0), ZoneInfo(settings.timezone))
    if now >= deadline:
        raise BookingRefused("too_late", texts.R_CANCEL_TOO_LATE.format(number=booking.id, day=label))
    with session.begin_nested():
        # The status changes once: of two cancels at once (or a cancel and a decline) one frees.
        changed = session.execute(
            update(ReunionBooking).where(ReunionBooking.id == booking.id,
                                         ReunionBooking.status.in_(OPEN_STATUSES))
            .values(status=BookingStatus.CANCELLED, class_key=None, cancelled_at=now, updated_at=now)
            .execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            raise BookingRefused("not_open", texts.R_ALREADY_CANCELLED.format(
                number=booking.id, status=texts.STATUS_NAMES["cancelled"]))
        session.refresh(booking)
        release(session, booking)   # the same give-back as a staff decline
    members = [m.wechat_user_id for m in booking.members
               if not m.is_contact and m.wechat_user_id is not None and m.wechat_user_id != user.id]
    if notify is not None and members:
        contact = session.get(Alumnus, booking.contact_alumnus_id) if booking.contact_alumnus_id else None
        notify(session, sorted(set(members)), texts.CANCEL_NOTICE.format(
            name=contact.name if contact else "", number=booking.id, day=label), now,
            created_by=CANCEL_NOTICE_BY)
    return booking


# --- reading ---------------------------------------------------------------------------------------

def my_bookings(session: Session, user: WechatUser) -> list[MyBooking]:
    """Every booking the user is on (as contact or member), the coming ones first."""
    alumni = [r.id for r in _records(session, user)]
    conditions = [ReunionMember.wechat_user_id == user.id]
    if alumni:
        conditions.append(ReunionMember.alumnus_id.in_(alumni))
    members = session.scalars(
        select(ReunionMember).where(or_(*conditions))
        .options(selectinload(ReunionMember.booking).selectinload(ReunionBooking.members),
                 selectinload(ReunionMember.booking).joinedload(ReunionBooking.day),
                 selectinload(ReunionMember.booking).joinedload(ReunionBooking.slot))).all()
    seen: dict[int, MyBooking] = {}
    for m in members:
        b = m.booking
        if b.id not in seen or m.is_contact:
            seen[b.id] = MyBooking(b, m, headcount=sum(x.party for x in b.members), members=len(b.members))
    holding = [x for x in seen.values() if x.booking.status in HOLDING]
    other = [x for x in seen.values() if x.booking.status not in HOLDING]
    return (sorted(holding, key=lambda x: x.booking.day.day)
            + sorted(other, key=lambda x: x.booking.day.day, reverse=True))


def booking_of_class(session: Session, klass: ReunionClass, anniversary: int) -> ReunionBooking | None:
    return session.scalar(select(ReunionBooking).where(ReunionBooking.class_key == klass.key(anniversary)))


def get_booking(session: Session, booking_id: int) -> ReunionBooking:
    # The day and slot joined into the booking's own query: two round trips fewer than selectin.
    booking = session.get(ReunionBooking, booking_id, options=[
        joinedload(ReunionBooking.day), joinedload(ReunionBooking.slot),
        selectinload(ReunionBooking.members)]) if 0 < booking_id < 2**31 else None
    if booking is None:
        raise BookingRefused("not_found", texts.R_NO_BOOKING.format(number=booking_id))
    return booking


def _member(session: Session, booking_id: int, alumnus_id: int) -> ReunionMember | None:
    return session.scalar(select(ReunionMember).where(ReunionMember.booking_id == booking_id,
                                                      ReunionMember.alumnus_id == alumnus_id))


# The join's statements, built once. The lock: a guarded UPDATE of the booking while it is open.
_LOCK_OPEN = (update(ReunionBooking)
              .where(ReunionBooking.id == bindparam("booking_id"), ReunionBooking.status.in_(OPEN_STATUSES))
              .values(updated_at=bindparam("now", type_=ReunionBooking.__table__.c.updated_at.type)))
# The places held and the people on the booking (members and their companions).
_PLACES_AND_HEADCOUNT = select(
    ReunionBooking.people,
    select(func.coalesce(func.sum(ReunionMember.party), 0))
    .where(ReunionMember.booking_id == ReunionBooking.id).scalar_subquery(),
).where(ReunionBooking.id == bindparam("booking_id"))


def _records(session: Session, user: WechatUser) -> list[Alumnus]:
    return list(session.scalars(select(Alumnus).where(Alumnus.wechat_user_id == user.id)
                                .order_by(Alumnus.graduation_year, Alumnus.id)))


