"""What WeChat's answer means for its row: sent, retried after a backoff, waiting for a stopped
channel, failed, or unknown (the rules: scheduler.delivery). Written with the run's next commit.
"""

from __future__ import annotations

from datetime import timedelta

from models.push import (
    IDEMPOTENT_CHANNELS,
    Channel,
    Delivery,
    DeliveryStatus,
    Push,
    return_subscribe_consent,
)
from models.wechat_user import WechatUser
from scheduler import key_window
from scheduler.channels import subscribe_template_id
from scheduler.ratelimit import next_quota_reset
from scheduler.row_writes import DeliveryRun, record
from scheduler.sender import QUOTA_ERRCODES, RETRYABLE_ERRCODES, Outcome, SendResult

S = DeliveryStatus


def key_gone(run: DeliveryRun, delivery: Delivery, *, later: bool = False, **values) -> None:
    """A template row that may have arrived and can no longer be resent safely: `unknown`,
    never resent; WeChat's TEMPLATESENDJOBFINISH settles it (handlers.push_reports), else staff
    see it as 不确定是否送达."""
    record(run, delivery, "unknown", later=later, status=S.UNKNOWN, finished_at=run.clock(),
           error=key_window.EXPIRED, **values)


def settle(run: DeliveryRun, delivery: Delivery, push: Push, channel: Channel,
           pinned: Channel | None, user: WechatUser | None, result: SendResult) -> None:
    """Record one answer (the rules: scheduler.delivery's docstring), with the next commit."""
    at = run.clock()
    outcome = result.outcome
    errcode = None if outcome is Outcome.SENT else result.errcode
    detail = (result.detail or "")[:200] or None

    def answer(counter: str, **values) -> None:
        record(run, delivery, counter, later=True, errcode=errcode, **values)

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
            key_gone(run, delivery, later=True)  # midnight is too late for the same key
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
        key_gone(run, delivery, later=True)  # the retry would come too late for the same key
        return
    answer("retried", status=S.PENDING, error=detail, channel=keep.value if keep else None,
           next_attempt_at=retry_at, claim_token=None, claimed_by=None,
           **key_window.forgotten(delivery, keep))
