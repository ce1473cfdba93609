"""Helpers for the news tests: items in the library, a PNG, a PDF, and a news reply read back."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from PIL import Image

from models.publication import Publication
from tests.wechat import post

NOW = datetime.now(UTC)

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png(width: int = 90, height: int = 50, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, fmt)
    return out.getvalue()


def add_items(runtime, category: str, count: int, *, days_ago: int = 0, hidden: bool = False,
              title: str | None = None) -> list[int]:
    """`count` items of `category`, the first the newest."""
    ids = []
    with runtime.sessions.begin() as session:
        for i in range(count):
            at = NOW - timedelta(days=days_ago, hours=i)
            row = Publication(category=category, title=title or f"{category}第{i + 1}篇",
                              summary=f"{category}摘要{i + 1}", url=f"https://news.example.edu/{category}/{i}",
                              picture_url=None, published_at=at, hidden=hidden, created_by="boss",
                              created_at=at)
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


def news_reply(client, token: str, body: str) -> tuple[str, list[dict]]:
    """(MsgType, articles as dicts of Title/Description/Url/PicUrl) of the webhook's reply."""
    xml = post(client, token, body).get_data(as_text=True)
    kind = re.search(r"<MsgType><!\[CDATA\[(\w+)\]\]></MsgType>", xml).group(1)
    articles = []
    for item in re.findall(r"<item>(.*?)</item>", xml, re.S):
        articles.append({key: (re.search(rf"<{key}><!\[CDATA\[(.*?)\]\]></{key}>", item, re.S)
                               or [None, ""])[1] for key in ("Title", "Description", "Url", "PicUrl")})
    count = re.search(r"<ArticleCount>(\d+)</ArticleCount>", xml)
    if count:
        assert int(count.group(1)) == len(articles)
    return kind, articles
