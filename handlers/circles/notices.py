"""圈通知: a circle admin's short notice to the circle's members, through the push outbox.

Only the circle's admins post; a circle sends at most `notices_per_day` in any 24 hours (counted
from the notices kept, under a lock on the circle's row, so two admins posting at once cannot
both take the last one); a notice is at most `notice_max_chars` long. It goes to every member but
its author, once, as a push of the 校友圈 consent category: a member who sent 「退订 校友圈」 is left
out by the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.circles import texts
from handlers.circles.membership import (
    CircleRefused,
    Refusal,
    active_circle,
    is_admin,
    member_users,
)
from handlers.circles.settings import CircleSettings
from handlers.directory.binding import bound_records
from models import WechatUser
from models.circle import Circle, CircleNotice

CATEGORY = "circles"            # handlers.consent.categories: 校友圈
CREATED_BY = "circles:notice"   # as staff see the push's cause
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Posted:
    circle: Circle
    recipients: int   # members asked, before the outbox leaves out who opted out


def post_notice(session: Session, author: WechatUser, circle_id: int, text: str, *, now: datetime,
                settings: CircleSettings, notify) -> Posted:
    """Queue the notice to the circle's members (`notify`: the outbox's, with a category)."""
    circle = active_circle(session, circle_id)
    if not is_admin(session, circle, author.id):
        raise CircleRefused(Refusal.NOT_ADMIN, texts.NOT_ADMIN.format(name=circle.name))
    text = (text or "").strip()
    if not text:
        raise CircleRefused(Refusal.INVALID, texts.NOTICE_USAGE)
    if len(text) > settings.notice_max_chars:
        raise CircleRefused(Refusal.INVALID, texts.NOTICE_TOO_LONG.format(limit=settings.notice_max_chars))
    if notify is None:
        raise CircleRefused(Refusal.INVALID, texts.NOTICE_UNAVAILABLE)
    # Serialize one circle's posts (PostgreSQL: the row lock; SQLite serializes writes anyway).
    session.scalar(select(Circle.id).where(Circle.id == circle.id).with_for_update())
    sent = session.scalars(select(CircleNotice.created_at).where(
        CircleNotice.circle_id == circle.id, CircleNotice.created_at > now - DAY)
        .order_by(CircleNotice.created_at)).all()
    if len(sent) >= settings.notices_per_day:
        wait = sent[0] + DAY - now
        raise CircleRefused(Refusal.LIMIT, texts.notice_limit(settings.notices_per_day, wait))
    recipients = sorted(set(session.scalars(member_users(circle.id))) - {author.id})
    if not recipients:
        raise CircleRefused(Refusal.INVALID, texts.NOTICE_NOBODY)
    records = bound_records(session, author)
    author_name = records[0].name if records else "圈管理员"
    notify(session, recipients, texts.notice(circle.name, author_name, text), now,
           created_by=CREATED_BY, category=CATEGORY)
    session.add(CircleNotice(circle_id=circle.id, author_user_id=author.id, text=text,
                             recipients=len(recipients), created_at=now))
    session.flush()
    return Posted(circle, len(recipients))


def notices_today(session: Session, circle_id: int, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(CircleNotice).where(
        CircleNotice.circle_id == circle_id, CircleNotice.created_at > now - DAY)) or 0
