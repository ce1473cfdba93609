"""The webhook view does four things: check the signature, parse/decrypt, dispatch, render/encrypt."""

from __future__ import annotations

import logging
import secrets
import time
from functools import partial

from flask import Blueprint, Response, current_app, request
from redis import RedisError

from handlers.context import DialogState, Message, Reply, Text
from wechat_bot.store import CommandBatch, StoreUnavailable
from wechat_bot.webhook.crypto import CryptoError, signature, signature_matches
from wechat_bot.webhook.deadline import HOLDING_REPLY, Overran
from wechat_bot.webhook.dispatch import Handled
from wechat_bot.webhook.xml import BadXML, parse_xml, render_encrypted, render_reply, to_message

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)

APOLOGY = "抱歉，系统开小差了，请稍后再试。"
# Added to text replies while Redis is down: nothing said now is remembered for the next message.
DEGRADED_NOTE = "（系统临时故障：分步填写、翻页等对话式操作暂时无法使用，请稍后再试。）"
# Unix seconds have 10 digits until the year 2286; anything longer is not a time.
TIMESTAMP_DIGITS = 12


def _runtime():
    return current_app.extensions["alumni_bot"]


def _authentic(wechat) -> bool:
    """Signed with our token, and lately: the signature covers the query, not a plain body, so a
    signed URL that leaked must stop working after `timestamp_tolerance_seconds`."""
    args = request.args
    timestamp = args.get("timestamp", "")
    return (_recent(timestamp, wechat.timestamp_tolerance_seconds)
            and signature_matches(args.get("signature", ""), wechat.token, timestamp, args.get("nonce", "")))


def _recent(timestamp: str, tolerance: int) -> bool:
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS):
        return False
    return abs(time.time() - int(timestamp)) <= tolerance


def _forbidden() -> Response:
    return Response("forbidden", status=403, mimetype="text/plain")


@bp.get("/wechat")
def verify() -> Response:
    """Server verification from the WeChat admin console: echo `echostr` when the signature holds.

    The console signs with the current time, so a stale timestamp is refused here as on POST."""
    if not _authentic(_runtime().config.wechat):
        return _forbidden()
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive() -> Response:
    """One message or event; always answers XML or `success`, never a 500."""
    runtime = _runtime()
    wechat = runtime.config.wechat
    if not _authentic(wechat):
        return _forbidden()
    encrypted = request.args.get("encrypt_type", "").lower() == "aes"
    if wechat.message_mode == "safe" and not encrypted:
        return _forbidden()  # in safe mode only msg_signature covers the body
    try:
        message = _read_message(runtime, encrypted)
    except _Forbidden:
        return _forbidden()
    except (BadXML, CryptoError) as exc:
        log.info("rejected a webhook body: %s", exc)
        return Response("bad request", status=400, mimetype="text/plain")

    xml = _answer(runtime, message)
    if encrypted and xml:
        xml = _encrypt(runtime, xml)
    return Response(xml or "success", mimetype="application/xml" if xml else "text/plain")


class _Forbidden(Exception):
    pass


def _read_message(runtime, encrypted: bool) -> Message:
    fields = parse_xml(request.get_data(cache=False))
    if encrypted:
        if runtime.crypto is None:
            raise CryptoError("an encrypted message arrived but wechat.encoding_aes_key is empty")
        cipher_text = fields.get("Encrypt")
        if not isinstance(cipher_text, str) or not cipher_text:
            raise BadXML("no Encrypt element")
        args = request.args
        if not signature_matches(args.get("msg_signature", ""), runtime.config.wechat.token,
                                 args.get("timestamp", ""), args.get("nonce", ""), cipher_text):
            raise _Forbidden()
        fields = parse_xml(runtime.crypto.decrypt(cipher_text).encode("utf-8"))
    return to_message(fields)


def _answer(runtime, message: Message) -> str:
    """The reply XML for a message: the stored one for a retry, else the handler's, in time."""
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
            "Redis unavailable (%s): %s answered without dedup or dialog", type(exc).__name__, key)
        return _answer_without_redis(runtime, message)
    if not claimed:
        try:
            return dedup.first_reply(key, wait_seconds=runtime.config.wechat.reply_deadline_seconds)
        except RedisError:
            return ""  # the first delivery answers; WeChat shows one reply either way
    handled, reply = _handle(runtime, message, runtime.dialogs.parse(raw_dialog))
    xml = _render(reply, message)
    # The user's next message may reach another worker at once, so a changed dialog goes now;
    # the stored reply and the log line can ride on the next round trip (writebehind.py).
    after = CommandBatch() if handled is not None and handled.dialog.changed else runtime.writes
    if handled is not None:
        runtime.dispatcher.record(handled, after)
    dedup.remember(key, xml, after)
    if after is not runtime.writes:
        try:
            _answers(runtime.writes.send_with(after))
        except RedisError as exc:
            # Redis went away while the handler ran: its work is committed, the dialog's next
            # step is lost, so the alumnus is told as every reply says while Redis is down.
            log.warning("Redis unavailable (%s): the dialog of %s was not saved", type(exc).__name__, key)
            runtime.dispatcher.record_without_redis(handled)
            return _render(_degraded(reply), message)
    return xml


def _answer_without_redis(runtime, message: Message) -> str:
    """Redis is down, the database is not: run the handler as if no dialog were open, without
    dedup, and say that multi-step commands must wait."""
    handled, reply = _handle(runtime, message, DialogState())
    if handled is not None:
        runtime.dispatcher.record_without_redis(handled)
    return _render(_degraded(reply), message)


def _handle(runtime, message: Message, dialog: DialogState) -> tuple[Handled | None, Reply]:
    """The handler's result and reply within the deadline; else the holding reply or an apology."""
    try:
        plan = runtime.router.plan(message, dialog)
        work = partial(runtime.dispatcher.dispatch, message, dialog, plan)
        if plan.inline:
            handled = work()
        else:
            handled = runtime.deadline.run(work, on_late=lambda future: runtime.finish_late(message, future))
        return handled, handled.reply
    except Overran:
        log.warning("handler overran the deadline for %s; holding reply sent", message.dedup_key)
        return None, Text(HOLDING_REPLY)
    except Exception:
        log.exception("handling %s failed", message.dedup_key)
        return None, Text(APOLOGY)


def _degraded(reply: Reply) -> Reply:
    return Text(f"{reply.content}\n\n{DEGRADED_NOTE}") if isinstance(reply, Text) else reply


def _render(reply: Reply, message: Message) -> str:
    return render_reply(reply, to_user=message.from_user, from_user=message.to_user)


def _answers(answers: list) -> list:
    for answer in answers:
        if isinstance(answer, Exception):
            raise answer
    return answers


def _encrypt(runtime, xml: str) -> str:
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(8)
    encrypt = runtime.crypto.encrypt(xml)
    return render_encrypted(encrypt, signature(runtime.config.wechat.token, timestamp, nonce, encrypt),
                            timestamp, nonce)
