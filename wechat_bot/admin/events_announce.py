"""发布报名通知 (POST /admin/events/<id>/announce): announce an open event to its audience in one
step, from the event's admin page (the button sits beside 开放报名/关闭报名 on the event's page).

One broadcast through the outbox (category 活动: opted-out alumni are left out) to the event's
own audience, as 秩年邀请 queues its invitation (wechat_bot/admin/reunion_outreach.py); what it
says and when it may go are handlers.events.announce's. Audited. A second announcement of the
same event within a day is refused (a guarded UPDATE: a double click or two staff queue one).

admin and staff, and the liaison of the event's organising chapter (for their own events only).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, request
from flask_login import current_user

from handlers.events.announce import (
    AGAIN_AFTER,
    CATEGORY,
    announcement_text,
    record_push,
    refusal,
    take_turn,
)
from models import StaffRole
from models.event import Event
from scheduler.audiences import AudienceError, describe_audience
from scheduler.outbox import queue_push
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("events_announce", __name__, url_prefix="/events")
announcers = roles(StaffRole.ADMIN, StaffRole.STAFF, StaffRole.LIAISON)


def _now() -> datetime:
    return datetime.now(UTC)


def _back(event_id: int):
    """Where the button was pressed (the form's `next`, a page of ours), else the dashboard."""
    target = request.form.get("next", "")
    if not target.startswith("/admin/") or target.startswith("//"):
        target = "/admin/"
    return redirect(target)


def _event_or_404(event_id: int) -> Event:
    event = db().get(Event, event_id)
    if event is None:
        abort(404)
    if current_user.role == StaffRole.LIAISON and (
            event.chapter_id is None or event.chapter_id != current_user.chapter_id):
        abort(404)   # another chapter's event, as for no event at all
    return event


@bp.post("/<int:event_id>/announce")
@announcers
def announce(event_id: int):
    """Queue the announcement of one open event to its audience (who have not opted out of 活动)."""
    event = _event_or_404(event_id)
    back = _back(event_id)
    now = _now()
    problem = refusal(event, now)
    if problem:
        flash(problem, "error")
        return back
    last = take_turn(db(), event.id, now)
    if last is not None:
        zone = current_runtime().config.zone
        flash(f"「{event.title}」已于 {last.astimezone(zone):%Y-%m-%d %H:%M} 发布过报名通知，"
              f"{int(AGAIN_AFTER.total_seconds() // 3600)} 小时内不再重复发布", "error")
        return back
    settings = current_runtime().config.features
    try:
        push = queue_push(db(), text=announcement_text(event, settings, now), audience=event.audience,
                          kind="broadcast", category=CATEGORY,
                          created_by=f"admin:{current_user.username}", now=now)
    except AudienceError as exc:   # the audience names a chapter that is gone: nothing taken
        db().rollback()
        flash(f"活动的报名范围有误：{exc}", "error")
        return back
    record_push(db(), event.id, push.id)
    audit("event_announced", target=f"活动 {event.id}「{event.title}」",
          detail=f"推送 #{push.id}，{describe_audience(push.audience)}，{push.recipient_count} 人")
    db().commit()
    flash(f"已发布「{event.title}」的报名通知：{push.recipient_count} 位校友将收到", "success")
    return back
