"""Recording an opt-out or opt-in, reading one's choices, and who is left out of a push.

Operations flush, the door commits (the webhook, an API request, an admin view).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.consent.categories import BY_KEY, CATEGORIES, Category
from models.consent import PushOptOut


class ConsentChannel(StrEnum):
    BOT = "bot"
    API = "api"
    ADMIN = "admin"


CHANNEL_LABELS = {"bot": "公众号", "api": "小程序", "admin": "管理后台"}


def set_opt_out(session: Session, wechat_user_id: int, category: Category, opted_out: bool, *,
                channel: ConsentChannel, now: datetime) -> bool:
    """Record the choice; answers whether it changed anything (退订 twice says so).

    With no row the user has the category's default: receiving, or for an opt-in category
    (the news categories) not receiving; a row is written only to differ from it."""
    row = session.scalar(select(PushOptOut).where(PushOptOut.wechat_user_id == wechat_user_id,
                                                  PushOptOut.category == category.key))
    if row is not None:
        if row.opted_out == opted_out:
            return False
        row.opted_out, row.changed_at, row.channel = opted_out, now, channel.value
        session.flush()
        return True
    if opted_out == category.opt_in:
        return False  # never changed: the default already (subscribed, or for opt-in not)
    try:
        with session.begin_nested():
            session.add(PushOptOut(wechat_user_id=wechat_user_id, category=category.key,
                                   opted_out=opted_out, changed_at=now, channel=channel.value))
    except IntegrityError:  # a twin request (the bot and the API at once) wrote it first
        session.execute(update(PushOptOut).where(
            PushOptOut.wechat_user_id == wechat_user_id, PushOptOut.category == category.key)
            .values(opted_out=opted_out, changed_at=now, channel=channel.value))
    return True


def choices(session: Session, wechat_user_id: int) -> list[tuple[Category, PushOptOut | None]]:
    """Every category with the user's last change of it (None: never changed, so subscribed)."""
    rows = {row.category: row for row in session.scalars(
        select(PushOptOut).where(PushOptOut.wechat_user_id == wechat_user_id))}
    return [(category, rows.get(category.key)) for category in CATEGORIES]


def is_opted_out(row: PushOptOut | None, category: Category | None = None) -> bool:
    """Whether the user does not receive `category`, given their row for it (None: never
    changed, so the category's default)."""
    if row is None:
        return bool(category and category.opt_in)
    return row.opted_out


def opted_out_users(category: str) -> Select:
    """The WeChat user ids that opted out of `category` (the outbox leaves them out)."""
    return select(PushOptOut.wechat_user_id).where(PushOptOut.category == category,
                                                   PushOptOut.opted_out.is_(True))


def not_opted_out(user_id_column, category: str | None) -> ColumnElement[bool] | None:
    """A WHERE clause keeping the users of `user_id_column` who still take `category`; None
    when the push has no category (it always goes)."""
    if category is None:
        return None
    if category in BY_KEY and BY_KEY[category].opt_in:  # only who subscribed
        return exists().where(PushOptOut.wechat_user_id == user_id_column,
                              PushOptOut.category == category, PushOptOut.opted_out.is_(False))
    return ~exists().where(PushOptOut.wechat_user_id == user_id_column,
                           PushOptOut.category == category, PushOptOut.opted_out.is_(True))


def opt_out_counts(session: Session, opted_out: bool = True) -> dict[str, int]:
    """How many have opted out of each category now (the admin's consent page); with
    `opted_out=False`, how many chose to receive it (an opt-in category's subscribers)."""
    rows = session.execute(select(PushOptOut.category, func.count())
                           .where(PushOptOut.opted_out.is_(opted_out))
                           .group_by(PushOptOut.category))
    return {category: count for category, count in rows}


def subscriber_count(session: Session, category: str) -> int:
    """How many receive an opt-in category (those who subscribed)."""
    return opt_out_counts(session, opted_out=False).get(category, 0)
