"""The alumni card from end to end in a real browser (issue 24): the alumnus sends 校友卡 in the
sandbox chat and sees the card image; staff issue a site key on the admin page; the site checks
the code the mini-program got from GET /me/card with that key, over HTTP, and the page counts it."""

from __future__ import annotations

import os

import pytest
import requests

from models import StaffRole, WechatUser
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.reunion.support import add_classmate
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
SHOTS = os.environ.get("ALUMNI_BOT_SCREENSHOTS")  # a folder to keep the screenshots in, if set


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def _api_token(server, person) -> str:
    """wx.login() on the sandbox's mini-program page, then POST /auth/login."""
    code = requests.post(f"{server.url}/sandbox/_/miniprogram/code", json={"openid": person.openid},
                         timeout=10).json()["code"]
    answer = requests.post(f"{server.url}/api/v1/auth/login", json={"code": code}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def test_the_chat_shows_the_card_and_a_key_issued_in_the_browser_verifies_its_code(server, tmp_path):
    from playwright.sync_api import expect

    person = server.sandbox.people.add("李雷")
    server.sandbox.people.follow(person.openid)
    with server.runtime.sessions.begin() as session:
        record = add_classmate(session, person.openid, "2016010101", "李雷", phone="13812345678")
        # One person: the mini-program's login finds the follower by the unionid WeChat gives both.
        session.get(WechatUser, record.wechat_user_id).unionid = person.unionid
    add_account(server.runtime, "张老师", StaffRole.STAFF)
    shots = SHOTS or str(tmp_path)

    with admin_page(1100, 900) as (page, errors):
        # The alumnus asks for the card in the chat: an image comes back.
        page.goto(f"{server.url}/sandbox/")
        page.click("#people li >> text=李雷")
        expect(page.locator("#who")).to_contain_text(person.openid)
        page.click("#to-keyboard")
        page.fill("#message", "校友卡")
        page.press("#message", "Enter")
        image = page.locator("#chat .msg:not(.mine) .image img").last
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth === 1000",
                               arg=image.element_handle())
        page.screenshot(path=f"{shots}/card-chat.png")

        # Staff issue a key for the east gate.
        log_in(page, server.url, "张老师", PASSWORD)
        page.get_by_role("link", name="校园服务").click()
        page.get_by_role("link", name="校友卡核验点").click()
        page.get_by_label("核验点名称").fill("东门闸机")
        page.get_by_label("类型").select_option("gate")
        page.get_by_role("button", name="签发密钥").click()
        expect(page.locator("#issued-key")).to_contain_text("只显示这一次")
        key = page.locator("#site-key").inner_text().strip()
        assert key.startswith("acs_")
        page.screenshot(path=f"{shots}/card-sites.png", full_page=True)

        # The mini-program fetches the card; the gate checks its code with the key, over HTTP.
        token = _api_token(server, person)
        card = requests.get(f"{server.url}/api/v1/me/card",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        verdict = requests.post(f"{server.url}/api/v1/cards/verify", json={"code": card["code"]},
                                headers={"X-Site-Key": key}, timeout=10)
        assert verdict.status_code == 200, verdict.text
        body = verdict.json()
        assert body["valid"] is True and body["holder"]["name"] == "李雷" and body["site"] == "东门闸机"
        assert "13812345678" not in verdict.text

        # The page counts the check; the audit log has it, with the site as the actor.
        page.goto(f"{server.url}/admin/card-sites/")  # not reload: that would post the form again
        expect(page.locator("table.card-sites tbody tr").first).to_contain_text("东门闸机")
        expect(page.locator("table.card-sites tbody tr").first.locator("td").nth(4)).to_have_text("1")
        page.get_by_role("link", name="系统设置").click()
        page.get_by_role("link", name="审计日志").click()
        expect(page.locator("body")).to_contain_text("核验点 东门闸机")
        expect(page.locator("body")).to_contain_text("校友卡核验")

        # Revoked in the browser, the key stops at once.
        page.get_by_role("link", name="校园服务").click()
        page.get_by_role("link", name="校友卡核验点").click()
        page.get_by_role("button", name="停用").click()
        expect(page.locator("body")).to_contain_text("已停用核验点「东门闸机」")
        refused = requests.post(f"{server.url}/api/v1/cards/verify", json={"code": card["code"]},
                                headers={"X-Site-Key": key}, timeout=10)
        assert refused.status_code == 401
        assert errors == []


def test_the_mini_program_page_shows_the_card_with_this_minutes_code_and_refuses_the_unbound(server, tmp_path):
    from playwright.sync_api import expect

    bound = server.sandbox.people.add("韩梅梅")
    stranger = server.sandbox.people.add("路人甲")
    for person in (bound, stranger):
        server.sandbox.people.follow(person.openid)
    with server.runtime.sessions.begin() as session:
        record = add_classmate(session, bound.openid, "2016010102", "韩梅梅")
        session.get(WechatUser, record.wechat_user_id).unionid = bound.unionid
    shots = SHOTS or str(tmp_path)

    with admin_page(480, 1400) as (page, errors):
        page.goto(f"{server.url}/sandbox/miniprogram")
        page.get_by_label("模拟校友").select_option(label="韩梅梅")
        page.click("#login-code")
        page.click("#api-login")
        expect(page.locator("#login-result")).to_contain_text("HTTP 200")
        page.click("#card")
        expect(page.locator("#card-result")).to_contain_text("refresh_at")
        image = page.locator("#card-image")
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth === 1000",
                               arg=image.element_handle())
        page.screenshot(path=f"{shots}/card-miniprogram.png", full_page=True)

        # Someone not bound gets the API's refusal, and no card.
        page.reload()
        page.get_by_label("模拟校友").select_option(label="路人甲")
        page.click("#login-code")
        page.click("#api-login")
        expect(page.locator("#login-result")).to_contain_text("HTTP 200")
        page.click("#card")
        expect(page.locator("#card-result")).to_contain_text("HTTP 403")
        expect(page.locator("#card-result")).to_contain_text("not_bound")
        expect(page.locator("#card-image")).to_be_hidden()
        # The browser reports the refused fetch itself; nothing else went wrong on the page.
        assert [e for e in errors if "status of 403" not in e] == []
