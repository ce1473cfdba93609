"""The admin menu: one line per page, in the order shown. An item appears to the roles its view
lets in (`guard.roles` on the endpoint's view), so the menu never offers a page that answers 403.

Pages of one feature share a `group`: the top menu shows the group once (opening the first of its
pages the account may open), and the group's pages appear as tabs under the header on each of
them, so a feature with many pages (秩年返校) does not push the menu onto a second line: at
1280 px the whole menu is eight entries on one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from wechat_bot.admin.guard import may_open


@dataclass(frozen=True)
class NavItem:
    title: str
    endpoint: str
    group: str | None = None

    @property
    def blueprint(self) -> str:
        return self.endpoint.rsplit(".", 1)[0]


ALUMNI = "校友"
PUSHES = "推送"
REUNION = "秩年返校"
EVENTS = "校友活动"
CAMPUS = "校园服务"
SETTINGS = "系统设置"


NAV = [
    NavItem("概览", "admin.dashboard.index"),
    NavItem("校友", "admin.alumni.index", ALUMNI),
    NavItem("花名册导入", "admin.roster.index", ALUMNI),
    NavItem("身份核验", "admin.verification.index", ALUMNI),
    NavItem("提醒", "admin.alerts.index", ALUMNI),
    NavItem("推送", "admin.broadcasts.index", PUSHES),
    NavItem("订阅类别", "admin.consent.index", PUSHES),
    NavItem("分会", "admin.chapters.index"),
    NavItem("返校预约", "admin.reunion_bookings.index", REUNION),
    NavItem("学院协调", "admin.reunion_college.index", REUNION),
    NavItem("返校日历", "admin.reunion_calendar.index", REUNION),
    NavItem("当日安排", "admin.reunion_dayplan.index", REUNION),
    NavItem("返校扫码", "admin.reunion_scan.index", REUNION),
    NavItem("返校反馈", "admin.reunion_feedback.index", REUNION),
    NavItem("秩年邀请", "admin.reunion_outreach.index", REUNION),
    NavItem("活动列表", "admin.events.index", EVENTS),
    NavItem("新建活动", "admin.events.new", EVENTS),
    NavItem("签到二维码", "admin.events_qr.index", EVENTS),
    NavItem("活动签到", "admin.events_scan.index", EVENTS),
    NavItem("刊物与新闻", "admin.publications.index", CAMPUS),
    NavItem("校友圈", "admin.circles.index", CAMPUS),
    NavItem("校友卡核验点", "admin.card_sites.index", CAMPUS),
    NavItem("自定义菜单", "admin.menu.index", SETTINGS),
    NavItem("账号管理", "admin.accounts.index", SETTINGS),
    NavItem("审计日志", "admin.audit_log.index", SETTINGS),
]


def visible_nav() -> list[NavItem]:
    """The top menu: each page the account may open, a group once (as its first such page)."""
    shown, groups = [], set()
    for item in NAV:
        if not may_open(item.endpoint) or item.group in groups:
            continue
        if item.group is not None:
            groups.add(item.group)
            item = NavItem(item.group, item.endpoint, item.group)
        shown.append(item)
    return shown


def group_of(endpoint: str | None) -> str | None:
    """The menu group of the page at `endpoint`, if it belongs to one."""
    blueprint = endpoint.rsplit(".", 1)[0] if endpoint else None
    return next((item.group for item in NAV if item.blueprint == blueprint and item.group), None)


def group_tabs(endpoint: str | None) -> list[NavItem]:
    """The pages of the current page's group the account may open (tabs under the header)."""
    group = group_of(endpoint)
    return [item for item in NAV if group and item.group == group and may_open(item.endpoint)]


def is_current(item: NavItem, endpoint: str | None) -> bool:
    """Whether the top-menu `item` stands for the page at `endpoint` (or its group)."""
    if not endpoint:
        return False
    if item.group is not None:
        return group_of(endpoint) == item.group
    return endpoint.rsplit(".", 1)[0] == item.blueprint
