"""The chat page in a real browser (Debian's chromium through Playwright): type 帮助 and see the
reply, tap a menu button and see its answer, see a customer-service push arrive.

Screenshots go to a temporary folder, or to $SANDBOX_SCREENSHOTS (docs/screenshots for the README).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
import segno

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SANDBOX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _bubbles(page, text: str):
    return page.locator("#chat .msg:not(.typing) .bubble", has_text=text)


def test_chat_page_talks_to_the_bot_through_the_real_webhook(live_server, browser, shots):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1000, "height": 860}, locale="zh-CN")
    page.goto(f"{live_server.url}/sandbox/")
    # The page makes its first alumnus after it loads; a busy machine may not have got there yet.
    expect(page.locator("#who")).to_contain_text("openid", timeout=10_000)
    person = live_server.sandbox.people.all()[0]  # a fresh browser starts with the first alumnus
    expect(page.locator("#who")).to_contain_text(person.openid)

    # Not following yet: the phone offers 关注; following gets the welcome.
    page.click("#banner-subscribe")
    expect(_bubbles(page, "欢迎关注")).to_have_count(1)

    # Type 帮助 and see the command list.
    page.click("#to-keyboard")
    page.fill("#message", "帮助")
    page.press("#message", "Enter")
    expect(_bubbles(page, "可用指令")).to_have_count(1)
    mine = page.locator("#chat .msg.mine .bubble", has_text="帮助")
    expect(mine).to_have_count(1)
    # Scroll the conversation (not the page) so the question and the answer show together.
    page.eval_on_selector(
        "#chat",
        "chat => { chat.scrollTop = chat.querySelector('.msg.mine').offsetTop"
        " - chat.offsetTop - 8; }",
    )
    page.screenshot(path=str(shots / "chat-help.png"))

    # Tap 分会 → 使用帮助 (key HELP): the sub-menu pops up, the tap is answered.
    page.click("#to-menu")
    page.click("#menu >> text=分会")
    expect(page.locator("#submenu")).to_be_visible()
    expect(page.locator("#submenu button")).to_have_text(["附近分会", "使用帮助", "校园新闻"])
    page.screenshot(path=str(shots / "chat-menu.png"))
    page.click("#submenu >> text=使用帮助")
    expect(page.locator("#chat .system", has_text="点击了菜单「使用帮助」")).to_have_count(1)
    expect(_bubbles(page, "可用指令")).to_have_count(2)

    # A push through the app's own WeChat client (customer-service send) arrives by polling.
    live_server.runtime.wechat.message.send_text(
        person.openid, "您报名的「校友返校日」明天上午九点开始。"
    )
    expect(_bubbles(page, "校友返校日")).to_have_count(1, timeout=10_000)
    expect(page.locator("#chat .tag", has_text="客服消息")).to_have_count(1)
    page.screenshot(path=str(shots / "chat-push.png"))


def test_switching_alumni_keeps_each_conversation_apart(live_server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1000, "height": 860}, locale="zh-CN")
    page.goto(f"{live_server.url}/sandbox/")
    page.click("#banner-subscribe")
    expect(_bubbles(page, "欢迎关注")).to_have_count(1)

    page.fill("#new-nickname", "赵敏")
    page.click("#add-person button")
    expect(page.locator("#who")).to_contain_text("赵敏")
    expect(page.locator("#follow-banner")).to_be_visible()
    expect(_bubbles(page, "欢迎关注")).to_have_count(0)

    page.click("#people li >> text=张伟")
    expect(_bubbles(page, "欢迎关注")).to_have_count(1)


def test_mini_program_page_gets_a_code_jscode2session_accepts(live_server, browser, shots):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1000, "height": 860}, locale="zh-CN")
    page.goto(f"{live_server.url}/sandbox/miniprogram")
    page.click("#login-code")
    expect(page.locator("#code-info")).to_contain_text("unionid")
    code = page.locator("#code-info dd").first.inner_text()
    page.screenshot(path=str(shots / "miniprogram.png"))
    mp = live_server.runtime.config.miniprogram
    answer = live_server.runtime.wechat.code_to_session(mp.app_id, mp.app_secret, code)
    assert answer["unionid"] == live_server.sandbox.people.all()[0].unionid


def test_pushed_news_and_template_cards_render(live_server, browser, shots):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1000, "height": 860}, locale="zh-CN")
    page.goto(f"{live_server.url}/sandbox/")
    page.click("#banner-subscribe")
    expect(_bubbles(page, "欢迎关注")).to_have_count(1)
    person = live_server.sandbox.people.all()[0]
    client = live_server.runtime.wechat
    client.message.send_articles(
        person.openid,
        [
            {
                "title": "2026 校友返校日报名开启",
                "description": "秩年校友欢迎回家，点击查看日程与报名方式。",
                "url": f"{live_server.url}/sandbox/",
                "image": f"{live_server.url}/sandbox/media/campus",
            }
        ],
    )
    client.message.send_template(
        person.openid,
        "alumni-sandbox-tpl-event-reminder",
        {
            "thing1": {"value": "北京校友新春联谊会"},
            "time2": {"value": "2026-02-14 18:30"},
            "thing3": {"value": "北京国际饭店"},
        },
        url=f"{live_server.url}/sandbox/",
    )
    expect(page.locator("#chat .card.news .title", has_text="返校日报名开启")).to_have_count(
        1, timeout=10_000
    )
    expect(page.locator("#chat .card.template", has_text="北京校友新春联谊会")).to_have_count(
        1, timeout=10_000
    )
    expect(page.locator("#chat .card.template .k", has_text="活动时间")).to_have_count(1)
    expect(page.locator("#chat .tag", has_text="模板消息")).to_have_count(1)
    page.screenshot(path=str(shots / "chat-cards.png"))

    # An image: uploaded as temporary media, sent by customer service, drawn from the sandbox.
    picture = io.BytesIO()
    segno.make("https://example.org/campus-map").save(picture, kind="png", scale=6)
    picture.seek(0)
    media_id = client.media.upload("image", ("map.png", picture))["media_id"]
    client.message.send_image(person.openid, media_id)
    image = page.locator("#chat .image img")
    expect(image).to_have_count(1, timeout=10_000)
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 100
