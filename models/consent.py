"""What an alumnus chose to receive: one row per (WeChat user, push category) they changed.

A push may carry a category (校友会通知, 活动, 返校, 分会: `handlers.consent.categories`); a user
with `opted_out` set for it is left out when the push is queued and counted. The row keeps the
last change, when and through which door (bot / api / admin), so staff can tell why someone no
longer gets a category. Notices about one's own booking, registration or verification carry no
category and always go. The news categories (校园新闻, 校报, 校友通讯, 校史) are opt-in: nobody gets
them without a row here with `opted_out` false (a subscription, `订阅 校友通讯`).

Keyed by the WeChat user, not the roster record: pushes go to WeChat users, and a follower who
never bound may opt out too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class PushOptOut(Base):
    __tablename__ = "push_opt_out"
    __table_args__ = (
        UniqueConstraint("wechat_user_id", "category", name="uq_push_opt_out_user_category"),
        # queue_push and the recipient count exclude (category, opted_out) → users: one index read
        Index("ix_push_opt_out_category", "category", "opted_out", "wechat_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))
    opted_out: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(8))  # bot / api / admin
