"""The channel mix of a push before it is sent: how many recipients a template message, a
customer-service message or a subscribe message would reach now, and how many none would.

The same order as `scheduler.channels.choose_channel` (which decides per row when it is sent),
written as one aggregate over the recipients so the composer can show it at 1,000,000 alumni.
It is a forecast: a window may close, a consent be spent, before the row's turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from models.push import SubscribeConsent
from models.wechat_user import EVENT_WINDOW, MESSAGE_WINDOW, WechatUser
from scheduler.audiences import resolve_audience
from scheduler.outbox import _is_mass, recipient_users


@dataclass(frozen=True)
class ChannelMix:
    total: int
    mass: bool = False       # one mass send: WeChat reaches every follower, no per-user channel
    template: int = 0
    custom: int = 0
    subscribe: int = 0
    unreachable: int = 0


def channel_mix(session: Session, audience: str, category: str | None, *, template: bool,
                subscribe_template: str | None, now: datetime) -> ChannelMix:
    """`template`: a template message is configured or the push names one; `subscribe_template`:
    the mini-program template a subscribe message would use (None: none)."""
    chosen, arg = resolve_audience(session, audience)
    users = recipient_users(chosen, arg, category).subquery()
    if _is_mass(session, chosen, category):
        total = session.scalar(select(func.count()).select_from(users)) or 0
        return ChannelMix(total=total, mass=True)
    follows = and_(WechatUser.subscribed.is_(True), WechatUser.openid.is_not(None))
    window = or_(WechatUser.last_message_at > now - MESSAGE_WINDOW,
                 WechatUser.last_interaction_at > now - EVENT_WINDOW)
    whens = []
    if template:
        whens.append((follows, "template"))
    else:
        whens.append((and_(follows, window), "custom"))
    if subscribe_template:
        whens.append((and_(WechatUser.miniprogram_openid.is_not(None), exists().where(
            SubscribeConsent.wechat_user_id == WechatUser.id,
            SubscribeConsent.template_id == subscribe_template,
            SubscribeConsent.remaining > 0)), "subscribe"))
    channel = case(*whens, else_="unreachable")
    rows = session.execute(select(channel, func.count())
                           .select_from(users).join(WechatUser, WechatUser.id == users.c[0])
                           .group_by(channel)).all()
    counts = dict(rows)
    return ChannelMix(total=sum(counts.values()), template=counts.get("template", 0),
                      custom=counts.get("custom", 0), subscribe=counts.get("subscribe", 0),
                      unreachable=counts.get("unreachable", 0))
