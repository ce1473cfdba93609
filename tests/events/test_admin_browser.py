"""Creating an event in a real browser (Debian's chromium through Playwright): the menu's 校友活动,
新建活动, the form in 北京时间, a mistake shown beside its field with everything typed kept, the
saved draft, 开放报名, and the list. The screenshot goes to a temporary folder, or
$ADMIN_SCREENSHOTS."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from models import StaffRole
from models.event import Event, EventStatus
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_create_and_open_an_event_in_the_browser(server, tmp_path):
    from playwright.sync_api import expect

    runtime = server.runtime
    add_account(runtime, "clerk", StaffRole.STAFF)
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=14)).astimezone(
        dt.timezone(dt.timedelta(hours=8))).date()

    with admin_page(1280, 900) as (page, errors):
        log_in(page, server.url, "clerk", PASSWORD)
        page.get_by_role("link", name="校友活动").click()
        expect(page.get_by_role("heading", name="活动列表")).to_be_visible()
        page.get_by_role("navigation", name="校友活动").get_by_role("link", name="新建活动").click()
        page.get_by_label("活动名称").fill("羽毛球友谊赛（秋季）")
        page.get_by_label("活动类型").select_option("羽毛球友谊赛")
        page.get_by_label("活动介绍").fill("双打为主，球拍自备")
        page.get_by_label("开始时间（北京时间）").fill(f"{day.isoformat()}T14:00")
        page.get_by_label("结束时间（北京时间）").fill(f"{day.isoformat()}T13:00")   # a mistake
        page.get_by_label("地点", exact=True).fill("体育馆二楼")
        page.get_by_label("名额").fill("24")
        page.get_by_label("谁可以报名").select_option("college")
        page.get_by_label("学院", exact=True).fill("计算机学院")
        page.get_by_label("附加问题").fill("水平（初级/中级/高级）")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("结束时间必须晚于开始时间")).to_be_visible()
        expect(page.get_by_label("活动介绍")).to_have_value("双打为主，球拍自备")
        expect(page.get_by_label("附加问题")).to_have_value("水平（初级/中级/高级）")
        assert errors == ["Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
        errors.clear()   # the refused form answers 400, as it should; nothing else went wrong
        page.get_by_label("结束时间（北京时间）").fill(f"{day.isoformat()}T17:00")
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#event-status")).to_have_text("草稿")
        expect(page.locator("#event")).to_contain_text("14:00")
        page.get_by_role("button", name="开放报名").click()
        expect(page.locator("#event-status")).to_have_text("报名中")
        page.screenshot(path=str(shots / "admin-event.png"), full_page=True)
        page.get_by_role("link", name="返回列表").click()
        expect(page.locator("#events")).to_contain_text("羽毛球友谊赛（秋季）")
        assert errors == []

    with runtime.sessions() as session:
        event = session.scalar(select(Event).where(Event.title == "羽毛球友谊赛（秋季）"))
        assert event.status is EventStatus.OPEN and event.audience == "college:计算机学院"
        assert event.starts_at.astimezone(dt.UTC).hour == 6 and event.questions == ["水平（初级/中级/高级）"]
