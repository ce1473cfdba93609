"""Staff's hands on a push already queued (the admin page): retry its failed rows, cancel what
has not been sent yet. Both are one UPDATE guarded by the row's state, so a worker that holds a
row (claimed, sending) keeps it: nothing in flight is cancelled or sent twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from models.push import Delivery, DeliveryStatus


def retry_failed(session: Session, push_id: int, *, now: datetime) -> int:
    """Put the push's failed rows back in the queue, due now, as new: every channel may be tried
    again and the row's next template key starts its own window. Answers how many."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.push_id == push_id, Delivery.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now, attempts=0,
                refused_channels="", channel=None, errcode=None, error=None, finished_at=None,
                first_sent_at=None, report=None, reported_at=None, claim_token=None,
                claimed_by=None, claimed_at=None, sending_at=None)
        .execution_options(synchronize_session=False))
    return result.rowcount


def cancel_queued(session: Session, push_id: int, *, now: datetime) -> int:
    """Cancel the push's rows still waiting (pending: not claimed by a worker). Answers how many."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.push_id == push_id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, finished_at=now, error="已取消")
        .execution_options(synchronize_session=False))
    return result.rowcount
