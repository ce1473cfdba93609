"""The school's publications library (校园新闻, 校报, 校友通讯, 校史): what staff keep in the admin page.

The reunion's pre-visit reminder draws its news cards from it (issue 21); `新闻` and category
subscriptions read the same rows (issue 24).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
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
    # When staff pushed it to the category's subscribers (once per item; handlers.publications.announce)
    announced_at: Mapped[datetime | None]
    announced_by: Mapped[str | None] = mapped_column(String(64))


class PublicationFile(Base):
    """A cover image or a PDF staff uploaded for a publication, kept in the database (every worker
    serves it, backups hold it). Served publicly at an unguessable address (`token`): the
    publication's `url` / `picture_url` hold that address, so features read them as before. A
    replaced file is kept: a push already sent may show it."""

    __tablename__ = "publication_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publication.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # 128 random bits, hex
    kind: Mapped[str] = mapped_column(String(8))           # cover / pdf
    content_type: Mapped[str] = mapped_column(String(32))  # image/jpeg, image/png, application/pdf
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
