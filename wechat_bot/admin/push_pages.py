"""One push's page (/admin/pushes/<id>): live progress, per-recipient results, retry the failed,
cancel what is still queued. The progress bar polls `progress` (JSON) from a static script."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from handlers.consent.categories import label_of
from models import Alumnus, Delivery, Push, WechatUser
from scheduler.audiences import describe_audience
from scheduler.progress import PushProgress, push_progress
from scheduler.requeue import cancel_queued, retry_failed
from wechat_bot import wechat_errors
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import ALL_ROLES, roles, scoped_or_404

bp = Blueprint("push_pages", __name__, url_prefix="/pushes")
PER_PAGE = 50
STATES = {"pending": "排队中", "claimed": "排队中", "sending": "发送中", "sent": "已发送",
          "failed": "失败", "unreachable": "无法送达", "unknown": "不确定是否送达",
          "cancelled": "已取消"}
CHANNELS = {"template": "模板消息", "custom": "客服消息", "subscribe": "订阅消息", "mass": "群发"}


def summary(progress: PushProgress) -> dict:
    """What the progress bar draws: the four states staff watch, and how far it got."""
    failed = sum(progress.failed.values()) + sum(progress.reported_failed.values())
    queued = progress.pending + progress.sending
    total = progress.total
    done = total - queued
    return {"total": total, "sent": progress.sent, "failed": failed, "queued": queued,
            "uncertain": progress.unknown, "unreachable": progress.unreachable,
            "cancelled": progress.cancelled, "finished": queued == 0,
            "percent": 100 if total == 0 else int(done * 100 / total)}


def errcode_text(errcode: int | None, error: str | None) -> str:
    if errcode is None:
        return error or ""
    meaning = wechat_errors.ERRCODE_MEANINGS.get(errcode)
    return f"{meaning}（{errcode}）" if meaning else f"错误码 {errcode}"


# The recipient's name from their (first) roster record: one per row, whatever they hold.
_name = (select(Alumnus.name).where(Alumnus.wechat_user_id == Delivery.wechat_user_id)
         .order_by(Alumnus.id).limit(1).correlate(Delivery).scalar_subquery())


@bp.get("/<int:push_id>")
@roles(*ALL_ROLES)
def show(push_id: int):
    push = scoped_or_404(Push, push_id)
    progress = push_progress(db(), push.id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    status = request.args.get("status") or None
    rows = db().execute(
        select(Delivery, WechatUser.openid, _name)
        .outerjoin(WechatUser, WechatUser.id == Delivery.wechat_user_id)
        .where(Delivery.push_id == push.id,
               *([Delivery.status == status] if status in STATES else []))
        .order_by(Delivery.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    return render_template(
        "admin/push.html", push=push, progress=summary(progress), audience=describe_audience(
            push.audience), category=label_of(push.category), rows=rows[:PER_PAGE], page=page,
        has_next=len(rows) > PER_PAGE, status=status, states=STATES, channels=CHANNELS,
        errcode_text=errcode_text, confirm=ConfirmForm())


@bp.get("/<int:push_id>/progress")
@roles(*ALL_ROLES)
def progress(push_id: int):
    """The progress bar's numbers, polled by push_progress.js."""
    push = scoped_or_404(Push, push_id)
    return jsonify(summary(push_progress(db(), push.id)))


@bp.post("/<int:push_id>/retry")
@roles(*ALL_ROLES)
def retry(push_id: int):
    """Requeue the failed rows (a mass push is one row: the same)."""
    push = scoped_or_404(Push, push_id)
    count = retry_failed(db(), push.id, now=datetime.now(UTC))
    if count:
        audit("broadcast_retried", target=f"推送 #{push.id}", detail=f"重新排队 {count} 条失败的发送")
        db().commit()
        flash(f"已重新排队 {count} 条失败的发送", "success")
    else:
        flash("没有失败的发送需要重试", "info")
    return redirect(url_for(".show", push_id=push.id))


@bp.post("/<int:push_id>/cancel")
@roles(*ALL_ROLES)
def cancel(push_id: int):
    """Cancel what is still queued; what a worker already holds goes on."""
    push = scoped_or_404(Push, push_id)
    count = cancel_queued(db(), push.id, now=datetime.now(UTC))
    if count:
        audit("broadcast_cancelled", target=f"推送 #{push.id}", detail=f"取消 {count} 条排队中的发送")
        db().commit()
        flash(f"已取消 {count} 条排队中的发送", "success")
    else:
        flash("没有排队中的发送可以取消", "info")
    return redirect(url_for(".show", push_id=push.id))


