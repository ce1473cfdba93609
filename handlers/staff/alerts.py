"""Staff alerts as the alerts page lists and closes them: open first, newest first, by kind.

Alerts are raised by the features (binding conflicts, two WeChat rows of different people, a
chapter join nobody could be told of); each kind is named here in Chinese. Closing one records
who and what was decided; a binding conflict is resolved through handlers.directory.conflicts
first. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.chapters.membership import JOIN_ALERT
from handlers.directory.binding import CONFLICT_ALERT
from handlers.identity import DUPLICATE_ALERT
from models import StaffAlert

KINDS = {
    CONFLICT_ALERT: "绑定冲突",
    DUPLICATE_ALERT: "重复的微信用户",
    JOIN_ALERT: "入会通知未送达",
}
MAX_NOTE = 500


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


@dataclass(frozen=True)
class AlertPage:
    alerts: list[StaffAlert]
    page: int
    has_next: bool


def alerts_page(session: Session, *, kind: str | None, page: int, per_page: int) -> AlertPage:
    """Open alerts first (resolved_at NULL sorts as unresolved), each group newest first."""
    statement = select(StaffAlert)
    if kind:
        statement = statement.where(StaffAlert.kind == kind)
    page = max(page, 1)
    rows = list(session.scalars(
        statement.order_by(StaffAlert.resolved_at.is_not(None), StaffAlert.created_at.desc(),
                           StaffAlert.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)))
    return AlertPage(rows[:per_page], page, len(rows) > per_page)


def resolve_alert(session: Session, alert: StaffAlert, *, now: datetime, actor: str,
                  resolution: str) -> bool:
    """Close the alert with what was decided; False if it was closed already (by someone else,
    at the same moment: the UPDATE decides)."""
    done = session.execute(
        update(StaffAlert).where(StaffAlert.id == alert.id, StaffAlert.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=actor[:64], resolution=resolution[:MAX_NOTE])
        .execution_options(synchronize_session=False))
    session.expire(alert)
    return done.rowcount == 1
