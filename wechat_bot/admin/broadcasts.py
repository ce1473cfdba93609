"""Broadcasts (/admin/broadcasts/): the list of pushes, the composer, its live recipient count,
the test to oneself, and one's test recipient (issue 20 item 6).

Everything goes through the outbox (`scheduler.outbox.queue_push`): the scheduler's delivery
sends it, as it does for the CLI's `broadcast`. A push's own page is `push_pages`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from handlers.consent.categories import BY_KEY
from models import Chapter, Push, StaffRole, WechatUser
from scheduler.audiences import AudienceError, describe_audience
from scheduler.mix import channel_mix
from scheduler.outbox import queue_push
from wechat_bot.admin.audit import audit
from wechat_bot.admin.compose import (
    ComposeError,
    ComposeForm,
    audience_spec,
    content,
    schedule,
)
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import AdminForm
from wechat_bot.admin.guard import ALL_ROLES, current_scope, roles
from wechat_bot.runtime import current_runtime

bp = Blueprint("broadcasts", __name__, url_prefix="/broadcasts")
PER_PAGE = 50
LISTED_KINDS = ("broadcast", "notification", "reminder")  # not tests, not per-user late replies


class TestRecipientForm(AdminForm):
    openid = StringField("我的微信 openid", validators=[
        Optional(), Length(max=64), Regexp(r"^[0-9A-Za-z_\-]*$", message="openid 只含字母、数字、- 和 _")],
        description="发送测试时，推送只发给这个 openid；在公众号里给本号发一条消息后可在消息日志中找到它")


def _now() -> datetime:
    return datetime.now(UTC)


def _form() -> ComposeForm:
    """The composer, its chapter choices limited to what the viewer may send to."""
    form = ComposeForm()
    scope = current_scope()
    if scope.role is StaffRole.LIAISON:
        form.chapter.choices = [SelectChoice(scope.chapter_name or "",
                                             scope.chapter_name or "（未指定分会）")]
    else:
        names = db().scalars(select(Chapter.name).order_by(Chapter.name))
        form.chapter.choices = [SelectChoice("", "（不限）"), *(SelectChoice(n, n) for n in names)]
    if request.method == "GET":
        if scope.role is StaffRole.COLLEGE:
            form.college.data = scope.college
        if scope.role is StaffRole.LIAISON:
            form.chapter.data = scope.chapter_name
        form.circle.data = request.args.get("circle", "")  # 校友圈 page: 向本圈推送
        form.template_id.data = current_runtime().config.push.template_id
        form.template_values.data = "\n".join(current_runtime().config.push.template_data)
    return form


@bp.get("/")
@roles(*ALL_ROLES)
def index():
    """The pushes the viewer may see, newest first."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    statement = current_scope().apply(select(Push).where(Push.kind.in_(LISTED_KINDS)), Push)
    rows = list(db().scalars(statement.order_by(Push.id.desc())
                             .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return render_template("admin/broadcasts.html", pushes=rows[:PER_PAGE], page=page,
                           has_next=len(rows) > PER_PAGE, describe=describe_audience,
                           categories=BY_KEY)


@bp.route("/new", methods=["GET", "POST"])
@roles(*ALL_ROLES)
def compose():
    """Compose, preview the count, send a test, send now or schedule."""
    form = _form()
    preview = None
    if form.validate_on_submit():
        action = request.form.get("action", "send")
        try:
            if action == "test":
                return _send_test(form)
            audience = audience_spec(form, current_scope())
            if action == "preview":
                preview = _preview(audience, form)
            else:
                return _send(form, audience)
        except (ComposeError, AudienceError) as exc:  # circle:<id> no longer active
            form.form_errors.append(str(exc))
    return render_template("admin/compose.html", form=form, preview=preview,
                           test_openid=current_user.account.test_openid)


def _config():
    return current_runtime().config


def _preview(audience: str, form: ComposeForm) -> dict:
    category = form.category.data or None
    push = _config().push
    template = bool(push.template_id) or form.kind.data == "template"
    mix = channel_mix(db(), audience, category, template=template,
                      subscribe_template=push.miniprogram_template_id or None, now=_now())
    return {"count": mix.total, "label": describe_audience(audience), "mass": mix.mass,
            "template": mix.template, "custom": mix.custom, "subscribe": mix.subscribe,
            "unreachable": mix.unreachable}


def _send(form: ComposeForm, audience: str):
    config = _config()
    now = _now()
    at = schedule(form, config.zone, now)
    body = content(form, config.push.template_id)
    category = form.category.data if form.category.data in BY_KEY else None
    push = queue_push(db(), text=body.text, audience=audience, kind="broadcast",
                      template=body.template, custom_message=body.custom_message, at=at,
                      created_by=f"admin:{current_user.username}", category=category, now=now)
    when = f"定时 {at.strftime('%Y-%m-%d %H:%M')}" if at else "立即发送"
    audit("broadcast_scheduled" if at else "broadcast_sent", target=f"推送 #{push.id}",
          detail=f"{describe_audience(push.audience)}，{push.recipient_count} 人，"
                 f"{BY_KEY[category].label if category else '必达'}，{when}：{body.text[:80]}")
    db().commit()
    flash(f"推送 #{push.id} 已排队：{push.recipient_count} 人，{when}", "success")
    return redirect(url_for("admin.push_pages.show", push_id=push.id))


def _send_test(form: ComposeForm):
    """The message as composed, to the viewer's own openid only (no category: a test always
    goes), through the same outbox; it appears in the sandbox's chat page in the demo."""
    openid = current_user.account.test_openid
    if not openid:
        raise ComposeError("还没有设置测试接收人：请先在「测试接收人」页填写您的微信 openid")
    body = content(form, _config().push.template_id)
    push = queue_push(db(), text=f"【测试】{body.text}", audience=f"openids:{openid}", kind="test",
                      template=body.template, custom_message=body.custom_message,
                      created_by=f"admin:{current_user.username}", now=_now())
    audit("broadcast_test", target=f"推送 #{push.id}", detail=f"发给 {openid}：{body.text[:80]}")
    db().commit()
    known = db().scalar(select(WechatUser.id).where(WechatUser.openid == openid))
    flash(f"测试已发送给 {openid}" + ("" if known else "（这个 openid 还没有关注本公众号，可能无法送达）"),
          "success" if known else "warning")
    return redirect(url_for(".compose"))


@bp.get("/count")
@roles(*ALL_ROLES)
def count():
    """The composer's live count and channel mix, for the audience the form names now."""
    form = ComposeForm(formdata=request.args, meta={"csrf": False})
    form.chapter.choices = [SelectChoice(request.args.get("chapter", ""), "")]
    try:
        audience = audience_spec(form, current_scope())
        return jsonify(_preview(audience, form))
    except (ComposeError, AudienceError) as exc:
        # 200: a half-chosen audience is the composer's normal state while staff type, not a
        # failed request (a 4xx would also be logged as an error in the browser's console).
        return jsonify({"error": str(exc)})




@bp.route("/test-recipient", methods=["GET", "POST"])
@roles(*ALL_ROLES)
def test_recipient():
    """Where one's own 发送测试 goes: an official-account openid."""
    account = current_user.account
    form = TestRecipientForm(data={"openid": account.test_openid or ""})
    if form.validate_on_submit():
        openid = (form.openid.data or "").strip() or None
        if openid != account.test_openid:
            account.test_openid = openid
            audit("test_recipient_set", target=f"账号 {account.username}", detail=openid or "（清除）")
            db().commit()
        flash("已保存测试接收人", "success")
        return redirect(url_for(".compose"))
    user = db().scalar(select(WechatUser).where(WechatUser.openid == account.test_openid)) \
        if account.test_openid else None
    return render_template("admin/test_recipient.html", form=form, user=user)
