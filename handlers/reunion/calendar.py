"""The reunion calendar: which days receive classes, and what each day has left.

A day is open by default when its ISO weekday is in `reunion.open_weekdays` and it lies inside the
season (`season_start`..`season_end`, either may be missing). Such a day needs no row: it has the
settings' quotas, slots and venues. A `ReunionDay` row appears when staff open, close or change the
day, or when the first class books it (`materialize`), and from then on the row is the day: the
settings no longer speak for it. Every door (the bot, the API, the admin page) reads days through
`day_view` / `days_between`, so "what is left" is computed in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from handlers.settings import Settings
from models.reunion import ReunionDay, ReunionSlot, ReunionVenue

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class SlotView:
    starts: dt.time
    ends: dt.time
    capacity: int
    booked: int
    id: int | None = None   # None: a default day nobody booked yet

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def label(self) -> str:
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"


@dataclass(frozen=True)
class VenueView:
    name: str
    seats: int
    taken: bool
    id: int | None = None


@dataclass(frozen=True)
class Quota:
    capacity: int
    booked: int

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked, 0)


@dataclass(frozen=True)
class DayView:
    """One day as alumni and staff see it: open or not, and every quota with what is left."""

    day: dt.date
    is_open: bool
    note: str | None
    people: Quota
    lodging: Quota
    tour: Quota
    lunch: Quota
    dinner: Quota
    slots: tuple[SlotView, ...]
    venues: tuple[VenueView, ...]
    changed: bool            # a row exists: staff changed it or a class booked it
    id: int | None = None

    @property
    def weekday(self) -> str:
        return "周" + WEEKDAYS[self.day.weekday()]

    @property
    def people_left(self) -> int:
        """What one more class may still bring: the day's and the best slot's room together."""
        best_slot = max((s.left for s in self.slots), default=0)
        return min(self.people.left, best_slot)


def local_today(now: dt.datetime, settings: Settings) -> dt.date:
    return now.astimezone(ZoneInfo(settings.timezone)).date()


def first_bookable_day(today: dt.date, settings: Settings) -> dt.date:
    """The earliest day a class may book today (`booking_lead_days` ahead)."""
    return today + dt.timedelta(days=settings.reunion.booking_lead_days)


def in_season(day: dt.date, settings: Settings) -> bool:
    reunion = settings.reunion
    return ((reunion.season_start is None or day >= reunion.season_start)
            and (reunion.season_end is None or day <= reunion.season_end))


def open_by_default(day: dt.date, settings: Settings) -> bool:
    return day.isoweekday() in settings.reunion.open_weekdays and in_season(day, settings)


def _defaults(settings: Settings) -> tuple[tuple[SlotView, ...], tuple[VenueView, ...]]:
    """The settings' default slots and venues, parsed once per settings object: a 返校 lists ~92
    days, and parsing `entry_slots` and `venues` for each of them was most of its CPU. Keyed by
    identity (the settings are read once at start-up and never change; a test's replaced settings
    are another object), holding the object so its id is not reused while cached."""
    reunion = settings.reunion
    cached = _DEFAULTS.get(id(reunion))
    if cached is not None and cached[0] is reunion:
        return cached[1]
    value = (tuple(SlotView(start, end, reunion.slot_capacity_people, 0) for start, end in reunion.slots()),
             tuple(VenueView(name, seats, False) for name, seats in reunion.venue_list()))
    if len(_DEFAULTS) >= 16:   # tests make many settings objects; production has one
        _DEFAULTS.clear()
    _DEFAULTS[id(reunion)] = (reunion, value)
    return value


_DEFAULTS: dict[int, tuple[object, tuple[tuple[SlotView, ...], tuple[VenueView, ...]]]] = {}


def default_view(day: dt.date, settings: Settings, *, is_open: bool | None = None) -> DayView:
    reunion = settings.reunion
    slots, venues = _defaults(settings)
    return DayView(
        day=day, is_open=open_by_default(day, settings) if is_open is None else is_open, note=None,
        people=Quota(reunion.daily_capacity_people, 0),
        lodging=Quota(reunion.lodging_capacity, 0), tour=Quota(reunion.tour_groups, 0),
        lunch=Quota(reunion.lunch_capacity, 0), dinner=Quota(reunion.dinner_capacity, 0),
        slots=slots, venues=venues, changed=False)


def row_view(row: ReunionDay, *, venues: bool = True) -> DayView:
    return DayView(
        day=row.day, is_open=row.is_open, note=row.note,
        people=Quota(row.people_capacity, row.people_booked),
        lodging=Quota(row.lodging_capacity, row.lodging_booked),
        tour=Quota(row.tour_capacity, row.tour_booked),
        lunch=Quota(row.lunch_capacity, row.lunch_booked),
        dinner=Quota(row.dinner_capacity, row.dinner_booked),
        slots=tuple(SlotView(s.starts, s.ends, s.capacity, s.booked, s.id) for s in row.slots),
        venues=tuple(VenueView(v.name, v.seats, v.booking_id is not None, v.id) for v in row.venues)
        if venues else (),
        changed=True, id=row.id)


# Built once: constructing a statement costs more CPU than PostgreSQL spends running it (DESIGN.md).
_DAYS = select(ReunionDay).where(ReunionDay.day >= bindparam("start"), ReunionDay.day <= bindparam("end"))
# With venues: selectin (joining both collections would multiply the rows); without: the slots
# joined into the day's own query, one round trip.
_ROWS = {True: _DAYS.options(selectinload(ReunionDay.slots), selectinload(ReunionDay.venues)),
         False: _DAYS.options(joinedload(ReunionDay.slots))}
_day, _slot = ReunionDay.__table__.c, ReunionSlot.__table__.c
# The changed days of a range with their slots in one round trip and no ORM objects: what the
# lists alumni see read (every quota and slot; no venues), about a third of the CPU of _ROWS.
_LISTING = (
    select(_day.id, _day.day, _day.is_open, _day.note, _day.people_capacity, _day.people_booked,
           _day.lodging_capacity, _day.lodging_booked, _day.tour_capacity, _day.tour_booked,
           _day.lunch_capacity, _day.lunch_booked, _day.dinner_capacity, _day.dinner_booked,
           _slot.id, _slot.starts, _slot.ends, _slot.capacity, _slot.booked)
    .select_from(ReunionDay.__table__.outerjoin(ReunionSlot.__table__, _slot.day_id == _day.id))
    .where(_day.day >= bindparam("start"), _day.day <= bindparam("end"))
    .order_by(_day.day, _slot.starts))


def _rows(session: Session, start: dt.date, end: dt.date, *,
          venues: bool = True) -> dict[dt.date, ReunionDay]:
    # Without venues (what alumni's lists and the booking's checks never read) one round trip less.
    return {row.day: row for row in session.scalars(_ROWS[venues], {"start": start, "end": end}).unique()}


def _listed(session: Session, start: dt.date, end: dt.date) -> dict[dt.date, DayView]:
    """The changed days from start to end as row_view(row, venues=False) would show them."""
    found: dict[dt.date, tuple[tuple, list[SlotView]]] = {}
    for r in session.execute(_LISTING, {"start": start, "end": end}):
        _, slots = found.setdefault(r[1], (r, []))
        if r[14] is not None:
            slots.append(SlotView(r[15], r[16], r[17], r[18], r[14]))
    return {day: DayView(
        day=day, is_open=r[2], note=r[3], people=Quota(r[4], r[5]), lodging=Quota(r[6], r[7]),
        tour=Quota(r[8], r[9]), lunch=Quota(r[10], r[11]), dinner=Quota(r[12], r[13]),
        slots=tuple(slots), venues=(), changed=True, id=r[0]) for day, (r, slots) in found.items()}


def day_row(session: Session, day: dt.date, *, venues: bool = True) -> ReunionDay | None:
    """The day's row with its slots (and venues) loaded, or None while the settings speak for it."""
    return _rows(session, day, day, venues=venues).get(day)


def day_view(session: Session, day: dt.date, settings: Settings, *, venues: bool = True) -> DayView:
    """The day as it stands; with venues=False a changed day's `venues` is left empty (unread)."""
    if not venues:
        view = _listed(session, day, day).get(day)
        return view if view is not None else default_view(day, settings)
    row = day_row(session, day)
    return row_view(row) if row is not None else default_view(day, settings)


def days_between(session: Session, start: dt.date, end: dt.date, settings: Settings, *,
                 open_only: bool = True, venues: bool = True) -> list[DayView]:
    """Every day from start to end (inclusive) as it stands; with open_only, the open ones.
    With venues=False a changed day's `venues` is left empty (read faster, without the ORM)."""
    changed = _listed(session, start, end) if not venues else \
        {day: row_view(row) for day, row in _rows(session, start, end).items()}
    days = []
    day = start
    while day <= end:
        view = changed.get(day)
        if view is None:
            # A closed default day is dropped before its view is built (most of a season's days).
            is_open = open_by_default(day, settings)
            view = default_view(day, settings, is_open=is_open) if is_open or not open_only else None
        if view is not None and (view.is_open or not open_only):
            days.append(view)
        day += dt.timedelta(days=1)
    return days


def materialize(session: Session, day: dt.date, settings: Settings, now: dt.datetime, *,
                by: str = "booking") -> ReunionDay:
    """The day's row, created from the settings if it has none (whoever comes first creates it).

    Two requests creating the same day at once: the unique `day` keeps one; the other's insert
    fails inside its savepoint and it reads the winner's row.
    """
    row = session.scalar(select(ReunionDay).where(ReunionDay.day == day))
    if row is not None:
        return row
    view = default_view(day, settings)
    row = ReunionDay(
        day=day, is_open=view.is_open, people_capacity=view.people.capacity,
        lodging_capacity=view.lodging.capacity, tour_capacity=view.tour.capacity,
        lunch_capacity=view.lunch.capacity, dinner_capacity=view.dinner.capacity,
        people_booked=0, lodging_booked=0, tour_booked=0, lunch_booked=0, dinner_booked=0,
        updated_at=now, updated_by=by,
        slots=[ReunionSlot(starts=s.starts, ends=s.ends, capacity=s.capacity, booked=0)
               for s in view.slots],
        venues=[ReunionVenue(name=v.name, seats=v.seats) for v in view.venues])
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        row = session.scalar(select(ReunionDay).where(ReunionDay.day == day))
        assert row is not None
    return row
