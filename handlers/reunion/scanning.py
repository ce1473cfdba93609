"""On the visit day: staff scan a pass at the gate (arrival) or the canteen (one free meal each).

`scan` checks the code (handlers.reunion.passes), then the database: the member still on the
booking, the pass not revoked, the booking approved (or already marked visited). What it records
holds under concurrent scans without a check-then-write:

- the gate: one `UPDATE … SET arrived_at WHERE arrived_at IS NULL`; the scan that changes no
  row reads the first arrival's time and says so ("已于 09:12 入校"): not an error for the guard,
  the person is in, but a copied pass shows up here.
- a meal: an insert into reunion_meal, whose unique (member, meal) refuses the second; the loser
  reads the first scan's time ("已于 12:03 用过午餐"). A member's scan serves their party: the
  companions (家属) they listed have no pass of their own, so the answer says how many plates.

The answer carries who it is (name, class, party) so the person at the scanner can look up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.reunion import pass_texts as texts
from handlers.reunion.calendar import local_today
from handlers.reunion.passes import PassRefused, read_code
from handlers.settings import Settings
from models import Alumnus
from models.reunion import BookingStatus, ReunionBooking, ReunionDay, ReunionMeal, ReunionMember

# Passes of these bookings admit their members; the others are refused with the status's reason.
ADMITTING = (BookingStatus.APPROVED, BookingStatus.VISITED)


class Station(StrEnum):
    GATE = "gate"
    LUNCH = "lunch"
    DINNER = "dinner"


@dataclass(frozen=True)
class ScanResult:
    ok: bool                       # green (admitted / served / already in) or red (refused)
    headline: str                  # the big line on the scanner page
    detail: str = ""               # the reason of a refusal
    station: str = ""
    repeat: bool = False           # a second gate scan: admitted before, nothing new recorded
    recorded: str | None = None    # "arrival" / "lunch" / "dinner" when this scan wrote it
    member_id: int | None = None
    booking_id: int | None = None
    name: str | None = None
    class_label: str | None = None
    party: int | None = None
    companions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in self.__dataclass_fields__}


def class_label(booking: ReunionBooking) -> str:
    college = f"{booking.college} " if booking.college else ""
    return f"{college}{booking.graduation_year} 届（{booking.anniversary} 周年）"


def _refused(station: str, detail: str, **who) -> ScanResult:
    return ScanResult(False, texts.REFUSED, detail, station=station, **who)


def scan(session: Session, code: str, station: str, now: dt.datetime, staff: str, *,
         key: bytes, settings: Settings) -> ScanResult:
    """Check `code` at `station` and record what it admits. The caller commits."""
    if station not in Station.__members__.values():
        return _refused(station, texts.UNKNOWN_STATION)
    zone = ZoneInfo(settings.timezone)
    today = local_today(now, settings)
    try:
        claim = read_code(key, code, now, today)
    except PassRefused as refused:
        return _refused(station, refused.text)
    member = session.get(ReunionMember, claim.member_id)
    if member is None:
        return _refused(station, texts.NO_MEMBER)
    booking = member.booking
    alumnus = session.get(Alumnus, member.alumnus_id)
    who = {"member_id": member.id, "booking_id": booking.id,
           "name": alumnus.name if alumnus else None, "class_label": class_label(booking),
           "party": member.party, "companions": list(member.companions or [])}
    if booking.day.day != claim.day:
        return _refused(station, texts.WRONG_DAY_BOOKING, **who)
    if member.pass_revoked_at is not None:
        return _refused(station, texts.revoked(member.pass_revoked_at.astimezone(zone)), **who)
    if booking.status not in ADMITTING:
        return _refused(station, texts.booking_refused(booking.status, booking.reason), **who)
    if station == Station.GATE:
        return _arrive(session, member, now, staff, zone, who)
    return _serve(session, member, booking, station, now, staff, zone, who)


def _arrive(session: Session, member: ReunionMember, now: dt.datetime, staff: str, zone, who) -> ScanResult:
    done = session.execute(
        update(ReunionMember)
        .where(ReunionMember.id == member.id, ReunionMember.arrived_at.is_(None))
        .values(arrived_at=now, arrived_by=staff[:64])
        .execution_options(synchronize_session=False))
    if done.rowcount == 1:
        return ScanResult(True, texts.arrived(member.party), station=Station.GATE,
                          recorded="arrival", **who)
    first = session.scalar(select(ReunionMember.arrived_at).where(ReunionMember.id == member.id))
    return ScanResult(True, texts.arrived_before(f"{first.astimezone(zone):%H:%M}"),
                      station=Station.GATE, repeat=True, **who)


def _serve(session: Session, member: ReunionMember, booking: ReunionBooking, meal: str,
           now: dt.datetime, staff: str, zone, who) -> ScanResult:
    if not getattr(booking, meal):
        return _refused(meal, texts.meal_not_booked(meal), **who)
    try:
        with session.begin_nested():
            session.add(ReunionMeal(member_id=member.id, meal=meal, served_at=now, served_by=staff[:64]))
    except IntegrityError:
        first = session.scalar(select(ReunionMeal.served_at).where(
            ReunionMeal.member_id == member.id, ReunionMeal.meal == meal))
        at = f"{first.astimezone(zone):%H:%M}" if first else "此前"
        return _refused(meal, texts.meal_before(meal, at), **who)
    return ScanResult(True, texts.meal_served(meal, member.party), station=meal, recorded=meal, **who)


# --- the day's live page (当日到场) ---

# Bookings the live page lists: those expected or already settled on the day.
ON_THE_DAY = (BookingStatus.APPROVED, BookingStatus.VISITED, BookingStatus.NO_SHOW)


@dataclass(frozen=True)
class LiveRow:
    booking_id: int
    class_label: str
    status: str
    slot: str
    members: int            # passes (joined classmates)
    expected: int           # people: members and their companions
    arrived_members: int
    arrived: int            # people through the gate (a member's scan admits the party)
    lunch: bool             # asked for
    lunch_served: int       # plates
    dinner: bool
    dinner_served: int


@dataclass(frozen=True)
class LiveDay:
    day: dt.date
    rows: list[LiveRow]

    @property
    def totals(self) -> dict[str, int]:
        keys = ("members", "expected", "arrived_members", "arrived", "lunch_served", "dinner_served")
        return {"bookings": len(self.rows)} | {k: sum(getattr(r, k) for r in self.rows) for k in keys}

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "totals": self.totals,
                "rows": [row.__dict__ for row in self.rows]}


def day_live(session: Session, day: dt.date, visible) -> LiveDay:
    """Arrivals and meals per booking of `day`; `visible` is the viewer's WHERE clause on
    ReunionBooking (handlers.staff.scope)."""
    bookings = list(session.scalars(
        select(ReunionBooking).join(ReunionDay, ReunionBooking.day_id == ReunionDay.id)
        .where(ReunionDay.day == day, ReunionBooking.status.in_(ON_THE_DAY), visible)
        .order_by(ReunionBooking.slot_id, ReunionBooking.id)))
    member_ids = [m.id for b in bookings for m in b.members]
    served: dict[tuple[int, str], bool] = {}
    if member_ids:
        for member_id, meal in session.execute(select(ReunionMeal.member_id, ReunionMeal.meal)
                                               .where(ReunionMeal.member_id.in_(member_ids))):
            served[member_id, meal] = True
    rows = []
    for b in bookings:
        came = [m for m in b.members if m.arrived_at is not None]
        rows.append(LiveRow(
            booking_id=b.id, class_label=class_label(b), status=b.status.value, slot=b.slot.label,
            members=len(b.members), expected=sum(m.party for m in b.members),
            arrived_members=len(came), arrived=sum(m.party for m in came),
            lunch=b.lunch, lunch_served=sum(m.party for m in b.members if (m.id, "lunch") in served),
            dinner=b.dinner, dinner_served=sum(m.party for m in b.members if (m.id, "dinner") in served)))
    return LiveDay(day, rows)
