"""Which channel reaches a recipient now, and the message that channel carries (PROTOCOL.md 6).

Chosen per row when it is sent, in this order:

1. a mass push (all followers, a tag) — one mass send (群发);
2. the recipient follows the account: a **template message** when one is configured (or the push
   names its own) — preferred because it is the one per-user channel WeChat dedups
   (`client_msg_id`), so a retry can never show the message twice; otherwise a
   **customer-service message** when the user interacted within the window
   (`WechatUser.in_customer_service_window`: 48 h after a message, 1 min after a click or scan);
3. a **mini-program subscribe message** when the user granted that template a consent;
4. nothing — the row is `unreachable`, recorded, never silently dropped.

A late reply (`models.push.REPLY_KIND`, the answer after the webhook's holding reply) goes as a
customer-service message only: the user has just written, so the window is open, and a template
would cut the answer to 20 characters.

A channel WeChat refused for this user (45015, 45047, 43101) is skipped on the next try; a channel
stopped for the day (45009) is skipped by every row, and a row whose only channel is stopped
waits until it opens again instead of being called unreachable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.push import REPLY_KIND, Channel, Delivery, Push, SubscribeConsent
from models.wechat_user import WechatUser
from scheduler.sender import DeliveryPolicy, Outgoing, TemplateSpec

# Longest value WeChat accepts per data key type (47003 beyond): thing values 20 characters, …
VALUE_LIMITS = {"thing": 20, "name": 20, "phrase": 5, "symbol": 5, "car_number": 8,
                "character_string": 32, "number": 32, "letter": 32, "amount": 32,
                "phone_number": 17}
DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class Choice:
    channel: Channel | None
    wait_until: datetime | None = None  # no channel now, but a stopped one reopens then

    @property
    def unreachable(self) -> bool:
        return self.channel is None and self.wait_until is None


def choose_channel(push: Push, delivery: Delivery, user: WechatUser | None,
                   policy: DeliveryPolicy, *, now: datetime, paused: dict[str, datetime],
                   has_consent: Callable[[str], bool]) -> Choice:
    """The channel for this row now. `paused`: channel → when it reopens; `has_consent(id)`
    tells whether the user holds a subscribe consent for that template."""
    refused = set(filter(None, delivery.refused_channels.split(",")))
    blocked_until: list[datetime] = []

    def usable(channel: Channel) -> bool:
        if channel.value in refused:
            return False
        if channel.value in paused:
            blocked_until.append(paused[channel.value])
            return False
        return True

    if push.mass:
        return Choice(Channel.MASS) if usable(Channel.MASS) else Choice(None, min(blocked_until))
    if user is None:
        return Choice(None)
    if push.kind == REPLY_KIND:
        if user.openid and usable(Channel.CUSTOM):
            return Choice(Channel.CUSTOM)
        return Choice(None, min(blocked_until) if blocked_until else None)
    if user.subscribed and user.openid:
        if template_id(push, policy) and usable(Channel.TEMPLATE):
            return Choice(Channel.TEMPLATE)
        if user.in_customer_service_window(now) and usable(Channel.CUSTOM):
            return Choice(Channel.CUSTOM)
    subscribe_id = subscribe_template_id(push, policy)
    if user.miniprogram_openid and subscribe_id and has_consent(subscribe_id) \
            and usable(Channel.SUBSCRIBE):
        return Choice(Channel.SUBSCRIBE)
    return Choice(None, min(blocked_until) if blocked_until else None)


def template_id(push: Push, policy: DeliveryPolicy) -> str | None:
    return push.template_id or (policy.template.template_id if policy.template else None)


def subscribe_template_id(push: Push, policy: DeliveryPolicy) -> str | None:
    if push.subscribe_template_id:
        return push.subscribe_template_id
    return policy.subscribe.template_id if policy.subscribe else None


def has_consent(session: Session, user: WechatUser, template: str) -> bool:
    """Whether the user holds at least one subscribe consent for `template`."""
    remaining = session.scalar(select(SubscribeConsent.remaining).where(
        SubscribeConsent.wechat_user_id == user.id, SubscribeConsent.template_id == template))
    return bool(remaining and remaining > 0)


def build_message(channel: Channel, push: Push, delivery: Delivery, user: WechatUser | None,
                  policy: DeliveryPolicy) -> Outgoing:
    """The call for `channel`: addressed, filled in, with the row's idempotency key."""
    key = delivery.idempotency_key(push.key)
    if channel is Channel.MASS:
        return Outgoing(channel, None, push.text, idempotency_key=key,
                        mass_filter={"is_to_all": True})
    if channel is Channel.TEMPLATE:
        data = push.template_data if push.template_id else _fill(policy.template, push, policy)
        return Outgoing(channel, user.openid, push.text, template_id=template_id(push, policy),
                        data=dict(data or {}), url=push.url, idempotency_key=key)
    if channel is Channel.SUBSCRIBE:
        data = (push.subscribe_data if push.subscribe_template_id
                else _fill(policy.subscribe, push, policy))
        return Outgoing(channel, user.miniprogram_openid, push.text,
                        template_id=subscribe_template_id(push, policy), data=dict(data or {}),
                        page=push.page or policy.subscribe_page)
    return Outgoing(Channel.CUSTOM, user.openid, push.text, custom_message=push.custom_message)


def _fill(spec: TemplateSpec | None, push: Push, policy: DeliveryPolicy) -> dict[str, str]:
    if spec is None:
        return {}
    local = push.not_before.astimezone(policy.zone)
    values = {"text": push.text, "school": policy.school_name, "account": policy.account_name,
              "date": local.strftime("%Y-%m-%d"), "time": local.strftime("%Y-%m-%d %H:%M")}
    return {key: fit(key, pattern.format(**values)) for key, pattern in spec.fields}


def fit(key: str, value: str) -> str:
    """A value cut to what WeChat accepts for its key type (thing: 20 characters, the last …)."""
    value = " ".join(value.split())  # template values are one line
    limit = VALUE_LIMITS.get(key.rstrip("0123456789"), DEFAULT_LIMIT)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def parse_fields(items: list[str]) -> tuple[tuple[str, str], ...]:
    """`["thing1={text}", "time3={time}"]` → (("thing1", "{text}"), ("time3", "{time}"));
    ValueError names the first bad item."""
    fields = []
    for item in items:
        key, sep, pattern = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ValueError(f"{item!r} 应为 键=内容，例如 thing1={{text}}")
        try:
            pattern.format(text="", school="", account="", date="", time="")
        except (KeyError, IndexError, ValueError):
            raise ValueError(f"{item!r} 只能使用 {{text}} {{school}} {{account}} {{date}} {{time}}"
                             ) from None
        fields.append((key, pattern))
    return tuple(fields)
