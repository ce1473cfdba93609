"""The `/wechat` door. A message takes four steps: verify (the signature), read (decrypt, parse),
answer (answer.py: dedup, dialog, the handler under the deadline), reply (encrypt, respond)."""

from __future__ import annotations

import logging
import secrets
import time

from flask import Blueprint, Response, request

from handlers.context import Message
from wechat_bot.config import WechatSection
from wechat_bot.runtime import Runtime, current_runtime
from wechat_bot.webhook.answer import answer
from wechat_bot.webhook.crypto import CryptoError, signature, signature_matches
from wechat_bot.webhook.metrics import record_answer
from wechat_bot.webhook.xml import BadXML, parse_xml, render_encrypted, to_message

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)

# Unix seconds have 10 digits until the year 2286; anything longer is not a time.
TIMESTAMP_DIGITS = 12


@bp.get("/wechat")
def check_server() -> Response:
    """Server verification from the WeChat admin console: echo `echostr` when the signature holds.

    The console signs with the current time, so a stale timestamp is refused here as on POST."""
    if not verify(current_runtime().config.wechat):
        return _forbidden()
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive() -> Response:
    """One message or event; always answers XML or `success`, never a 500."""
    started = time.perf_counter()
    runtime = current_runtime()
    if not verify(runtime.config.wechat):
        return _forbidden()
    encrypted = request.args.get("encrypt_type", "").lower() == "aes"
    try:
        message = read(runtime, encrypted)
    except _Forbidden:
        return _forbidden()
    except (BadXML, CryptoError) as exc:
        log.info("拒绝了无法读取的消息体：%s", exc)
        return Response("bad request", status=400, mimetype="text/plain")
    answered = answer(runtime, message)
    response = reply(runtime, answered.xml, encrypted)
    record_answer(message.msg_type, answered.route, answered.reply, time.perf_counter() - started)
    return response


def verify(wechat: WechatSection) -> bool:
    """Signed with our token, and lately: the signature covers the query, not a plain body, so a
    signed URL that leaked must stop working after `timestamp_tolerance_seconds`."""
    args = request.args
    timestamp = args.get("timestamp", "")
    return (_recent(timestamp, wechat.timestamp_tolerance_seconds)
            and signature_matches(args.get("signature", ""), wechat.token, timestamp, args.get("nonce", "")))


def read(runtime: Runtime, encrypted: bool) -> Message:
    """The message in the body, decrypted in safe mode; in safe mode a plain body is refused,
    since only msg_signature covers the body."""
    if runtime.config.wechat.message_mode == "safe" and not encrypted:
        raise _Forbidden()
    fields = parse_xml(request.get_data(cache=False))
    if encrypted:
        if runtime.crypto is None:
            raise CryptoError("收到加密消息，但 wechat.encoding_aes_key 未配置")
        cipher_text = fields.get("Encrypt")
        if not isinstance(cipher_text, str) or not cipher_text:
            raise BadXML("缺少 Encrypt 元素")
        args = request.args
        if not signature_matches(args.get("msg_signature", ""), runtime.config.wechat.token,
                                 args.get("timestamp", ""), args.get("nonce", ""), cipher_text):
            raise _Forbidden()
        fields = parse_xml(runtime.crypto.decrypt(cipher_text).encode("utf-8"))
    return to_message(fields)


def reply(runtime: Runtime, xml: str, encrypted: bool) -> Response:
    """The answer as WeChat takes it: the XML (encrypted when the message was), or `success`."""
    if not xml:
        return Response("success", mimetype="text/plain")
    if encrypted:
        xml = _encrypt(runtime, xml)
    return Response(xml, mimetype="application/xml")


class _Forbidden(Exception):
    pass


def _forbidden() -> Response:
    return Response("forbidden", status=403, mimetype="text/plain")


def _recent(timestamp: str, tolerance: int) -> bool:
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS):
        return False
    return abs(time.time() - int(timestamp)) <= tolerance


def _encrypt(runtime: Runtime, xml: str) -> str:
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(8)
    encrypt = runtime.crypto.encrypt(xml)
    return render_encrypted(encrypt, signature(runtime.config.wechat.token, timestamp, nonce, encrypt),
                            timestamp, nonce)
