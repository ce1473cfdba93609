"""The answer that comes after the holding reply (webhook.deadline): a push of its own.

When the handler finishes, its Redis writes (dialog, message log) are recorded as any answer's
are, and its reply is queued in the outbox like any push (kind `reply`, to the one user, on the
customer-service channel only: scheduler.channels), committed, and then sent at once from this
process through the same delivery code, its row claimed like any other so the scheduler's
delivery cannot send it too. When that call fails, the row waits for the scheduler's delivery to retry it, and either way
`push-status` shows what became of it.
"""

from __future__ import annotations

import logging
import os
import socket
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from redis import RedisError
from sqlalchemy.orm import Session, sessionmaker

from handlers.context import Image, Message, News, Reply, Text
from models.push import REPLY_KIND
from scheduler.delivery import deliver_push
from scheduler.outbox import queue_push
from telemetry import metrics
from wechat_bot.webhook.dispatch import Handled, find_or_create_user

if TYPE_CHECKING:
    from wechat_bot.runtime import Runtime

log = logging.getLogger(__name__)

IMAGE_TEXT = "[图片]"  # what push-status shows as the content of an image reply


def answer_late(runtime: Runtime, message: Message, future: Future[Handled]) -> None:
    """The handler behind a holding reply has finished: record it, queue its answer, send it."""
    if future.exception() is not None:
        metrics.DEADLINE_FALLBACKS.labels("late_failed").inc()
        log.error("超过回复时限的处理失败", exc_info=future.exception())
        return
    handled = future.result()
    try:
        pipe = runtime.store.pipeline(transaction=False)
        runtime.dispatcher.record(handled, pipe)
        pipe.execute()
    except RedisError:  # the answer is in the database's outbox below, whatever Redis does
        runtime.dispatcher.record_without_redis(handled)
    push_id = queue_late_reply(runtime.sessions, message.from_user, handled.reply, datetime.now(UTC))
    if push_id is None:
        metrics.DEADLINE_FALLBACKS.labels("late_nothing").inc()
        return
    log.info("迟到的回答已排入推送 %s", push_id)
    try:
        sender, limiter = runtime.delivery
        stats = deliver_push(runtime.sessions, sender, limiter, push_id, now=datetime.now(UTC),
                             worker_id=f"web:{socket.gethostname()}:{os.getpid()}")
    except Exception:  # queued and committed: the scheduler's delivery sends it later
        metrics.DEADLINE_FALLBACKS.labels("late_queued").inc()
        log.exception("迟到的回答（推送 %s）未能立即发出，留待调度器投递", push_id)
        return
    metrics.DEADLINE_FALLBACKS.labels("late_sent" if stats.sent else "late_queued").inc()


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
