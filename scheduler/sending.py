"""Sending a run's claimed rows: the channel for each, groups on the channels with an
idempotency key, one at a time on the others, and the call to WeChat (the rules:
scheduler.delivery).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from models.push import IDEMPOTENT_CHANNELS, Channel, Delivery, DeliveryStatus, Push
from models.wechat_user import WechatUser
from scheduler import key_window
from scheduler.answers import key_gone, settle
from scheduler.channels import build_message, choose_channel, has_consent
from scheduler.row_writes import (
    DeliveryRun,
    channel_closed,
    mark_group,
    mark_sending,
    record,
    unmark,
    write_answers,
)
from scheduler.sender import CHANNEL_CLOSED_ERRCODES, Outcome, SendResult
from telemetry.requests import request_scope

log = logging.getLogger("scheduler.delivery")  # delivery's log, whichever of its modules writes

S = DeliveryStatus


def deliver_rows(run: DeliveryRun, rows) -> None:
    """Each row in turn; consecutive rows on an idempotent channel go as one group."""
    index = 0
    while index < len(rows):
        # Under the request that queued the push, so its log lines name it (a group is one
        # push's rows, as a rule: a broadcast's).
        with request_scope(rows[index][1].request_id):
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


def _idempotent_group(run: DeliveryRun, rows, start: int) -> list[tuple]:
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


def _deliver_group(run: DeliveryRun, group: list[tuple]) -> None:
    """Mark every row of the group `sending` in one commit (with the answers still unwritten),
    then call WeChat for each; their answers ride with the next commit."""
    messages = [build_message(channel, push, delivery, user, run.policy)
                for delivery, push, user, channel, _ in group]
    marked = mark_group(run, group)
    for (delivery, push, user, channel, pinned), message in zip(group, messages):
        if delivery.id not in marked:
            run.stats.lost += 1
            continue
        if channel.value in run.paused:  # an earlier row of the group stopped it (45009)
            unmark(run, delivery, pinned)
            _deliver_one(run, delivery, push, user)
            continue
        run.limiter.acquire(on_wait=lambda: write_answers(run))
        if key_window.expired(run.policy, delivery, run.clock()):  # the group's calls were slow
            delivery.attempts -= 1  # marked, but not called after all
            key_gone(run, delivery, later=True, attempts=delivery.attempts)
            continue
        result = _call(run, delivery, message)
        if (result.outcome is Outcome.REFUSED and result.errcode in CHANNEL_CLOSED_ERRCODES
                and pinned is None):
            channel_closed(run, delivery, push, channel, user, result)
            _deliver_one(run, delivery, push, user, refusal=result)
            continue
        settle(run, delivery, push, channel, pinned, user, result)


def _deliver_one(run: DeliveryRun, delivery: Delivery, push: Push, user: WechatUser | None,
                 refusal: SendResult | None = None) -> None:
    pinned = _pinned(delivery, push)
    # Each pass finishes the row or rules out one channel; one more to look again after catching up.
    for _ in range(len(Channel) + 2):
        at = run.clock()
        if pinned is not None:
            if key_window.expired(run.policy, delivery, at):
                key_gone(run, delivery)
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
                key_gone(run, delivery)  # it would reopen too late for the same key
            elif wait_until is not None:
                record(run, delivery, "waiting", status=S.PENDING, next_attempt_at=wait_until,
                       claim_token=None, claimed_by=None)
            elif refusal is not None:
                record(run, delivery, "failed", status=S.FAILED, finished_at=at,
                       errcode=refusal.errcode, error=refusal.detail[:200] or None)
            elif _window_opened(run, user, push):
                continue
            else:
                record(run, delivery, "unreachable", status=S.UNREACHABLE, finished_at=at,
                       error="没有可用的渠道（未关注、不在客服窗口、无订阅授权）")
            return
        message = build_message(channel, push, delivery, user, run.policy)
        run.limiter.acquire(on_wait=lambda: write_answers(run))
        if not mark_sending(run, delivery, push, channel, user):
            run.stats.lost += 1
            return
        result = _call(run, delivery, message)
        if (result.outcome is Outcome.REFUSED and result.errcode in CHANNEL_CLOSED_ERRCODES
                and pinned is None):
            channel_closed(run, delivery, push, channel, user, result)
            refusal = result
            continue
        settle(run, delivery, push, channel, pinned, user, result)
        return


def _call(run: DeliveryRun, delivery: Delivery, message) -> SendResult:
    try:
        return run.sender.send(message)
    except Exception as exc:  # a bug or a surprise: it may have gone out, so never resend
        log.exception("发送投递 %s 时出错", delivery.id)
        return SendResult(Outcome.UNCERTAIN, detail=type(exc).__name__)


def _window_opened(run: DeliveryRun, user: WechatUser | None, push: Push) -> bool:
    """Whether the user's customer-service window turns out open once the interactions still
    queued are written (`run.catch_up`, once per run): their latest message may have come
    a moment before this push, and the message log writes it about a second later."""
    if run.catch_up is None or user is None or push.mass or not (user.subscribed and user.openid):
        return False
    if not run.caught_up:
        run.caught_up = True
        try:
            run.catch_up()
        except Exception:
            log.exception("投递前写入待记录的消息失败；按已记录的互动时间判断")
    with run.sessions() as session:
        times = session.execute(select(WechatUser.last_message_at, WechatUser.last_interaction_at)
                                .where(WechatUser.id == user.id)).one_or_none()
    if times is None or tuple(times) == (user.last_message_at, user.last_interaction_at):
        return False
    user.last_message_at, user.last_interaction_at = times
    return user.in_customer_service_window(run.clock())


def _has_consent(run: DeliveryRun, user: WechatUser, template: str) -> bool:
    with run.sessions() as session:
        return has_consent(session, user, template)
