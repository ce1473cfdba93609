"""The chat page draws, for the selected simulated person, the personalized menu whose tag that
person carries, else the default one — in a real browser (Debian's chromium through Playwright).
"""

from __future__ import annotations

import shutil

import pytest

from menus.loader import load_menus
from scheduler.alumni_tag import find_tag
from wechat_bot.commands.menu import sync_menus

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BOUND_TAG = load_menus().personalized[0].tag  # menus/bound.toml's tag, 已认证校友


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _open_alumni_menu(page, expected: list[str]) -> None:
    from playwright.sync_api import expect

    page.click("#menu >> text=校友")
    expect(page.locator("#submenu button")).to_have_text(expected)


def test_each_person_sees_the_menu_of_their_tag_and_a_new_tag_swaps_it(live_server, browser):
    from playwright.sync_api import expect

    wechat = live_server.runtime.wechat
    sync_menus(wechat, load_menus(), dry_run=False, echo=lambda _: None)  # default + bound.toml
    tag_id = find_tag(wechat, BOUND_TAG)
    (conditional,) = wechat.menu.get()["conditionalmenu"]
    bound, visitor = live_server.sandbox.people.all()[:2]  # 张伟, 李静
    for person in (bound, visitor):
        live_server.sandbox.people.follow(person.openid)
    wechat.tag.tag_user(tag_id, bound.openid)

    page = browser.new_page(viewport={"width": 1000, "height": 860}, locale="zh-CN")
    page.goto(f"{live_server.url}/sandbox/")
    expect(page.locator("#who")).to_contain_text(bound.openid)

    # The tagged alumnus sees bound.toml; a tap is read against that menu (使用帮助 is the third
    # entry there, 查找校友 in the default menu).
    _open_alumni_menu(page, ["我的资料", "查找校友", "使用帮助"])
    expect(page.locator("#menu-source")).to_contain_text(f"个性化菜单（标签 {tag_id}")
    page.click("#submenu >> text=使用帮助")
    expect(page.locator("#chat .system", has_text="点击了菜单「使用帮助」")).to_have_count(1)
    expect(page.locator("#chat .msg:not(.typing) .bubble", has_text="可用指令")).to_have_count(1)

    # Someone without the tag sees the default menu.
    page.click("#people li >> text=李静")
    expect(page.locator("#who")).to_contain_text(visitor.openid)
    _open_alumni_menu(page, ["身份绑定", "我的资料", "查找校友"])
    expect(page.locator("#menu-source")).to_have_text("菜单：menu/create")
    page.click("#chat")  # tapping elsewhere closes the sub-menu
    expect(page.locator("#submenu")).to_be_hidden()

    # Tagging them (what the scheduler does after 绑定) swaps the menu on the page's next refresh.
    wechat.tag.tag_user(tag_id, visitor.openid)
    expect(page.locator("#menu")).to_have_attribute(
        "data-menuid", str(conditional["menuid"]), timeout=15_000
    )
    _open_alumni_menu(page, ["我的资料", "查找校友", "使用帮助"])
