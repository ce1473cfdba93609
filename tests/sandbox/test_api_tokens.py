"""Access tokens: credentials checked, tokens replaced as WeChat does it, every call checked."""

import pytest


def test_token_needs_the_right_grant_type_app_id_and_secret(api):
    wechat = api.config.wechat

    def fetch(**q):
        return api.get("cgi-bin/token", token=False, **q)

    assert (
        fetch(grant_type="password", appid=wechat.app_id, secret=wechat.app_secret)["errcode"]
        == 40002
    )
    assert (
        fetch(grant_type="client_credential", appid="wxnotours", secret=wechat.app_secret)[
            "errcode"
        ]
        == 40013
    )
    assert (
        fetch(grant_type="client_credential", appid=wechat.app_id, secret="wrong")["errcode"]
        == 40125
    )
    answer = fetch(grant_type="client_credential", appid=wechat.app_id, secret=wechat.app_secret)
    assert answer["expires_in"] == 7200 and len(answer["access_token"]) > 60


def test_stable_token_checks_credentials_too(api):
    wechat = api.config.wechat
    body = {"grant_type": "client_credential", "appid": wechat.app_id, "secret": "wrong"}
    assert api.post("cgi-bin/stable_token", body, token=False)["errcode"] == 40125
    assert (
        api.post("cgi-bin/stable_token", {**body, "appid": "wxother"}, token=False)["errcode"]
        == 40013
    )


def test_a_new_token_retires_the_old_one_after_five_minutes(api):
    old, new = api.token(), api.token()
    assert old != new
    assert api.get("cgi-bin/menu/delete", token=old)["errcode"] == 0  # still works for a while
    api.shift_clock(301)
    assert api.get("cgi-bin/menu/delete", token=old)["errcode"] == 42001
    assert api.get("cgi-bin/menu/delete", token=new)["errcode"] == 0


def test_stable_token_is_the_same_until_near_expiry_and_force_refresh_kills_it(api):
    wechat = api.config.wechat
    body = {"grant_type": "client_credential", "appid": wechat.app_id, "secret": wechat.app_secret}
    first = api.post("cgi-bin/stable_token", body, token=False)
    again = api.post("cgi-bin/stable_token", body, token=False)
    assert first["access_token"] == again["access_token"]
    assert again["expires_in"] <= first["expires_in"]
    api.token()  # cgi-bin/token does not disturb the stable token
    assert api.get("cgi-bin/menu/delete", token=first["access_token"])["errcode"] == 0
    api.shift_clock(7200 - 299)  # within five minutes of expiry: a new one, the old lives on
    renewed = api.post("cgi-bin/stable_token", body, token=False)
    assert renewed["access_token"] != first["access_token"]
    assert api.get("cgi-bin/menu/delete", token=first["access_token"])["errcode"] == 0
    forced = api.post("cgi-bin/stable_token", {**body, "force_refresh": True}, token=False)
    assert forced["access_token"] != renewed["access_token"]
    assert api.get("cgi-bin/menu/delete", token=renewed["access_token"])["errcode"] == 42001


@pytest.mark.parametrize("token, errcode", [(False, 40014), ("not-a-token", 40014)])
def test_calls_without_a_known_token_are_refused(api, token, errcode):
    assert api.get("cgi-bin/menu/get", token=token)["errcode"] == errcode
    body = {"touser": "o", "msgtype": "text", "text": {"content": "x"}}
    assert api.post("cgi-bin/message/custom/send", body, token=token)["errcode"] == errcode


def test_an_expired_token_is_42001(api):
    token = api.token()
    api.shift_clock(7201)
    assert api.get("cgi-bin/user/get", token=token)["errcode"] == 42001


def test_a_mini_program_token_does_not_open_official_account_apis(api):
    assert api.get("cgi-bin/user/get", token=api.mp_token())["errcode"] == 48001
    assert (
        api.post("cgi-bin/message/subscribe/send", {"touser": "o"}, token=api.token())["errcode"]
        == 48001
    )


def test_the_apps_own_client_fetches_its_token_through_the_sandbox(live_server):
    # The wechatpy client posts to {api_base_url}/cgi-bin/stable_token, then calls with that token.
    client = live_server.runtime.wechat
    assert client.user.get_followers()["total"] == 0
    token = client.access_token
    assert live_server.sandbox.tokens.app_of(token) == live_server.runtime.config.wechat.app_id


def test_the_clock_control_moves_the_sandboxs_time_and_resets_it(api):
    token = api.token()
    moved = api.client.post("/sandbox/api/_clock", json={"shift_seconds": 7201})
    assert moved.status_code == 200
    assert api.get("cgi-bin/user/get", token=token)["errcode"] == 42001
    assert api.client.post("/sandbox/api/_clock", json={"shift_seconds": "x"}).status_code == 400
    api.client.delete("/sandbox/api/_clock")
    assert "errcode" not in api.get("cgi-bin/user/get", token=token)
