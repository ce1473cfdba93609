"""Parametric QR codes (PROTOCOL.md section 8) and temporary media.

qrcode/create answers a ticket that, like WeChat's, is base64 with `+`, `/` and `=`, so a caller
that forgets to URL-encode it for showqrcode finds out here. showqrcode draws a real QR image
(segno) of the code's URL. media/upload keeps images for three days, as temporary media are kept.
"""

from __future__ import annotations

import base64
import io
import os
import secrets

import segno
from flask import Response, request

from wechat_bot.sandbox.api import Call, endpoint
from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import Sandbox

TEMPORARY = frozenset({"QR_SCENE", "QR_STR_SCENE"})
PERMANENT = frozenset({"QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"})
DEFAULT_EXPIRE_SECONDS, MAX_EXPIRE_SECONDS = 30, 30 * 86400
KEPT_QRCODES = 50  # the chat page offers the latest codes to "scan"
MEDIA_SECONDS = 3 * 86400
IMAGE_MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"))
MEDIA_LIMITS = {
    "image": 10 * 1024 * 1024,
    "voice": 2 * 1024 * 1024,
    "video": 10 * 1024 * 1024,
    "thumb": 64 * 1024,
}


def _scene(action_name: str, action_info) -> str:
    scene = action_info.get("scene") if isinstance(action_info, dict) else None
    if not isinstance(scene, dict):
        raise ApiError(40053)
    if action_name.endswith("STR_SCENE"):
        value = scene.get("scene_str")
        if not isinstance(value, str) or not 1 <= len(value) <= 64:
            raise ApiError(40053, "scene_str must have 1 to 64 characters")
        return value
    value = scene.get("scene_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(40053, "scene_id must be an integer")
    valid = (
        1 <= value <= 100_000
        if action_name in PERMANENT
        else value != 0 and -(2**31) <= value < 2**31
    )
    if not valid:
        raise ApiError(40053, "scene_id out of range")
    return str(value)


@endpoint("cgi-bin/qrcode/create")
def qrcode_create(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/qrcode/create {expire_seconds, action_name, action_info{scene}}."""
    body = call.body
    action_name = body.get("action_name")
    if action_name not in TEMPORARY | PERMANENT:
        raise ApiError(40097, "action_name")
    scene = _scene(action_name, body.get("action_info"))
    expire = None
    if action_name in TEMPORARY:
        asked = body.get("expire_seconds", DEFAULT_EXPIRE_SECONDS)
        if isinstance(asked, bool) or not isinstance(asked, int) or asked <= 0:
            raise ApiError(40097, "expire_seconds")
        expire = min(asked, MAX_EXPIRE_SECONDS)
    ticket = base64.b64encode(b"sandbox" + os.urandom(40)).decode("ascii")
    url = "http://weixin.qq.com/q/" + secrets.token_urlsafe(16)
    now = sandbox.now()
    record = {
        "ticket": ticket,
        "scene": scene,
        "action_name": action_name,
        "url": url,
        "created_at": now,
        "expires_at": now + expire if expire else None,
    }
    store = sandbox.store
    store.set_json(store.key("qrcode", ticket), record, expire + 3600 if expire else None)
    store.redis.zadd(store.key("qrcodes"), {ticket: now})
    store.redis.zremrangebyrank(store.key("qrcodes"), 0, -KEPT_QRCODES - 1)
    answer = {"ticket": ticket, "url": url}
    if expire:
        answer["expire_seconds"] = expire
    return answer


def find_qrcode(sandbox: Sandbox, ticket) -> dict | None:
    """A QR code the API created and that has not expired yet."""
    record = sandbox.store.get_json(sandbox.store.key("qrcode", ticket)) if ticket else None
    if record and record["expires_at"] and record["expires_at"] <= sandbox.now():
        return None
    return record


def recent_qrcodes(sandbox: Sandbox) -> list[dict]:
    tickets = sandbox.store.redis.zrevrange(sandbox.store.key("qrcodes"), 0, -1)
    return [r for r in (find_qrcode(sandbox, t) for t in tickets) if r]


@endpoint("cgi-bin/showqrcode", methods=("GET",), token=None)
def showqrcode(sandbox: Sandbox, call: Call) -> Response:
    """GET cgi-bin/showqrcode?ticket=<URL-encoded ticket>: the code as a PNG image."""
    record = find_qrcode(sandbox, call.args.get("ticket"))
    if record is None:
        return Response("ticket not found or expired", status=404, mimetype="text/plain")
    image = io.BytesIO()
    segno.make(record["url"], error="m").save(image, kind="png", scale=8, border=2)
    return Response(image.getvalue(), mimetype="image/png")


@endpoint("cgi-bin/media/upload")
def media_upload(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/media/upload?type=image (multipart field `media`): a temporary media_id."""
    kind = call.args.get("type")
    if kind not in MEDIA_LIMITS:
        raise ApiError(40004)
    upload = request.files.get("media")
    data = upload.read() if upload else b""
    if not data or len(data) > MEDIA_LIMITS[kind]:
        raise ApiError(40006)
    media_id = secrets.token_urlsafe(48)
    mimetype = upload.mimetype
    if mimetype in ("", "application/octet-stream"):  # requests sends files without a type
        mimetype = next((m for magic, m in IMAGE_MAGIC if data.startswith(magic)), mimetype)
    sandbox.store.set_json(
        sandbox.store.key("media", media_id),
        {
            "type": kind,
            "mimetype": mimetype or "application/octet-stream",
            "data": base64.b64encode(data).decode("ascii"),
        },
        MEDIA_SECONDS,
    )
    return {"type": kind, "media_id": media_id, "created_at": int(sandbox.now())}


def media_content(sandbox: Sandbox, media_id) -> tuple[bytes, str] | None:
    record = sandbox.store.get_json(sandbox.store.key("media", media_id)) if media_id else None
    return (base64.b64decode(record["data"]), record["mimetype"]) if record else None


@endpoint("cgi-bin/media/get", methods=("GET",))
def media_get(sandbox: Sandbox, call: Call) -> Response | dict:
    """GET cgi-bin/media/get?media_id: the file uploaded under that id."""
    found = media_content(sandbox, call.args.get("media_id"))
    if found is None:
        raise ApiError(40007)
    return Response(found[0], mimetype=found[1])
