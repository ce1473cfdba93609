"""Approving a verification request in a real browser (Debian's chromium through Playwright, as
test_browser.py launches it): the queue, the request with its candidates, 通过并绑定, the flash.

The screenshot goes to a temporary folder, or to $ADMIN_SCREENSHOTS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Alumnus, Delivery, StaffRole, VerificationRequest, VerificationStatus
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account, add_alumnus
from tests.admin.test_verification_queue import add_request
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_approve_a_verification_request_in_the_browser(server, tmp_path):
    from playwright.sync_api import expect

    runtime = server.runtime
    add_account(runtime, "李老师", StaffRole.STAFF)
    with runtime.sessions.begin() as session:
        review = add_request(session, "陈静", year=2014, photo_url="https://example.com/card.jpg")
        add_alumnus(session, "陈静", year=2013)
        wanted = add_alumnus(session, "陈静", year=2014)
        wanted.degree, wanted.major, wanted.class_name = "本科", "软件工程", "软件1402"
        add_alumnus(session, "陈静", year=2014, college="外国语学院")
        ids = {"request": review.id, "record": wanted.id, "student_id": wanted.student_id,
               "user": review.wechat_user_id}
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1280, 900) as (page, errors):
        log_in(page, server.url, "李老师", PASSWORD)

        page.get_by_role("link", name="校友", exact=True).first.click()
        page.get_by_role("link", name="身份核验").click()
        expect(page.get_by_role("heading", name="身份核验")).to_be_visible()
        page.get_by_role("link", name="审核").click()
        expect(page.locator("#request-name")).to_have_text("陈静")
        row = page.locator("#candidates tr", has_text=ids["student_id"])
        expect(row).to_contain_text("软件1402")
        expect(page.get_by_role("link", name="打开照片")).to_have_attribute(
            "href", "https://example.com/card.jpg")
        page.screenshot(path=str(shots / "admin-verification.png"), full_page=True)
        row.get_by_role("button", name="通过并绑定").click()

        expect(page.get_by_text(f"已通过：陈静 已绑定学籍 {ids['student_id']}")).to_be_visible()
        expect(page.get_by_text("没有待审核的申请")).to_be_visible()
        assert errors == []

    with runtime.sessions() as session:
        assert session.get(Alumnus, ids["record"]).wechat_user_id == ids["user"]
        assert session.get(VerificationRequest, ids["request"]).status is VerificationStatus.APPROVED
        assert session.scalar(select(Delivery.wechat_user_id)) == ids["user"]
