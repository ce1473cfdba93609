"""The dashboard's numbers, counted in SQL on indexes, within the viewer's scope.

Every number is one indexed count (or one range scan with a FILTER per week), never a loop over
rows: at 1,000,000 alumni the page answers as fast as at 1,000. A number the scope may not see is
None (a college account sees no pushes and no staff alerts), and the page leaves its tile out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from handlers.staff.scope import Scope
from models import Alumnus, Delivery, StaffAlert, StaffRole, WechatUser
from models.push import DeliveryStatus
from models.reunion import BookingStatus, ReunionBooking

WEEKS = 12
QUEUED = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE)


@dataclass(frozen=True)
class WeekCount:
    starts: date   # the Monday, in the school's time zone
    count: int


@dataclass(frozen=True)
class PushesToday:
    sent: int
    failed: int
    queued: int


@dataclass(frozen=True)
class DashboardCounts:
    followers: int
    bound_alumni: int
    bindings_by_week: list[WeekCount]
    pushes_today: PushesToday | None
    open_alerts: int | None
    pending_bookings: int | None   # reunion bookings waiting for a decision (None: not this scope's)


def dashboard_counts(session: Session, scope: Scope, *, now: datetime,
                     zone: ZoneInfo) -> DashboardCounts:
    return DashboardCounts(
        followers=session.scalar(select(func.count()).select_from(WechatUser).where(
            WechatUser.subscribed.is_(True), scope.rows(WechatUser))) or 0,
        bound_alumni=session.scalar(select(func.count()).select_from(Alumnus).where(
            Alumnus.bound_at.is_not(None), scope.rows(Alumnus))) or 0,
        bindings_by_week=bindings_by_week(session, scope, now=now, zone=zone),
        pushes_today=pushes_today(session, scope, now=now, zone=zone),
        open_alerts=(session.scalar(select(func.count()).select_from(StaffAlert)
                                    .where(StaffAlert.resolved_at.is_(None)))
                     if scope.everything else None),  # alerts are about anyone: staff's own work
        pending_bookings=(session.scalar(select(func.count()).select_from(ReunionBooking).where(
            ReunionBooking.status.in_((BookingStatus.PENDING, BookingStatus.CONFIRMED)),
            scope.rows(ReunionBooking)))
            if scope.everything or scope.role is StaffRole.COLLEGE else None),
    )


def week_starts(now: datetime, zone: ZoneInfo, weeks: int = WEEKS) -> list[datetime]:
    """The Mondays 00:00 (school time) of the last `weeks` weeks, this one last, as aware times."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return [datetime.combine(monday - timedelta(weeks=weeks - 1 - i), time(), zone)
            for i in range(weeks)]


def bindings_by_week(session: Session, scope: Scope, *, now: datetime,
                     zone: ZoneInfo) -> list[WeekCount]:
    """Records bound in each of the last twelve weeks (and still bound: an unbind clears bound_at),
    in one range scan of ix_alumnus_bound_at (ix_alumnus_college_bound_at for a college)."""
    starts = week_starts(now, zone)
    ends = [*starts[1:], None]
    columns: list[ColumnElement] = []
    for start, end in zip(starts, ends):
        within = Alumnus.bound_at >= start
        columns.append(func.count().filter(within if end is None else
                                           and_(within, Alumnus.bound_at < end)))
    counts = session.execute(select(*columns).select_from(Alumnus).where(
        Alumnus.bound_at >= starts[0], scope.rows(Alumnus))).one()
    return [WeekCount(start.date(), count or 0) for start, count in zip(starts, counts)]


def pushes_today(session: Session, scope: Scope, *, now: datetime,
                 zone: ZoneInfo) -> PushesToday | None:
    """Deliveries finished since midnight (school time) and those still queued: the outbox's
    rows, counted on ix_delivery_status_finished and ix_delivery_due."""
    if not (scope.everything or scope.role is StaffRole.LIAISON):
        return None
    midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)

    def count(*where) -> int:
        return session.scalar(select(func.count()).select_from(Delivery).where(
            *where, scope.rows(Delivery))) or 0

    return PushesToday(
        sent=count(Delivery.status == DeliveryStatus.SENT, Delivery.finished_at >= midnight),
        failed=count(Delivery.status.in_(FAILED), Delivery.finished_at >= midnight),
        queued=count(Delivery.status.in_(QUEUED)),
    )
