"""Approving a class's reunion booking in a real browser (Debian's chromium through Playwright):
the menu's 秩年返校 and its 返校预约 tab, the waiting list, the booking's page, 批准, the status and the flash; then
declining another with a reason. The screenshot goes to a temporary folder, or $ADMIN_SCREENSHOTS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Push
from models.reunion import BookingStatus, ReunionBooking
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.reunion_world import build
from tests.admin.support import PASSWORD
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_approve_and_decline_reunion_bookings_in_the_browser(server, tmp_path):
    from playwright.sync_api import expect

    runtime = server.runtime
    world = build(runtime)
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1280, 900) as (page, errors):
        log_in(page, server.url, "clerk", PASSWORD)
        page.get_by_role("link", name="秩年返校").click()   # the top menu's one entry …
        page.get_by_role("navigation", name="秩年返校").get_by_role("link", name="返校预约").click()
        expect(page.get_by_role("heading", name="返校预约")).to_be_visible()
        row = page.locator(f'#bookings tr[data-booking="{world.cs}"]')
        expect(row).to_contain_text("计算机学院")
        expect(row).to_contain_text("待学院确认")
        row.get_by_role("link", name="查看").click()
        expect(page.locator("#booking-status")).to_have_text("待学院确认")
        expect(page.locator("#members")).to_contain_text("李娜")
        page.screenshot(path=str(shots / "admin-reunion-booking.png"), full_page=True)
        page.get_by_role("button", name="批准", exact=True).click()
        expect(page.get_by_text(f"已批准返校预约 {world.cs}")).to_be_visible()
        expect(page.locator("#booking-status")).to_have_text("已批准")

        page.goto(f"{server.url}/admin/reunion/bookings/{world.chem}")
        page.get_by_label("不批准的原因（会告知班级）").fill("当天化学楼检修")
        page.get_by_role("button", name="不批准").click()
        expect(page.locator("#booking-status")).to_have_text("未批准")
        expect(page.locator("#booking")).to_contain_text("当天化学楼检修")
        assert errors == []

    with runtime.sessions() as session:
        assert session.get(ReunionBooking, world.cs).status is BookingStatus.APPROVED
        assert session.get(ReunionBooking, world.chem).status is BookingStatus.DECLINED
        assert sorted(session.scalars(select(Push.created_by))) == ["reunion:approved",
                                                                     "reunion:declined"]
