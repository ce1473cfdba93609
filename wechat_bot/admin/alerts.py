"""Staff alerts (/admin/alerts/), admin and staff: open first, newest first, filtered by kind;
each closed with what was decided, and a binding conflict by keeping one link (the holder's or
the claimant's: the other is told through the outbox). Every resolution goes in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from handlers.directory.conflicts import ConflictOutcome, Keep, conflict_of, resolve_conflict
from handlers.staff.alerts import KINDS, MAX_NOTE, alerts_page, kind_label, resolve_alert
from models import StaffAlert, StaffRole
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import REQUIRED, AdminForm
from wechat_bot.admin.guard import roles
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
staff_only = roles(StaffRole.ADMIN, StaffRole.STAFF)  # alerts are about anyone: staff's own work

CONFLICT_REFUSALS = {
    ConflictOutcome.OTHER_PERSON: "申请人的微信已绑定另一个姓名的学籍，不能改绑给他。",
    ConflictOutcome.TAKEN: "该学籍已被其他微信用户绑定，请刷新页面后再处理。",
}


class ResolveForm(AdminForm):
    note = StringField("处理说明（可不填）", validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField("标记为已处理")


class ConflictForm(AdminForm):
    keep = RadioField("保留哪一个绑定", choices=[SelectChoice(Keep.HOLDER.value, "原绑定"),
                                              SelectChoice(Keep.CLAIMANT.value, "申请人")],
                      validators=[DataRequired(REQUIRED)])
    submit = SubmitField("确定处理")


def _alert_or_404(alert_id: int) -> StaffAlert:
    alert = db().get(StaffAlert, alert_id)
    if alert is None:
        abort(404)
    return alert


@bp.get("/")
@staff_only
def index():
    kind = request.args.get("kind") or None
    page = alerts_page(db(), kind=kind, page=request.args.get("page", 1, type=int),
                       per_page=current_runtime().config.admin.page_size)
    conflicts = {a.id: conflict_of(db(), a) for a in page.alerts if a.resolved_at is None}
    args = {"kind": kind} if kind else {}
    return render_template("admin/alerts.html", page=page, kinds=KINDS, kind=kind,
                           kind_label=kind_label, conflicts=conflicts, args=args,
                           resolve_form=ResolveForm(), conflict_form=ConflictForm())


@bp.post("/<int:alert_id>/resolve")
@staff_only
def resolve(alert_id: int):
    """Close an alert with an optional note (any kind; a conflict's links stay as they are)."""
    alert = _alert_or_404(alert_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        flash("处理说明太长了", "error")
        return redirect(url_for(".index"))
    note = (form.note.data or "").strip() or "已处理"
    if not resolve_alert(db(), alert, now=datetime.now(UTC), actor=current_user.username,
                         resolution=note):
        flash("这条提醒已经处理过了", "warning")
        return redirect(url_for(".index"))
    audit("alert_resolved", target=f"提醒 #{alert_id}（{kind_label(alert.kind)}）", detail=note)
    db().commit()
    flash(f"提醒 #{alert_id} 已处理", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:alert_id>/conflict")
@staff_only
def resolve_binding_conflict(alert_id: int):
    """Keep the holder's link or move the record to the claimant; both are told."""
    alert = _alert_or_404(alert_id)
    conflict = conflict_of(db(), alert)
    form = ConflictForm()
    if conflict is None or alert.resolved_at is not None:
        flash("这条提醒已经处理过了，或不是可以改绑的绑定冲突", "warning")
        return redirect(url_for(".index"))
    if not form.validate_on_submit():
        flash("请选择保留哪一个绑定", "error")
        return redirect(url_for(".index"))
    now = datetime.now(UTC)
    outcome, decided = resolve_conflict(db(), conflict, Keep(form.keep.data), now=now,
                                        notify=notify_users)
    if outcome is not ConflictOutcome.DONE:
        db().rollback()
        flash(CONFLICT_REFUSALS[outcome], "error")
        return redirect(url_for(".index"))
    if not resolve_alert(db(), alert, now=now, actor=current_user.username, resolution=decided):
        db().rollback()  # someone resolved it at the same moment: their decision stands
        flash("这条提醒已经处理过了", "warning")
        return redirect(url_for(".index"))
    audit("alert_resolved", target=f"提醒 #{alert_id}（绑定冲突）", detail=decided)
    db().commit()
    flash(f"提醒 #{alert_id} 已处理：{decided}，已通知相关校友", "success")
    return redirect(url_for(".index"))
