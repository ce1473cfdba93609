"""Pushes to a person: what 我的数据 lists (subject, time, result), and on 注销 the rows still
waiting in the outbox, cancelled so that delivery never sends them (a row already handed to
WeChat cannot be called back)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Delivery, Push, WechatUser
from models.push import DeliveryStatus

EXPORTED_PUSHES = 1000
SUBJECT_CHARS = 40
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED)
ERASED_REASON = "收件人已注销"


def export_pushes(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    rows = session.execute(select(Delivery, Push).join(Push, Push.id == Delivery.push_id)
                           .where(Delivery.wechat_user_id == user.id)
                           .order_by(Delivery.id.desc()).limit(EXPORTED_PUSHES)).all()
    return [{"subject": p.text[:SUBJECT_CHARS], "kind": p.kind, "queued_at": p.created_at,
             "finished_at": d.finished_at, "result": d.status.value, "channel": d.channel.value if d.channel else None}
            for d, p in rows]


def cancel_waiting_pushes(session: Session, user: WechatUser, now: dt.datetime) -> int:
    """Guarded by status: a row a worker holds as `sending` is left to finish as it will."""
    return session.execute(
        update(Delivery).where(Delivery.wechat_user_id == user.id, Delivery.status.in_(WAITING))
        .values(status=DeliveryStatus.CANCELLED, finished_at=now, error=ERASED_REASON,
                claimed_by=None, claim_token=None)
        .execution_options(synchronize_session=False)).rowcount
