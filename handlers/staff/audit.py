"""The audit log: one append-only row per thing done through the admin page or the staff CLI.

`record_audit` writes one (flush only: it goes in with the change it describes, or not at all);
the admin door's `wechat_bot.admin.audit.audit()` fills in the actor, the IP and the time from the
request. `ACTIONS` names each action in Chinese for the log page's filter: a page that writes a new
action adds one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry

ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "password_changed": "修改密码",
    "account_created": "创建账号",
    "account_changed": "修改账号",
    "account_disabled": "停用账号",
    "account_enabled": "启用账号",
    "password_reset": "重设密码",
    "alert_resolved": "处理提醒",
    "verification_approved": "通过身份核验", "verification_rejected": "驳回身份核验",
    "chapter_created": "新建分会", "chapter_changed": "修改分会", "chapters_imported": "导入分会",
    "menu_synced": "同步自定义菜单",
    "contact_viewed": "查看联系方式", "roster_imported": "导入花名册",
    "broadcast_sent": "发送推送", "broadcast_scheduled": "定时推送", "broadcast_test": "发送测试推送",
    "broadcast_retried": "重试推送", "broadcast_cancelled": "取消推送", "test_recipient_set": "设置测试接收人",
    "reunion_day_changed": "修改返校日", "reunion_programme": "确认返校安排",
    "reunion_approved": "批准返校预约", "reunion_declined": "不批准返校预约",
    "reunion_visited": "登记已返校", "reunion_no_show": "登记返校未到", "reunion_photo": "添加返校合影",
    "reunion_pass_revoked": "停用返校码",
    "event_created": "新建活动", "event_changed": "修改活动", "event_opened": "开放活动报名",
    "event_closed": "截止活动报名", "event_cancelled": "取消活动", "event_promoted": "候补手动转正",
    "event_reordered": "调整候补顺序", "event_exported": "导出活动报名",
    "publication_added": "添加刊物", "publication_changed": "修改刊物", "publication_hidden": "隐藏刊物",
    "publication_shown": "恢复刊物", "publication_announced": "推送刊物", "reunion_invited": "秩年返校邀请",
    "reunion_scan": "返校扫码",
    "event_announced": "发布活动报名通知",
    "event_qr": "生成活动签到二维码",
    "event_checkin": "活动签到",
    "card_site_issued": "签发校友卡核验点密钥", "card_site_revoked": "停用校友卡核验点", "card_verified": "校友卡核验",
    "circle_approved": "通过校友圈申请", "circle_rejected": "驳回校友圈申请", "circle_class_opened": "打开班级圈",
    "circle_admin_named": "设为圈管理员", "circle_admin_unnamed": "取消圈管理员",
    "account_erased": "校友注销账号",
    "circle_member_removed": "移出圈成员", "circle_member_allowed_back": "允许重新加入校友圈",
}

TARGET_LENGTH = 200
CLI_ACTOR = "（命令行）"


def record_audit(session: Session, *, at: datetime, actor: str, action: str, target: str = "",
                 detail: str = "", ip: str | None = None) -> AuditEntry:
    entry = AuditEntry(at=at, actor=actor[:64], action=action, target=target[:TARGET_LENGTH],
                       detail=detail, ip=ip)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None   # inclusive
    until: datetime | None = None   # exclusive


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    has_next: bool


def audit_page(session: Session, wanted: AuditFilter, *, page: int, per_page: int) -> AuditPage:
    """Newest first. No total count: the log only grows, and counting it all costs every view;
    one row more than a page says whether there is a next one."""
    statement = select(AuditEntry)
    if wanted.actor:
        statement = statement.where(AuditEntry.actor == wanted.actor)
    if wanted.action:
        statement = statement.where(AuditEntry.action == wanted.action)
    if wanted.since:
        statement = statement.where(AuditEntry.at >= wanted.since)
    if wanted.until:
        statement = statement.where(AuditEntry.at < wanted.until)
    page = max(page, 1)
    rows = list(session.scalars(statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                .offset((page - 1) * per_page).limit(per_page + 1)))
    return AuditPage(rows[:per_page], page, len(rows) > per_page)

