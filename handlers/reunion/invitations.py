"""The classes to invite (秩年邀请): whose anniversary comes this year and next, from the roster,
with who was invited and who booked, for the admin page that invites a class in one step.

A class is college + graduation year, or the whole year in school-wide mode (reunion.class_scope).
Invited means either the yearly job's invitation of the whole year (AnniversaryOutreach) or a
push in category 返校 to exactly the class's audience (`class_audience`), which is what the
page's 邀请 queues: no table of its own, the outbox already records it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.reunion import notice_texts as texts
from handlers.settings import Settings
from models.alumnus import Alumnus
from models.outreach import AnniversaryOutreach
from models.push import Push
from models.reunion import HOLDING, ReunionBooking

CATEGORY = "reunion"   # handlers.consent.categories: 返校, honoured by the invitation


@dataclass(frozen=True)
class Invited:
    at: datetime
    recipients: int
    push_id: int | None
    how: str   # 年度邀请 (the yearly job) / 邀请 (a staff member's, by username)


@dataclass
class ClassRow:
    year: int                 # the anniversary's calendar year
    graduation_year: int
    anniversary: int
    college: str              # "" in school-wide mode
    alumni: int = 0
    bound: int = 0
    invited: list[Invited] = field(default_factory=list)
    bookings: list[ReunionBooking] = field(default_factory=list)

    @property
    def label(self) -> str:
        return texts.class_label(self.graduation_year, self.college)

    @property
    def audience(self) -> str:
        return class_audience(self.graduation_year, self.college)

    @property
    def stored_audience(self) -> str:
        return stored_class_audience(self.graduation_year, self.college)


def class_audience(graduation_year: int, college: str) -> str:
    """The outbox audience of a class's bound alumni (scheduler.audiences: year:, college:, A&B)."""
    return f"year:{graduation_year}&college:{college}" if college else f"year:{graduation_year}"


def stored_class_audience(graduation_year: int, college: str) -> str:
    """The same, as a push stores it (a combined audience is kept as `and:a&b`)."""
    spec = class_audience(graduation_year, college)
    return f"and:{spec}" if college else spec


def anniversary_classes(session: Session, this_year: int, settings: Settings) -> list[ClassRow]:
    """This year's and next year's anniversary classes, with roster counts, invitations and
    bookings; classes with nobody on the roster are left out (nobody to invite)."""
    school_wide = settings.reunion.class_scope == "school"
    wanted = {}   # graduation_year -> (year, anniversary)
    for year in (this_year, this_year + 1):
        for anniversary in sorted(set(settings.reunion.anniversary_years)):
            wanted.setdefault(year - anniversary, (year, anniversary))
    if not wanted:
        return []
    college = func.coalesce(Alumnus.college, "") if not school_wide else None
    columns = [Alumnus.graduation_year, *([college] if college is not None else []),
               func.count(Alumnus.id), func.count(Alumnus.wechat_user_id)]
    grouping = [Alumnus.graduation_year, *([college] if college is not None else [])]
    rows: dict[tuple[int, str], ClassRow] = {}
    for found in session.execute(select(*columns).where(Alumnus.graduation_year.in_(list(wanted)))
                                 .group_by(*grouping)):
        graduation_year = found[0]
        name = found[1] if not school_wide else ""
        year, anniversary = wanted[graduation_year]
        rows[(graduation_year, name)] = ClassRow(year, graduation_year, anniversary, name,
                                                 alumni=found[-2], bound=found[-1])
    _add_invitations(session, rows, wanted)
    _add_bookings(session, rows, wanted, school_wide)
    return sorted(rows.values(), key=lambda r: (r.year, -r.anniversary, r.college))


def _add_invitations(session: Session, rows: dict[tuple[int, str], ClassRow],
                     wanted: dict[int, tuple[int, int]]) -> None:
    yearly = defaultdict(list)
    for entry in session.scalars(select(AnniversaryOutreach).where(
            AnniversaryOutreach.graduation_year.in_(list(wanted)))):
        if entry.year == wanted[entry.graduation_year][0]:
            yearly[entry.graduation_year].append(
                Invited(entry.queued_at, entry.recipients, entry.push_id, "年度邀请"))
    by_audience = {row.stored_audience: row for row in rows.values()}
    pushes = session.scalars(select(Push).where(Push.category == CATEGORY,
                                                Push.audience.in_(list(by_audience)))
                             .order_by(Push.created_at))
    for push in pushes:
        row = by_audience[push.audience]
        row.invited.append(Invited(push.created_at, push.recipient_count, push.id,
                                   (push.created_by or "").removeprefix("admin:")))
    for row in rows.values():
        row.invited[:0] = yearly.get(row.graduation_year, [])


def _add_bookings(session: Session, rows: dict[tuple[int, str], ClassRow],
                  wanted: dict[int, tuple[int, int]], school_wide: bool) -> None:
    for booking in session.scalars(select(ReunionBooking).where(
            ReunionBooking.graduation_year.in_(list(wanted)),
            ReunionBooking.status.in_(HOLDING)).order_by(ReunionBooking.id)):
        if booking.anniversary != wanted[booking.graduation_year][1]:
            continue   # an earlier anniversary's visit
        row = rows.get((booking.graduation_year, "" if school_wide else booking.college))
        if row is not None:
            row.bookings.append(booking)


def invitation_text(row: ClassRow, this_year: int, settings: Settings) -> str:
    when = texts.THIS_YEAR if row.year == this_year else texts.NEXT_YEAR.format(year=row.year)
    return texts.INVITE.format(who=row.label, when=when, anniversary=row.anniversary,
                               school=settings.school_name)


def find_class(session: Session, this_year: int, settings: Settings, graduation_year: int,
               college: str) -> ClassRow | None:
    """The listed class with that year and college (None: not an anniversary class now)."""
    for row in anniversary_classes(session, this_year, settings):
        if row.graduation_year == graduation_year and row.college == college:
            return row
    return None
