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
* ... but WeChat honours a template's client_msg_id for 10 minutes only (`scheduler.key_window`).
  A template row whose first try with its key (`first_sent_at`) is
  `push.idempotency_window_seconds` old or more (a worker that was down that long, a row of
  several tries) → `unknown`, never resent: a resend could be delivered twice. WeChat's
  TEMPLATESENDJOBFINISH settles it later (`handlers.push_reports`); unsettled, staff see it as
  不确定是否送达. The window is longer than the lease, so a row taken over promptly after a
  crash is still resent with its key.
* `sending` on customer-service or subscribe messages, which have no idempotency key and no
  lookup in production WeChat → `unknown`, never resent blindly: a duplicate is worse than a
  message staff must check. The same holds for a call whose answer was lost (read timeout, HTTP
  5xx, a cut connection). `push-status` counts these apart.

So nobody ever gets a message twice, and with a template configured nobody is lost either, as
long as the crashed worker's rows are taken over within the window.
"""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.base import UtcDateTime
from models.push import IDEMPOTENT_CHANNELS, Channel, Delivery, DeliveryStatus
from scheduler import key_window
from scheduler.sender import DeliveryPolicy

log = logging.getLogger(__name__)

S = DeliveryStatus
# A row in these states belongs to the worker whose claim token it carries.
OPEN_STATES = (S.CLAIMED, S.SENDING, S.UNKNOWN)


# Built once: every deliver_due call runs them (building costs more than running them).
_CUTOFF = bindparam("cutoff", type_=UtcDateTime())
_ANY_STALE = select(Delivery.id).where(or_(
    and_(Delivery.status == S.CLAIMED, Delivery.claimed_at < _CUTOFF),
    and_(Delivery.status == S.SENDING, Delivery.sending_at < _CUTOFF))).limit(1)


def reconcile_stale(sessions: sessionmaker[Session], policy: DeliveryPolicy, *,
                    now: datetime) -> int:
    """Put right what a crashed worker left (the rule in this module's docstring)."""
    cutoff = now - timedelta(seconds=policy.lease_seconds)
    idempotent = list(IDEMPOTENT_CHANNELS)
    released = {"claimed_by": None, "claim_token": None}
    key_alive = key_window.alive(policy, now)
    with sessions() as session:  # the usual case: a read, no write lock taken
        if session.scalar(_ANY_STALE, {"cutoff": cutoff}) is None:
            return 0
    with sessions.begin() as session:
        counts = [session.execute(update(Delivery).where(
            Delivery.status == S.CLAIMED, Delivery.claimed_at < cutoff)
            .values(status=S.PENDING, **released)).rowcount]
        counts.append(session.execute(update(Delivery).where(
            Delivery.status == S.SENDING, Delivery.sending_at < cutoff,
            Delivery.channel.in_(idempotent), Delivery.attempts < policy.max_attempts, key_alive)
            .values(status=S.PENDING, next_attempt_at=now,
                    error="发送中断：以同一幂等键重试", **released)).rowcount)
        counts.append(session.execute(update(Delivery).where(
            Delivery.status == S.SENDING, Delivery.sending_at < cutoff,
            Delivery.channel == Channel.TEMPLATE, ~key_alive)
            .values(status=S.UNKNOWN, finished_at=now, error=key_window.EXPIRED)).rowcount)
        counts.append(session.execute(update(Delivery).where(
            Delivery.status == S.SENDING, Delivery.sending_at < cutoff)
            .values(status=S.UNKNOWN, finished_at=now,
                    error="发送中断，可能已送达：请核实")).rowcount)
    if any(counts):
        log.warning("清理滞留的投递：%s 条从未发出，%s 条用同一去重键重发，"
                    "%s 条已过去重键有效期（在微信回报前记为不确定），%s 条不确定",
                    *counts)
    return sum(counts)


@functools.lru_cache(maxsize=16)
def _due_statement(batch: int, postgresql: bool, one_push: bool):
    due = (select(Delivery.id)
           .where(Delivery.status == S.PENDING,
                  Delivery.next_attempt_at <= bindparam("now", type_=UtcDateTime()))
           .order_by(Delivery.next_attempt_at, Delivery.id).limit(batch))
    if one_push:
        due = due.where(Delivery.push_id == bindparam("push"))
    return due.with_for_update(skip_locked=True) if postgresql else due


# Two statements, not one `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`:
# PostgreSQL may run such a sub-select again for each row it scans, and it then claimed every due
# row instead of `n` (test_a_batch_claims_at_most_its_size_and_leaves_the_rest_pending).
_CLAIM = (update(Delivery)
          .where(Delivery.id.in_(bindparam("ids", expanding=True)), Delivery.status == S.PENDING)
          .values(status=S.CLAIMED, claimed_by=bindparam("worker"),
                  claim_token=bindparam("token"),
                  claimed_at=bindparam("now", type_=UtcDateTime())))


def claim_batch(sessions: sessionmaker[Session], *, now: datetime, batch: int,
                worker_id: str, push_id: int | None = None) -> str | None:
    """Claim up to `batch` due rows (of one push, if given) under a fresh token; None when
    nothing was due."""
    token = uuid.uuid4().hex
    with sessions.begin() as session:
        connection = session.connection()  # Core: no ORM objects to keep in step
        due = _due_statement(batch, connection.dialect.name == "postgresql", push_id is not None)
        claimed = 0
        for _ in range(2):
            ids = list(connection.scalars(due, {"now": now} if push_id is None
                                          else {"now": now, "push": push_id}))
            if not ids:
                return None  # idle: a read only, no write lock taken (SQLite's one writer)
            claimed = connection.execute(_CLAIM, {"ids": ids, "now": now,
                                                  "worker": worker_id[:64],
                                                  "token": token}).rowcount
            # On SQLite the read takes no lock, so another worker may have claimed these very
            # rows before our UPDATE got the write lock. We hold it now: read again, and the
            # rows due then are ours. (PostgreSQL's FOR UPDATE SKIP LOCKED never collides.)
            if claimed:
                break
    return token if claimed else None


def release_claim(sessions: sessionmaker[Session], token: str) -> None:
    """Rows of this claim not handed to WeChat (stopped early) go back to pending."""
    with sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.claim_token == token,
                                               Delivery.status == S.CLAIMED)
                        .values(status=S.PENDING, claimed_by=None, claim_token=None))
