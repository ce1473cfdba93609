"""The custom-menu page in a real browser (Debian's chromium through Playwright): the phone
preview opens a sub-menu on a tap, the differences show, and 同步到微信 (after its confirmation)
leaves the sandbox holding menus/. Screenshots go to $ADMIN_SCREENSHOTS or a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from menus.diff import normalize
from menus.loader import load_menus
from models import StaffRole
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
OLD_MENU = {"button": [{"type": "click", "name": "帮助", "key": "HELP"},
                       {"type": "view", "name": "官网", "url": "https://www.example.edu.cn/"}]}


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_preview_the_menu_and_sync_it_to_wechat(server, tmp_path):
    from playwright.sync_api import expect

    add_account(server.runtime, "李老师", StaffRole.STAFF)
    server.runtime.wechat.menu.create(OLD_MENU)
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1280, 900) as (page, errors):
        log_in(page, server.url, "李老师", PASSWORD, "/admin/login")
        page.get_by_role("link", name="系统设置").click()
        page.get_by_role("link", name="自定义菜单").click()

        expect(page.get_by_role("heading", name="自定义菜单")).to_be_visible()
        visitor = page.get_by_role("figure", name="访客看到的菜单")
        expect(visitor.get_by_text("身份绑定")).to_be_visible()      # the first opens at once
        expect(visitor.get_by_text("秩年返校")).to_be_hidden()
        visitor.get_by_role("button", name="返校活动").click()
        expect(visitor.get_by_text("秩年返校")).to_be_visible()
        expect(visitor.get_by_text("身份绑定")).to_be_hidden()
        expect(page.locator("#diff .removed").first).to_contain_text("帮助 · 点击 HELP")
        page.screenshot(path=str(shots / "admin-menu.png"), full_page=True)

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="同步到微信").click()
        expect(page.get_by_text("菜单已同步到微信")).to_be_visible()
        expect(page.get_by_text("线上菜单与 menus/ 一致，无需同步。")).to_be_visible()
        page.screenshot(path=str(shots / "admin-menu-synced.png"), full_page=True)
        assert errors == []  # the CSP let menu.js run, nothing refused

    live = server.runtime.wechat.menu.get()
    menus = load_menus()
    assert normalize(live["menu"]) == normalize(menus.default)
    assert [normalize(c) for c in live["conditionalmenu"]] == [normalize(menus.personalized[0].menu)]
