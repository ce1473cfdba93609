"""GET/PATCH /me and the binding, through the bot's services: same lockout, same conflict rule."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import select

from models import Alumnus, BindingEvent
from tests.api import API


def bind(live, token, name="张伟", student_id="2012010101"):
    return live.call("POST", "/me/binding", token, json={"name": name, "student_id": student_id})


def test_binding_makes_me_show_the_records_with_my_phone_masked(live, roster):
    token = live.login(live.person())
    answer = bind(live, token)
    assert answer.status_code == 200
    me = live.call("GET", "/me", token).json()
    assert me["bound"] is True and me["name"] == "张伟"
    assert [r["student_id"] for r in me["records"]] == ["2012010101"]
    assert me["phone"] == "138****5678" and "13812345678" not in live.call("GET", "/me", token).text
    assert "zhangwei@example.com" not in live.call("GET", "/me", token).text
    assert (me["city"], me["employer"], me["privacy"]) == ("上海", "甲公司", "classmates")
    login_again = live.call("POST", "/auth/login", json={"code": live.code(live.person("x"))})
    assert login_again.json()["bound"] is False


def test_login_says_bound_once_bound(live, roster):
    person = live.person()
    bind(live, live.login(person))
    answer = live.call("POST", "/auth/login", json={"code": live.code(person)})
    assert answer.json()["bound"] is True


def test_a_failed_match_says_the_same_whatever_was_wrong(live, roster):
    token = live.login(live.person())
    wrong_name = bind(live, token, name="李四")
    wrong_id = bind(live, token, student_id="2099999999")
    assert wrong_name.status_code == wrong_id.status_code == 422
    assert wrong_name.json()["error"]["code"] == wrong_id.json()["error"]["code"] == "no_match"
    assert wrong_name.json()["error"]["message"].split("（")[0] == \
        wrong_id.json()["error"]["message"].split("（")[0]
    with live.runtime.sessions() as session:
        kinds = list(session.scalars(select(BindingEvent.kind).where(BindingEvent.channel == "api")))
    assert kinds == ["failed", "failed"]  # committed, though the answer was a refusal


def test_five_failures_lock_binding_with_429_and_retry_after(live, roster):
    token = live.login(live.person())
    statuses = [bind(live, token, student_id=f"20999999{i:02}").status_code for i in range(5)]
    assert statuses == [422, 422, 422, 422, 429]
    locked = bind(live, token)  # even the right answer now waits
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "binding_locked"
    assert int(locked.headers["Retry-After"]) > 3000


def test_the_lockout_is_shared_with_the_bot(live, roster):
    from handlers.directory.binding import binding_lockout

    token = live.login(live.person())
    me_id = _user_id(live, token)
    lockout = binding_lockout(live.runtime.store, live.runtime.config.directory)
    from datetime import UTC, datetime

    for _ in range(5):  # as five wrong 绑定 in the chat do
        lockout.attempt(str(me_id), datetime.now(UTC))
        lockout.failed(str(me_id), datetime.now(UTC))
    assert bind(live, token).status_code == 429


def _guess_at_once(live, token, student_ids) -> list:
    """POST /me/binding once per student ID, each from its own thread and connection, released
    together once every connection is open (so the server handles them side by side)."""
    start = threading.Barrier(len(student_ids))
    headers = {"Authorization": f"Bearer {token}"}

    def guess(student_id):
        with requests.Session() as http:
            http.get(f"{live.url}{API}/me", headers=headers, timeout=30).raise_for_status()
            start.wait()
            return http.post(f"{live.url}{API}/me/binding", headers=headers,
                             json={"name": "张伟", "student_id": student_id}, timeout=30)

    with ThreadPoolExecutor(max_workers=len(student_ids)) as pool:
        return list(pool.map(guess, student_ids))


def _failed_attempts(live) -> int:
    with live.runtime.sessions() as session:
        return len(session.scalars(select(BindingEvent).where(BindingEvent.kind == "failed")).all())


def test_fifty_concurrent_wrong_guesses_reach_the_roster_five_times_then_lock(live, roster):
    token = live.login(live.person())
    answers = _guess_at_once(live, token, [f"20999999{i:02}" for i in range(50)])
    codes = [a.json()["error"]["code"] for a in answers]
    assert codes.count("no_match") <= 4 and set(codes) <= {"no_match", "binding_locked"}
    assert _failed_attempts(live) == 5  # one audit row per roster check: only five were made
    locked = bind(live, token)  # the right answer, too, waits for the hour
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 3000
    assert live.call("GET", "/me", token).json()["bound"] is False


def test_a_right_answer_among_concurrent_wrong_ones_within_the_allowance_binds(live, roster):
    token = live.login(live.person())
    answers = _guess_at_once(live, token, ["2099999901", "2099999902", "2099999903", "2012010101"])
    assert sorted(a.status_code for a in answers) == [200, 422, 422, 422]
    assert live.call("GET", "/me", token).json()["bound"] is True


def _user_id(live, token) -> int:
    from wechat_bot.api.tokens import TokenService

    rt = live.runtime
    return TokenService(rt.config.app.secret_key, rt.store, rt.keys).verify(token).user_id


def test_a_record_bound_to_someone_else_is_409(live, roster):
    bind(live, live.login(live.person("甲")))
    answer = bind(live, live.login(live.person("乙")))
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "record_taken"


def test_binding_twice_is_fine(live, roster):
    token = live.login(live.person())
    assert bind(live, token).status_code == 200
    assert bind(live, token).status_code == 200


def test_binding_input_is_validated(live, roster):
    token = live.login(live.person())
    for body in ({}, {"name": "张伟"}, {"name": "", "student_id": "1"}, {"name": "张伟", "student_id": "20;--"},
                 {"name": "张伟", "student_id": "1" * 33}, {"name": "张\x00伟", "student_id": "1"},
                 {"name": "张伟", "student_id": "1", "extra": 1}, {"name": 5, "student_id": "1"}):
        answer = live.call("POST", "/me/binding", token, json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["code"] == "validation_failed"
    broken = live.call("POST", "/me/binding", token, data="{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"


def test_patch_me_changes_privacy_and_profile(live, roster):
    token = live.login(live.person())
    bind(live, token)
    answer = live.call("PATCH", "/me", token, json={"privacy": "public", "city": " 深圳 ", "industry": "教育"})
    assert answer.status_code == 200
    me = answer.json()
    assert (me["privacy"], me["city"], me["industry"], me["employer"]) == ("public", "深圳", "教育", "甲公司")
    cleared = live.call("PATCH", "/me", token, json={"city": None}).json()
    assert cleared["city"] == "上海"  # back to the roster's
    with live.runtime.sessions() as session:
        record = session.get(Alumnus, roster["zhangwei"])
        assert (record.privacy, record.profile_city, record.city) == ("public", None, "上海")


def test_patch_me_is_validated(live, roster):
    token = live.login(live.person())
    bind(live, token)
    for body in ({"privacy": "everyone"}, {"city": "长" * 65}, {"employer": 3}, {"nickname": "x"}):
        answer = live.call("PATCH", "/me", token, json=body)
        assert answer.status_code == 422, body


def test_patch_me_needs_a_binding(live, roster):
    token = live.login(live.person())
    for body in ({"privacy": "hidden"}, {"city": "深圳"}, {}):
        answer = live.call("PATCH", "/me", token, json=body)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_bound"


def test_unbinding_keeps_this_token_and_revokes_the_others(live, roster):
    person = live.person()
    token = live.login(person)
    other_device = live.login(person)
    bind(live, token)
    answer = live.call("DELETE", "/me/binding", token)
    assert answer.status_code == 200 and answer.json()["bound"] is False
    assert live.call("GET", "/me", token).json()["bound"] is False
    assert live.call("GET", "/me", other_device).status_code == 401
    with live.runtime.sessions() as session:
        assert session.get(Alumnus, roster["zhangwei"]).wechat_user_id is None
    again = live.call("DELETE", "/me/binding", token)
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_bound"
