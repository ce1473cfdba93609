"""Mini-program login over real HTTP: a sandbox wx.login() code, jscode2session, a bearer token."""

from __future__ import annotations

from sqlalchemy import select

from models import StaffAlert, WechatUser


def users(live) -> list[WechatUser]:
    with live.runtime.sessions() as session:
        return list(session.scalars(select(WechatUser).order_by(WechatUser.id)))


def test_login_exchanges_a_code_for_a_token_that_opens_me(live):
    person = live.person()
    answer = live.call("POST", "/auth/login", json={"code": live.code(person)})
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"token", "token_type", "expires_in", "bound"}
    assert body["token_type"] == "Bearer" and body["expires_in"] > 3600 and body["bound"] is False
    me = live.call("GET", "/me", body["token"])
    assert me.status_code == 200 and me.json()["bound"] is False
    [user] = users(live)
    assert user.miniprogram_openid == person.mp_openid and user.unionid == person.unionid


def test_the_session_key_stays_on_the_server(live):
    person = live.person()
    answer = live.call("POST", "/auth/login", json={"code": live.code(person)})
    assert "session_key" not in answer.text
    [user] = users(live)
    from wechat_bot.api.tokens import TokenService

    service = TokenService(live.runtime.config.app.secret_key, live.runtime.store, live.runtime.keys)
    assert len(service.session_key(user.id)) == 24  # kept in Redis, for later wx data decryption


def test_a_code_works_once(live):
    person = live.person()
    code = live.code(person)
    assert live.call("POST", "/auth/login", json={"code": code}).status_code == 200
    again = live.call("POST", "/auth/login", json={"code": code})
    assert again.status_code == 401 and again.json()["error"]["code"] == "code_used"


def test_an_unknown_code_is_401_with_a_chinese_message(live):
    answer = live.call("POST", "/auth/login", json={"code": "0" * 32})
    assert answer.status_code == 401
    assert answer.json()["error"] == {"code": "invalid_code", "message": "登录凭证无效或已过期，请重新登录。"}


def test_login_links_to_the_follower_with_the_same_unionid(live):
    person = live.person()
    with live.runtime.sessions.begin() as session:
        from datetime import UTC, datetime

        session.add(WechatUser(openid=person.openid, unionid=person.unionid, subscribed=True,
                               created_at=datetime.now(UTC)))
    live.login(person)
    [user] = users(live)
    assert (user.openid, user.miniprogram_openid) == (person.openid, person.mp_openid)


def test_a_unionid_arriving_later_is_recorded_on_the_mini_program_user(live):
    person = live.person()
    with live.runtime.sessions.begin() as session:
        from datetime import UTC, datetime

        session.add(WechatUser(miniprogram_openid=person.mp_openid, created_at=datetime.now(UTC)))
    live.login(person)
    [user] = users(live)
    assert user.unionid == person.unionid and user.openid is None


def _two_rows(live, person):
    from datetime import UTC, datetime

    with live.runtime.sessions.begin() as session:
        follower = WechatUser(openid=person.openid, unionid=person.unionid, subscribed=True,
                              created_at=datetime.now(UTC))
        mini = WechatUser(miniprogram_openid=person.mp_openid, created_at=datetime.now(UTC))
        session.add_all([follower, mini])
        session.flush()
        return follower.id, mini.id


def test_two_rows_for_one_person_are_merged_into_the_follower_at_login(live, roster):
    from models import Alumnus

    person = live.person()
    follower_id, _ = _two_rows(live, person)
    with live.runtime.sessions.begin() as session:
        session.get(Alumnus, roster["zhangwei"]).wechat_user_id = follower_id
    for _ in range(2):
        token = live.login(person)
        me = live.call("GET", "/me", token).json()
        assert me["bound"] is True and me["name"] == "张伟"
    [user] = users(live)
    assert (user.id, user.openid, user.miniprogram_openid) == (follower_id, person.openid,
                                                              person.mp_openid)


def test_two_rows_bound_to_different_people_are_not_merged_and_staff_are_alerted(live, roster):
    from models import Alumnus

    person = live.person()
    follower_id, mini_id = _two_rows(live, person)
    with live.runtime.sessions.begin() as session:
        session.get(Alumnus, roster["zhangwei"]).wechat_user_id = follower_id
        session.get(Alumnus, roster["lina"]).wechat_user_id = mini_id
    for _ in range(2):
        token = live.login(person)
        assert live.call("GET", "/me", token).json()["name"] == "李娜"  # the mini-program's own
    assert len(users(live)) == 2
    with live.runtime.sessions() as session:
        alerts = list(session.scalars(select(StaffAlert).where(StaffAlert.kind == "wechat_user_duplicate")))
    assert len(alerts) == 1 and f"#{follower_id}" in alerts[0].message and "未自动合并" in alerts[0].message


def test_repeated_logins_make_one_user(live):
    person = live.person()
    for _ in range(3):
        live.login(person)
    assert len(users(live)) == 1


def test_logout_revokes_that_token_only(live):
    person = live.person()
    first, second = live.login(person), live.login(person)
    assert live.call("POST", "/auth/logout", first).status_code == 200
    refused = live.call("GET", "/me", first)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"
    assert live.call("GET", "/me", second).status_code == 200


def test_tokens_expire(live, monkeypatch):
    person = live.person()
    token = live.login(person)
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 25 * 3600)
    assert live.call("GET", "/me", token).status_code == 401


def test_a_forged_or_altered_token_is_401(live):
    token = live.login(live.person())
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x", "a.b.c", token + "."):
        answer = live.call("GET", "/me", bad)
        assert answer.status_code == 401, bad
        assert set(answer.json()["error"]) == {"code", "message"}


def test_without_a_token_every_private_operation_is_401(live):
    for method, path in (("GET", "/me"), ("PATCH", "/me"), ("POST", "/me/binding"),
                         ("DELETE", "/me/binding"), ("GET", "/alumni?q=zw"), ("POST", "/auth/logout")):
        answer = live.call(method, path, json={})
        assert answer.status_code == 401, (method, path)
        assert answer.json()["error"]["code"] == "unauthorized"


def test_wechat_unreachable_is_503_not_500(config):
    from wechat_bot import create_app

    app = create_app(config.replace(wechat={"api_base_url": "http://127.0.0.1:9"}))
    try:
        answer = app.test_client().post("/api/v1/auth/login", json={"code": "abc"})
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "wechat_unavailable"
    finally:
        app.extensions["alumni_bot"].close()
