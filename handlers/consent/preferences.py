"""Recording an opt-out or opt-in, reading one's choices, and who is left out of a push.

Operations flush, the door commits (the webhook, an API request, an admin view).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.consent.categories import CATEGORIES, Category
from models.consent import PushOptOut


class ConsentChannel(StrEnum):
    BOT = "bot"
    API = "api"
    ADMIN = "admin"


CHANNEL_LABELS = {"bot": "公众号", "api": "小程序", "admin": "管理后台"}


def set_opt_out(session: Session, wechat_user_id: int, category: Category, opted_out: bool, *,
                channel: ConsentChannel, now: datetime) -> bool:
    """Record the choice; answers whether it changed anything (退订 twice says so)."""
    row = session.scalar(select(PushOptOut).where(PushOptOut.wechat_user_id == wechat_user_id,
                                                  PushOptOut.category == category.key))
    if row is not None:
        if row.opted_out == opted_out:
            return False
        row.opted_out, row.changed_at, row.channel = opted_out, now, channel.value
        session.flush()
        return True
    if not opted_out:
        return False  # never opted out: subscribed already
    try:
        with session.begin_nested():
            session.add(PushOptOut(wechat_user_id=wechat_user_id, category=category.key,
                                   opted_out=True, changed_at=now, channel=channel.value))
    except IntegrityError:  # a twin request (the bot and the API at once) wrote it first
        session.execute(update(PushOptOut).where(
            PushOptOut.wechat_user_id == wechat_user_id, PushOptOut.category == category.key)
            .values(opted_out=True, changed_at=now, channel=channel.value))
    return True


def choices(session: Session, wechat_user_id: int) -> list[tuple[Category, PushOptOut | None]]:
    """Every category with the user's last change of it (None: never changed, so subscribed)."""
    rows = {row.category: row for row in session.scalars(
        select(PushOptOut).where(PushOptOut.wechat_user_id == wechat_user_id))}
    return [(category, rows.get(category.key)) for category in CATEGORIES]


def is_opted_out(row: PushOptOut | None) -> bool:
    return bool(row and row.opted_out)


def opted_out_users(category: str) -> Select:
    """The WeChat user ids that opted out of `category` (the outbox leaves them out)."""
    return select(PushOptOut.wechat_user_id).where(PushOptOut.category == category,
                                                   PushOptOut.opted_out.is_(True))


def not_opted_out(user_id_column, category: str | None) -> ColumnElement[bool] | None:
    """A WHERE clause keeping the users of `user_id_column` who still take `category`; None
    when the push has no category (it always goes)."""
    if category is None:
        return None
    return ~exists().where(PushOptOut.wechat_user_id == user_id_column,
                           PushOptOut.category == category, PushOptOut.opted_out.is_(True))


def opt_out_counts(session: Session) -> dict[str, int]:
    """How many have opted out of each category now (the admin's consent page)."""
    rows = session.execute(select(PushOptOut.category, func.count())
                           .where(PushOptOut.opted_out.is_(True))
                           .group_by(PushOptOut.category))
    return {category: count for category, count in rows}
