"""Reading and keeping the publications library: the rules the admin page and features share.

A publication is never deleted: hiding keeps the row (a push may still link it) but no feature
offers it again. Titles are cut by WeChat at 64 characters on a news card, so the library holds
no longer ones; links open in the WeChat browser, so only http(s) addresses are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.publications.categories import CATEGORIES
from models.publication import Publication

TITLE_MAX = 64
URL_MAX = 500


class PublicationError(ValueError):
    """A value the library refuses; str() is the Chinese line staff see beside the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PublicationInput:
    category: str
    title: str
    url: str
    summary: str = ""
    picture_url: str = ""


def is_web_address(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url.strip()


def check(values: PublicationInput) -> PublicationInput:
    """The values cleaned, or PublicationError naming the first bad field."""
    title = " ".join(values.title.split())
    if values.category not in CATEGORIES:
        raise PublicationError("category", f"类别只能是：{'、'.join(CATEGORIES)}")
    if not title:
        raise PublicationError("title", "请填写标题")
    if len(title) > TITLE_MAX:
        raise PublicationError("title", f"标题最多 {TITLE_MAX} 个字（微信图文卡片会截断更长的标题）")
    url = values.url.strip()
    if not url:
        raise PublicationError("url", "请填写链接，或上传 PDF 文件")
    if not is_web_address(url) or len(url) > URL_MAX:
        raise PublicationError("url", "链接须为 http:// 或 https:// 开头的网址")
    picture = values.picture_url.strip()
    if picture and (not is_web_address(picture) or len(picture) > URL_MAX):
        raise PublicationError("picture_url", "封面图片须为 http:// 或 https:// 开头的网址")
    return PublicationInput(values.category, title, url, values.summary.strip(), picture)


def add_publication(session: Session, values: PublicationInput, *, by: str,
                    now: datetime) -> Publication:
    values = check(values)
    row = Publication(category=values.category, title=values.title, url=values.url,
                      summary=values.summary or None, picture_url=values.picture_url or None,
                      published_at=now, hidden=False, created_by=by, created_at=now)
    session.add(row)
    session.flush()
    return row


def change_publication(row: Publication, values: PublicationInput) -> Publication:
    values = check(values)
    row.category, row.title, row.url = values.category, values.title, values.url
    row.summary = values.summary or None
    row.picture_url = values.picture_url or None
    return row


def by_category(session: Session, category: str, *, include_hidden: bool = False,
                limit: int = 50) -> list[Publication]:
    """Newest first."""
    statement = select(Publication).where(Publication.category == category)
    if not include_hidden:
        statement = statement.where(Publication.hidden.is_(False))
    return list(session.scalars(statement.order_by(Publication.published_at.desc(),
                                                   Publication.id.desc()).limit(limit)))


def shown(session: Session, category: str | None = None, *, offset: int = 0,
          limit: int = 8) -> list[Publication]:
    """What alumni are offered, newest first: one category's or every category's."""
    statement = select(Publication).where(Publication.hidden.is_(False))
    if category is not None:
        statement = statement.where(Publication.category == category)
    return list(session.scalars(statement.order_by(Publication.published_at.desc(),
                                                   Publication.id.desc())
                                .offset(offset).limit(limit)))


def shown_count(session: Session, category: str | None = None) -> int:
    statement = select(func.count()).select_from(Publication).where(Publication.hidden.is_(False))
    if category is not None:
        statement = statement.where(Publication.category == category)
    return session.scalar(statement) or 0


def latest_of_each(session: Session, categories: tuple[str, ...]) -> list[Publication]:
    """The newest shown item of each category that has one, in the categories' order."""
    found = []
    for category in categories:
        rows = by_category(session, category, limit=1)
        found.extend(rows)
    return found


def news_article(row: Publication) -> dict[str, str]:
    """One article of a WeChat news (图文) message, as the customer-service API takes it."""
    article = {"title": row.title, "description": row.summary or "", "url": row.url}
    if row.picture_url:
        article["picurl"] = row.picture_url
    return article
