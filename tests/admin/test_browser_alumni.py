"""The roster import and alumni pages in a real browser (Debian's chromium through Playwright, as
test_browser.py drives the dashboard): log in, upload a roster with bad rows, watch the progress
bar finish, read the rejected rows, search an alumnus from the file, open their page and reveal
their phone.

Screenshots go to a temporary folder, or to $ADMIN_SCREENSHOTS (docs/screenshots for the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models import StaffRole
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium

ROWS = 40_000  # big enough that the import takes a few seconds: the bar is seen moving


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def _roster(path: Path) -> Path:
    lines = ["学号,姓名,毕业年份,学历,学院,专业,所在城市,工作单位,手机,邮箱"]
    lines += [f"P{i:07d},陈静,{2000 + i % 20},本科,计算机学院,软件工程,南京,示例公司,,"
              for i in range(ROWS)]
    lines[1000] = "P0000999,,2012,本科,计算机学院,软件工程,南京,,,"        # no name
    lines[2000] = "P0001999,王芳,1850,本科,计算机学院,软件工程,南京,,,"   # a year out of range
    lines[3000] = "P0002999,李雷,2012,专科,计算机学院,软件工程,南京,,,"   # an unknown degree
    lines.append("Z2012001,欧阳娜娜,2012,硕士,外国语学院,英语,上海,上海外国语学校,13812345678,nana@example.cn")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_staff_import_a_roster_and_find_an_alumnus(server, tmp_path):
    from playwright.sync_api import expect

    add_account(server.runtime, "李老师", StaffRole.STAFF)
    roster = _roster(tmp_path / "2024届花名册.csv")
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1280, 860) as (page, errors):
        log_in(page, server.url, "李老师", PASSWORD)

        page.get_by_role("link", name="校友", exact=True).first.click()
        page.get_by_role("link", name="花名册导入").click()
        expect(page.get_by_role("heading", name="花名册导入")).to_be_visible()
        page.get_by_label("花名册文件").set_input_files(str(roster))
        page.get_by_label("严格模式").uncheck()
        page.screenshot(path=str(shots / "admin-roster-form.png"), full_page=True)
        page.get_by_role("button", name="上传并导入").click()

        bar = page.locator("#progress-bar")
        expect(bar).to_be_visible()
        page.wait_for_function("""() => document.getElementById('import-summary')
            || document.getElementById('progress-bar').value > 0""", timeout=120_000)
        if bar.count():  # seen moving (a fast machine may be done by now)
            page.screenshot(path=str(shots / "admin-roster-progress.png"), full_page=True)
        expect(page.locator("#import-summary")).to_be_visible(timeout=120_000)
        expect(page.locator("#count-inserted")).to_have_text(f"{ROWS - 2:,}")
        expect(page.locator("#count-rejected")).to_have_text("3")
        rows = page.locator("#rejected-rows tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("姓名")
        expect(rows.nth(0)).to_contain_text("缺少姓名")
        expect(rows.nth(1)).to_contain_text("毕业年份 1850 不合理")
        expect(rows.nth(2)).to_contain_text("学历「专科」应为 本科、硕士、博士 之一")
        page.screenshot(path=str(shots / "admin-roster-report.png"), full_page=True)

        page.get_by_role("navigation", name="校友").get_by_role("link", name="校友").click()
        page.get_by_label("查找").fill("oynn")
        page.get_by_role("button", name="搜索").click()
        results = page.locator("#alumni-results tbody tr")
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text("外国语学院")
        page.screenshot(path=str(shots / "admin-alumni-search.png"), full_page=True)

        results.first.get_by_role("link", name="欧阳娜娜").click()
        expect(page.get_by_role("heading", name="欧阳娜娜")).to_be_visible()
        expect(page.locator("#contact")).not_to_contain_text("13812345678")
        page.get_by_role("button", name="显示手机和邮箱").click()
        expect(page.locator("#contact-phone")).to_have_text("13812345678")
        expect(page.locator("#contact-email")).to_have_text("nana@example.cn")
        page.screenshot(path=str(shots / "admin-alumnus.png"), full_page=True)
        assert errors == []  # the CSP let roster.js run, nothing refused
