"""The events API over HTTP (SPEC 6): GET /events, GET /events/{id}, POST /events/{id}/registrations,
DELETE /events/{id}/registrations/me, POST …/me/confirm, GET /me/events — the bot's rules and reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models.event import EventStatus, Registration, RegistrationStatus
from models.push import Push
from tests.api import LiveApi
from tests.events.support import add_event
from tests.reunion.support import add_classmate


@pytest.fixture
def live(config):
    server = LiveApi(config)
    yield server
    server.close()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def signed_in(live, name: str, student_id: str, year: int = 2012) -> str:
    with live.runtime.sessions.begin() as session:
        add_classmate(session, None, student_id, name, year=year)
    return live.bound_token(live.person(name), name, student_id)


def event(live, title="企业家论坛", **fields) -> int:
    with live.runtime.sessions.begin() as session:
        return add_event(session, title, now=now(), **fields).id


def test_list_and_detail_show_seats_left_and_my_registration(live):
    token = signed_in(live, "王芳", "2012001")
    later = event(live, "地区校友见面会", starts_in=dt.timedelta(days=9))
    sooner = event(live, "羽毛球友谊赛", starts_in=dt.timedelta(days=2), seats=8, max_guests=1,
                   questions=["球拍自带吗？"])
    hidden = event(live, "2016届", audience="year:2016")
    draft = event(live, "草稿", status=EventStatus.DRAFT)
    items = live.call("GET", "/events", token).json()["items"]
    assert [i["id"] for i in items] == [sooner, later]
    assert items[0]["seats_left"] == 8 and items[0]["questions"] == ["球拍自带吗？"]
    assert items[0]["signup_open"] is True and items[0]["mine"] is None
    assert live.call("GET", f"/events/{hidden}", token).json()["error"]["code"] == "not_in_audience"
    assert live.call("GET", f"/events/{draft}", token).status_code == 404
    assert live.call("GET", "/events").status_code == 401


def test_sign_up_with_guests_and_answers_and_refusals_with_reasons(live):
    token = signed_in(live, "王芳", "2012001")
    number = event(live, seats=10, max_guests=2, ask_shirt_size=True, questions=["饮食禁忌？"])
    bad = live.call("POST", f"/events/{number}/registrations", token, json={"guests": 3, "shirt_size": "M"})
    assert bad.status_code == 422 and "0 到 2" in bad.json()["error"]["message"]
    missing = live.call("POST", f"/events/{number}/registrations", token, json={"guests": 1, "shirt_size": "M"})
    assert missing.status_code == 422 and "饮食禁忌" in missing.json()["error"]["message"]
    done = live.call("POST", f"/events/{number}/registrations", token,
                     json={"guests": 1, "shirt_size": "m", "answers": {"饮食禁忌？": "无"}})
    assert done.status_code == 201, done.text
    body = done.json()
    assert body["waitlisted"] is False and body["event"]["seats_left"] == 8
    assert body["registration"]["shirt_size"] == "M" and body["registration"]["answers"] == {"饮食禁忌？": "无"}
    assert "报名成功" in body["message"]
    again = live.call("POST", f"/events/{number}/registrations", token,
                      json={"guests": 0, "shirt_size": "M", "answers": {"饮食禁忌？": "无"}})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_registered"
    closed = event(live, "已截止", signup_closes_at=now() - dt.timedelta(minutes=1))
    refused = live.call("POST", f"/events/{closed}/registrations", token, json={})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "window_over"
    other = event(live, "2016届", audience="year:2016")
    refused = live.call("POST", f"/events/{other}/registrations", token, json={})
    assert refused.status_code == 403 and "2016 届校友" in refused.json()["error"]["message"]
    cancelled = event(live, "已取消", status=EventStatus.CANCELLED)
    assert live.call("POST", f"/events/{cancelled}/registrations", token, json={}).json()["error"]["code"] \
        == "cancelled"


def test_waitlist_cancel_offer_and_confirm_through_the_api(live):
    first = signed_in(live, "王芳", "2012001")
    second = signed_in(live, "李雷", "2012002")
    number = event(live, seats=1)
    assert live.call("POST", f"/events/{number}/registrations", first, json={}).json()["waitlisted"] is False
    waiting = live.call("POST", f"/events/{number}/registrations", second, json={}).json()
    assert waiting["waitlisted"] is True and waiting["registration"]["place_in_line"] == 1
    assert "排在第 1 位" in waiting["message"]
    mine = live.call("GET", "/me/events", second).json()["items"]
    assert mine[0]["registration"]["status"] == "waitlisted"
    assert live.call("POST", f"/events/{number}/registrations/me/confirm", second).json()["error"]["code"] \
        == "no_offer"
    left = live.call("DELETE", f"/events/{number}/registrations/me", first)
    assert left.status_code == 200 and left.json()["registration"]["status"] == "cancelled"
    offered = live.call("GET", "/me/events", second).json()["items"][0]["registration"]
    assert offered["status"] == "offered" and offered["offer_expires_at"]
    with live.runtime.sessions() as session:
        [push] = session.scalars(select(Push).where(Push.created_by == "events:offer")).all()
        assert f"确认 {number}" in push.text
    taken = live.call("POST", f"/events/{number}/registrations/me/confirm", second)
    assert taken.status_code == 200 and taken.json()["registration"]["status"] == "confirmed"
    with live.runtime.sessions() as session:
        statuses = sorted(r.status for r in session.scalars(select(Registration)))
    assert statuses == sorted([RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED])
    assert live.call("DELETE", f"/events/{number}/registrations/me", first).json()["error"]["code"] \
        == "already_cancelled"
