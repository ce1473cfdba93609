"""The school's publications library (校园新闻, 校报, 校友通讯, 校史): what staff keep in the admin page.

The reunion's pre-visit reminder draws its news cards from it (issue 21); `新闻` and category
subscriptions read the same rows (issue 24).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Publication(Base):
    __tablename__ = "publication"
    __table_args__ = (Index("ix_publication_category_published", "category", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16))    # 校园新闻 / 校报 / 校友通讯 / 校史
    title: Mapped[str] = mapped_column(String(64))       # WeChat cuts a news card's title at 64
    summary: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500))        # where the card opens
    picture_url: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime]
    hidden: Mapped[bool] = mapped_column(default=False)  # kept, but no longer offered
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
