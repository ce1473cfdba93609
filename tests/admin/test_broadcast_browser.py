"""A broadcast in a real browser against the sandbox (issue 20 item 11): log in, compose to the
2016 class, send a test to oneself, send it, and watch the progress bar reach 100% while the
scheduler's delivery (running in the live server, as in `alumni-bot demo`) sends it to the
sandbox's stand-in WeChat API.

The screenshots go to a temporary folder, or to $ADMIN_SCREENSHOTS."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from models import StaffAccount, StaffRole, WechatUser
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import PASSWORD, add_account, add_alumnus
from tests.sandbox.support import LiveServer

pytestmark = needs_chromium
# A template the sandbox knows: every follower is reached through it, no window needed.
PUSH = {"template_id": "alumni-sandbox-tpl-event-reminder",
        "template_data": ["thing1={text}", "time2={time}", "thing3={school}"]}


@pytest.fixture
def server(config):
    from wechat_bot.commands.scheduler import build_scheduler

    live = LiveServer(config.replace(push=PUSH))
    scheduler = build_scheduler(live.runtime)
    scheduler.start()
    yield live
    scheduler.stop()
    live.close()


def test_compose_test_send_and_watch_the_progress_reach_100(server, tmp_path):
    from playwright.sync_api import expect

    runtime, sandbox = server.runtime, server.sandbox
    add_account(runtime, "张老师", StaffRole.STAFF)
    now = datetime.now(UTC)
    openids = []
    with runtime.sessions.begin() as session:
        for i in range(6):
            person = sandbox.people.add(f"一六届{i}")
            sandbox.people.follow(person.openid)
            record = add_alumnus(session, f"一六届{i}", year=2016, bound_at=now)
            session.execute(update(WechatUser).where(WechatUser.id == record.wechat_user_id)
                            .values(openid=person.openid))
            openids.append(person.openid)
        add_alumnus(session, "别届", year=2012, bound_at=now)
        session.execute(update(StaffAccount).values(test_openid=openids[0]))
    shots = Path(os.environ.get("ADMIN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    with admin_page(1280, 1000) as (page, errors):
        log_in(page, server.url, "张老师", PASSWORD)

        page.get_by_role("link", name="推送").click()
        page.get_by_role("link", name="撰写推送").click()
        page.get_by_label("推送内容").fill("2016 届校友：秋季返校日报名开始")
        page.get_by_label("毕业年份").fill("2016")
        expect(page.locator("#recipient-count")).to_have_text("6")
        expect(page.locator("#channel-mix")).to_contain_text("模板消息 6")
        page.screenshot(path=str(shots / "admin-compose.png"), full_page=True)

        page.get_by_role("button", name="发送测试").click()
        expect(page.get_by_text(f"测试已发送给 {openids[0]}")).to_be_visible()
        _wait_for(lambda: sandbox.conversation.accepted(openids[0]))

        page.get_by_label("推送内容").fill("2016 届校友：秋季返校日报名开始")
        page.get_by_label("毕业年份").fill("2016")
        page.get_by_role("button", name="确认发送").click()
        expect(page.get_by_role("heading", name="推送 #")).to_be_visible()
        expect(page.locator("#progress-percent")).to_have_text("100%", timeout=30_000)
        expect(page.locator("#n-sent")).to_have_text("6")
        expect(page.locator("#progress-state")).to_have_text("已完成")
        page.screenshot(path=str(shots / "admin-push-progress.png"), full_page=True)
        assert errors == []
    for openid in openids:  # the test once to oneself, the broadcast once to each
        texts = [e.get("data", e) for e in sandbox.conversation.accepted(openid)]
        assert len(texts) == (2 if openid == openids[0] else 1), texts


def _wait_for(condition, seconds: float = 20.0):
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
