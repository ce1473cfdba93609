"""POST /me/verification: the bot's 人工审核 rules through the API (offered after the same three
failures, one pending request), with refusals in the API's error shape."""

from __future__ import annotations

from sqlalchemy import select

from models import VerificationRequest

GOOD = {"name": "张伟", "graduation_year": 2012, "college": "计算机学院", "major": "软件工程",
        "student_id": "2012010199", "photo_url": "https://example.com/diploma.jpg"}


def _fail_binding(live, token, times=3):
    for i in range(times):
        answer = live.call("POST", "/me/binding", token,
                           json={"name": "张伟", "student_id": f"20999999{i:02}"})
        assert answer.status_code == 422


def _error(answer) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_it_is_offered_after_three_failed_bindings_and_one_request_stays_pending(live, roster):
    token = live.login(live.person())
    early = live.call("POST", "/me/verification", token, json=GOOD)
    assert _error(early) == (403, "verification_not_offered") and "3 次" in early.json()["error"]["message"]

    _fail_binding(live, token)
    made = live.call("POST", "/me/verification", token, json=GOOD)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "pending" and body["name"] == "张伟" and body["college"] == "计算机学院"
    assert body["photo_url"] == GOOD["photo_url"] and body["student_id"] == "2012010199"

    again = live.call("POST", "/me/verification", token, json=GOOD | {"name": "张 伟"})
    assert _error(again) == (409, "verification_pending") and "正在核验" in again.json()["error"]["message"]
    with live.runtime.sessions() as session:
        [stored] = session.scalars(select(VerificationRequest))
    assert stored.channel == "api" and stored.name == "张伟"


def test_failures_at_the_bot_count_for_the_api_too(live, roster):
    """One counter: the directory's Lockout, keyed by the WeChat user, whichever door failed."""
    person = live.person()
    token = live.login(person)
    _fail_binding(live, token, 2)
    assert live.call("POST", "/me/verification", token, json=GOOD).status_code == 403
    _fail_binding(live, token, 1)
    assert live.call("POST", "/me/verification", token, json=GOOD).status_code == 201


def test_bad_details_are_422_in_the_api_shape(live, roster):
    token = live.login(live.person())
    _fail_binding(live, token)
    cases = [
        {k: v for k, v in GOOD.items() if k != "college"},          # missing
        GOOD | {"graduation_year": 1800},                             # out of range
        GOOD | {"graduation_year": "二〇一二"},                        # wrong type
        GOOD | {"name": ""},                                          # empty
        GOOD | {"major": "专" * 65},                                  # too long
        GOOD | {"photo_url": "javascript:alert(1)"},                  # not a web link
        GOOD | {"student_id": "2012<01>"},                            # not an ID
        GOOD | {"nickname": "x"},                                     # unknown field
        GOOD | {"graduation_year": 2999},                             # the future (the rule's own)
    ]
    for body in cases:
        answer = live.call("POST", "/me/verification", token, json=body)
        assert _error(answer) == (422, "validation_failed"), (body, answer.text)
        assert answer.json()["error"]["message"]  # Chinese, for the alumnus
    with live.runtime.sessions() as session:
        assert list(session.scalars(select(VerificationRequest))) == []


def test_without_a_token_it_is_401(live, roster):
    assert _error(live.call("POST", "/me/verification", json=GOOD)) == (401, "unauthorized")


def test_the_operation_is_in_the_openapi_document(live):
    document = live.call("GET", "/openapi.json").json()
    operation = document["paths"]["/api/v1/me/verification"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(operation["responses"])
