"""The WeChat user and the message log: what no feature owns (handlers.privacy's own part).

注销 keeps the user's row as a nameless placeholder (`erased_at` set, no openid, no dates, no
place): registrations, bookings and pushes of the past still point at it, so the school's counts
hold, but nothing on it says who it was. The person's next message finds no user with their openid
and meets the bot as a new follower.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import WechatUser
from models.message_log import MessageLog

EXPORTED_MESSAGES = 1000


def export_user(user: WechatUser) -> dict[str, Any]:
    return {"openid": user.openid, "miniprogram_openid": user.miniprogram_openid, "unionid": user.unionid,
            "following": user.subscribed, "followed_at": user.subscribed_at,
            "unfollowed_at": user.unsubscribed_at, "first_interaction_at": user.first_interaction_at,
            "last_interaction_at": user.last_interaction_at, "last_message_at": user.last_message_at,
            "last_location": ({"latitude": user.last_latitude, "longitude": user.last_longitude,
                               "at": user.last_location_at} if user.last_location_at else None),
            "created_at": user.created_at}


def export_messages(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    """The newest messages the log holds from this person (the log keeps them a limited time)."""
    if not user.openid:
        return []
    rows = session.scalars(select(MessageLog).where(MessageLog.openid == user.openid)
                           .order_by(MessageLog.received_at.desc()).limit(EXPORTED_MESSAGES))
    return [{"at": m.received_at, "type": m.msg_type, "event": m.event, "content": m.content}
            for m in rows]


def erase_messages(session: Session, user: WechatUser) -> int:
    if not user.openid:
        return 0
    return session.execute(delete(MessageLog).where(MessageLog.openid == user.openid)
                           .execution_options(synchronize_session=False)).rowcount


def erase_user(session: Session, user: WechatUser, now: dt.datetime) -> None:
    """The last step: the row keeps its id and creation time, and nothing else about the person."""
    user.openid = user.miniprogram_openid = user.unionid = None
    user.subscribed = False
    user.subscribed_at = user.unsubscribed_at = user.unionid_checked_at = None
    user.first_interaction_at = user.last_interaction_at = user.last_message_at = None
    user.last_latitude = user.last_longitude = user.last_location_at = None
    user.erased_at = now
    session.flush()
