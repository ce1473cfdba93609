"""`/my-data/<token>`: the 我的数据 download, a door of its own (no login: the signed link is the
key, handlers.privacy.links). A good link answers the whole export as a JSON file; a bad, expired
or erased one a short Chinese page. Never cached, never sent on as a referrer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from flask import Blueprint, Response
from markupsafe import escape

from handlers.privacy import texts
from handlers.privacy.export import as_json, my_data
from handlers.privacy.links import PATH, LinkProblem, export_key, export_token, read_export_token
from models import WechatUser
from wechat_bot.runtime import current_runtime

log = logging.getLogger(__name__)
bp = Blueprint("my_data", __name__)
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def link_maker(secret_key: str, base_url: str, minutes: int):
    """export_link(user_id, now) for the doors that hand out links (Context.export_link)."""
    key = export_key(secret_key)
    base = base_url.rstrip("/") + PATH

    def export_link(user_id: int, now: dt.datetime) -> str:
        return base + export_token(key, user_id, now, minutes)

    return export_link


def write_queued_logs(runtime) -> None:
    """Write the message and search log lines still queued (they are written behind the reply,
    wechat_bot.log_queue), so an export holds the latest and an erasure reaches them too."""
    for queue in (runtime.inbox, runtime.search_log):
        try:
            queue.flush()
        except Exception:  # the flusher keeps them and tries again; the export goes on without
            log.warning("未能写入排队中的日志（%s），继续处理", queue.__class__.__name__)


@bp.get(PATH + "<token>")
def download(token: str):
    """The export of the person the link was made for, as `alumni-data.json`."""
    runtime = current_runtime()
    now = dt.datetime.now(dt.UTC)
    found = read_export_token(export_key(runtime.config.app.secret_key), token, now)
    if found is LinkProblem.BAD:
        return _page(texts.LINK_BAD, 400)
    if found is LinkProblem.EXPIRED:
        return _page(texts.LINK_EXPIRED, 410)
    write_queued_logs(runtime)
    with runtime.sessions() as session:
        user = session.get(WechatUser, found)
        if user is None or user.erased_at is not None:
            return _page(texts.LINK_GONE, 404)
        body = json.dumps(as_json(my_data(session, user, now)), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        **PRIVATE, "Content-Disposition": 'attachment; filename="alumni-data.json"'})


def _page(message: str, status: int) -> Response:
    html = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>我的数据</title><body style=\"font: 16px/1.6 sans-serif; margin: 2em\">"
            f"<h1 style=\"font-size: 1.2em\">我的数据</h1><p>{escape(message)}</p></body></html>")
    return Response(html, status=status, mimetype="text/html", headers=PRIVATE)
