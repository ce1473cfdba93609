"""The sandbox's own controls, beside the stand-in API: faults (and WeChat's reports after a
send), the clock, templates, and what was accepted. Not WeChat endpoints (their names start
with `_`), so no access token; only mounted when the sandbox is enabled, which production
configuration never does.
"""

from __future__ import annotations

from flask import current_app, jsonify, request

from wechat_bot.sandbox.api import bp
from wechat_bot.sandbox.catalog import PLACEHOLDER, Template
from wechat_bot.sandbox.state import sandbox_of


def _sandbox():
    return sandbox_of(current_app)


def _bad(message: str, status: int = 400):
    return jsonify({"error": message}), status


@bp.route("/_faults", methods=["GET", "POST", "DELETE"])
def faults():
    """GET the faults; POST {latency_ms, busy_rate, quota_rate, paths} to set, or the reports
    after a send {reports, report_delay_ms, template_report}; DELETE to clear."""
    sandbox = _sandbox()
    if request.method == "DELETE":
        sandbox.faults.clear()
    elif request.method == "POST":
        values = request.get_json(silent=True)
        if not isinstance(values, dict):
            return _bad("body must be a JSON object")
        try:
            sandbox.faults.set(values)
        except ValueError as exc:
            return _bad(str(exc))
    return jsonify(sandbox.faults.get())


@bp.route("/_clock", methods=["GET", "POST", "DELETE"])
def clock():
    """POST {shift_seconds} moves the sandbox's time (tokens, windows, codes); DELETE resets."""
    sandbox = _sandbox()
    if request.method == "DELETE":
        sandbox.store.reset_clock()
    elif request.method == "POST":
        shift = (request.get_json(silent=True) or {}).get("shift_seconds")
        if isinstance(shift, bool) or not isinstance(shift, (int, float)):
            return _bad("shift_seconds must be a number")
        sandbox.store.shift_clock(shift)
    return jsonify({"now": sandbox.now()})


@bp.route("/_templates", methods=["GET", "POST"])
def templates():
    """GET the known templates; POST {template_id, kind, title, content} registers one more."""
    sandbox = _sandbox()
    if request.method == "POST":
        values = request.get_json(silent=True) or {}
        fields = {k: values.get(k) for k in ("template_id", "kind", "title", "content")}
        if not all(isinstance(v, str) and v for v in fields.values()):
            return _bad("template_id, kind, title and content are required")
        if fields["kind"] not in ("template", "subscribe") or not PLACEHOLDER.search(
            fields["content"]
        ):
            return _bad("kind is template or subscribe; content holds {{key.DATA}} placeholders")
        sandbox.catalog.register(Template(**fields))
    return jsonify({"templates": [t.as_dict() for t in sandbox.catalog.all()]})


@bp.get("/_messages")
def messages():
    """GET ?openid=…: every message the API accepted for that openid, oldest first."""
    openid = request.args.get("openid", "")
    return jsonify({"openid": openid, "messages": _sandbox().conversation.accepted(openid)})
