"""The message part of a send, checked as WeChat checks it and flattened for the chat page.

Customer-service and mass messages share one shape (`msgtype` plus an object of that name); what
the page needs from it becomes a flat entry: content, articles, media_id, title.
"""

from __future__ import annotations

from typing import Any

from wechat_bot.sandbox.errors import ApiError

CUSTOM_TYPES = frozenset(
    {
        "text",
        "image",
        "voice",
        "video",
        "music",
        "news",
        "mpnews",
        "mpnewsarticle",
        "msgmenu",
        "miniprogrampage",
        "link",
        "wxcard",
    }
)
MASS_TYPES = frozenset({"text", "image", "voice", "mpvideo", "mpnews", "wxcard"})
MEDIA_TYPES = ("image", "voice", "video", "mpvideo", "mpnews")
CUSTOM_NEWS_ARTICLES = 1  # a customer-service news carries one article (45008 for more)


def _part(body: dict, msgtype: str) -> dict[str, Any]:
    part = body.get(msgtype)
    if not isinstance(part, dict):
        raise ApiError(44002 if part is None else 47001, f"{msgtype} missing")
    return part


def message_payload(body: dict, channel: str) -> dict[str, Any]:
    """The entry fields for a valid message, or the errcode WeChat answers for it."""
    msgtype = body.get("msgtype")
    allowed = CUSTOM_TYPES if channel == "custom" else MASS_TYPES
    if not isinstance(msgtype, str) or msgtype not in allowed:
        raise ApiError(40008)
    part = _part(body, msgtype)
    if msgtype == "text":
        content = part.get("content")
        if not isinstance(content, str) or not content.strip():
            raise ApiError(44004)
        return {"msgtype": "text", "content": content}
    if msgtype == "news":
        articles = part.get("articles")
        if not isinstance(articles, list) or not articles:
            raise ApiError(44003)
        if len(articles) > CUSTOM_NEWS_ARTICLES:
            raise ApiError(45008)
        return {"msgtype": "news", "articles": [_article(a) for a in articles]}
    if msgtype in MEDIA_TYPES:
        media_id = part.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise ApiError(40007)
        return {"msgtype": msgtype, "media_id": media_id, "title": part.get("title") or ""}
    if msgtype == "link":
        return {
            "msgtype": "news",
            "articles": [_article({**part, "picurl": part.get("thumb_url")})],
        }
    if msgtype == "msgmenu":
        options = [str(o.get("content", "")) for o in part.get("list") or [] if isinstance(o, dict)]
        lines = [part.get("head_content") or "", *options, part.get("tail_content") or ""]
        return {"msgtype": "text", "content": "\n".join(line for line in lines if line)}
    # music, mini-program cards, cards: shown by title; the page has nothing more to draw.
    return {"msgtype": msgtype, "title": str(part.get("title") or msgtype)}


def _article(article) -> dict[str, str]:
    if not isinstance(article, dict) or not article.get("title"):
        raise ApiError(44003, "article title missing")
    return {key: str(article.get(key) or "") for key in ("title", "description", "url", "picurl")}
