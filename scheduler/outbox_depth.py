"""How much the outbox holds, for `/metrics` at scrape time: rows waiting to be sent, by state,
and how long the oldest due row has waited (delivery stalled → it grows).

Two statements on the delivery table's (status, next_attempt_at) index: a count per open state
and the earliest due `pending` time. Counting walks the index entries of the open rows, so it
costs about a millisecond per 10,000 waiting rows on PostgreSQL — a scrape during a big
broadcast pays that once, not per message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.push import Delivery, DeliveryStatus

S = DeliveryStatus
WAITING = (S.PENDING, S.CLAIMED, S.SENDING)

_BY_STATE = (select(Delivery.status, func.count()).where(Delivery.status.in_(WAITING))
             .group_by(Delivery.status))
_OLDEST_DUE = select(func.min(Delivery.next_attempt_at)).where(Delivery.status == S.PENDING)


def outbox_depth(session: Session, now: datetime) -> tuple[dict[str, int], float]:
    """Rows per waiting state (every state present, 0 when none), and the seconds the oldest
    due `pending` row is overdue (0 when none is due)."""
    counts = {state.value: 0 for state in WAITING}
    for state, count in session.execute(_BY_STATE):
        counts[DeliveryStatus(state).value] = count
    oldest = session.scalar(_OLDEST_DUE)
    overdue = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return counts, overdue


class OutboxCollector:
    """A Prometheus collector reading the outbox's depth each time it is scraped."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._sessions = sessions

    def collect(self) -> Iterator:
        from prometheus_client.core import GaugeMetricFamily

        with self._sessions() as session:
            counts, overdue = outbox_depth(session, datetime.now(UTC))
        depth = GaugeMetricFamily("alumni_bot_outbox_rows",
                                  "Delivery rows waiting to be sent, by state", labels=["state"])
        for state, count in counts.items():
            depth.add_metric([state], count)
        yield depth
        yield GaugeMetricFamily("alumni_bot_outbox_oldest_due_seconds",
                                "How long the oldest due pending delivery has waited", overdue)
