"""签到二维码 (/admin/events/checkin-qr): each event's permanent check-in code, made and printed.

Staff ask for an event's code once (POST): the one WeChat client calls qrcode/create
(QR_LIMIT_STR_SCENE, scene `checkin:<id>`; handlers.events.checkin.create_qr) and the ticket and
URL are stored on the event; the audit log records it. The image is showqrcode of the ticket,
fetched by the server through `wechat.api_base_url` (the sandbox, a proxy, or WeChat's
mp.weixin.qq.com) and served from here, so the page obeys its CSP (images from itself only) and
the browser needs no way out. The print page holds the code, the title, time and place.

A permanent code is never made twice for one event (WeChat keeps at most 100,000 per account).
Admin and staff see every event; a liaison or college account sees the events the Event scope
rule gives them (none until the events admin registers one).
"""

from __future__ import annotations

import datetime as dt

import requests
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from handlers.events import checkin
from handlers.events import checkin_texts as texts
from models import StaffRole
from models.event import Event, EventStatus
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import current_scope, roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("events_qr", __name__, url_prefix="/events/checkin-qr")

MAKERS = (StaffRole.ADMIN, StaffRole.STAFF, StaffRole.LIAISON)
SHOWN = (EventStatus.OPEN, EventStatus.CLOSED, EventStatus.DRAFT)
RECENT = dt.timedelta(days=2)


def _event_or_404(event_id: int) -> Event:
    event = current_scope().get(db(), Event, event_id)
    if event is None:
        abort(404)
    return event


@bp.get("/")
@roles(*MAKERS)
def index():
    """Events not over (and not cancelled), soonest first, each with its code or the button."""
    since = dt.datetime.now(dt.UTC) - RECENT
    events = db().scalars(current_scope().apply(
        select(Event).where(Event.status.in_(SHOWN), Event.ends_at >= since), Event)
        .order_by(Event.starts_at)).all()
    zone = checkin.zone_of(current_runtime().config.features)
    return render_template("admin/events/checkin_qr.html", events=events, zone=zone)


@bp.post("/<int:event_id>")
@roles(*MAKERS)
def make(event_id: int):
    event = _event_or_404(event_id)
    had = bool(event.qr_ticket)
    try:
        checkin.create_qr(event, current_runtime().wechat, dt.datetime.now(dt.UTC))
    except Exception as exc:   # WeChat refused or is unreachable: say so, change nothing
        db().rollback()
        flash(texts.QR_FAILED.format(reason=_reason(exc)), "error")
        return redirect(url_for(".index"))
    if not had:
        audit("event_qr", target=f"活动 {event.id}「{event.title}」", detail=checkin.scene(event.id))
        db().commit()
        flash(texts.QR_MADE.format(title=event.title), "success")
    return redirect(url_for(".show", event_id=event.id))


def _reason(exc: Exception) -> str:
    code = getattr(exc, "errcode", None)
    message = getattr(exc, "errmsg", None) or str(exc) or type(exc).__name__
    return f"{code} {message}" if code else message


@bp.get("/<int:event_id>")
@roles(*MAKERS)
def show(event_id: int):
    """The page to print: the code, the event's title, time and place."""
    event = _event_or_404(event_id)
    if not event.qr_ticket:
        return redirect(url_for(".index"))
    zone = checkin.zone_of(current_runtime().config.features)
    return render_template("admin/events/checkin_qr_print.html", event=event, zone=zone,
                           when=texts.when(event, zone))


@bp.get("/<int:event_id>.png")
@roles(*MAKERS)
def image(event_id: int):
    """The code's image: showqrcode of the stored ticket, fetched through api_base_url."""
    event = _event_or_404(event_id)
    if not event.qr_ticket:
        abort(404)
    config = current_runtime().config
    url = checkin.qr_image_url(config.wechat.api_base_url, event.qr_ticket)
    try:
        answer = requests.get(url, timeout=config.wechat.request_timeout_seconds)
    except requests.RequestException as exc:
        return Response(texts.QR_IMAGE_FAILED.format(reason=type(exc).__name__), status=502,
                        mimetype="text/plain")
    if answer.status_code != 200 or not answer.headers.get("Content-Type", "").startswith("image/"):
        return Response(texts.QR_IMAGE_FAILED.format(reason=f"HTTP {answer.status_code}"), status=502,
                        mimetype="text/plain")
    return Response(answer.content, mimetype=answer.headers["Content-Type"],
                    headers={"Cache-Control": "private, max-age=3600"})
