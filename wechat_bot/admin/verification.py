"""The verification queue (/admin/verification/), for admin, staff and college accounts (a
college's sees the requests naming its college, and its own records as candidates): each request
with the roster records that could be the person; approve links the chosen one (binding's rules),
reject needs a reason; the alumnus is told either way through the outbox; both are audited."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from handlers.verification.queue import (
    MAX_REASON,
    REFUSALS,
    DecisionOutcome,
    approve,
    candidates,
    queue_page,
    reject,
)
from models import Alumnus, StaffRole, VerificationRequest, VerificationStatus
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import REQUIRED, AdminForm
from wechat_bot.admin.guard import current_scope, roles, scoped_or_404
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("verification", __name__, url_prefix="/verification")
reviewers = roles(StaffRole.ADMIN, StaffRole.STAFF, StaffRole.COLLEGE)

STATUS_LABELS = {VerificationStatus.PENDING: "待审核", VerificationStatus.APPROVED: "已通过",
                 VerificationStatus.REJECTED: "已驳回"}


class ApproveForm(AdminForm):
    alumnus_id = HiddenField(validators=[DataRequired(REQUIRED)])
    submit = SubmitField("通过并绑定")


class RejectForm(AdminForm):
    reason = StringField("驳回原因（会告知校友）", validators=[DataRequired(REQUIRED),
                                                         Length(max=MAX_REASON)])
    submit = SubmitField("驳回")


def _status() -> VerificationStatus:
    try:
        return VerificationStatus(request.args.get("status") or VerificationStatus.PENDING)
    except ValueError:
        return VerificationStatus.PENDING


@bp.get("/")
@reviewers
def index():
    status = _status()
    page = queue_page(db(), current_scope(), status, page=request.args.get("page", 1, type=int),
                      per_page=current_runtime().config.admin.page_size)
    return render_template("admin/verification_queue.html", page=page, status=status,
                           labels=STATUS_LABELS, scope=current_scope())


def _detail(review: VerificationRequest, reject_form: RejectForm | None = None, code: int = 200):
    limit = current_runtime().config.verification.max_candidates
    found = (candidates(db(), current_scope(), review, limit=limit)
             if review.status is VerificationStatus.PENDING else [])
    approved = db().get(Alumnus, review.alumnus_id) if review.alumnus_id else None
    return render_template("admin/verification_request.html", review=review, candidates=found,
                           approved=approved, labels=STATUS_LABELS, approve_form=ApproveForm(),
                           reject_form=reject_form or RejectForm()), code


@bp.get("/<int:request_id>")
@reviewers
def detail(request_id: int):
    return _detail(scoped_or_404(VerificationRequest, request_id))


@bp.post("/<int:request_id>/approve")
@reviewers
def approve_request(request_id: int):
    review = scoped_or_404(VerificationRequest, request_id)
    form = ApproveForm()
    if not (form.validate_on_submit() and form.alumnus_id.data.isdigit()):
        flash("请在候选学籍中选择一条", "error")
        return redirect(url_for(".detail", request_id=request_id))
    record = scoped_or_404(Alumnus, int(form.alumnus_id.data))  # a college: its own records only
    outcome = approve(db(), review, record, now=datetime.now(UTC), actor=current_user.username,
                      notify=notify_users)
    if outcome is not DecisionOutcome.DONE:
        db().rollback()
        flash(REFUSALS[outcome], "error")
        return redirect(url_for(".detail", request_id=request_id))
    audit("verification_approved", target=f"核验申请 #{request_id}",
          detail=f"{review.name}（微信用户 #{review.wechat_user_id}）绑定学籍 {record.student_id}")
    db().commit()
    flash(f"已通过：{review.name} 已绑定学籍 {record.student_id}，已通知校友", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:request_id>/reject")
@reviewers
def reject_request(request_id: int):
    review = scoped_or_404(VerificationRequest, request_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail(review, form, 400)
    outcome = reject(db(), review, form.reason.data, now=datetime.now(UTC),
                     actor=current_user.username, notify=notify_users)
    if outcome is not DecisionOutcome.DONE:
        db().rollback()
        flash(REFUSALS[outcome], "error")
        return redirect(url_for(".detail", request_id=request_id))
    audit("verification_rejected", target=f"核验申请 #{request_id}",
          detail=f"{review.name}：{review.reason}")
    db().commit()
    flash(f"已驳回 {review.name} 的申请，已通知校友", "success")
    return redirect(url_for(".index"))
