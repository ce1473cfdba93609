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
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, String, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.base import UtcDateTime
from models.push import (
    IDEMPOTENT_CHANNELS,
    Channel,
    Delivery,
    DeliveryStatus,
    Push,
    clear_subscribe_consent,
    return_subscribe_consent,
    spend_subscribe_consent,
)
from models.wechat_user import WechatUser
from scheduler import key_window
from scheduler.channels import build_message, choose_channel, has_consent, subscribe_template_id
from scheduler.claims import OPEN_STATES, claim_batch, reconcile_stale, release_claim
from scheduler.ratelimit import Limiter, next_quota_reset
from scheduler.sender import (
    CHANNEL_CLOSED_ERRCODES,
    QUOTA_ERRCODES,
    RETRYABLE_ERRCODES,
    DeliveryPolicy,
    Outcome,
    Sender,
    SendResult,
)

log = logging.getLogger(__name__)

S = DeliveryStatus


@dataclass
class DeliveryStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    unreachable: int = 0
    unknown: int = 0
    waiting: int = 0      # no channel until a stopped one reopens (45009)
    reconciled: int = 0   # stale rows of a crashed worker put right
    lost: int = 0         # rows another worker took over (our lease ran out)


@dataclass
class _Run:
    """What one deliver_due call shares across its rows."""

    sessions: sessionmaker[Session]
    sender: Sender
    limiter: Limiter
    policy: DeliveryPolicy
    token: str
    clock: Callable[[], datetime]
    paused: dict[str, datetime] = field(default_factory=dict)
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    # Answers not yet written: they ride along with the next row's `sending` mark (one commit
    # per row instead of two), or are written before any wait and at the end of the batch.
    unwritten: list[tuple[int, str, dict]] = field(default_factory=list)
    # Writes go through one connection held for the batch (no pool round per row), in Core:
    # there are no ORM objects to keep in step, and a Session's transaction bookkeeping cost
    # about as much as the statements. (models.push's consent helpers take it as their
    # `session`: they only call `.execute`.)
    writer: Connection | None = None
    # A row was handed back to `claimed` and left so (its consent was gone): release the claim.
    # Otherwise a batch that ran to its end has no `claimed` row left, and needs no release.
    left_claimed: bool = False


def deliver_due(sessions: sessionmaker[Session], sender: Sender, limiter: Limiter, *,
                now: datetime, batch: int = 100, worker_id: str) -> DeliveryStats:
    """Send what is due at `now`: reconcile stale rows, claim one batch, send each row within
    the shared rate, record every answer. Safe to run in any number of processes at once."""
    reconciled = reconcile_stale(sessions, sender.policy, now=now)
    token = claim_batch(sessions, now=now, batch=_batch_size(sender, limiter, batch),
                        worker_id=worker_id)
    stats = _deliver_claimed(sessions, sender, limiter, token, now)
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
                     token: str | None, now: datetime) -> DeliveryStats:
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    run = _Run(sessions, sender, limiter, sender.policy, token or "", clock)
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
                _deliver_rows(run, rows)
                done = not run.left_claimed
            finally:
                _write_answers(run)
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


def _record(run: _Run, delivery: Delivery, counter: str, *, later: bool = False,
            **values) -> None:
    """A row's new state, written now (with any answers still unwritten) or, `later`, with the
    next commit. Guarded: a row another worker has taken over meanwhile is left alone."""
    values = {k: v.value if isinstance(v, S) else v for k, v in values.items()}
    run.unwritten.append((delivery.id, counter, values))
    if not later:
        _write_answers(run)


# The two statements every row runs, built once (building them costs more than running them).
_MARK_SENDING = (
    update(Delivery)
    .where(Delivery.id == bindparam("b_row"), Delivery.claim_token == bindparam("b_token"),
           Delivery.status == S.CLAIMED.value)
    .values(status=S.SENDING.value, channel=bindparam("b_channel", type_=String()),
            attempts=Delivery.attempts + 1, sending_at=bindparam("b_at", type_=UtcDateTime()),
            # the first try with the row's client_msg_id, kept across the tries that repeat it
            first_sent_at=func.coalesce(Delivery.first_sent_at,
                                        bindparam("b_first", type_=UtcDateTime()))))


@functools.cache
def _answer_statement(columns: tuple[str, ...]):
    table = Delivery.__table__
    return (update(Delivery)
            .where(Delivery.id == bindparam("b_row"), Delivery.claim_token == bindparam("b_token"),
                   # equalities, not IN: an IN list is re-rendered at every execution
                   or_(*(Delivery.status == state for state in OPEN_STATES)))
            .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns}))


def _write_answers(run: _Run, connection: Connection | None = None) -> None:
    """The answers not yet written: in the caller's transaction, or in one of their own."""
    if not run.unwritten:
        return
    if connection is None:
        with run.writer.begin():
            return _write_answers(run, run.writer)
    for delivery_id, counter, values in run.unwritten:
        params = {"b_row": delivery_id, "b_token": run.token,
                  **{f"v_{key}": value for key, value in values.items()}}
        written = connection.execute(_answer_statement(tuple(sorted(values))), params).rowcount
        if written:
            setattr(run.stats, counter, getattr(run.stats, counter) + 1)
        else:
            run.stats.lost += 1
            log.warning("delivery %s was taken over by another worker, or settled by WeChat's "
                        "report; its answer is dropped", delivery_id)
    run.unwritten.clear()


def _deliver_rows(run: _Run, rows) -> None:
    """Each row in turn; consecutive rows on an idempotent channel go as one group."""
    index = 0
    while index < len(rows):
        group = _idempotent_group(run, rows, index)
        if len(group) > 1:
            _deliver_group(run, group)
            index += len(group)
        else:
            _deliver_one(run, *rows[index])
            index += 1


def _pinned(delivery: Delivery, push: Push) -> Channel | None:
    """A channel kept from an earlier attempt that may have arrived: repeat it, same key."""
    return Channel(delivery.channel) if delivery.channel and not push.mass else None


def _idempotent_group(run: _Run, rows, start: int) -> list[tuple]:
    """The rows from `start` on (at most `policy.group`) that go on a channel with an
    idempotency key (template, mass): a crash that leaves them `sending` is harmless, since
    reconciliation resends each with its own key and WeChat dedups it. The first row of any
    other channel ends the group: those rows are marked one at a time."""
    limit = run.policy.group
    group: list[tuple] = []
    if limit <= 1:
        return group
    at = run.clock()
    for delivery, push, user in rows[start:start + limit]:
        pinned = _pinned(delivery, push)
        if pinned is not None:
            if key_window.expired(run.policy, delivery, at):
                break  # not to be called at all: _deliver_one settles it alone
            channel = None if pinned.value in run.paused else pinned
        else:  # consent decides only between subscribe and nothing: neither joins a group
            channel = choose_channel(push, delivery, user, run.policy, now=at, paused=run.paused,
                                     has_consent=lambda template: False).channel
        if channel not in IDEMPOTENT_CHANNELS:
            break
        group.append((delivery, push, user, channel, pinned))
    return group


def _deliver_group(run: _Run, group: list[tuple]) -> None:
    """Mark every row of the group `sending` in one commit (with the answers still unwritten),
    then call WeChat for each; their answers ride with the next commit."""
    messages = [build_message(channel, push, delivery, user, run.policy)
                for delivery, push, user, channel, _ in group]
    marked = _mark_group(run, group)
    for (delivery, push, user, channel, pinned), message in zip(group, messages):
        if delivery.id not in marked:
            run.stats.lost += 1
            continue
        if channel.value in run.paused:  # an earlier row of the group stopped it (45009)
            _unmark(run, delivery, pinned)
            _deliver_one(run, delivery, push, user)
            continue
        run.limiter.acquire(on_wait=lambda: _write_answers(run))
        if key_window.expired(run.policy, delivery, run.clock()):  # the group's calls were slow
            delivery.attempts -= 1  # marked, but not called after all
            _key_gone(run, delivery, later=True, attempts=delivery.attempts)
            continue
        result = _call(run, delivery, message)
        if (result.outcome is Outcome.REFUSED and result.errcode in CHANNEL_CLOSED_ERRCODES
                and pinned is None):
            _channel_closed(run, delivery, push, channel, user, result)
            _deliver_one(run, delivery, push, user, refusal=result)
            continue
        _settle(run, delivery, push, channel, pinned, user, result)


def _deliver_one(run: _Run, delivery: Delivery, push: Push, user: WechatUser | None,
                 refusal: SendResult | None = None) -> None:
    pinned = _pinned(delivery, push)
    for _ in range(len(Channel) + 1):  # each pass finishes the row or rules out one channel
        at = run.clock()
        if pinned is not None:
            if key_window.expired(run.policy, delivery, at):
                _key_gone(run, delivery)
                return
            channel, wait_until = (None, run.paused[pinned.value]) if pinned.value in run.paused \
                else (pinned, None)
        else:
            choice = choose_channel(push, delivery, user, run.policy, now=at, paused=run.paused,
                                    has_consent=lambda template: _has_consent(run, user, template))
            channel, wait_until = choice.channel, choice.wait_until
        if channel is None:
            if wait_until is not None and pinned is not None and key_window.expired(
                    run.policy, delivery, wait_until):
                _key_gone(run, delivery)  # it would reopen too late for the same key
            elif wait_until is not None:
                _record(run, delivery, "waiting", status=S.PENDING, next_attempt_at=wait_until,
                        claim_token=None, claimed_by=None)
            elif refusal is not None:
                _record(run, delivery, "failed", status=S.FAILED, finished_at=at,
                        errcode=refusal.errcode, error=refusal.detail[:200] or None)
            else:
                _record(run, delivery, "unreachable", status=S.UNREACHABLE, finished_at=at,
                        error="没有可用的渠道（未关注、不在客服窗口、无订阅授权）")
            return
        message = build_message(channel, push, delivery, user, run.policy)
        run.limiter.acquire(on_wait=lambda: _write_answers(run))
        if not _mark_sending(run, delivery, push, channel, user):
            run.stats.lost += 1
            return
        result = _call(run, delivery, message)
        if (result.outcome is Outcome.REFUSED and result.errcode in CHANNEL_CLOSED_ERRCODES
                and pinned is None):
            _channel_closed(run, delivery, push, channel, user, result)
            refusal = result
            continue
        _settle(run, delivery, push, channel, pinned, user, result)
        return


def _call(run: _Run, delivery: Delivery, message) -> SendResult:
    try:
        return run.sender.send(message)
    except Exception as exc:  # a bug or a surprise: it may have gone out, so never resend
        log.exception("sender failed on delivery %s", delivery.id)
        return SendResult(Outcome.UNCERTAIN, detail=type(exc).__name__)


def _has_consent(run: _Run, user: WechatUser, template: str) -> bool:
    with run.sessions() as session:
        return has_consent(session, user, template)


def _mark_sending(run: _Run, delivery: Delivery, push: Push, channel: Channel,
                  user: WechatUser | None) -> bool:
    """The row says `sending` in the database, committed, before WeChat hears of it."""
    at = run.clock()
    connection = run.writer
    with connection.begin():
        _write_answers(run, connection)  # the previous row's answer, in the same commit
        marked = connection.execute(_MARK_SENDING, {
            "b_row": delivery.id, "b_token": run.token, "b_channel": channel.value,
            "b_at": at, "b_first": key_window.first_try(channel, at)}).rowcount == 1
        if marked and channel is Channel.SUBSCRIBE and not spend_subscribe_consent(
                connection, user.id, subscribe_template_id(push, run.policy), at):
            # Another push spent the last consent first: not sending after all.
            connection.execute(update(Delivery).where(Delivery.id == delivery.id).values(
                status=S.CLAIMED.value, channel=None, attempts=Delivery.attempts - 1))
            run.left_claimed = True
            marked = False
    if marked:
        _marked(delivery, channel, at)
    return marked


def _mark_group(run: _Run, group: list[tuple]) -> set[int]:
    """The group's rows say `sending`, committed in one transaction, before WeChat hears of any
    of them; answers the ids marked (a row another worker took over is not)."""
    at = run.clock()
    connection = run.writer
    ids = [delivery.id for delivery, *_ in group]
    with connection.begin():
        _write_answers(run, connection)
        count = connection.execute(_MARK_SENDING, [
            {"b_row": delivery.id, "b_token": run.token, "b_channel": channel.value, "b_at": at,
             "b_first": key_window.first_try(channel, at)}
            for delivery, _, _, channel, _ in group]).rowcount
        if count == len(ids):
            marked = set(ids)
        else:  # some were taken over meanwhile (our lease ran out): which are still ours
            marked = set(connection.scalars(select(Delivery.id).where(
                Delivery.id.in_(ids), Delivery.claim_token == run.token,
                Delivery.status == S.SENDING.value)))
    for delivery, _, _, channel, _ in group:
        if delivery.id in marked:
            _marked(delivery, channel, at)
    return marked


def _marked(delivery: Delivery, channel: Channel, at: datetime) -> None:
    delivery.attempts += 1
    if delivery.first_sent_at is None:
        delivery.first_sent_at = key_window.first_try(channel, at)


def _unmark(run: _Run, delivery: Delivery, pinned: Channel | None) -> None:
    """A row of a group that was not called after all: back to `claimed`, as it was (and a
    first try with its key that did not happen after all is forgotten)."""
    if pinned is None:
        delivery.first_sent_at = None
    connection = run.writer
    with connection.begin():
        _write_answers(run, connection)
        connection.execute(update(Delivery).where(Delivery.id == delivery.id,
                                               Delivery.claim_token == run.token,
                                               Delivery.status == S.SENDING.value)
                        .values(status=S.CLAIMED.value, channel=delivery.channel,
                                attempts=Delivery.attempts - 1,
                                first_sent_at=delivery.first_sent_at))
    delivery.attempts -= 1


def _key_gone(run: _Run, delivery: Delivery, *, later: bool = False, **values) -> None:
    """A template row that may have arrived and can no longer be resent safely: `unknown`,
    never resent; WeChat's TEMPLATESENDJOBFINISH settles it (handlers.push_reports), else staff
    see it as 不确定是否送达."""
    _record(run, delivery, "unknown", later=later, status=S.UNKNOWN, finished_at=run.clock(),
            error=key_window.EXPIRED, **values)


def _channel_closed(run: _Run, delivery: Delivery, push: Push, channel: Channel,
                    user: WechatUser | None, result: SendResult) -> None:
    """This channel cannot reach this user now: note it; the next pass chooses again."""
    delivery.refused_channels = ",".join(filter(None, [delivery.refused_channels,
                                                       channel.value]))
    delivery.attempts -= 1
    connection = run.writer
    with connection.begin():
        _write_answers(run, connection)
        if channel is Channel.SUBSCRIBE and result.errcode == 43101:
            clear_subscribe_consent(connection, user.id, subscribe_template_id(push, run.policy))
        connection.execute(update(Delivery).where(Delivery.id == delivery.id,
                                               Delivery.claim_token == run.token)
                        .values(status=S.CLAIMED.value, channel=None, errcode=result.errcode,
                                refused_channels=delivery.refused_channels,
                                attempts=delivery.attempts))


def _settle(run: _Run, delivery: Delivery, push: Push, channel: Channel,
            pinned: Channel | None, user: WechatUser | None, result: SendResult) -> None:
    """Record one answer (the rules in this module's docstring), with the next commit."""
    at = run.clock()
    outcome = result.outcome
    errcode = None if outcome is Outcome.SENT else result.errcode
    detail = (result.detail or "")[:200] or None

    def answer(counter: str, **values) -> None:
        _record(run, delivery, counter, later=True, errcode=errcode, **values)

    if outcome is Outcome.SENT:
        answer("sent", status=S.SENT, finished_at=at, msgid=result.msgid, error=None)
        return
    not_sent = outcome is Outcome.NOT_SENT or errcode in RETRYABLE_ERRCODES | QUOTA_ERRCODES
    if channel is Channel.SUBSCRIBE and not_sent and outcome is not Outcome.UNCERTAIN:
        with run.writer.begin():  # WeChat did not spend it
            return_subscribe_consent(run.writer, user.id, subscribe_template_id(push, run.policy))
    if outcome is Outcome.REFUSED and errcode in QUOTA_ERRCODES:
        until = next_quota_reset(at, run.policy.zone)
        run.limiter.pause(channel.value, until, at)
        run.paused[channel.value] = until
        if pinned is not None and key_window.expired(run.policy, delivery, until):
            _key_gone(run, delivery, later=True)  # midnight is too late for the same key
            return
        wait = pinned is not None or channel is Channel.MASS  # no other channel will do
        answer("waiting", status=S.PENDING, attempts=delivery.attempts - 1, error=detail,
               channel=pinned.value if pinned else None, next_attempt_at=until if wait else at,
               claim_token=None, claimed_by=None, **key_window.forgotten(delivery, pinned))
        return
    uncertain = outcome is Outcome.UNCERTAIN
    idempotent = channel in IDEMPOTENT_CHANNELS
    if uncertain and not idempotent:
        answer("unknown", status=S.UNKNOWN, finished_at=at,
               error=detail or "应答丢失，可能已送达：请核实")
        return
    if not (uncertain or outcome is Outcome.NOT_SENT or errcode in RETRYABLE_ERRCODES):
        answer("failed", status=S.FAILED, finished_at=at, error=detail)
        return
    # Transient. After an attempt that may have arrived, stay on its channel and key.
    keep = channel if idempotent and (uncertain or pinned is not None) else None
    if delivery.attempts >= run.policy.max_attempts:
        status, counter = (S.UNKNOWN, "unknown") if keep else (S.FAILED, "failed")
        answer(counter, status=status, finished_at=at, error=detail or "重试次数已用完")
        return
    delay = min(run.policy.retry_max_seconds,
                run.policy.retry_base_seconds * 2 ** (delivery.attempts - 1))
    retry_at = at + timedelta(seconds=delay)
    if keep is not None and key_window.expired(run.policy, delivery, retry_at):
        _key_gone(run, delivery, later=True)  # the retry would come too late for the same key
        return
    answer("retried", status=S.PENDING, error=detail, channel=keep.value if keep else None,
           next_attempt_at=retry_at, claim_token=None, claimed_by=None,
           **key_window.forgotten(delivery, keep))

