"""The answer that comes after the holding reply (webhook.deadline): a push of its own.

It is queued in the outbox like any push (kind `reply`, to the one user, on the customer-service
channel only: scheduler.channels), committed, and then sent at once from this process through
the same delivery code, its row claimed like any other so the scheduler's delivery cannot send it
too. When that call fails, the row waits for the scheduler's delivery to retry it, and either way
`push-status` shows what became of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers.context import Image, News, Reply, Text
from models.push import REPLY_KIND
from scheduler.outbox import queue_push
from wechat_bot.webhook.dispatch import find_or_create_user

IMAGE_TEXT = "[图片]"  # what push-status shows as the content of an image reply


def customer_service_message(reply: Reply) -> tuple[str, dict[str, Any] | None] | None:
    """(text, the message when it is not plain text) for a late reply; None: nothing to send."""
    if isinstance(reply, Text):
        return (reply.content, None) if reply.content.strip() else None
    if isinstance(reply, News) and reply.articles:
        first = reply.articles[0]  # a customer-service news carries one article (45008)
        return first.title, {"msgtype": "news", "news": {"articles": [{
            "title": first.title, "description": first.description, "url": first.url,
            "picurl": first.picture_url}]}}
    if isinstance(reply, Image):
        return IMAGE_TEXT, {"msgtype": "image", "image": {"media_id": reply.media_id}}
    return None


def queue_late_reply(sessions: sessionmaker[Session], openid: str, reply: Reply,
                     now: datetime) -> int | None:
    """Queue the late answer to `openid` and commit it; its push id, or None if nothing to say."""
    content = customer_service_message(reply)
    if content is None:
        return None
    text, custom_message = content
    with sessions.begin() as session:
        # A handler that never asked for the user leaves none behind for a first-time writer.
        user = find_or_create_user(session, openid, now)
        session.flush()
        push = queue_push(session, text=text, audience=f"users:{user.id}", kind=REPLY_KIND,
                          custom_message=custom_message, created_by="webhook", now=now)
        return push.id
