"""秩年返校 from end to end in real browsers (issue 21): an alumnus books from the sandbox's menu,
staff approve in the admin page, the alumnus asks for the pass, and the gate's scanner reads the
very image the chat shows, through Chromium's fake camera (the phone's screen held up to it).

The school opens every day and books without lead time here, so the visit can be today: a pass
scans only on its day. Screenshots go to a temporary folder, or to $REUNION_SCREENSHOTS."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from models import StaffRole
from tests.admin.browser import ARGS, CHROMIUM, admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.reunion.support import add_classmate
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def server(config):
    from wechat_bot.commands.scheduler import build_scheduler

    live = LiveServer(config.replace(reunion={"open_weekdays": [1, 2, 3, 4, 5, 6, 7],
                                              "booking_lead_days": 0}))
    scheduler = build_scheduler(live.runtime)  # delivers the approval notice, as in the demo
    scheduler.start()
    yield live
    scheduler.stop()
    live.close()


def _bubbles(page, text: str):
    return page.locator("#chat .msg:not(.typing):not(.mine) .bubble", has_text=text)


def _say(page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def camera_feed(png: bytes, path: Path, width: int = 640, height: int = 480) -> Path:
    """A grey-scale Y4M of the picture on a white frame, for --use-file-for-fake-video-capture."""
    from PIL import Image

    picture = Image.open(io.BytesIO(png)).convert("L")
    picture.thumbnail((height - 40, height - 40))
    frame = Image.new("L", (width, height), 255)
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    chroma = b"\x80" * (width * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma)
    return path


def test_book_from_the_menu_approve_in_the_admin_page_and_scan_the_pass(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    today = dt.datetime.now(ZONE).date()
    person = server.sandbox.people.add("张伟")
    server.sandbox.people.follow(person.openid)
    with server.runtime.sessions.begin() as session:
        add_classmate(session, person.openid, "2012010101", "张伟", year=today.year - 10)
    add_account(server.runtime, "张老师", StaffRole.STAFF)
    shots = Path(os.environ.get("REUNION_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1000, 900) as (page, errors):
        # The alumnus books from the menu: date, slot, headcount, needs, note, confirm.
        page.goto(f"{server.url}/sandbox/")
        page.click("#people li >> text=张伟")
        expect(page.locator("#who")).to_contain_text(person.openid)
        page.click("#menu >> text=返校活动")  # a followed account's page opens on its menu
        page.click("#submenu >> text=秩年返校")
        expect(_bubbles(page, "10 周年")).to_have_count(1)
        page.click("#to-keyboard")
        _say(page, "1")
        expect(_bubbles(page, "请选择入校时段")).to_have_count(1)
        _say(page, "1")
        expect(_bubbles(page, "一共来多少人")).to_have_count(1)
        _say(page, "3")
        expect(_bubbles(page, "导览")).to_have_count(1)
        _say(page, "好")
        expect(_bubbles(page, "还有什么要告诉学校")).to_have_count(1)
        _say(page, "无")
        expect(_bubbles(page, "请核对返校预约")).to_have_count(1)
        _say(page, "确认")
        booked = _bubbles(page, "预约已提交，编号")
        expect(booked).to_have_count(1)
        number = booked.inner_text().split("编号", 1)[1].split("。")[0].strip()
        page.screenshot(path=str(shots / "chat-reunion-booked.png"))

        # Staff approve it in the admin page.
        log_in(page, server.url, "张老师", PASSWORD)
        page.get_by_role("link", name="秩年返校").click()
        page.get_by_role("navigation", name="秩年返校").get_by_role("link", name="返校预约").click()
        page.locator(f"a[href$='/reunion/bookings/{number}']").first.click()
        page.screenshot(path=str(shots / "admin-reunion-booking.png"), full_page=True)
        page.get_by_role("button", name="批准", exact=True).click()
        expect(page.get_by_text(f"已批准返校预约 {number}")).to_be_visible()

        # The alumnus is told, and asks for the pass: a QR image in the chat.
        page.goto(f"{server.url}/sandbox/")
        page.click("#people li >> text=张伟")
        expect(page.locator("#chat")).to_contain_text("已获学校批准", timeout=20_000)
        page.click("#to-keyboard")
        _say(page, "我的返校码")
        image = page.locator("#chat .msg:not(.mine) .image img").last
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        shown = image.screenshot()
        page.screenshot(path=str(shots / "chat-reunion-pass.png"))
        assert errors == []

    # The gate's phone points its camera at the alumnus's screen.
    video = camera_feed(shown, tmp_path / "phone-screen.y4m")
    camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + camera)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            log_in(page, server.url, "张老师", PASSWORD, path="/admin/reunion/scan/?station=gate")
            page.get_by_role("button", name="开启摄像头扫码").click()
            expect(page.locator("#result-headline")).to_have_text("入校登记成功（共 1 人）", timeout=15000)
            expect(page.locator("#result-who")).to_contain_text("张伟")
            page.screenshot(path=str(shots / "admin-reunion-scan.png"))
        finally:
            browser.close()
