"""The reunion day's scanner (/admin/reunion/scan) and live page (/admin/reunion/scan/live).

The scanner is built for a phone at the gate or the canteen: choose the station, point the camera
(the browser's getUserMedia, decoded by the vendored jsQR; a page served over HTTPS or from
localhost, as browsers require for the camera) or type the code, and the answer fills the screen
in green or red. The form posts the code with its CSRF token; the script sends the same form and
asks for JSON, and without the script the page answers the post as HTML. Every scan, admitted or
refused, goes to the audit log.

Scanning is open to admin, staff and college accounts and is not limited to the account's college:
volunteers of any college staff the gate and the canteen, and the pass holder shows the pass. The
live page lists the bookings the viewer's scope lets them see (a college coordinator: their
college's, by the ReunionBooking rule in handlers.staff.scope).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from handlers.reunion import pass_texts as texts
from handlers.reunion.calendar import local_today
from handlers.reunion.passes import pass_key
from handlers.reunion.scanning import ScanResult, Station, day_live, scan
from models import StaffRole
from models.reunion import ReunionBooking
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import current_scope, roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_scan", __name__, url_prefix="/reunion/scan")

SCANNERS = (StaffRole.ADMIN, StaffRole.STAFF, StaffRole.COLLEGE)
JS_QR = "vendor/jsqr-1.4.0.js"   # static/vendor/README.txt says where it came from
MAX_CODE = 200


def _station(value: str | None) -> str:
    return value if value in Station.__members__.values() else Station.GATE.value


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/")
@roles(*SCANNERS)
def index():
    """The scanner: the station's buttons, the camera, the typed field."""
    return render_template("admin/reunion/scan.html", station=_station(request.args.get("station")),
                           stations=texts.STATIONS, result=None, js_qr=JS_QR)


@bp.post("/")
@roles(*SCANNERS)
def submit():
    """Check one code at one station; JSON for the page's script, the page itself otherwise."""
    config = current_runtime().config
    station = request.form.get("station", "")
    code = (request.form.get("code") or "")[:MAX_CODE]
    session = db()
    result = scan(session, code, station, dt.datetime.now(dt.UTC), current_user.username,
                  key=pass_key(config.app.secret_key), settings=config.features)
    _audit(result, station)
    session.commit()
    if _wants_json():
        return jsonify(result.as_dict() | {"station_label": texts.STATIONS.get(station, station)})
    return render_template("admin/reunion/scan.html", station=_station(station),
                           stations=texts.STATIONS, result=result, js_qr=JS_QR)


def _audit(result: ScanResult, station: str) -> None:
    who = (f"返校码 {result.name or ''}（成员 {result.member_id}，预约 {result.booking_id}）"
           if result.member_id else "返校码（无法识别）")
    outcome = result.headline + (f"：{result.detail}" if result.detail else "")
    audit("reunion_scan", target=who, detail=f"{texts.STATIONS.get(station, station)} · {outcome}")


def _day() -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return local_today(dt.datetime.now(dt.UTC), current_runtime().config.features)


@bp.get("/live")
@roles(*SCANNERS)
def live():
    """当日到场: arrivals and meals per booking and in total, refreshed by polling live_data."""
    day = _day()
    found = day_live(db(), day, current_scope().rows(ReunionBooking))
    return render_template("admin/reunion/live.html", live=found, day=day,
                           scope=current_scope())


@bp.get("/live.json")
@roles(*SCANNERS)
def live_data():
    return jsonify(day_live(db(), _day(), current_scope().rows(ReunionBooking)).as_dict())
