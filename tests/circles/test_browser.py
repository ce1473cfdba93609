"""The 校友圈 admin page in a real browser (Debian chromium through Playwright): staff log in, open
校友圈 from the menu, approve a proposal, open the new circle and its members, and go on to the
broadcast composer with the circle filled in, whose live count is the circle's members.

The screenshots go to a temporary folder, or to $ADMIN_SCREENSHOTS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.circles.membership import is_admin
from handlers.circles.proposals import propose_circle
from handlers.settings import Settings
from models import StaffRole
from models.circle import Circle, CircleStatus
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.circles.support import NOW, alumnus, interest_circle, pushes
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_approve_a_proposal_in_the_browser_and_send_to_the_circle(server, tmp_path):
    from playwright.sync_api import expect

    runtime = server.runtime
    add_account(runtime, "张老师", StaffRole.STAFF)
    with runtime.sessions.begin() as session:
        proposer = alumnus(session, "李雷")
        proposal = propose_circle(session, proposer, "摄影", "周末扫街", now=NOW, settings=Settings().circles)
        interest_circle(session, alumnus(session, "韩梅梅"), "羽毛球")
        circle_id, proposer_id = proposal.id, proposer.id
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1280, 900) as (page, errors):
        log_in(page, server.url, "张老师", PASSWORD)
        page.get_by_role("link", name="校园服务").click()
        page.get_by_role("link", name="校友圈").first.click()
        expect(page.get_by_role("heading", name="校友圈", exact=True)).to_be_visible()
        row = page.locator(f"#proposal-{circle_id}")
        expect(row).to_contain_text("摄影")
        expect(row).to_contain_text("李雷（2016届 计算机学院）")
        page.screenshot(path=str(shots / "admin-circles.png"), full_page=True)

        row.get_by_role("button", name="通过", exact=True).click()
        expect(page.get_by_text("已通过「摄影」，申请人已收到通知")).to_be_visible()
        expect(page.locator("#proposals")).to_contain_text("没有待审核的申请")
        circle_row = page.locator(f"#circle-{circle_id}")
        expect(circle_row).to_contain_text("正常")

        circle_row.get_by_role("link", name="摄影").click()
        expect(page.locator(f"#member-{proposer_id}")).to_contain_text("圈管理员")
        page.screenshot(path=str(shots / "admin-circle-members.png"), full_page=True)
        page.get_by_role("link", name="向本圈推送").click()
        expect(page.get_by_label("校友圈编号")).to_have_value(str(circle_id))
        expect(page.locator("#recipient-count")).to_have_text("1")
        expect(page.locator("#recipient-label")).to_have_text(f"校友圈 #{circle_id} 的成员")
        assert errors == []

    with runtime.sessions() as session:
        circle = session.get(Circle, circle_id)
        assert circle.status is CircleStatus.ACTIVE and is_admin(session, circle, proposer_id)
        assert "已通过审核" in pushes(session, "circles:decision")[0].text
        assert session.scalar(select(Circle.name).where(Circle.status == CircleStatus.PENDING)) is None
