"""What 我的数据 shows and 注销 erases of consents: the categories chosen (退订/订阅) and the
mini-program's subscribe-message consents (handlers.privacy calls these)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import PushOptOut, SubscribeConsent, WechatUser


def export_consents(session: Session, user: WechatUser) -> dict[str, Any]:
    choices = session.scalars(select(PushOptOut).where(PushOptOut.wechat_user_id == user.id)
                              .order_by(PushOptOut.category))
    grants = session.scalars(select(SubscribeConsent).where(SubscribeConsent.wechat_user_id == user.id)
                             .order_by(SubscribeConsent.template_id))
    return {
        "categories": [{"category": c.category, "receives": not c.opted_out, "changed_at": c.changed_at,
                        "channel": c.channel} for c in choices],
        "subscribe_messages": [{"template": g.template_id, "remaining": g.remaining,
                                "granted_at": g.granted_at} for g in grants],
    }


def erase_consents(session: Session, user: WechatUser) -> int:
    removed = 0
    for model in (PushOptOut, SubscribeConsent):
        removed += session.execute(delete(model).where(model.wechat_user_id == user.id)
                                   .execution_options(synchronize_session=False)).rowcount
    return removed
