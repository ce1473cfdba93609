"""Mini-program login: a code from the stand-in page is good once, for five minutes."""


def _code(api, person):
    response = api.client.post("/sandbox/_/miniprogram/code", json={"openid": person.openid})
    assert response.status_code == 200
    return response.get_json()["code"]


def _exchange(api, code, **overrides):
    mp = api.config.miniprogram
    params = {
        "appid": mp.app_id,
        "secret": mp.app_secret,
        "js_code": code,
        "grant_type": "authorization_code",
        **overrides,
    }
    return api.get("sns/jscode2session", token=False, **params)


def test_a_code_answers_openid_session_key_and_the_shared_unionid(api):
    person = api.follower()
    answer = _exchange(api, _code(api, person))
    assert answer["openid"] == person.mp_openid != person.openid
    assert answer["unionid"] == person.unionid
    assert answer["unionid"] == api.get("cgi-bin/user/info", openid=person.openid)["unionid"]
    assert len(answer["session_key"]) == 24


def test_a_code_is_single_use(api):
    code = _code(api, api.follower())
    assert "openid" in _exchange(api, code)
    assert _exchange(api, code)["errcode"] == 40163


def test_unknown_and_expired_codes_are_40029(api):
    assert _exchange(api, "0" * 32)["errcode"] == 40029
    code = _code(api, api.follower())
    api.shift_clock(301)
    assert _exchange(api, code)["errcode"] == 40029


def test_jscode2session_takes_only_the_mini_programs_credentials(api):
    code = _code(api, api.follower())
    assert (
        _exchange(api, code, appid=api.config.wechat.app_id, secret=api.config.wechat.app_secret)[
            "errcode"
        ]
        == 40013
    )
    assert _exchange(api, code, secret="wrong")["errcode"] == 40125
    assert _exchange(api, code, grant_type="client_credential")["errcode"] == 40002
    assert "openid" in _exchange(api, code)  # the refused attempts did not spend the code


def test_the_apps_client_exchanges_a_code_over_http(live_server):
    sandbox = live_server.sandbox
    person = sandbox.people.all()[0]
    mp = live_server.runtime.config.miniprogram
    answer = live_server.runtime.wechat.code_to_session(
        mp.app_id, mp.app_secret, sandbox.logins.issue(person)
    )
    assert answer["openid"] == person.mp_openid and answer["unionid"] == person.unionid
