"""Claiming delivery rows, and putting right what a crashed worker left.

**Claim**: a batch of due `pending` rows becomes `claimed` by one worker under a fresh claim
token — `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the single writer serializes
the claim, and on both the `status = 'pending'` guard on the UPDATE keeps two workers off one row.
Every later write to the row is guarded by that token (`scheduler.delivery`).

**Exactly once — the reconciliation rule.** A crash (kill -9) can only leave rows `claimed` or
`sending`. A row older than the lease (`push.lease_seconds`, longer than any WeChat call may
take) is reconciled by whichever worker runs next:

* `claimed`: WeChat was never called → back to `pending`; it is sent once later.
* `sending` on an idempotent channel (template message: `client_msg_id`; mass send:
  `clientmsgid`, both the row's own key `<push key>-<delivery id>`) → back to `pending` with its
  channel pinned, and the retry carries the same key: WeChat answers it with the first message
  if that one arrived, so nobody sees it twice and nobody is lost.
* `sending` on customer-service or subscribe messages, which have no idempotency key and no
  lookup in production WeChat → `unknown` (待核实), never resent blindly: a duplicate is worse
  than a message staff must check. The same holds for a call whose answer was lost (read
  timeout, HTTP 5xx, a cut connection). `push-status` counts these apart.

So nobody ever gets a message twice, and with a template configured nobody is lost either.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.push import IDEMPOTENT_CHANNELS, Delivery, DeliveryStatus
from scheduler.sender import DeliveryPolicy

log = logging.getLogger(__name__)

S = DeliveryStatus
# A row in these states belongs to the worker whose claim token it carries.
OPEN_STATES = (S.CLAIMED.value, S.SENDING.value, S.UNKNOWN.value)


def reconcile_stale(sessions: sessionmaker[Session], policy: DeliveryPolicy, *,
                    now: datetime) -> int:
    """Put right what a crashed worker left (the rule in this module's docstring)."""
    cutoff = now - timedelta(seconds=policy.lease_seconds)
    idempotent = [c.value for c in IDEMPOTENT_CHANNELS]
    released = {"claimed_by": None, "claim_token": None}
    stale = select(Delivery.id).where(or_(
        and_(Delivery.status == S.CLAIMED, Delivery.claimed_at < cutoff),
        and_(Delivery.status == S.SENDING, Delivery.sending_at < cutoff))).limit(1)
    with sessions() as session:
        if session.scalar(stale) is None:  # the usual case: a read, no write lock taken
            return 0
    with sessions.begin() as session:
        counts = [session.execute(update(Delivery).where(
            Delivery.status == S.CLAIMED, Delivery.claimed_at < cutoff)
            .values(status=S.PENDING.value, **released)).rowcount]
        counts.append(session.execute(update(Delivery).where(
            Delivery.status == S.SENDING, Delivery.sending_at < cutoff,
            Delivery.channel.in_(idempotent), Delivery.attempts < policy.max_attempts)
            .values(status=S.PENDING.value, next_attempt_at=now,
                    error="发送中断：以同一幂等键重试", **released)).rowcount)
        counts.append(session.execute(update(Delivery).where(
            Delivery.status == S.SENDING, Delivery.sending_at < cutoff)
            .values(status=S.UNKNOWN.value, finished_at=now,
                    error="发送中断，可能已送达：请核实")).rowcount)
    if any(counts):
        log.warning("reconciled stale deliveries: %s never sent, %s to resend with the same key, "
                    "%s unknown", *counts)
    return sum(counts)


def claim_batch(sessions: sessionmaker[Session], *, now: datetime, batch: int,
           worker_id: str) -> str | None:
    token = uuid.uuid4().hex
    with sessions.begin() as session:
        due = (select(Delivery.id)
               .where(Delivery.status == S.PENDING, Delivery.next_attempt_at <= now)
               .order_by(Delivery.next_attempt_at, Delivery.id).limit(batch))
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(session.scalars(due))
        if not ids:
            return None
        claimed = session.execute(
            update(Delivery).where(Delivery.id.in_(ids), Delivery.status == S.PENDING)
            .values(status=S.CLAIMED.value, claimed_by=worker_id[:64], claim_token=token,
                    claimed_at=now)).rowcount
    return token if claimed else None


def release_claim(sessions: sessionmaker[Session], token: str) -> None:
    """Rows of this claim not handed to WeChat (stopped early) go back to pending."""
    with sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.claim_token == token,
                                               Delivery.status == S.CLAIMED)
                        .values(status=S.PENDING.value, claimed_by=None, claim_token=None))
