"""What staff read about events: the list (upcoming / past / drafts), an event's registrants by
status, sign-ups over time, the exports (CSV with a BOM, XLSX) and the dashboard's count.

Who sees which events is handlers/staff/scope.py's `@scope_rule(Event)` and `(Registration)`:
admin and staff every one; a liaison their chapter's (`Event.chapter_id`), and only those events'
registrations; a college account none. A row out of scope answers 404 at the door.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.events import admin_texts as texts
from handlers.staff.scope import Scope
from models import Alumnus
from models.event import Event, EventStatus, Registration, RegistrationStatus

R = RegistrationStatus


TABS = {"upcoming": "即将举行", "past": "已结束 / 已取消", "drafts": "草稿"}


@dataclass(frozen=True)
class EventRow:
    event: Event
    confirmed: int     # registrations (not people) with a seat
    waiting: int


def target(event: Event) -> str:
    """The event's name in the audit log."""
    return f"活动 {event.id}「{event.title}」"


def _tab_filter(tab: str, now: dt.datetime):
    if tab == "drafts":
        return Event.status == EventStatus.DRAFT
    if tab == "past":
        return (Event.status == EventStatus.CANCELLED) | (
            (Event.status != EventStatus.DRAFT) & (Event.ends_at < now))
    return Event.status.in_((EventStatus.OPEN, EventStatus.CLOSED)) & (Event.ends_at >= now)


def events_page(session: Session, scope: Scope, tab: str, now: dt.datetime) -> list[EventRow]:
    order = Event.starts_at.desc() if tab == "past" else Event.starts_at
    events = list(session.scalars(scope.apply(select(Event), Event)
                                  .where(_tab_filter(tab, now)).order_by(order, Event.id).limit(200)))
    counts: dict[tuple[int, R], int] = {}
    if events:
        for event_id, status, n in session.execute(
                select(Registration.event_id, Registration.status, func.count())
                .where(Registration.event_id.in_([e.id for e in events]))
                .group_by(Registration.event_id, Registration.status)):
            counts[(event_id, status)] = n
    return [EventRow(e, counts.get((e.id, R.CONFIRMED), 0), counts.get((e.id, R.WAITLISTED), 0))
            for e in events]


def upcoming_count(session: Session, scope: Scope, now: dt.datetime) -> int:
    """The dashboard's tile: open or closed events not yet over, in the viewer's scope."""
    return session.scalar(scope.apply(select(func.count()).select_from(Event), Event)
                          .where(_tab_filter("upcoming", now))) or 0


@dataclass(frozen=True)
class Registrant:
    registration: Registration
    name: str
    student_id: str
    college: str
    year: int | None


def registrants(session: Session, event: Event) -> dict[R, list[Registrant]]:
    """Everyone who signed up, by status: the waitlist in line order, the others by sign-up."""
    rows = session.execute(
        select(Registration, Alumnus)
        .outerjoin(Alumnus, Alumnus.wechat_user_id == Registration.wechat_user_id)
        .where(Registration.event_id == event.id)
        .order_by(Registration.position, Registration.created_at, Registration.id))
    grouped: dict[R, list[Registrant]] = {status: [] for status in R}
    seen: set[int] = set()
    for registration, alumnus in rows:
        if registration.id in seen:
            continue
        seen.add(registration.id)
        grouped[registration.status].append(Registrant(
            registration, alumnus.name if alumnus else f"关注者 {registration.wechat_user_id}",
            alumnus.student_id if alumnus else "", (alumnus.college or "") if alumnus else "",
            alumnus.graduation_year if alumnus else None))
    return grouped


def signups_over_time(session: Session, event: Event, zone) -> dict[str, list]:
    """Registrations made per day (local dates) and the running total, for the chart."""
    days: dict[dt.date, int] = {}
    for created in session.scalars(select(Registration.created_at)
                                   .where(Registration.event_id == event.id)
                                   .order_by(Registration.created_at)):
        day = created.astimezone(zone).date()
        days[day] = days.get(day, 0) + 1
    labels, daily, total, running = [], [], [], 0
    for day, n in days.items():
        running += n
        labels.append(f"{day.month}月{day.day}日")
        daily.append(n)
        total.append(running)
    return {"labels": labels, "daily": daily, "total": total}


# --- exports -----------------------------------------------------------------------------------

def _local(at: dt.datetime | None, zone) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""


def export_rows(session: Session, event: Event, zone) -> list[list]:
    """The registrants and their attendance as a table: a header row, then one row each."""
    questions = list(event.questions or [])
    header = ["姓名", "学号", "学院", "届别", "状态", "候补位次", "家属人数", "报名时间", "签到时间",
              "签到方式"]
    if event.ask_shirt_size:
        header.append("T恤尺码")
    header += questions
    rows = [header]
    grouped = registrants(session, event)
    for status in (R.CONFIRMED, R.OFFERED, R.WAITLISTED, R.CANCELLED):
        for place, who in enumerate(grouped[status], start=1):
            r = who.registration
            answers = r.answers or {}
            row = [who.name, who.student_id, who.college, who.year or "",
                   texts.REGISTRATION_NAMES[r.status], place if status is R.WAITLISTED else "",
                   r.guests, _local(r.created_at, zone), _local(r.checked_in_at, zone),
                   ("扫码" if r.checked_in_by == "scan" else r.checked_in_by or "")]
            if event.ask_shirt_size:
                row.append(answers.get("shirt_size", ""))
            row += [answers.get(q, "") for q in questions]
            rows.append(row)
    return rows


def to_csv(rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese right."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "报名与签到"
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    book.properties.title = title[:200]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
