"""An event from end to end in real browsers (issue 22): staff create and open it in the admin
page, an alumnus finds it with 活动 in the sandbox chat and signs up with 报名, and checks in at the
door by scanning its QR code (the chat page's 扫码 sends the SCAN event WeChat would). The event is
today, since check-in takes only the event's own day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models import StaffRole
from models.event import Registration
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.reunion.support import add_classmate
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def _bubbles(page, text: str):
    return page.locator("#chat .msg:not(.typing):not(.mine) .bubble", has_text=text)


def _say(page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def test_create_an_event_sign_up_from_the_chat_and_check_in_by_scanning(server):
    from playwright.sync_api import expect

    person = server.sandbox.people.add("张伟")
    server.sandbox.people.follow(person.openid)
    with server.runtime.sessions.begin() as session:
        add_classmate(session, person.openid, "2012010101", "张伟", year=2016)
    add_account(server.runtime, "张老师", StaffRole.STAFF)
    starts = (dt.datetime.now(ZONE) + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    ends = starts + dt.timedelta(hours=2)

    with admin_page(1000, 900) as (page, errors):
        log_in(page, server.url, "张老师", PASSWORD)
        page.get_by_role("link", name="校友活动").click()
        page.get_by_role("navigation", name="校友活动").get_by_role("link", name="新建活动").click()
        page.get_by_label("活动名称").fill("校友午餐沙龙：人工智能与职业")
        page.get_by_label("活动类型").select_option("校友午餐沙龙")
        page.get_by_label("开始时间（北京时间）").fill(f"{starts:%Y-%m-%dT%H:%M}")
        page.get_by_label("结束时间（北京时间）").fill(f"{ends:%Y-%m-%dT%H:%M}")
        page.get_by_label("地点", exact=True).fill("校友之家")
        page.get_by_label("名额").fill("12")
        page.get_by_label("谁可以报名").select_option("bound")
        page.get_by_role("button", name="保存").click()
        page.get_by_role("button", name="开放报名").click()
        expect(page.locator("#event-status")).to_have_text("报名中")
        event_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

        # The alumnus finds it and signs up in the chat.
        page.goto(f"{server.url}/sandbox/")
        page.click("#people li >> text=张伟")
        expect(page.locator("#who")).to_contain_text(person.openid)
        page.click("#to-keyboard")
        _say(page, "活动")
        expect(_bubbles(page, "校友午餐沙龙：人工智能与职业")).to_have_count(1)
        _say(page, f"报名 {event_id}")
        expect(_bubbles(page, "报名成功")).to_have_count(1)

        # At the door: the phone scans the event's code (scene checkin:<id>).
        page.fill("#scene", f"checkin:{event_id}")
        page.click("#do-scan")
        expect(_bubbles(page, "签到成功")).to_have_count(1)
        expect(_bubbles(page, "签到成功")).to_contain_text("校友午餐沙龙：人工智能与职业")
        page.wait_for_timeout(1100)   # a scan in the same second is, to WeChat, the same event
        page.fill("#scene", f"checkin:{event_id}")
        page.click("#do-scan")
        expect(_bubbles(page, "签到过")).to_have_count(1)   # once is enough, and said so
        assert errors == []

    with server.runtime.sessions() as session:
        registration = session.scalar(select(Registration).where(Registration.event_id == event_id))
        assert registration.checked_in_at is not None and registration.checked_in_by == "scan"
