"""The reunion scanner in a real browser on a phone-sized screen (Debian's chromium through
Playwright): the typed fallback at the canteen, and the camera at the gate, Chromium's fake camera
playing a video of the pass's QR code (a .y4m drawn here from the code), decoded by jsQR."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno

from handlers.reunion.passes import issue_day_code, pass_key
from models import StaffRole
from models.reunion import BookingStatus
from tests.admin.browser import ARGS, CHROMIUM, admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account
from tests.reunion.support import add_booking, add_classmate
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
ZONE = ZoneInfo("Asia/Shanghai")
PHONE = (390, 844)


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def pass_of_today(runtime) -> str:
    today = dt.datetime.now(ZONE).date()
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-scan-browser", "2016010101", "李雷", year=today.year - 10)
        booking = add_booking(session, contact, day=today, status=BookingStatus.APPROVED)
        member_id = booking.members[0].id
    return issue_day_code(pass_key(runtime.config.app.secret_key), member_id, today, ZONE).code


def qr_video(code: str, path: Path, width: int = 640, height: int = 480, frames: int = 10) -> Path:
    """A grey-scale Y4M (4:2:0) of the code's QR, centred, for --use-file-for-fake-video-capture."""
    matrix = [[bool(x) for x in row] for row in segno.make(code, error="m").matrix]
    scale, border = 8, 4
    size = (len(matrix) + 2 * border) * scale
    top, left = (height - size) // 2, (width - size) // 2
    luma = bytearray(b"\xeb" * (width * height))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + (border + y) * scale + dy) * width + left + (border + x) * scale
                    luma[start:start + scale] = b"\x10" * scale
    chroma = b"\x80" * (width * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + bytes(luma) + chroma)
    return path


def test_a_volunteer_types_a_pass_at_the_canteen_on_a_phone(server):
    from playwright.sync_api import expect

    code = pass_of_today(server.runtime)
    add_account(server.runtime, "volunteer", StaffRole.STAFF)
    with admin_page(*PHONE) as (page, errors):
        log_in(page, server.url, "volunteer", PASSWORD, path="/admin/reunion/scan/")
        expect(page.get_by_role("heading", name="返校扫码")).to_be_visible()
        page.get_by_role("link", name="午餐").click()
        expect(page.locator("#station-label")).to_have_text("午餐")
        page.get_by_label("手动输入返校码").fill(code.lower())
        page.get_by_role("button", name="核验").click()
        result = page.locator("#result")
        expect(result).to_have_class("result ok")
        expect(page.locator("#result-headline")).to_have_text("午餐已登记：1 份")
        expect(page.locator("#result-who")).to_contain_text("李雷 · 计算机学院")
        page.get_by_label("手动输入返校码").fill(code)
        page.get_by_role("button", name="核验").click()
        expect(result).to_have_class("result refused")
        expect(page.locator("#result-detail")).to_contain_text("用过午餐")
        page.get_by_role("link", name="当日到场").click()
        expect(page.locator("#t-lunch_served")).to_have_text("1")
        assert errors == []


def test_the_camera_reads_a_pass_at_the_gate(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    code = pass_of_today(server.runtime)
    add_account(server.runtime, "guard", StaffRole.STAFF)
    video = qr_video(code, tmp_path / "pass.y4m")
    camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + camera)
        try:
            page = browser.new_page(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="zh-CN")
            log_in(page, server.url, "guard", PASSWORD, path="/admin/reunion/scan/?station=gate")
            page.get_by_role("button", name="开启摄像头扫码").click()
            expect(page.locator("#result-headline")).to_have_text("入校登记成功（共 1 人）", timeout=15000)
            expect(page.locator("#result")).to_have_class("result ok")
        finally:
            browser.close()
