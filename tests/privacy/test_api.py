"""GET /api/v1/me/export and DELETE /api/v1/me over real HTTP (the sandbox stands in for WeChat):
the export is the person's own, the deletion unbinds and erases, every token of the account stops
working, and logging in again is a new, unbound user who may bind once more."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api import LiveApi, seed_roster


@pytest.fixture
def live(config) -> Iterator[LiveApi]:
    server = LiveApi(config)
    yield server
    server.close()


def test_export_is_mine_and_documented(live):
    seed_roster(live.runtime)
    person = live.person()
    token = live.bound_token(person, "张伟", "2012010101")
    assert live.call("GET", "/alumni", token, params={"q": "王芳"}).status_code == 200
    answer = live.call("GET", "/me/export", token)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["wechat_user"]["miniprogram_openid"]
    assert [r["student_id"] for r in data["records"]] == ["2012010101"]
    assert data["records"][0]["phone"] == "13812345678"   # my own, in full
    assert any(s["query"] == "王芳" for s in data["searches"])
    assert "zhangwei@example.com" in answer.text and "2012010102" not in answer.text  # 王芳 searched, not exported
    doc = live.call("GET", "/openapi.json").json()
    assert "get" in doc["paths"]["/api/v1/me/export"] and "delete" in doc["paths"]["/api/v1/me"]


def test_delete_me_erases_revokes_every_token_and_a_new_login_is_a_new_user(live):
    seed_roster(live.runtime)
    person = live.person()
    token = live.bound_token(person, "张伟", "2012010101")
    other_device = live.login(person)
    answer = live.call("DELETE", "/me", token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["records_unbound"] == 1
    for used in (token, other_device):
        assert live.call("GET", "/me", used).status_code == 401
    fresh = live.login(person)
    me = live.call("GET", "/me", fresh).json()
    assert me["bound"] is False and me["records"] == []
    again = live.call("POST", "/me/binding", fresh, json={"name": "张伟", "student_id": "2012010101"})
    assert again.status_code == 200 and again.json()["bound"] is True


def test_after_erasing_in_the_bot_an_old_token_is_told_to_log_in_again(live):
    """注销 in the chat cannot reach the mini-program's tokens, but the account they name is
    gone: every API call, the search included, answers 401 (log in again), never 403 not_bound."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from handlers.privacy.erase import erase_account
    from models import WechatUser

    seed_roster(live.runtime)
    token = live.bound_token(live.person(), "张伟", "2012010101")
    assert live.call("GET", "/alumni", token, params={"q": "王芳"}).status_code == 200
    with live.runtime.sessions.begin() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.miniprogram_openid.is_not(None))).one()
        erase_account(session, user, now=datetime.now(UTC), settings=live.runtime.config.features,
                      store=live.runtime.store, notify=None, channel="bot")
    for path, params in (("/alumni", {"q": "王芳"}), ("/me", None)):
        assert live.call("GET", path, token, params=params).status_code == 401, path
