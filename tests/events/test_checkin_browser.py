"""活动签到 in a real browser on a phone-sized screen (Debian's chromium through Playwright): staff
pick today's event, type a registrant's code, see them checked in, then a second time, and a QR
code is made and shown to print."""

from __future__ import annotations

import pytest

from handlers.events.checkin import checkin_key, issue_code
from handlers.reunion.passes import pass_key
from models import StaffRole
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.events.support import add_registration
from tests.events.test_checkin_bot import add_follower, today_event
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
PHONE = (390, 844)


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_staff_pick_the_event_and_check_a_typed_code_in_on_a_phone(server):
    from playwright.sync_api import expect

    runtime = server.runtime
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-browser")
        today_event(session, title="羽毛球友谊赛")   # another event today: staff must pick
        registration = add_registration(session, today_event(session), user.id)
        event_id = registration.event_id
        code = issue_code(checkin_key(pass_key(runtime.config.app.secret_key)), registration)
    add_account(runtime, "volunteer", StaffRole.STAFF)
    with admin_page(*PHONE) as (page, errors):
        log_in(page, server.url, "volunteer", PASSWORD, path="/admin/events/scan/")
        expect(page.get_by_role("heading", name="活动签到")).to_be_visible()
        page.get_by_label("今天的活动").select_option(str(event_id))
        page.get_by_role("button", name="选择").click()
        expect(page.locator("#station-label")).to_have_text(f"{event_id} · 校友午餐沙龙")
        page.get_by_label("手动输入活动签到码").fill(code.lower())
        page.get_by_role("button", name="签到", exact=True).click()
        expect(page.locator("#result")).to_have_class("result ok")
        expect(page.locator("#result-headline")).to_have_text("签到成功")
        expect(page.locator("#result-who")).to_contain_text("韩梅梅 · 外国语学院 2012 届 · 共 1 人")
        page.get_by_label("手动输入活动签到码").fill(code)
        page.get_by_role("button", name="签到", exact=True).click()
        expect(page.locator("#result-headline")).to_have_text("已签到")
        expect(page.locator("#result-detail")).to_contain_text("volunteer")
        page.get_by_label("手动输入活动签到码").fill("EV1.1.1.AAAAAAAAAAAAAAAA")
        page.get_by_role("button", name="签到", exact=True).click()
        expect(page.locator("#result")).to_have_class("result refused")
        # The QR code to print, made through the sandbox's WeChat API.
        page.goto(f"{server.url}/admin/events/checkin-qr/")
        page.locator(f'tr[data-event="{event_id}"]').get_by_role("button", name="生成签到二维码").click()
        expect(page.get_by_text("微信扫一扫，签到")).to_be_visible()
        # The image comes through the server from the sandbox's showqrcode: wait for it to load.
        page.wait_for_function("() => { const i = document.getElementById('qr-image');"
                               " return i && i.complete && i.naturalWidth > 0; }")
        assert errors == []


def test_the_camera_reads_the_registrants_code(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tests.admin.browser import ARGS, CHROMIUM
    from tests.admin.test_reunion_scan_browser import qr_video

    runtime = server.runtime
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-camera")
        registration = add_registration(session, today_event(session), user.id)
        event_id = registration.event_id
        code = issue_code(checkin_key(pass_key(runtime.config.app.secret_key)), registration)
    add_account(runtime, "guard", StaffRole.STAFF)
    video = qr_video(code, tmp_path / "code.y4m")
    camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + camera)
        try:
            page = browser.new_page(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="zh-CN")
            log_in(page, server.url, "guard", PASSWORD, path=f"/admin/events/scan/?event={event_id}")
            page.get_by_role("button", name="开启摄像头扫码").click()
            expect(page.locator("#camera-note")).to_have_text("将活动签到码对准取景框")
            expect(page.locator("#result-headline")).to_have_text("签到成功", timeout=15000)
            expect(page.locator("#result")).to_have_class("result ok")
        finally:
            browser.close()
