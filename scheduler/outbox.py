"""Queueing a push: the push row and one delivery row per recipient, in the caller's transaction.

Whatever causes a push (a staff broadcast, a booking approval, a reminder job) calls `queue_push`
with its own session; the rows commit or roll back with the cause, and nothing is sent here —
`scheduler.delivery` sends later. Who it goes to is an audience (`scheduler.audiences`); how far
it got, `scheduler.progress`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import Session

from handlers.consent.categories import is_opt_in
from handlers.consent.preferences import not_opted_out, opted_out_users
from models.base import UtcDateTime
from models.push import REPLY_KIND, Channel, Delivery, DeliveryStatus, Push
from scheduler.audiences import Audience, resolve_audience, stored_audience
from telemetry.requests import current_request_id

# "test": the admin composer's 发送测试 to the staff member's own openid (kept off the push list)
KINDS = ("broadcast", "notification", "reminder", REPLY_KIND, "test")


@dataclass(frozen=True)
class TemplateContent:
    """An explicit template (or subscribe) message for one push: its id and its data values."""

    template_id: str
    data: dict[str, str] = field(default_factory=dict)


def queue_push(session: Session, *, text: str, audience: str, kind: str,
               template: TemplateContent | None = None, subscribe: TemplateContent | None = None,
               url: str | None = None, page: str | None = None, at: datetime | None = None,
               created_by: str | None = None, custom_message: dict[str, Any] | None = None,
               category: str | None = None, now: datetime) -> Push:
    """Store a push and its deliveries (flushed, not committed: the caller's boundary commits).

    `at` (aware) delays it; `template`/`subscribe` override the configured templates (a
    notification's own fields); `text` is what customer-service and mass messages carry, unless
    `custom_message` gives a customer-service message of another type (a late news or image
    reply: {"msgtype": "image", "image": {"media_id": …}}).
    `category` (handlers.consent.categories) leaves out whoever opted out of it; None (every
    notice about one's own booking, registration, verification) always goes.
    """
    if not text or not text.strip():
        raise ValueError("a push needs text")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if now.tzinfo is None or (at is not None and at.tzinfo is None):
        raise ValueError("now and at must be aware datetimes")
    chosen, arg = resolve_audience(session, audience)
    mass = _is_mass(session, chosen, category)
    not_before = max(at, now) if at else now
    push = Push(
        key=uuid.uuid4().hex, kind=kind, audience=stored_audience(chosen, arg), text=text.strip(),
        template_id=template.template_id if template else None,
        template_data=dict(template.data) if template else None,
        subscribe_template_id=subscribe.template_id if subscribe else None,
        subscribe_data=dict(subscribe.data) if subscribe else None,
        url=url, page=page, custom_message=custom_message, mass=mass,
        not_before=not_before, created_at=now, created_by=created_by, category=category,
        request_id=current_request_id(),
    )
    session.add(push)
    session.flush()
    users = recipient_users(chosen, arg, category).subquery()
    if push.mass:
        # One row for the one mass call; the count is the followers we know of (WeChat's own
        # total comes back with the job).
        session.add(Delivery(push_id=push.id, channel=Channel.MASS,
                             next_attempt_at=not_before))
        push.recipient_count = session.scalar(select(func.count()).select_from(users)) or 0
    else:
        row = select(literal(push.id), users.c[0], literal(DeliveryStatus.PENDING.value),
                     literal(""), literal(0), literal(not_before, UtcDateTime()))
        session.execute(insert(Delivery).from_select(
            ["push_id", "wechat_user_id", "status", "refused_channels", "attempts",
             "next_attempt_at"], row))
        for address in chosen.strays(session, arg) if chosen.strays else []:
            session.add(Delivery(push_id=push.id, openid=address, next_attempt_at=not_before,
                                 status=DeliveryStatus.UNREACHABLE, finished_at=now,
                                 error="没有这个 openid 的用户"))
        session.flush()
        # Counted, not taken from rowcount: drivers disagree on it for INSERT … SELECT.
        push.recipient_count = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.push_id == push.id))
    session.flush()
    return push


def recipient_users(chosen: Audience, arg: str, category: str | None = None) -> Select:
    """The audience's users who still take `category` (all of them when it is None)."""
    users = chosen.users(arg)
    keep = not_opted_out(users.selected_columns[0], category)
    return users if keep is None else users.where(keep)


def _is_mass(session: Session, chosen: Audience, category: str | None) -> bool:
    """A mass send reaches every follower: honouring an opt-out needs one row per recipient, so
    an `all` push goes by mass send only while nobody opted out of its category."""
    if chosen.mass_filter is None or is_opt_in(category):  # opt-in: only who subscribed
        return False
    return category is None or session.scalar(opted_out_users(category).limit(1)) is None


def count_recipients(session: Session, audience: str, category: str | None = None) -> int:
    """How many a push to `audience` would reach now (the composer's preview, --dry-run),
    leaving out who opted out of `category`."""
    chosen, arg = resolve_audience(session, audience)
    users = recipient_users(chosen, arg, category).subquery()
    count = session.scalar(select(func.count()).select_from(users)) or 0
    if chosen.strays and not chosen.mass_filter:
        count += len(chosen.strays(session, arg))
    return count


def notify_users(session: Session, user_ids: list[int], text: str, at: datetime, *,
                 created_by: str, category: str | None = None) -> None:
    """Queue `text` to those WeChat users, in the caller's transaction (it commits with it): the
    `notify` a door or a job hands a feature (handlers.notices.Notify). A `category` leaves out
    whoever opted out of it (a circle's notice); None: a notice about one's own business."""
    queue_push(session, text=text, audience="users:" + ",".join(str(i) for i in user_ids),
               kind="notification", created_by=created_by, category=category, now=at)
