"""Delivery: claim due rows, send each within the shared rate, record what WeChat answered.

The life of a row (docs/pushes.md has the full table):

    pending ─claim─▶ claimed ─mark+COMMIT─▶ sending ─call WeChat─▶ sent | failed | unreachable
       ▲                                                         └──▶ pending (retry, backoff)
       └──────────── a stale `claimed` row (nobody called WeChat) ─┘   └──▶ unknown (不确定是否送达)
                                                                            │ WeChat's report
                                                                            └──▶ sent | failed

* **Claim** (`scheduler.claims`): a batch of due `pending` rows becomes `claimed` by this worker
  under a fresh claim token.
* **Before each call** the row is marked `sending` (attempt count, time) and that is COMMITTED;
  only then is WeChat called. The answer is written with the next commit — a later mark, or
  before any wait, or at the end of the batch — and guarded by the claim token, so a worker that
  lost its row (its lease ran out) cannot overwrite the new owner's result.
* **Groups**: consecutive rows on a channel with an idempotency key (template, mass) are marked
  together, one commit for up to `policy.group` rows, then called one by one; a crash leaving them
  `sending` is harmless (see below). Customer-service and subscribe rows are marked one at a
  time, so at most the one in flight can be left `sending` without a key.
* **Answers**: 0 → `sent`; -1, a refused connection, no token → retry after 30 s, 60 s, 120 s, …
  (`push.retry_base_seconds`, doubling, at most an hour) until `push.max_attempts`, then `failed`;
  45009 (the API's daily quota) stops that channel for every process until midnight Beijing time
  and the row tries another channel or waits; 45015/45047/43101 (this channel cannot reach this
  user now) → the next channel, else `failed` with that errcode; any other errcode (43004
  unsubscribed, 40003, 48002, 47003, …) → `failed` at once, never retried. A call that may have
  arrived (read timeout, HTTP 5xx, a cut connection) → `unknown` on customer-service and
  subscribe messages; on the template or mass channel the retry stays on that channel with the
  same idempotency key.

**Exactly once**: a crash (kill -9) can only leave rows `claimed` or `sending`, and
`scheduler.claims.reconcile_stale` puts them right by the rule written there (and in
docs/pushes.md): `claimed` → sent later; `sending` on the template or mass channel → sent again
with the same idempotency key, which WeChat dedups; `sending` elsewhere → `unknown`, never resent.
An answer not yet written when the process died leaves its row `sending`, and the same rule holds.

**The template key's window** (`scheduler.key_window`): WeChat dedups a template's
client_msg_id for 10 minutes only, so a template row is sent again with it only within
`policy.idempotency_window_seconds` of its first try with the key: a retry, a crashed worker's
row, a row waiting for the daily quota to come back at midnight. A row whose next try would
come later — checked before each call, and when its retry or its wait until midnight is
scheduled — becomes `unknown` instead, never resent, until WeChat's report settles it.

So nobody ever gets a message twice; with a template configured nobody is lost either, except
that a template call cut off and not retried within the window waits for WeChat's report.

Here: a run's entry points and its batch. The rows are sent by `scheduler.sending`, an answer is
judged by `scheduler.answers`, and every write to a row goes through `scheduler.row_writes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.push import Channel, Delivery, Push
from models.wechat_user import WechatUser
from scheduler.claims import claim_batch, reconcile_stale, release_claim
from scheduler.ratelimit import Limiter
from scheduler.row_writes import DeliveryRun, DeliveryStats, write_answers
from scheduler.sender import Sender
from scheduler.sending import deliver_rows


def deliver_due(sessions: sessionmaker[Session], sender: Sender, limiter: Limiter, *,
                now: datetime, batch: int = 100, worker_id: str,
                catch_up: Callable[[], object] | None = None) -> DeliveryStats:
    """Send what is due at `now`: reconcile stale rows, claim one batch, send each row within
    the shared rate, record every answer. Safe to run in any number of processes at once.

    `catch_up` writes the interactions still queued (the message log's write-behind): a row
    that finds no channel runs it once per batch and looks at its user again before it is
    called unreachable, so a push queued right after the user's message reaches them."""
    reconciled = reconcile_stale(sessions, sender.policy, now=now)
    token = claim_batch(sessions, now=now, batch=_batch_size(sender, limiter, batch),
                        worker_id=worker_id)
    stats = _deliver_claimed(sessions, sender, limiter, token, now, catch_up)
    stats.reconciled = reconciled
    return stats


def deliver_push(sessions: sessionmaker[Session], sender: Sender, limiter: Limiter,
                 push_id: int, *, now: datetime, worker_id: str) -> DeliveryStats:
    """Send one push's due rows at once (a late reply, from the web process that queued it).
    They are claimed like any rows, so the scheduler's delivery cannot send them too; a row
    that fails is left as any failed row is, for the scheduler's delivery to retry."""
    token = claim_batch(sessions, now=now, batch=_batch_size(sender, limiter, 100),
                        worker_id=worker_id, push_id=push_id)
    return _deliver_claimed(sessions, sender, limiter, token, now)


def _batch_size(sender: Sender, limiter: Limiter, batch: int) -> int:
    rate = getattr(limiter, "rate", None)
    if rate:  # a batch must finish well inside the lease, or another worker would take it over
        return max(1, min(batch, int(rate * sender.policy.lease_seconds / 2)))
    return batch


def _deliver_claimed(sessions: sessionmaker[Session], sender: Sender, limiter: Limiter,
                     token: str | None, now: datetime,
                     catch_up: Callable[[], object] | None = None) -> DeliveryStats:
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    run = DeliveryRun(sessions, sender, limiter, sender.policy, token or "", clock,
                      catch_up=catch_up)
    if token is None:
        return run.stats
    with sessions() as session:
        rows = session.execute(
            select(Delivery, Push, WechatUser).join(Push, Push.id == Delivery.push_id)
            .outerjoin(WechatUser, WechatUser.id == Delivery.wechat_user_id)
            .where(Delivery.claim_token == token).order_by(Delivery.id)).all()
        engine = session.get_bind()
    run.stats.claimed = len(rows)
    done = False
    try:
        with engine.connect() as connection:
            run.writer = connection
            try:
                run.paused = _paused(limiter, now)
                deliver_rows(run, rows)
                done = not run.left_claimed
            finally:
                write_answers(run)
    finally:
        if not done:  # stopped early: what WeChat never heard of goes back to pending
            release_claim(sessions, token)
    return run.stats


def _paused(limiter: Limiter, now: datetime) -> dict[str, datetime]:
    channels = [channel.value for channel in Channel]
    many = getattr(limiter, "paused_channels", None)  # one round trip for all of them
    stopped = many(channels) if many else {c: limiter.paused_until(c) for c in channels}
    return {channel: until for channel, until in stopped.items()
            if until is not None and until > now}
