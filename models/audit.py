"""What staff must be able to look back on: searches, binding attempts, alerts for them to act on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class SearchLog(Base):
    """Every page of alumni search served: who, what, which page, how many hits on it, through
    which door (bot, api). Page 1 is the search counted against the hourly limit; later pages
    (下一页, the API's page=N) are the same query paged through."""

    __tablename__ = "search_log"
    __table_args__ = (Index("ix_search_log_user_at", "wechat_user_id", "searched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"))
    searched_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(String(200))
    hits: Mapped[int]
    page: Mapped[int] = mapped_column(server_default="1")


class BindingEvent(Base):
    """A bind, an unbind, a failed match or a refused claim on someone else's record."""

    __tablename__ = "binding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"), index=True)
    alumnus_id: Mapped[int | None] = mapped_column(ForeignKey("alumnus.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # bound / unbound / failed / refused
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]


class StaffAlert(Base):
    """Something staff should look at (e.g. a second claim on a bound record: impersonation?)."""

    __tablename__ = "staff_alert"
    # Open alerts first, newest first: the alerts page and the dashboard's count.
    __table_args__ = (Index("ix_staff_alert_resolved_created", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # What a binding conflict is about, so staff can resolve it by keeping one link: the record
    # and the WeChat user who claimed it (its holder is the record's wechat_user_id).
    alumnus_id: Mapped[int | None] = mapped_column(ForeignKey("alumnus.id", ondelete="SET NULL"))
    wechat_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("wechat_user.id", ondelete="SET NULL"))
    resolved_by: Mapped[str | None] = mapped_column(String(64))  # the staff username then
    resolution: Mapped[str | None] = mapped_column(Text)         # what was decided, in Chinese
