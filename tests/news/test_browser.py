"""The news library in a real browser (issue 24): staff add an item with a cover uploaded from the
form and see it, cover and all, in the list; then an alumnus sends 新闻 in the sandbox chat and
gets it as a news card with that cover."""

from __future__ import annotations

import os

import pytest

from models import StaffRole
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.news.support import png
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
SHOTS = os.environ.get("ALUMNI_BOT_SCREENSHOTS")


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_add_an_item_with_a_cover_and_the_chat_shows_it_as_a_news_card(server, tmp_path):
    from playwright.sync_api import expect

    add_account(server.runtime, "王老师", StaffRole.STAFF)
    cover = tmp_path / "封面.png"
    cover.write_bytes(png(900, 500))
    shots = SHOTS or str(tmp_path)
    with admin_page() as (page, errors):
        log_in(page, server.url, "王老师", PASSWORD)
        page.get_by_role("link", name="校园服务").click()  # its first page: 刊物与新闻
        page.get_by_role("link", name="添加").click()
        page.get_by_label("类别").select_option("校园新闻")
        page.get_by_label("标题").fill("新体育馆落成")
        page.get_by_label("摘要").fill("可容纳五千名观众")
        page.get_by_label("链接").fill("https://news.example.edu/gym")
        page.get_by_label("或上传封面").set_input_files(str(cover))
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已添加《新体育馆落成》")).to_be_visible()
        row = page.locator('table[data-category="校园新闻"] tr', has_text="新体育馆落成")
        expect(row.get_by_role("link", name="新体育馆落成")).to_be_visible()
        image = row.locator("img.cover")
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth === 900",
                               arg=image.element_handle())
        expect(row.get_by_role("button", name="推送给订阅者")).to_be_visible()
        page.screenshot(path=f"{shots}/news-library.png", full_page=True)
        assert errors == []

        person = server.sandbox.people.add("韩梅梅")
        server.sandbox.people.follow(person.openid)
        page.goto(f"{server.url}/sandbox/")
        page.click("#people li >> text=韩梅梅")
        expect(page.locator("#who")).to_contain_text(person.openid)
        page.click("#to-keyboard")
        page.fill("#message", "新闻")
        page.press("#message", "Enter")
        card = page.locator("#chat .msg:not(.mine) .card.news").last
        expect(card.locator(".title")).to_have_text("新体育馆落成")
        expect(card.locator(".desc")).to_contain_text("可容纳五千名观众")
        background = card.locator(".cover").evaluate("box => box.style.backgroundImage")
        assert "/api/v1/news/files/" in background and ".png" in background
        page.screenshot(path=f"{shots}/news-chat.png")
