"""Which class a bound alumnus belongs to for a reunion, whether it may book, and on which days.

A class is college + graduation year, or the year alone when `reunion.class_scope = "school"`
(college ""). It may book a day whose calendar year is one of its anniversaries (policy.py): the
class of 2016 books days of 2026 for its 10th. In December the next year's days may already be in
the window, so a class whose anniversary is next year sees them too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from handlers.reunion import texts
from handlers.reunion.calendar import DayView, days_between, first_bookable_day, local_today
from handlers.reunion.policy import anniversary_this_year, next_anniversary
from handlers.settings import Settings
from models import Alumnus
from models.reunion import HOLDING, ReunionBooking

# How far ahead the open dates are listed when the season does not end sooner (about 3 months).
HORIZON = dt.timedelta(days=91)


@dataclass(frozen=True)
class ReunionClass:
    college: str          # "" in school-wide mode
    graduation_year: int

    @property
    def label(self) -> str:
        return texts.class_label(self.graduation_year, self.college)

    def key(self, anniversary: int) -> str:
        """The booking's unique class_key: one booking per class and anniversary."""
        return f"{self.graduation_year}|{self.college}|{anniversary}"


def class_of(alumnus: Alumnus, settings: Settings) -> ReunionClass:
    college = "" if settings.reunion.class_scope == "school" else (alumnus.college or "")
    return ReunionClass(college, alumnus.graduation_year)


def record_for_day(records: list[Alumnus], day: dt.date, settings: Settings) -> Alumnus | None:
    """Of a user's records (本科 and 硕士 are two classes), the one whose reunion year `day` is."""
    years = settings.reunion.anniversary_years
    return next((r for r in records if day.year - r.graduation_year in years), records[0] if records else None)


def record_of_class(records: list[Alumnus], college: str, graduation_year: int,
                    settings: Settings) -> Alumnus | None:
    """The user's record in that class (to join its booking); else the first, which is refused."""
    for r in records:
        if (class_of(r, settings).college, r.graduation_year) == (college, graduation_year):
            return r
    return records[0] if records else None


def anniversary_on(klass: ReunionClass, day: dt.date, settings: Settings) -> int | None:
    """The anniversary a visit on `day` celebrates, or None when day's year is no reunion year."""
    return anniversary_this_year(klass.graduation_year, day, settings.reunion.anniversary_years)


# Built once (statement construction is most of a small query's CPU): the class's holding booking.
_HOLDING_OF = select(ReunionBooking).where(ReunionBooking.class_key.in_(bindparam("keys", expanding=True)),
                                           ReunionBooking.status.in_(HOLDING))


@dataclass(frozen=True)
class Eligibility:
    klass: ReunionClass
    today: dt.date
    first_bookable: dt.date
    # The reunion years whose days are offered now (this year, and next year when its days are
    # already in the window): {calendar year: anniversary}.
    years: dict[int, int]
    next: tuple[int, int] | None   # (year, n) of the next anniversary when none is offered
    days: list[DayView]            # the open days in the window of an offered year
    booking: ReunionBooking | None  # the class's holding booking of an offered year, if any

    @property
    def eligible(self) -> bool:
        return bool(self.years)


def window(today: dt.date, settings: Settings) -> tuple[dt.date, dt.date]:
    """The days listed to alumni: from the first bookable day through the season, at most ~3 months."""
    start = first_bookable_day(today, settings)
    end = start + HORIZON
    season_end = settings.reunion.season_end
    if season_end is not None and season_end < end:
        end = season_end
    return start, end


def eligibility(session: Session, alumnus: Alumnus, now: dt.datetime, settings: Settings) -> Eligibility:
    klass = class_of(alumnus, settings)
    today = local_today(now, settings)
    start, end = window(today, settings)
    years = settings.reunion.anniversary_years
    offered: dict[int, int] = {}
    for year in range(today.year, end.year + 1):
        n = anniversary_this_year(klass.graduation_year, dt.date(year, 1, 1), years)
        if n is not None:
            offered[year] = n
    days = [d for d in days_between(session, start, end, settings, venues=False) if d.day.year in offered] \
        if offered and start <= end else []
    booking = None
    if offered:
        booking = session.scalar(_HOLDING_OF, {"keys": [klass.key(n) for n in offered.values()]})
    nxt = None if offered else next_anniversary(klass.graduation_year, today, years)
    return Eligibility(klass, today, start, offered, nxt, days, booking)


def best(session: Session, records: list[Alumnus], now: dt.datetime,
         settings: Settings) -> tuple[Alumnus, Eligibility]:
    """The record whose class may book now; else the first record's answer."""
    found = [(r, eligibility(session, r, now, settings)) for r in records]
    return next(((r, e) for r, e in found if e.eligible), found[0])


def reply(found: Eligibility, settings: Settings, *, limit: int = 20, member_id: int | None = None) -> str:
    """The answer to 返校: the anniversary (or when it comes), the open days with room, how to book;
    a class that has booked is shown its booking (`member_id`: the asking record, if on it)."""
    klass = found.klass
    if not found.eligible:
        return "\n".join([texts.not_reunion_year(klass.label, found.today.year, found.next),
                          texts.BOOK_HOW_LATER]) if found.next else \
            texts.not_reunion_year(klass.label, found.today.year, None)
    lines = [texts.anniversary_line(klass.label, year, n, year == found.today.year)
             for year, n in sorted(found.years.items())]
    if found.booking is not None:
        b = found.booking
        on_it = member_id is not None and any(m.alumnus_id == member_id for m in b.members)
        how = texts.MINE_HOW if on_it else texts.JOIN_HOW
        lines.append(how.format(number=b.id, date=texts.full_date(b.day.day), slot=b.slot.label))
        return "\n".join(lines)
    if not found.days:
        lines.append(texts.NO_OPEN_DAYS.format(start=texts.day_label(found.first_bookable)))
        return "\n".join(lines)
    lines.append(texts.OPEN_DAYS_HEAD.format(first=texts.day_label(found.first_bookable)))
    lines += day_lines(found.days[:limit])
    if len(found.days) > limit:
        lines.append(texts.MORE_DAYS.format(count=len(found.days) - limit))
    lines.append(texts.BOOK_HOW.format(example=f"{found.days[0].day:%Y-%m-%d}"))
    return "\n".join(lines)


def day_lines(days: list[DayView]) -> list[str]:
    lines = []
    for n, d in enumerate(days, 1):
        note = f"（{d.note}）" if d.note else ""
        day = f"{d.day:%Y-%m-%d} {d.weekday}"
        lines.append(texts.OPEN_DAY_LINE.format(n=n, day=day, left=d.people_left, note=note)
                     if d.people_left > 0 else texts.OPEN_DAY_FULL.format(n=n, day=day, note=note))
    return lines
