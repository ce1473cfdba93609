"""校友圈 (/admin/circles/): the proposals waiting for a decision, every circle, and one circle's
members, where staff name and unname its admins (圈管理员), remove a member or let a removed one
back. Approving or rejecting a proposal tells the proposer through the outbox. A circle is a
broadcast audience (`circle:<id>`): its page links to the composer with it filled in.

admin and staff only (a college or chapter account has no circles of its own); every change is
audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from handlers.circles.membership import (
    CircleRefused,
    allow_back,
    ensure_class_circle,
    member_count,
    remove_member,
    removed_users,
    set_admin,
)
from handlers.circles.proposals import decide_proposal, pending_proposals
from handlers.circles.roster import all_members
from handlers.circles.texts import KIND_NAMES, REMOVED_NOTICE
from models import Alumnus, StaffRole
from models.circle import Circle, CircleStatus
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import REQUIRED, AdminForm, ConfirmForm
from wechat_bot.admin.guard import roles
from wechat_bot.notify import notify_users

bp = Blueprint("circles", __name__, url_prefix="/circles")
keepers = roles(StaffRole.ADMIN, StaffRole.STAFF)
STATUS_NAMES = {"pending": "待审核", "active": "正常", "rejected": "未通过", "closed": "已关闭"}
REMOVED_BY_STAFF = "circles:removed"


class RejectForm(AdminForm):
    note = StringField("原因（会告诉申请人）", validators=[Optional(), Length(max=200)])
    submit = SubmitField("不通过")


class ClassCircleForm(AdminForm):
    college = StringField("学院", validators=[Optional(), Length(max=64)],
                          description="按花名册中的写法，例如：计算机学院")
    year = StringField("毕业年份", validators=[DataRequired(REQUIRED), Regexp(r"^(19|20)\d\d$", message="请填写四位年份")],
                       description="例如 2016")
    submit = SubmitField("打开班级圈")


def _now() -> datetime:
    return datetime.now(UTC)


def _circle(circle_id: int) -> Circle:
    circle = db().get(Circle, circle_id)
    if circle is None:
        abort(404)
    return circle


@bp.get("/")
@keepers
def index():
    """Proposals first, then every circle with its member count."""
    session = db()
    circles = session.scalars(select(Circle).where(Circle.status != CircleStatus.PENDING)
                              .order_by(Circle.kind.desc(), Circle.id)).all()
    rows = [(c, member_count(session, c.id)) for c in circles]
    proposers = _names(session, [c.proposed_by for c in pending_proposals(session)] +
                       [c.proposed_by for c in circles])
    return render_template("admin/circles/index.html", proposals=pending_proposals(session), rows=rows,
                           proposers=proposers, kinds=KIND_NAMES, statuses=STATUS_NAMES,
                           confirm=ConfirmForm(), reject=RejectForm(), class_form=ClassCircleForm())


@bp.post("/<int:circle_id>/approve")
@keepers
def approve(circle_id: int):
    circle = _circle(circle_id)
    if ConfirmForm().validate_on_submit() and decide_proposal(
            db(), circle, approve=True, actor=current_user.username, now=_now(), notify=notify_users):
        audit("circle_approved", target=f"校友圈 #{circle.id} {circle.name}")
        db().commit()
        flash(f"已通过「{circle.name}」，申请人已收到通知，并成为圈管理员", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:circle_id>/reject")
@keepers
def reject(circle_id: int):
    circle = _circle(circle_id)
    form = RejectForm()
    if form.validate_on_submit() and decide_proposal(
            db(), circle, approve=False, actor=current_user.username, now=_now(),
            note=form.note.data, notify=notify_users):
        audit("circle_rejected", target=f"校友圈 #{circle.id} {circle.name}", detail=form.note.data or "")
        db().commit()
        flash(f"已驳回「{circle.name}」，申请人已收到通知", "success")
    return redirect(url_for(".index"))


@bp.post("/class")
@keepers
def open_class():
    """Open (or find) the class circle of a college and year, to name its admins."""
    form = ClassCircleForm()
    if not form.validate_on_submit():
        flash("请填写毕业年份（四位数字）", "error")
        return redirect(url_for(".index"))
    college = " ".join((form.college.data or "").split())
    year = int(form.year.data)
    known = db().scalar(select(Alumnus.id).where(Alumnus.graduation_year == year,
                                                 Alumnus.college == college if college
                                                 else Alumnus.college.is_(None)).limit(1))
    if known is None:
        flash(f"花名册里没有{college} {year} 届的校友", "error")
        return redirect(url_for(".index"))
    circle = ensure_class_circle(db(), college, year, now=_now())
    audit("circle_class_opened", target=f"校友圈 #{circle.id} {circle.name}")
    db().commit()
    return redirect(url_for(".detail", circle_id=circle.id))


@bp.get("/<int:circle_id>")
@keepers
def detail(circle_id: int):
    """Every member (staff see all: privacy is the alumni's word to one another), admins first."""
    session = db()
    circle = _circle(circle_id)
    removed = _names(session, removed_users(session, circle.id))
    return render_template("admin/circles/detail.html", circle=circle, members=all_members(session, circle),
                           removed=removed, kinds=KIND_NAMES, statuses=STATUS_NAMES,
                           proposer=_names(session, [circle.proposed_by]).get(circle.proposed_by),
                           confirm=ConfirmForm())


@bp.post("/<int:circle_id>/members/<int:user_id>/admin")
@keepers
def name_admin(circle_id: int, user_id: int):
    circle = _circle(circle_id)
    make = request.form.get("admin") == "1"
    if ConfirmForm().validate_on_submit() and set_admin(db(), circle, user_id, make, now=_now()):
        who = _names(db(), [user_id]).get(user_id, f"用户 {user_id}")
        audit("circle_admin_named" if make else "circle_admin_unnamed",
              target=f"校友圈 #{circle.id} {circle.name}", detail=who)
        db().commit()
        flash(f"已{'设' if make else '取消'} {who} {'为' if make else '的'}圈管理员", "success")
    return redirect(url_for(".detail", circle_id=circle.id))


@bp.post("/<int:circle_id>/members/<int:user_id>/remove")
@keepers
def remove(circle_id: int, user_id: int):
    circle = _circle(circle_id)
    if ConfirmForm().validate_on_submit():
        try:
            remove_member(db(), circle, user_id, now=_now())
        except CircleRefused as refused:
            flash(refused.message, "error")
            return redirect(url_for(".detail", circle_id=circle.id))
        who = _names(db(), [user_id]).get(user_id, f"用户 {user_id}")
        notify_users(db(), [user_id], REMOVED_NOTICE.format(name=circle.name), _now(),
                     created_by=REMOVED_BY_STAFF)
        audit("circle_member_removed", target=f"校友圈 #{circle.id} {circle.name}", detail=who)
        db().commit()
        flash(f"已将 {who} 移出「{circle.name}」", "success")
    return redirect(url_for(".detail", circle_id=circle.id))


@bp.post("/<int:circle_id>/members/<int:user_id>/allow")
@keepers
def allow(circle_id: int, user_id: int):
    circle = _circle(circle_id)
    if ConfirmForm().validate_on_submit() and allow_back(db(), circle, user_id, now=_now()):
        who = _names(db(), [user_id]).get(user_id, f"用户 {user_id}")
        audit("circle_member_allowed_back", target=f"校友圈 #{circle.id} {circle.name}", detail=who)
        db().commit()
        flash(f"{who} 可以重新加入「{circle.name}」了", "success")
    return redirect(url_for(".detail", circle_id=circle.id))


def _names(session, user_ids) -> dict[int, str]:
    """WeChat user id → "姓名（2016届 计算机学院）" from their first bound record."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    names: dict[int, str] = {}
    for record in session.scalars(select(Alumnus).where(Alumnus.wechat_user_id.in_(wanted))
                                  .order_by(Alumnus.graduation_year, Alumnus.id)):
        names.setdefault(record.wechat_user_id,
                         f"{record.name}（{record.graduation_year}届{' ' + record.college if record.college else ''}）")
    return names
