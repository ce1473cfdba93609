"""Mentors over HTTP: GET /mentors shows public fields only; a request's contacts appear only once
the mentor accepts; decline, the caps, a hidden mentor, and the OpenAPI document lists the paths."""

from __future__ import annotations

import pytest

from tests.api import LiveApi
from tests.mentors.support import pushes_by
from tests.reunion.support import add_classmate

OFFER = {"industry": "金融", "city": "北京", "topics": "投行入门、简历修改",
         "contact": {"kind": "email"}, "monthly_cap": 2}


@pytest.fixture
def live(config):
    server = LiveApi(config)
    yield server
    server.close()


def _token(live, student_id: str, name: str, **fields) -> tuple[str, str]:
    with live.runtime.sessions.begin() as session:
        add_classmate(session, None, student_id, name, **fields)
    person = live.person(name)
    return live.bound_token(person, name, student_id), person.openid


@pytest.fixture
def pair(live):
    mentor = _token(live, "2005010101", "赵敏", year=2005, phone="13900002222",
                    email="zhaomin@example.com")
    mentee = _token(live, "2025010101", "周若", year=2025, phone="13700003333",
                    email="zhouruo@example.com")
    return mentor, mentee


def test_the_list_has_public_fields_only_and_contacts_cross_on_acceptance(live, pair):
    (mentor, _), (mentee, _) = pair
    offered = live.call("PUT", "/me/mentor", mentor, json=OFFER)
    assert offered.status_code == 200, offered.text
    assert offered.json()["contact"]["value"] == "zhaomin@example.com"  # the mentor's own view
    assert offered.json()["listed"] is True

    found = live.call("GET", "/mentors", mentee, params={"industry": "金融", "city": "北京"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["total"] == 1 and body["items"][0]["person"]["name"] == "赵敏"
    assert "zhaomin@example.com" not in found.text and "13900002222" not in found.text
    assert live.call("GET", "/mentors", mentee, params={"city": "上海"}).json()["total"] == 0

    mentor_id = body["items"][0]["id"]
    asked = live.call("POST", f"/mentors/{mentor_id}/requests", mentee,
                      json={"message": "想请教投行实习", "contact": {"kind": "phone"}})
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "open" and request["contact"] is None
    assert "zhaomin@example.com" not in asked.text
    received = live.call("GET", "/me/mentor-requests", mentor).json()["items"]
    assert received[0]["direction"] == "received" and received[0]["contact"] is None
    assert "13700003333" not in str(received)
    assert f"接受 {request['id']}" in pushes_by(live.runtime, "mentors:request")[-1]

    accepted = live.call("POST", f"/mentor-requests/{request['id']}/accept", mentor)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["contact"] == {"kind": "phone", "value": "13700003333",
                                          "shown": "手机 13700003333"}
    sent = live.call("GET", "/me/mentor-requests", mentee).json()["items"][0]
    assert sent["status"] == "accepted" and sent["contact"]["value"] == "zhaomin@example.com"
    assert "zhaomin@example.com" in pushes_by(live.runtime, "mentors:accept")[-1]
    # Still public fields only in the list after acceptance.
    assert "zhaomin@example.com" not in live.call("GET", "/mentors", mentee).text


def test_decline_and_the_caps(live, pair):
    (mentor, _), (mentee, _) = pair
    mentor_id = live.call("PUT", "/me/mentor", mentor, json=OFFER).json()["id"]
    ask = {"message": "想请教", "contact": {"kind": "none"}}
    first = live.call("POST", f"/mentors/{mentor_id}/requests", mentee, json=ask).json()
    declined = live.call("POST", f"/mentor-requests/{first['id']}/decline", mentor)
    assert declined.json()["status"] == "declined" and declined.json()["contact"] is None
    again = live.call("POST", f"/mentor-requests/{first['id']}/accept", mentor)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"
    # The mentee cannot answer a request they sent.
    assert live.call("POST", f"/mentor-requests/{first['id']}/accept", mentee).status_code == 404

    second = live.call("POST", f"/mentors/{mentor_id}/requests", mentee, json=ask)
    assert second.status_code == 201
    other, _ = _token(live, "2025010102", "殷离", year=2025)
    full = live.call("POST", f"/mentors/{mentor_id}/requests", other, json=ask)  # cap 2 a month
    assert full.status_code == 409 and full.json()["error"]["code"] == "mentor_full"
    assert live.call("GET", "/mentors", other).json()["items"][0]["full"] is True
    own = live.call("POST", f"/mentors/{mentor_id}/requests", mentor, json=ask)
    assert own.status_code == 409 and own.json()["error"]["code"] == "own_offer"


def test_a_mentee_has_at_most_three_open_requests(live, pair):
    _, (mentee, _) = pair
    ids = []
    for n in range(4):
        token, _ = _token(live, f"199901010{n}", f"导师{n}", year=1999)
        ids.append(live.call("PUT", "/me/mentor", token,
                             json={**OFFER, "contact": {"kind": "none"}}).json()["id"])
    ask = {"message": "想请教", "contact": {"kind": "none"}}
    for mentor_id in ids[:3]:
        assert live.call("POST", f"/mentors/{mentor_id}/requests", mentee, json=ask).status_code == 201
    refused = live.call("POST", f"/mentors/{ids[3]}/requests", mentee, json=ask)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_open"


def test_a_hidden_mentor_is_not_listed_and_the_offer_says_so(live, pair):
    (mentor, _), (mentee, _) = pair
    assert live.call("PATCH", "/me", mentor, json={"privacy": "hidden"}).status_code == 200
    offered = live.call("PUT", "/me/mentor", mentor, json=OFFER).json()
    assert offered["listed"] is False
    assert live.call("GET", "/mentors", mentee).json()["total"] == 0
    refused = live.call("POST", f"/mentors/{offered['id']}/requests", mentee,
                        json={"message": "想请教", "contact": {"kind": "none"}})
    assert refused.status_code == 404


def test_unbound_users_get_403_and_a_bad_contact_422(live, pair):
    (mentor, _), _ = pair
    stranger = live.login(live.person("路人"))
    answer = live.call("GET", "/mentors", stranger)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_bound"
    bad = live.call("PUT", "/me/mentor", mentor, json={**OFFER, "contact": {"kind": "wechat", "value": "1"}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_contact"


def test_pause_and_withdraw(live, pair):
    (mentor, _), (mentee, _) = pair
    live.call("PUT", "/me/mentor", mentor, json=OFFER)
    assert live.call("PATCH", "/me/mentor", mentor, json={"status": "paused"}).json()["listed"] is False
    assert live.call("GET", "/mentors", mentee).json()["total"] == 0
    assert live.call("PATCH", "/me/mentor", mentor, json={"status": "active"}).json()["listed"] is True
    assert live.call("DELETE", "/me/mentor", mentor).json()["status"] == "withdrawn"
    assert live.call("GET", "/mentors", mentee).json()["total"] == 0


def test_the_openapi_document_lists_the_mentor_paths(live):
    paths = live.http.get(f"{live.url}/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/mentors", "/api/v1/me/mentor", "/api/v1/mentors/{mentor_id}/requests",
                 "/api/v1/me/mentor-requests", "/api/v1/mentor-requests/{request_id}/accept"):
        assert path in paths, sorted(paths)
