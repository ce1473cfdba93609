"""The template key's window: WeChat dedups a template message's client_msg_id for 10 minutes
after the first try with it ("10分钟有效", PROTOCOL.md section 6); a resend later than that may be
delivered a second time.

So a template row is sent again with its key only while its first try with that key
(`delivery.first_sent_at`) is less than `policy.idempotency_window_seconds` old (540 s by
default, the rest of the 10 minutes being the margin for a group's calls and the clocks). The
rule, checked in Python before each call and when a retry or a wait until midnight is scheduled
(`scheduler.delivery`), and in SQL when a crashed worker's rows are taken over
(`scheduler.claims`): a row past it becomes `unknown`, is never resent, and waits for WeChat's
TEMPLATESENDJOBFINISH (`handlers.push_reports`); staff see what no report settles as
不确定是否送达.

`first_sent_at` is set by the first `sending` mark on the template channel and kept by the tries
that repeat the key; an answer that says nothing was sent (an errcode) forgets it, since WeChat
never kept the key: the next try is a first try again. A mass send's clientmsgid is kept far
longer, so mass rows have no window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_

from models.push import Channel, Delivery
from scheduler.sender import DeliveryPolicy

EXPIRED = "可能已送达，client_msg_id 已超过有效期，不再重发：等待微信回报"


def first_try(channel: Channel, at: datetime) -> datetime | None:
    """What a `sending` mark at `at` offers as the first try with the row's key."""
    return at if channel is Channel.TEMPLATE else None


def expired(policy: DeliveryPolicy, delivery: Delivery, at: datetime) -> bool:
    """Whether a call at `at` would come too late for WeChat to dedup the row's key."""
    first = delivery.first_sent_at
    return first is not None and at >= first + timedelta(
        seconds=policy.idempotency_window_seconds)


def forgotten(delivery: Delivery, kept: Channel | None) -> dict:
    """The values that forget the first try when the row goes back to any channel (`kept` is
    None) after an answer that says nothing was sent; the row object is updated too."""
    if kept is not None or delivery.first_sent_at is None:
        return {}
    delivery.first_sent_at = None
    return {"first_sent_at": None}


def alive(policy: DeliveryPolicy, now: datetime) -> ColumnElement[bool]:
    """SQL: the row's key may still be repeated at `now` (any channel but the template's, or a
    first try inside the window; rows from before migration 0009 count from `sending_at`)."""
    first = func.coalesce(Delivery.first_sent_at, Delivery.sending_at)
    return or_(Delivery.channel != Channel.TEMPLATE,
               first > now - timedelta(seconds=policy.idempotency_window_seconds))
