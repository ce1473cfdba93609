"""The webhook's third step: the reply XML for one message ("" for WeChat's `success`).

A retry gets the reply stored for its first delivery (dedup.py); a new message is planned on the
user's dialog and dispatched (dispatch.py) under the deadline (deadline.py), whose overrun is
answered later (late_reply.py). With Redis down the handler still runs, without dedup or dialog.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from redis import RedisError

from handlers.context import DialogState, Message, Reply, Text
from models.db import database_unreachable
from telemetry import metrics
from wechat_bot.conversation.router import handler_name
from wechat_bot.store import CommandBatch, StoreUnavailable
from wechat_bot.webhook.deadline import HOLDING_REPLY, Overran
from wechat_bot.webhook.dispatch import Handled
from wechat_bot.webhook.late_reply import answer_late
from wechat_bot.webhook.xml import render_reply

if TYPE_CHECKING:
    from wechat_bot.runtime import Runtime

log = logging.getLogger(__name__)

RETRY = "(retry)"    # WeChat's retry of a message already answered: the stored reply
FAILED = "(failed)"  # no route could be chosen (the router itself failed)

APOLOGY = "抱歉，系统开小差了，请稍后再试。"
# The database cannot be reached (stopped, restarting): nothing the alumnus did wrong.
MAINTENANCE = "系统维护中，暂时无法处理您的消息，请稍后再试。"
# Added to text replies while Redis is down: nothing said now is remembered for the next message.
DEGRADED_NOTE = "（系统临时故障：分步填写、翻页等对话式操作暂时无法使用，请稍后再试。）"


class Answered(NamedTuple):
    """The reply XML ("" for `success`), the route that made it (a handler's name, or RETRY)
    and what kind of reply it was (text, news, image, none, holding, apology, stored): the
    webhook's metrics label them so."""

    xml: str
    route: str
    reply: str


def answer(runtime: Runtime, message: Message) -> Answered:
    """The stored reply for a retry, else the handler's, in time."""
    dedup = runtime.dedup
    key = message.dedup_key
    first = CommandBatch()  # one round trip: the claim, the dialog, and the writes waiting to go
    dedup.claim(key, first)
    runtime.dialogs.load(message.from_user, first)
    try:
        claimed, raw_dialog = _answers(runtime.writes.send_with(first))
    except RedisError as exc:
        # The breaker has said so once (store.py); a log line per message would drown it.
        (log.debug if isinstance(exc, StoreUnavailable) else log.warning)(
            "Redis 不可用（%s）：%s 在没有去重和对话状态的情况下回答", type(exc).__name__, key)
        return _answer_without_redis(runtime, message)
    if not claimed:
        try:
            stored = dedup.first_reply(key)
        except RedisError:
            stored = ""  # the first delivery answers; WeChat shows one reply either way
        if stored is not None:
            return Answered(stored, RETRY, "stored")
        log.warning("%s 的首次处理未留下回复（进程中途退出）：由本次重试接手处理", key)
    handled, reply, route, kind = _handle(runtime, message, runtime.dialogs.parse(raw_dialog))
    xml = _render(reply, message)
    # The user's next message may reach another worker at once, so a changed dialog (or the
    # handler's own such writes, e.g. the last search) goes now; the stored reply and the log
    # lines can ride on the next round trip (writebehind.py).
    after = CommandBatch() if handled is not None and handled.urgent else runtime.writes
    if handled is not None:
        runtime.dispatcher.record(handled, after)
    dedup.remember(key, xml, after)
    if after is not runtime.writes:
        try:
            _answers(runtime.writes.send_with(after))
        except RedisError as exc:
            # Redis went away while the handler ran: its work is committed, the dialog's next
            # step is lost, so the alumnus is told as every reply says while Redis is down.
            log.warning("Redis 不可用（%s）：%s 的对话状态未能保存", type(exc).__name__, key)
            runtime.dispatcher.record_without_redis(handled)
            return Answered(_render(_degraded(reply), message), route, kind)
    return Answered(xml, route, kind)


def _answer_without_redis(runtime: Runtime, message: Message) -> Answered:
    """Redis is down, the database is not: run the handler as if no dialog were open, without
    dedup, and say that multi-step commands must wait."""
    handled, reply, route, kind = _handle(runtime, message, DialogState())
    if handled is not None:
        runtime.dispatcher.record_without_redis(handled)
    return Answered(_render(_degraded(reply), message), route, kind)


def _handle(runtime: Runtime, message: Message,
            dialog: DialogState) -> tuple[Handled | None, Reply, str, str]:
    """The handler's result and reply within the deadline, else the holding reply or an
    apology; with the route and the reply's kind, for the metrics."""
    plan = None
    try:
        plan = runtime.router.plan(message, dialog)
        work = partial(runtime.dispatcher.dispatch, message, dialog, plan)
        if plan.inline:
            handled = work()
        else:
            handled = runtime.deadline.run(work, on_late=partial(answer_late, runtime, message))
        reply = handled.reply
        return handled, reply, handled.routed.handler, type(reply).__name__.lower()
    except Overran:
        metrics.DEADLINE_FALLBACKS.labels("holding_reply").inc()
        log.warning("处理 %s 超过回复时限，已先发送稍候回复", message.dedup_key)
        return None, Text(HOLDING_REPLY), _route(plan), "holding"
    except Exception as exc:
        if database_unreachable(exc):
            # One line per message, no traceback: the outage is the news, not each message.
            log.warning("数据库不可用（%s）：%s 回复系统维护中", type(exc).__name__,
                        message.dedup_key)
            return None, Text(MAINTENANCE), _route(plan), "maintenance"
        log.exception("处理 %s 失败", message.dedup_key)
        return None, Text(APOLOGY), _route(plan), "apology"


def _route(plan) -> str:
    """The route a plan's metrics go under when it produced no Routed (overran, failed)."""
    if plan is None:
        return FAILED
    return handler_name(plan.handler) if plan.handler is not None else plan.name or FAILED


def _degraded(reply: Reply) -> Reply:
    return Text(f"{reply.content}\n\n{DEGRADED_NOTE}") if isinstance(reply, Text) else reply


def _render(reply: Reply, message: Message) -> str:
    return render_reply(reply, to_user=message.from_user, from_user=message.to_user)


def _answers(answers: list) -> list:
    for result in answers:
        if isinstance(result, Exception):
            raise result
    return answers
