"""The chat user and the mini-program user are one person with one unionid: binding in one door
counts in the other, whichever the alumnus used first (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime

import requests
from sqlalchemy import func, select

from models import WechatUser
from scheduler.jobs import JobContext, JobSettings, link_unionids
from tests.roster import add_alumnus


def _send(server, person, **body):
    answer = requests.post(f"{server.url}/sandbox/_/send", json={"openid": person.openid, **body},
                           timeout=30).json()
    return [e["content"] for e in answer["entries"] if e["origin"] == "reply"]


def _mini_program_login(server, person) -> dict:
    code = requests.post(f"{server.url}/sandbox/_/miniprogram/code", json={"openid": person.openid},
                         timeout=10).json()["code"]
    return requests.post(f"{server.url}/api/v1/auth/login", json={"code": code}, timeout=10).json()


def _job(server) -> JobContext:
    runtime = server.runtime
    return JobContext(sessions=runtime.sessions, store=runtime.store, settings=JobSettings(),
                      wechat=runtime.wechat)


def _users(server) -> int:
    with server.runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(WechatUser))


def _roster(server) -> None:
    with server.runtime.sessions.begin() as session:
        add_alumnus(session, "2012010101", "张伟", 2012)


def test_bound_in_the_chat_then_signed_in_to_the_mini_program_is_bound_there(live_server):
    _roster(live_server)
    person = live_server.sandbox.people.all()[0]
    _send(live_server, person, action="subscribe")
    assert _send(live_server, person, action="text", content="绑定 张伟 2012010101")[0] \
        .startswith("绑定成功")
    assert link_unionids(_job(live_server)).linked == 1  # the scheduler asks WeChat (user/info)
    login = _mini_program_login(live_server, person)
    assert login["bound"] is True
    me = requests.get(f"{live_server.url}/api/v1/me",
                      headers={"Authorization": f"Bearer {login['token']}"}, timeout=10).json()
    assert me["name"] == "张伟"
    assert _users(live_server) == 1


def test_signed_in_to_the_mini_program_first_then_bound_in_the_chat_becomes_one_user(live_server):
    _roster(live_server)
    person = live_server.sandbox.people.all()[0]
    assert _mini_program_login(live_server, person)["bound"] is False
    _send(live_server, person, action="subscribe")
    _send(live_server, person, action="text", content="绑定 张伟 2012010101")
    assert _users(live_server) == 2  # until WeChat is asked, the two doors know two users
    report = link_unionids(_job(live_server))
    assert (report.linked, report.merged) == (1, 1)
    assert _users(live_server) == 1
    assert _mini_program_login(live_server, person)["bound"] is True
    assert link_unionids(_job(live_server)).asked == 0  # asked once, not again


def test_a_follower_whose_account_has_no_open_platform_is_asked_once(live_server):
    person = live_server.sandbox.people.all()[0]
    _send(live_server, person, action="subscribe")
    with live_server.runtime.sessions.begin() as session:
        session.add(WechatUser(openid="o-not-known-to-wechat", subscribed=True,
                               created_at=datetime.now(UTC)))
    report = link_unionids(_job(live_server))
    assert report.asked == 2 and report.linked == 1  # the stray openid did not block the other
    assert link_unionids(_job(live_server)).asked == 0

