"""The demo's events: upcoming open events of several kinds — one with room, one nearly full, one
full with a waitlist, a chapter's, one today — their registrants simulated followers the sandbox
knows, seeded once, with a line each for the console."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.event import Event, Registration, RegistrationStatus
from models.wechat_user import WechatUser
from tests.sandbox.support import build_app, close_app, with_sandbox
from wechat_bot.seed import seed_demo, seed_events


@pytest.fixture
def demo(config):
    app = build_app(with_sandbox(config))
    runtime = app.extensions["alumni_bot"]
    yield runtime, app.extensions["sandbox"], list(seed_demo(runtime, alumni=600,
                                                             sandbox=app.extensions["sandbox"]))
    close_app(app)


def test_the_demo_seeds_events_of_several_kinds_with_room_one_seat_a_waitlist_and_today(demo):
    runtime, sandbox, lines = demo
    with runtime.sessions() as session:
        events = {e.kind: e for e in session.scalars(select(Event))}
        assert set(events) == {"校园马拉松", "校友午餐沙龙", "企业家论坛", "地区校友见面会", "迎新校友活动"}
        assert all(e.status == "open" for e in events.values())
        marathon, lunch, forum = events["校园马拉松"], events["校友午餐沙龙"], events["企业家论坛"]
        assert marathon.seats_left > 400 and marathon.ask_shirt_size
        assert lunch.seats_left == 1
        assert forum.seats_left == 0 and forum.waitlist_next == 4
        waiting = session.scalars(select(Registration.position).where(
            Registration.event_id == forum.id, Registration.status == RegistrationStatus.WAITLISTED))
        assert sorted(waiting) == [1.0, 2.0, 3.0]
        for event in events.values():   # the counters agree with the registrations
            held = sum(r.seats for r in event.registrations if r.status == RegistrationStatus.CONFIRMED)
            assert held == event.seats_taken
        meeting = events["地区校友见面会"]
        assert meeting.chapter_id is not None and meeting.audience == "chapter:上海校友会"
        today = events["迎新校友活动"]
        zone = runtime.config.zone
        assert today.starts_at.astimezone(zone).date() == today.created_at.astimezone(zone).date()
        openids = set(session.scalars(select(WechatUser.openid).join(
            Registration, Registration.wechat_user_id == WechatUser.id)))
        assert len(openids) >= 25
        assert all(sandbox.people.get(openid) is not None for openid in openids)   # followers
    event_lines = [line for line in lines if line.startswith("演示数据：活动 ")]
    assert len(event_lines) == 5
    assert any(f"checkin:{today.id}" in line for line in event_lines)
    assert any(f"「报名 {forum.id}」进入候补" in line for line in event_lines)
    assert any("只剩 1 席" in line for line in event_lines)
    assert list(seed_events(runtime, sandbox)) == []   # once

