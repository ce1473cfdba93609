"""The circles over HTTP: GET /circles shows the class circle nobody created, join and leave,
a proposal, the member list under the privacy rules, and a notice only a circle admin may post."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.circles.membership import set_admin
from models import Alumnus, Privacy
from models.circle import Circle, CircleStatus
from tests.api import LiveApi
from tests.circles.support import NOW, alumnus, interest_circle, pushes
from tests.reunion.support import add_classmate


@pytest.fixture
def live(config):
    server = LiveApi(config)
    yield server
    server.close()


def _bound(live, name="李雷", student_id="2016010101", **fields) -> str:
    with live.runtime.sessions.begin() as session:
        add_classmate(session, None, student_id, name, phone="13812345678", email="lilei@example.com",
                      **fields)
    return live.bound_token(live.person(), name, student_id)


def test_the_class_circle_is_listed_and_an_interest_circle_joined_and_left(live):
    token = _bound(live)
    with live.runtime.sessions.begin() as session:
        admin = alumnus(session, "韩梅梅", year=2010, college="经济学院")
        circle_id = interest_circle(session, admin, "摄影").id
    body = live.call("GET", "/circles", token).json()
    assert [(c["name"], c["kind"], c["role"]) for c in body["mine"]] == [("计算机学院 2016届", "class", "member")]
    assert [(c["id"], c["name"], c["members"]) for c in body["open"]] == [(circle_id, "摄影", 1)]

    joined = live.call("POST", f"/circles/{circle_id}/members", token)
    assert joined.status_code == 201 and joined.json() == {"circle_id": circle_id, "member": True, "members": 2}
    again = live.call("POST", f"/circles/{circle_id}/members", token)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_member"
    left = live.call("DELETE", f"/circles/{circle_id}/members/me", token)
    assert left.status_code == 200 and left.json()["member"] is False
    assert live.call("POST", "/circles/9999/members", token).status_code == 404


def test_an_unbound_user_gets_403(live):
    token = live.login(live.person())
    answer = live.call("GET", "/circles", token)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_bound"


def test_a_proposal_is_pending_and_a_taken_name_is_409(live):
    token = _bound(live)
    answer = live.call("POST", "/circles", token, json={"name": "羽毛球", "intro": "周末一起打球"})
    assert answer.status_code == 201 and answer.json()["status"] == "pending"
    taken = live.call("POST", "/circles", token, json={"name": "羽毛球"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "name_taken"
    with live.runtime.sessions() as session:
        assert session.scalars(select(Circle.status).where(Circle.name == "羽毛球")).one() is CircleStatus.PENDING


def test_members_follow_the_privacy_rules_and_never_show_contacts(live):
    token = _bound(live)
    with live.runtime.sessions.begin() as session:
        admin = alumnus(session, "韩梅梅")
        hidden = alumnus(session, "隐士", privacy=Privacy.HIDDEN)
        circle_id = interest_circle(session, admin, "创业", hidden).id
    live.call("POST", f"/circles/{circle_id}/members", token)
    answer = live.call("GET", f"/circles/{circle_id}/members", token)
    assert answer.status_code == 200
    body = answer.json()
    assert sorted(m["name"] for m in body["items"]) == ["李雷", "韩梅梅"] and body["unlisted"] == 1
    assert "13812345678" not in answer.text and "@example.com" not in answer.text


def test_only_a_circle_admin_posts_a_notice(live):
    token = _bound(live)
    with live.runtime.sessions.begin() as session:
        admin = alumnus(session, "韩梅梅")
        circle_id = interest_circle(session, admin, "摄影").id
    live.call("POST", f"/circles/{circle_id}/members", token)
    refused = live.call("POST", f"/circles/{circle_id}/notices", token, json={"text": "周六扫街"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_admin"
    with live.runtime.sessions.begin() as session:  # staff name the caller an admin too
        me = session.scalar(select(Alumnus.wechat_user_id).where(Alumnus.name == "李雷"))
        assert set_admin(session, session.get(Circle, circle_id), me, True, now=NOW)
    posted = live.call("POST", f"/circles/{circle_id}/notices", token, json={"text": "周六扫街，九点集合"})
    assert posted.status_code == 201 and posted.json() == {"circle_id": circle_id, "recipients": 1}
    with live.runtime.sessions() as session:
        assert "周六扫街，九点集合" in pushes(session, "circles:notice")[0].text
