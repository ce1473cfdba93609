"""The admin menu: one line per page, in the order shown. An item appears to the roles its view
lets in (`guard.roles` on the endpoint's view), so the menu never offers a page that answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from wechat_bot.admin.guard import may_open


@dataclass(frozen=True)
class NavItem:
    title: str
    endpoint: str


NAV = [
    NavItem("概览", "admin.dashboard.index"),
    NavItem("校友", "admin.alumni.index"), NavItem("花名册导入", "admin.roster.index"),
    NavItem("推送", "admin.broadcasts.index"), NavItem("订阅类别", "admin.consent.index"),
    NavItem("提醒", "admin.alerts.index"),
    NavItem("身份核验", "admin.verification.index"),
    NavItem("分会", "admin.chapters.index"),
    NavItem("返校日历", "admin.reunion_calendar.index"), NavItem("返校预约", "admin.reunion_bookings.index"),
    NavItem("学院协调", "admin.reunion_college.index"), NavItem("当日安排", "admin.reunion_dayplan.index"),
    NavItem("返校反馈", "admin.reunion_feedback.index"),
    NavItem("刊物与新闻", "admin.publications.index"), NavItem("秩年邀请", "admin.reunion_outreach.index"),
    NavItem("返校扫码", "admin.reunion_scan.index"),
    NavItem("自定义菜单", "admin.menu.index"),
    NavItem("账号管理", "admin.accounts.index"),
    NavItem("审计日志", "admin.audit_log.index"),
]


def visible_nav() -> list[NavItem]:
    return [item for item in NAV if may_open(item.endpoint)]
