"""What delivery needs from WeChat, as a Protocol: the composition root hands in the real one
(`wechat_bot.push_sender`), tests hand in fakes. scheduler/ never imports wechat_bot.

The sender reports facts — WeChat's errcode, or whether the call could have arrived — and
`scheduler.delivery` decides what they mean for the row (PROTOCOL.md section 6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from models.push import Channel


class Outcome(StrEnum):
    SENT = "sent"              # WeChat accepted it (errcode 0, or a repeat of an accepted key)
    REFUSED = "refused"        # WeChat answered with an errcode: nothing was sent
    NOT_SENT = "not_sent"      # the request never reached WeChat (connection refused, no token)
    UNCERTAIN = "uncertain"    # it may have arrived: read timeout, HTTP 5xx, connection cut


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    errcode: int | None = None
    msgid: str | None = None
    detail: str = ""

    @classmethod
    def sent(cls, msgid: Any = None) -> SendResult:
        return cls(Outcome.SENT, 0, None if msgid is None else str(msgid))

    @classmethod
    def refused(cls, errcode: int, detail: str = "") -> SendResult:
        return cls(Outcome.REFUSED, errcode, detail=detail)


@dataclass(frozen=True)
class Outgoing:
    """One call to make. `address` is the openid (the mini-program openid for SUBSCRIBE)."""

    channel: Channel
    address: str | None
    text: str
    template_id: str | None = None
    data: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    page: str | None = None
    idempotency_key: str | None = None  # template client_msg_id / mass clientmsgid
    # A customer-service message that is not plain text (a late news or image reply): its
    # `msgtype` and that part, as WeChat takes them; None sends `text`.
    custom_message: dict[str, Any] | None = None
    mass_filter: dict[str, Any] | None = None  # {"is_to_all": True} or {"tag_id": 101}


@dataclass(frozen=True)
class TemplateSpec:
    """A configured template and how a push's text fills it: (key, pattern) per field.

    Patterns may use {text}, {school}, {account}, {date}, {time} (the push's creation, local).
    """

    template_id: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DeliveryPolicy:
    """What the account offers and how hard delivery tries; built from `[push]` by the root."""

    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    lease_seconds: float = 120.0
    # A template row is sent again with its client_msg_id only this long after the first try
    # with it; WeChat honours the key for 10 minutes (models.push.CLIENT_MSG_ID_SECONDS), and
    # the rest is the margin for the calls of a group and the clocks. Past it, `unknown`.
    idempotency_window_seconds: float = 540.0
    # How many rows on an idempotent channel (template, mass) may be marked `sending` in one
    # commit; 1 marks every row alone. Bounded by the root so a group's calls finish well inside
    # the lease even if each one times out (wechat_bot.push_sender.delivery_policy).
    group: int = 1
    template: TemplateSpec | None = None   # None: no template channel
    subscribe: TemplateSpec | None = None  # None: no mini-program subscribe channel
    subscribe_page: str | None = None      # the mini-program page a subscribe message opens
    zone: dt.tzinfo = dt.timezone(dt.timedelta(hours=8))
    school_name: str = ""
    account_name: str = ""


class Sender(Protocol):
    """Sends one message on one channel; never raises for what WeChat or the network did."""

    policy: DeliveryPolicy

    def send(self, message: Outgoing) -> SendResult: ...


# How delivery reads an errcode (PROTOCOL.md section 6).
RETRYABLE_ERRCODES = frozenset({-1})          # system busy: try again later
QUOTA_ERRCODES = frozenset({45009})           # the API's daily quota: stop the channel for today
# The channel cannot reach this user now; another channel may: outside the customer-service
# window, its allowance spent, no subscribe consent left.
CHANNEL_CLOSED_ERRCODES = frozenset({45015, 45047, 43101})
# Everything else (43004 unsubscribed, 40003 bad openid, 48002 blocked, 47003 bad data, 40037
# unknown template, 48001 not authorised, …) is final for the row.
