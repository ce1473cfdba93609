"""Staff's changes to one calendar day: open or close it, its quotas, slots, venues and note.

A day with no row is the settings' default; the first change materializes it (calendar.materialize)
and from then on the row is the day. A quota may not go below what is already booked: each
capacity is written by a guarded UPDATE (`WHERE booked <= new capacity`), so a class booking at
the same moment cannot slip under a lowered quota between a check and the write. A slot or venue
that a booking holds (or ever held: cancelled bookings still name their slot) cannot be removed.

Functions flush and never commit; a `DayRefused` (a Chinese message) means the door rolls back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from handlers.reunion.calendar import DayView, materialize, row_view
from handlers.settings import Settings
from models.reunion import ReunionBooking, ReunionDay, ReunionSlot, ReunionVenue

QUOTAS = ("people", "lodging", "tour", "lunch", "dinner")
MAX_NOTE = 200


def quota_names(settings: Settings) -> dict[str, str]:
    return {"people": "人数", "lodging": f"住宿（{settings.reunion.lodging_unit}）",
            "tour": "参观团组", "lunch": "午餐", "dinner": "晚餐"}


class DayRefused(Exception):
    """A change that would lose a booking's place; str() says which, in Chinese."""


@dataclass(frozen=True)
class DayPlan:
    """What staff want the day to be (the form's values, parsed)."""

    is_open: bool
    note: str | None
    people: int
    lodging: int
    tour: int
    lunch: int
    dinner: int
    slots: tuple[tuple[dt.time, dt.time, int], ...]
    venues: tuple[tuple[str, int], ...]


SLOT_LINE = re.compile(r"^(\d{1,2}:\d{2})\s*[-–~至]\s*(\d{1,2}:\d{2})\s+(\d+)\s*人?$")
VENUE_LINE = re.compile(r"^(.+?)\s*[:：\s]\s*(\d+)\s*座?$")


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def parse_slots(text: str) -> tuple[tuple[dt.time, dt.time, int], ...]:
    """One slot a line, "09:00-10:00 150"; DayRefused naming the line that is wrong."""
    slots = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = SLOT_LINE.match(line)
        starts = ends = None
        if match:
            try:
                starts, ends = _time(match.group(1)), _time(match.group(2))
            except ValueError:   # 25:00
                pass
        if starts is None or ends is None or ends <= starts or int(match.group(3)) <= 0:
            raise DayRefused(f"入校时段第 {number} 行「{line}」格式不对：请写成「09:00-10:00 150」"
                             "（开始-结束 人数，结束晚于开始，人数大于 0）")
        slots.append((starts, ends, int(match.group(3))))
    if not slots:
        raise DayRefused("至少要有一个入校时段，例如「09:00-10:00 150」")
    starts = [s[0] for s in slots]
    if len(set(starts)) != len(starts):
        raise DayRefused("两个入校时段的开始时间相同，请合并或改开")
    return tuple(sorted(slots))


def parse_venues(text: str) -> tuple[tuple[str, int], ...]:
    """One venue a line, "逸夫楼报告厅 200" (or 名称:座位数); no venue at all is allowed."""
    venues = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = VENUE_LINE.match(line)
        if match is None or int(match.group(2)) <= 0 or len(match.group(1)) > 64:
            raise DayRefused(f"场地第 {number} 行「{line}」格式不对：请写成「逸夫楼报告厅 200」"
                             "（名称 座位数，名称不超过 64 个字）")
        venues.append((match.group(1).strip(), int(match.group(2))))
    names = [v[0] for v in venues]
    if len(set(names)) != len(names):
        raise DayRefused("有两个场地同名，请改名以便区分")
    return tuple(venues)


def slots_text(view: DayView) -> str:
    return "\n".join(f"{s.label} {s.capacity}" for s in view.slots)


def venues_text(view: DayView) -> str:
    return "\n".join(f"{v.name} {v.seats}" for v in view.venues)


def _refuse_quota(row: ReunionDay, plan: DayPlan, settings: Settings) -> None:
    names = quota_names(settings)
    for key in QUOTAS:
        booked = getattr(row, f"{key}_booked")
        if getattr(plan, key) < booked:
            raise DayRefused(f"{names[key]}不能少于已预约的 {booked}（填写的是 {getattr(plan, key)}）")
    raise DayRefused("这一天刚有新的预约，请刷新页面后再改")


def save_day(session: Session, day: dt.date, plan: DayPlan, settings: Settings, *, actor: str,
             now: dt.datetime) -> list[str]:
    """Make the day as `plan` says; what changed, in Chinese, for the audit log (empty: nothing)."""
    if plan.note is not None and len(plan.note) > MAX_NOTE:
        raise DayRefused(f"给校友的说明不能超过 {MAX_NOTE} 个字")
    if min(plan.people, plan.lodging, plan.tour, plan.lunch, plan.dinner) < 0:
        raise DayRefused("名额不能为负数")
    row = materialize(session, day, settings, now, by=actor)
    before = row_view(row)
    quotas = {f"{key}_capacity": getattr(plan, key) for key in QUOTAS}
    guards = [getattr(ReunionDay, f"{key}_booked") <= getattr(plan, key) for key in QUOTAS]
    done = session.execute(
        update(ReunionDay).where(ReunionDay.id == row.id, *guards)
        .values(**quotas, is_open=plan.is_open, note=plan.note or None, updated_at=now,
                updated_by=actor).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        session.refresh(row)
        _refuse_quota(row, plan, settings)
    _save_slots(session, row, plan)
    _save_venues(session, row, plan)
    session.flush()
    session.expire(row)
    return describe(before, row_view(row), settings)


def _save_slots(session: Session, row: ReunionDay, plan: DayPlan) -> None:
    existing = {slot.starts: slot for slot in row.slots}
    wanted = {starts: (ends, capacity) for starts, ends, capacity in plan.slots}
    for starts, slot in existing.items():
        if starts in wanted:
            continue
        used = session.scalar(select(exists().where(ReunionBooking.slot_id == slot.id)))
        if used or slot.booked:
            raise DayRefused(f"时段 {slot.label} 已有班级预约，不能删除（可以调整人数）")
        session.execute(delete(ReunionSlot).where(ReunionSlot.id == slot.id, ReunionSlot.booked == 0))
    for starts, (ends, capacity) in wanted.items():
        slot = existing.get(starts)
        if slot is None:
            session.add(ReunionSlot(day_id=row.id, starts=starts, ends=ends, capacity=capacity,
                                    booked=0))
            continue
        done = session.execute(
            update(ReunionSlot).where(ReunionSlot.id == slot.id, ReunionSlot.booked <= capacity)
            .values(ends=ends, capacity=capacity).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            session.refresh(slot)
            raise DayRefused(f"时段 {slot.label} 的人数不能少于已预约的 {slot.booked}（填写的是 {capacity}）")
    session.flush()
    session.expire(row, ["slots"])


def _save_venues(session: Session, row: ReunionDay, plan: DayPlan) -> None:
    existing = {venue.name: venue for venue in row.venues}
    wanted = dict(plan.venues)
    for name, venue in existing.items():
        if name in wanted:
            continue
        done = session.execute(delete(ReunionVenue).where(ReunionVenue.id == venue.id,
                                                          ReunionVenue.booking_id.is_(None)))
        if done.rowcount != 1:
            raise DayRefused(f"场地「{name}」已分配给返校预约 {venue.booking_id}，不能删除")
    for name, seats in wanted.items():
        venue = existing.get(name)
        if venue is None:
            session.add(ReunionVenue(day_id=row.id, name=name, seats=seats))
            continue
        # A held venue keeps at least the seats its class asked for.
        needed = select(ReunionBooking.venue_size).where(ReunionBooking.id == ReunionVenue.booking_id)
        done = session.execute(
            update(ReunionVenue).where(
                ReunionVenue.id == venue.id,
                ReunionVenue.booking_id.is_(None) | (needed.scalar_subquery() <= seats))
            .values(seats=seats).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            size = session.scalar(select(ReunionBooking.venue_size).where(
                ReunionBooking.id == venue.booking_id))
            raise DayRefused(f"场地「{name}」已分配给返校预约 {venue.booking_id}（需要 {size} 座），"
                             f"座位数不能少于 {size}")
    session.flush()
    session.expire(row, ["venues"])


def set_open(session: Session, day: dt.date, is_open: bool, settings: Settings, *, actor: str,
             now: dt.datetime) -> bool:
    """Open or close one day; False when it already was. Closing keeps its bookings (staff
    decline them one by one, with a reason each class is told)."""
    row = materialize(session, day, settings, now, by=actor)
    if row.is_open == is_open:
        return False
    row.is_open, row.updated_at, row.updated_by = is_open, now, actor
    session.flush()
    return True


def describe(before: DayView, after: DayView, settings: Settings) -> list[str]:
    changes = []
    if before.is_open != after.is_open:
        changes.append("开放" if after.is_open else "关闭")
    names = quota_names(settings)
    for key in QUOTAS:
        old, new = getattr(before, key).capacity, getattr(after, key).capacity
        if old != new:
            changes.append(f"{names[key]} {old} → {new}")
    if slots_text(before) != slots_text(after):
        changes.append(f"入校时段：{slots_text(after).replace(chr(10), '，')}")
    if venues_text(before) != venues_text(after):
        changes.append(f"场地：{venues_text(after).replace(chr(10), '，') or '无'}")
    if (before.note or "") != (after.note or ""):
        changes.append(f"说明：{after.note or '（空）'}")
    return changes
