"""One delivery run's shared state, and every write it makes to its rows.

Each write is guarded by the run's claim token, so a worker that lost its row (its lease ran out,
another worker took it over) changes nothing. A row is marked `sending`, and that is committed,
before WeChat hears of it; its answer waits in `unwritten` and rides with the next commit (the
rules: scheduler.delivery).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, String, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.base import UtcDateTime
from models.push import (
    Channel,
    Delivery,
    DeliveryStatus,
    Push,
    clear_subscribe_consent,
    spend_subscribe_consent,
)
from models.wechat_user import WechatUser
from scheduler import key_window
from scheduler.channels import subscribe_template_id
from scheduler.claims import OPEN_STATES
from scheduler.ratelimit import Limiter
from scheduler.sender import DeliveryPolicy, Sender, SendResult
from telemetry import metrics

log = logging.getLogger("scheduler.delivery")  # delivery's log, whichever of its modules writes

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
class DeliveryRun:
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
    # Writes the interactions still queued (the webhook's message log, written about a second
    # after each message) so a row about to be called unreachable sees the user's latest message.
    catch_up: Callable[[], object] | None = None
    caught_up: bool = False  # catch_up ran in this run (once is enough: it writes them all)


def record(run: DeliveryRun, delivery: Delivery, counter: str, *, later: bool = False,
           **values) -> None:
    """A row's new state, written now (with any answers still unwritten) or, `later`, with the
    next commit. Guarded: a row another worker has taken over meanwhile is left alone."""
    run.unwritten.append((delivery.id, counter, values))
    # Logged here, in the row's own request scope (scheduler.sending), not when written.
    log.log(logging.DEBUG if counter == "sent" else logging.INFO, "投递 %s（推送 %s）：%s%s",
            delivery.id, delivery.push_id, counter,
            f" errcode={values['errcode']}" if values.get("errcode") is not None else "")
    if not later:
        write_answers(run)


# The two statements every row runs, built once (building them costs more than running them).
_MARK_SENDING = (
    update(Delivery)
    .where(Delivery.id == bindparam("b_row"), Delivery.claim_token == bindparam("b_token"),
           Delivery.status == S.CLAIMED)
    .values(status=S.SENDING, channel=bindparam("b_channel", type_=String()),
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


def write_answers(run: DeliveryRun, connection: Connection | None = None) -> None:
    """The answers not yet written: in the caller's transaction, or in one of their own."""
    if not run.unwritten:
        return
    if connection is None:
        with run.writer.begin():
            return write_answers(run, run.writer)
    for delivery_id, counter, values in run.unwritten:
        params = {"b_row": delivery_id, "b_token": run.token,
                  **{f"v_{key}": value for key, value in values.items()}}
        written = connection.execute(_answer_statement(tuple(sorted(values))), params).rowcount
        if written:
            setattr(run.stats, counter, getattr(run.stats, counter) + 1)
            metrics.DELIVERIES.labels(counter, metrics.errcode_class(values.get("errcode"))).inc()
        else:
            run.stats.lost += 1
            log.warning("投递 %s 已被其他进程接手，或已由微信回报定案；本次结果不再写入",
                        delivery_id)
    run.unwritten.clear()


def mark_sending(run: DeliveryRun, delivery: Delivery, push: Push, channel: Channel,
                 user: WechatUser | None) -> bool:
    """The row says `sending` in the database, committed, before WeChat hears of it."""
    at = run.clock()
    connection = run.writer
    with connection.begin():
        write_answers(run, connection)  # the previous row's answer, in the same commit
        marked = connection.execute(_MARK_SENDING, {
            "b_row": delivery.id, "b_token": run.token, "b_channel": channel.value,
            "b_at": at, "b_first": key_window.first_try(channel, at)}).rowcount == 1
        if marked and channel is Channel.SUBSCRIBE and not spend_subscribe_consent(
                connection, user.id, subscribe_template_id(push, run.policy), at):
            # Another push spent the last consent first: not sending after all.
            connection.execute(update(Delivery).where(Delivery.id == delivery.id).values(
                status=S.CLAIMED, channel=None, attempts=Delivery.attempts - 1))
            run.left_claimed = True
            marked = False
    if marked:
        _marked(delivery, channel, at)
    return marked


def mark_group(run: DeliveryRun, group: list[tuple]) -> set[int]:
    """The group's rows say `sending`, committed in one transaction, before WeChat hears of any
    of them; answers the ids marked (a row another worker took over is not)."""
    at = run.clock()
    connection = run.writer
    ids = [delivery.id for delivery, *_ in group]
    with connection.begin():
        write_answers(run, connection)
        count = connection.execute(_MARK_SENDING, [
            {"b_row": delivery.id, "b_token": run.token, "b_channel": channel.value, "b_at": at,
             "b_first": key_window.first_try(channel, at)}
            for delivery, _, _, channel, _ in group]).rowcount
        if count == len(ids):
            marked = set(ids)
        else:  # some were taken over meanwhile (our lease ran out): which are still ours
            marked = set(connection.scalars(select(Delivery.id).where(
                Delivery.id.in_(ids), Delivery.claim_token == run.token,
                Delivery.status == S.SENDING)))
    for delivery, _, _, channel, _ in group:
        if delivery.id in marked:
            _marked(delivery, channel, at)
    return marked


def _marked(delivery: Delivery, channel: Channel, at: datetime) -> None:
    delivery.attempts += 1
    if delivery.first_sent_at is None:
        delivery.first_sent_at = key_window.first_try(channel, at)


def unmark(run: DeliveryRun, delivery: Delivery, pinned: Channel | None) -> None:
    """A row of a group that was not called after all: back to `claimed`, as it was (and a
    first try with its key that did not happen after all is forgotten)."""
    if pinned is None:
        delivery.first_sent_at = None
    connection = run.writer
    with connection.begin():
        write_answers(run, connection)
        connection.execute(update(Delivery).where(Delivery.id == delivery.id,
                                               Delivery.claim_token == run.token,
                                               Delivery.status == S.SENDING)
                        .values(status=S.CLAIMED, channel=delivery.channel,
                                attempts=Delivery.attempts - 1,
                                first_sent_at=delivery.first_sent_at))
    delivery.attempts -= 1


def channel_closed(run: DeliveryRun, delivery: Delivery, push: Push, channel: Channel,
                   user: WechatUser | None, result: SendResult) -> None:
    """This channel cannot reach this user now: note it; the next pass chooses again."""
    delivery.refused_channels = ",".join(filter(None, [delivery.refused_channels,
                                                       channel.value]))
    delivery.attempts -= 1
    connection = run.writer
    with connection.begin():
        write_answers(run, connection)
        if channel is Channel.SUBSCRIBE and result.errcode == 43101:
            clear_subscribe_consent(connection, user.id, subscribe_template_id(push, run.policy))
        connection.execute(update(Delivery).where(Delivery.id == delivery.id,
                                               Delivery.claim_token == run.token)
                        .values(status=S.CLAIMED, channel=None, errcode=result.errcode,
                                refused_channels=delivery.refused_channels,
                                attempts=delivery.attempts))
