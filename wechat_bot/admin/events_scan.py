"""活动签到 (/admin/events/scan): staff check registrants in with their own code at the door.

The reunion scanner's page (reunion_scan.py) for events: pick today's event, then point the
camera at the registrant's 活动签到码 (a QR image the bot sent them) or type the code. It reuses
that page's script and style (reunion_scan.js posts the form with its CSRF token and asks for
JSON; without the script the form posts and the page answers as HTML), and the answer has the same
fields. handlers.events.checkin.staff_check_in decides: a forged code or another event's is
refused, so is a registration without a seat, a cancelled event or one not on today; a confirmed
registrant is checked in once (a second scan says when, and by whom). Every scan goes to the
audit log.

Open to admin and staff (every event) and to liaison and college accounts for the events the
Event scope rule gives them (none until the events admin registers one).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from handlers.events import checkin
from handlers.reunion.passes import pass_key
from models import StaffRole
from models.event import Event, EventStatus
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import current_scope, roles
from wechat_bot.admin.reunion_scan import JS_QR, MAX_CODE
from wechat_bot.runtime import current_runtime

bp = Blueprint("events_scan", __name__, url_prefix="/events/scan")

SCANNERS = (StaffRole.ADMIN, StaffRole.STAFF, StaffRole.COLLEGE, StaffRole.LIAISON)


def _today_events() -> list[Event]:
    """The events on today (in the school's timezone) the viewer may see, not cancelled."""
    settings = current_runtime().config.features
    now = dt.datetime.now(dt.UTC)
    window = (now - dt.timedelta(days=2), now + dt.timedelta(days=2))
    found = db().scalars(current_scope().apply(
        select(Event).where(Event.status.in_((EventStatus.OPEN, EventStatus.CLOSED)),
                            Event.starts_at <= window[1], Event.ends_at >= window[0]), Event)
        .order_by(Event.starts_at)).all()
    return [event for event in found if checkin.is_today(event, now, settings)]


def _chosen(events: list[Event], value: str | None) -> Event | None:
    if len(events) == 1 and not value:
        return events[0]
    return next((e for e in events if str(e.id) == (value or "").strip()), None)


def _page(result: checkin.StaffResult | None, chosen: Event | None, events: list[Event]):
    return render_template("admin/events/scan.html", events=events, chosen=chosen, result=result,
                           js_qr=JS_QR)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/")
@roles(*SCANNERS)
def index():
    events = _today_events()
    return _page(None, _chosen(events, request.args.get("event")), events)


@bp.post("/")
@roles(*SCANNERS)
def submit():
    config = current_runtime().config
    events = _today_events()
    event_text = (request.form.get("event") or "").strip()
    event = current_scope().get(db(), Event, int(event_text)) if event_text.isdigit() else None
    code = (request.form.get("code") or "")[:MAX_CODE]
    result = checkin.staff_check_in(db(), code, event.id if event else None, dt.datetime.now(dt.UTC),
                                    current_user.username,
                                    key=checkin.checkin_key(pass_key(config.app.secret_key)),
                                    settings=config.features)
    _audit(result, event)
    db().commit()
    if _wants_json():
        return jsonify(result.as_dict())
    return _page(result, event, events)


def _audit(result: checkin.StaffResult, event: Event | None) -> None:
    who = (f"{result.name}（报名 {result.registration_id}）" if result.registration_id
           else "签到码（无法识别）")
    where = f"活动 {event.id}「{event.title}」" if event else "未选活动"
    outcome = result.headline + (f"：{result.detail}" if result.detail else "")
    audit("event_checkin", target=who, detail=f"{where} · {outcome}")
