"""How far a push got: its deliveries counted by state, and what WeChat reported afterwards
(push-status, the admin page's progress)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.push_reports import is_confirmed, template_failure
from models.push import Channel, Delivery, DeliveryStatus, Push


@dataclass(frozen=True)
class PushProgress:
    """One push's deliveries by state; `failed` by errcode (None: retries ran out, no code).

    What WeChat reported afterwards on its template messages: `confirmed` of the sent ones,
    `awaiting_report` sent with no report yet, and `reported_failed` by WeChat's status
    ("failed:user block": counted here, not under an errcode, since the call itself succeeded).
    """

    push: Push
    pending: int
    sending: int
    sent: int
    failed: dict[int | None, int]
    unreachable: int
    unknown: int
    confirmed: int = 0
    awaiting_report: int = 0
    reported_failed: dict[str, int] = field(default_factory=dict)
    cancelled: int = 0  # staff cancelled them before they were sent

    @property
    def total(self) -> int:
        return (self.pending + self.sending + self.sent + sum(self.failed.values())
                + sum(self.reported_failed.values()) + self.unreachable + self.unknown
                + self.cancelled)


def push_progress(session: Session, push_id: int) -> PushProgress | None:
    """How far a push got (push-status, the admin page's progress)."""
    push = session.get(Push, push_id)
    if push is None:
        return None
    rows = session.execute(
        select(Delivery.status, Delivery.errcode, Delivery.channel, Delivery.report, func.count())
        .where(Delivery.push_id == push_id)
        .group_by(Delivery.status, Delivery.errcode, Delivery.channel, Delivery.report)).all()
    by_status: dict[str, int] = {}
    failed: dict[int | None, int] = {}
    reported_failed: dict[str, int] = {}
    confirmed = awaiting = 0
    for status, errcode, channel, report, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if status == DeliveryStatus.SENT:
            if is_confirmed(report):
                confirmed += count
            elif report is None and channel == Channel.TEMPLATE:
                awaiting += count
        elif status == DeliveryStatus.FAILED:
            if report is not None and template_failure(report) is not None:
                reported_failed[report] = reported_failed.get(report, 0) + count
            else:
                failed[errcode] = failed.get(errcode, 0) + count
    return PushProgress(
        push=push,
        pending=by_status.get(DeliveryStatus.PENDING, 0) + by_status.get(DeliveryStatus.CLAIMED, 0),
        sending=by_status.get(DeliveryStatus.SENDING, 0),
        sent=by_status.get(DeliveryStatus.SENT, 0), failed=failed,
        unreachable=by_status.get(DeliveryStatus.UNREACHABLE, 0),
        unknown=by_status.get(DeliveryStatus.UNKNOWN, 0),
        cancelled=by_status.get(DeliveryStatus.CANCELLED, 0),
        confirmed=confirmed, awaiting_report=awaiting, reported_failed=reported_failed)
