"""The admin page in a real browser (Debian's chromium through Playwright, as the sandbox's tests
drive it): log in through the form, see the dashboard's charts drawn, log out.

The screenshot goes to a temporary folder, or to $ADMIN_SCREENSHOTS (docs/screenshots for the
README)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models import StaffRole
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account, add_alumnus
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_log_in_see_the_charts_and_log_out(server, tmp_path):
    from playwright.sync_api import expect

    runtime = server.runtime
    add_account(runtime, "张老师", StaffRole.ADMIN)
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        for week, bound in enumerate([3, 5, 2, 8, 6, 9, 4, 7, 10, 6, 12, 5]):
            for i in range(bound):
                add_alumnus(session, f"校友{week}-{i}", bound_at=now - timedelta(weeks=11 - week))
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1280, 860) as (page, errors):
        log_in(page, server.url, "张老师", PASSWORD)

        expect(page.get_by_role("heading", name="概览")).to_be_visible()
        expect(page.locator("#count-bound")).to_have_text("77")
        # The charts are drawn by scripts at the page's end; on a busy machine the heading shows
        # before they ran. Wait for both charts, then look at their pixels.
        page.wait_for_function("""() => typeof Chart !== 'undefined'
            && ['chart-bindings', 'chart-pushes'].every(id =>
                Chart.getChart(document.getElementById(id)))""", timeout=15_000)
        page.wait_for_timeout(500)  # the charts' first frame (animation is short)
        drawn = page.evaluate("""() => ['chart-bindings', 'chart-pushes'].map(id => {
            const canvas = document.getElementById(id);
            const chart = Chart.getChart(canvas);
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
            return {chart: !!chart, width: canvas.width, inked};
        })""")
        for canvas in drawn:
            assert canvas["chart"] and canvas["width"] > 100 and canvas["inked"] > 1000, drawn
        assert errors == []  # the CSP let the vendored script run, nothing refused
        page.screenshot(path=str(shots / "admin-dashboard.png"), full_page=True)

        page.get_by_role("link", name="退出").click()
        expect(page.get_by_text("您已退出")).to_be_visible()
        page.goto(f"{server.url}/admin/")
        expect(page.get_by_role("button", name="登录")).to_be_visible()
