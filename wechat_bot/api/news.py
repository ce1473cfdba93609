"""校园新闻与刊物 in the mini-program: `GET /news` (the library, newest first, by category, paged)
and `GET /news/files/<token>.<ext>` (an uploaded cover or PDF).

Both are public: news is the school's public face and holds nothing personal. A file is found only
by its unguessable token (handlers.publications.files), served with the type checked at upload,
`nosniff`, and a CSP that lets it run nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from flask import Blueprint, Response, abort
from pydantic import BaseModel, Field

from handlers.publications.categories import CATEGORIES
from handlers.publications.files import Upload, public_file
from handlers.publications.library import shown, shown_count
from wechat_bot.api import URL_PREFIX
from wechat_bot.api.openapi import operation
from wechat_bot.runtime import current_runtime

bp = Blueprint("news", __name__)

PER_PAGE = 10
FILES = "/news/files/"
Category = Literal[CATEGORIES]  # type: ignore[valid-type]


class NewsQuery(BaseModel):
    category: Category | None = Field(None, description="类别：" + "、".join(CATEGORIES) + "；不填为全部")
    page: int = Field(1, ge=1, le=1000, description="页码，每页 10 篇")


class NewsItemOut(BaseModel):
    id: int
    category: str
    title: str
    summary: str | None
    url: str = Field(description="点开打开的网址（学校网页，或上传的 PDF）")
    picture_url: str | None = Field(description="封面图片")
    published_at: dt.datetime


class NewsPage(BaseModel):
    items: list[NewsItemOut]
    total: int
    page: int
    per_page: int
    has_more: bool


def file_url(base_url: str, upload: Upload) -> str:
    """Where an uploaded file is served: the address the library keeps for it."""
    return f"{base_url.rstrip('/')}{URL_PREFIX}{FILES}{upload.name}"


@bp.get("/news")
@operation(ok=NewsPage, public=True, tags=["news"])
def list_news(query: NewsQuery):
    """校园新闻、校报、校友通讯、校史：最新的在前，可按类别筛选，每页 10 篇。无需登录。"""
    with current_runtime().sessions.begin() as session:
        total = shown_count(session, query.category)
        rows = shown(session, query.category, offset=(query.page - 1) * PER_PAGE, limit=PER_PAGE)
        items = [NewsItemOut(id=r.id, category=r.category, title=r.title, summary=r.summary,
                             url=r.url, picture_url=r.picture_url, published_at=r.published_at)
                 for r in rows]
    return NewsPage(items=items, total=total, page=query.page, per_page=PER_PAGE,
                    has_more=query.page * PER_PAGE < total)


@bp.get(FILES + "<name>")
@operation(ok=None, errors=(404,), public=True, tags=["news"])
def news_file(name: str):
    """刊物的封面图片（JPG/PNG）或 PDF，地址见 `url` / `picture_url`。地址不可猜测；不存在时 404。"""
    with current_runtime().sessions.begin() as session:
        found = public_file(session, name)
        if found is None:
            abort(404)
        data, content_type, kind = found.data, found.content_type, found.kind
    response = Response(data, mimetype=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    if kind == "pdf":
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
