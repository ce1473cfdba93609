"""The push outbox: a push (what to say, to whom), one delivery row per recipient, and the
mini-program subscribe-message consents a delivery may spend.

A push is written in the transaction of whatever caused it (a broadcast, a booking approval), and
nothing is sent from there: `scheduler.delivery` claims the rows later and records, per row, what
WeChat answered. docs/pushes.md tells the whole life of a row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base


class DeliveryStatus(StrEnum):
    PENDING = "pending"          # waiting for its time (or its retry time)
    CLAIMED = "claimed"          # reserved by a worker's batch, not yet handed to WeChat
    SENDING = "sending"          # marked and committed just before the call to WeChat
    SENT = "sent"
    FAILED = "failed"            # WeChat refused for good (errcode) or retries ran out
    UNREACHABLE = "unreachable"  # no channel could reach this recipient
    # A call that may or may not have arrived and cannot be repeated safely (不确定是否送达):
    # never resent; WeChat's report settles a template row, staff look at the rest.
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"      # staff cancelled it before it was sent (admin page)


FINISHED = frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE,
                      DeliveryStatus.UNKNOWN, DeliveryStatus.CANCELLED})


class Channel(StrEnum):
    TEMPLATE = "template"    # 模板消息 (service account), idempotent through client_msg_id
    CUSTOM = "custom"        # 客服消息, within the user's customer-service window
    SUBSCRIBE = "subscribe"  # 小程序订阅消息, spends one consent
    MASS = "mass"            # 群发 to all followers (or a tag), idempotent through clientmsgid


# A call on these channels may be repeated: WeChat answers a repeated idempotency key with the
# first message instead of sending a second one.
IDEMPOTENT_CHANNELS = frozenset({Channel.TEMPLATE, Channel.MASS})
# ... but a template's client_msg_id only this long after the first try with it ("10分钟有效"):
# a resend later than that may be delivered twice (PROTOCOL.md section 6).
CLIENT_MSG_ID_SECONDS = 600

# A late answer to what the user just wrote (after the webhook's holding reply): it goes as a
# customer-service message or not at all, since a template would cut it to 20 characters.
REPLY_KIND = "reply"


class Push(Base):
    """One message to an audience: a staff broadcast, a reminder, a notification."""

    __tablename__ = "push"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random per push; with the delivery id it makes each row's idempotency key, unique even
    # across a database that was reset while WeChat still remembers the old keys.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # broadcast / notification / reminder / reply
    audience: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # An explicit template message for this push (notifications); None = the configured default.
    template_id: Mapped[str | None] = mapped_column(String(128))
    template_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(String(500))
    subscribe_template_id: Mapped[str | None] = mapped_column(String(128))
    subscribe_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    page: Mapped[str | None] = mapped_column(String(200))  # the page a subscribe message opens
    # A reply that is not plain text, as the customer-service message carries it (`msgtype` and
    # its part: {"msgtype": "image", "image": {"media_id": …}}); None: `text` is the message.
    custom_message: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    mass: Mapped[bool] = mapped_column(default=False)  # one mass send instead of per-recipient rows
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(64))
    recipient_count: Mapped[int] = mapped_column(default=0)
    # The consent category (handlers.consent.categories) whose opt-outs this push honours; None
    # for what always goes (a notice about one's own booking, registration, verification).
    category: Mapped[str | None] = mapped_column(String(16))
    # The web request that queued it (telemetry.requests): delivery logs each row under it.
    request_id: Mapped[str | None] = mapped_column(String(64))


class Delivery(Base):
    """One recipient of one push, and what became of it."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("push_id", "wechat_user_id", name="uq_delivery_push_user"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        # The admin dashboard's "sent / failed today" without reading the rows of a big broadcast.
        Index("ix_delivery_status_finished", "status", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("push.id", ondelete="CASCADE"), index=True)
    # NULL for the one row of a mass push, or for an openid no user of ours holds.
    wechat_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("wechat_user.id", ondelete="SET NULL"), index=True)
    openid: Mapped[str | None] = mapped_column(String(64))  # the address asked for, when no user
    status: Mapped[DeliveryStatus] = mapped_column(default=DeliveryStatus.PENDING)
    # Chosen when the row is sent; kept across a retry only when the last call may have arrived
    # (so the retry repeats the same idempotency key on the same channel).
    channel: Mapped[Channel | None]
    refused_channels: Mapped[str] = mapped_column(String(64), default="")  # "custom,subscribe"
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    sending_at: Mapped[datetime | None]
    # The first template call with this row's client_msg_id that may have reached WeChat; a
    # resend with that key is safe only within CLIENT_MSG_ID_SECONDS of it. NULL while no such
    # call was made (an explicit refusal means WeChat never saw the key).
    first_sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    errcode: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(200))
    # Indexed: WeChat's reports (TEMPLATESENDJOBFINISH, MASSSENDJOBFINISH) find the row by it,
    # one for each recipient of a broadcast.
    msgid: Mapped[str | None] = mapped_column(String(64), index=True)
    # What WeChat reported afterwards, as it said it: "success", "failed:user block",
    # "sendsuccess", "err(10001)" …; NULL until a report arrives (customer-service and subscribe
    # messages never get one).
    report: Mapped[str | None] = mapped_column(String(32))
    reported_at: Mapped[datetime | None]
    # A mass send's counts: {"total", "filter", "sent", "error"} (TotalCount, FilterCount, …).
    report_counts: Mapped[dict[str, int] | None] = mapped_column(JSON)

    def idempotency_key(self, push_key: str) -> str:
        """What WeChat dedups on (template client_msg_id, mass clientmsgid): one per row."""
        return f"{push_key}-{self.id}"


class SubscribeConsent(Base):
    """One-time subscribe-message consents a user gave in the mini-program, per template.

    Each 允许 in wx.requestSubscribeMessage allows one send of that template; consents add up,
    and each subscribe-message delivery spends one (`spend_subscribe_consent`).
    """

    __tablename__ = "subscribe_consent"
    __table_args__ = (UniqueConstraint("wechat_user_id", "template_id",
                                       name="uq_subscribe_consent_user_template"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"))
    template_id: Mapped[str] = mapped_column(String(128))
    remaining: Mapped[int] = mapped_column(default=0)
    granted_at: Mapped[datetime]
    spent_at: Mapped[datetime | None]


def grant_subscribe_consents(session: Session, wechat_user_id: int, template_ids: list[str],
                             now: datetime) -> None:
    """Record the consents the mini-program collected (POST /me/subscriptions): one each."""
    for template_id in dict.fromkeys(template_ids):
        if _add_consent(session, wechat_user_id, template_id, now):
            continue
        try:
            with session.begin_nested():
                session.execute(insert(SubscribeConsent).values(
                    wechat_user_id=wechat_user_id, template_id=template_id, remaining=1,
                    granted_at=now))
        except IntegrityError:  # a twin request inserted it first
            _add_consent(session, wechat_user_id, template_id, now)


def _add_consent(session: Session, wechat_user_id: int, template_id: str, now: datetime) -> bool:
    result = session.execute(
        update(SubscribeConsent)
        .where(SubscribeConsent.wechat_user_id == wechat_user_id,
               SubscribeConsent.template_id == template_id)
        .values(remaining=SubscribeConsent.remaining + 1, granted_at=now))
    return result.rowcount == 1


def spend_subscribe_consent(session: Session, wechat_user_id: int, template_id: str,
                            now: datetime) -> bool:
    """Take one consent; False when none is left. Atomic: two workers cannot spend the last."""
    result = session.execute(
        update(SubscribeConsent)
        .where(SubscribeConsent.wechat_user_id == wechat_user_id,
               SubscribeConsent.template_id == template_id, SubscribeConsent.remaining > 0)
        .values(remaining=SubscribeConsent.remaining - 1, spent_at=now))
    return result.rowcount == 1


def return_subscribe_consent(session: Session, wechat_user_id: int, template_id: str) -> None:
    """Give back a consent whose send WeChat refused before spending it (busy, quota)."""
    session.execute(
        update(SubscribeConsent)
        .where(SubscribeConsent.wechat_user_id == wechat_user_id,
               SubscribeConsent.template_id == template_id)
        .values(remaining=SubscribeConsent.remaining + 1))


def clear_subscribe_consent(session: Session, wechat_user_id: int, template_id: str) -> None:
    """WeChat says no consent is left (43101): believe it."""
    session.execute(
        update(SubscribeConsent)
        .where(SubscribeConsent.wechat_user_id == wechat_user_id,
               SubscribeConsent.template_id == template_id)
        .values(remaining=0))
