"""Faults on request: latency, busy answers and quota answers, for every worker through Redis."""

import time

import pytest
from wechatpy.exceptions import WeChatClientException


def _set(api, **faults):
    response = api.client.post("/sandbox/api/_faults", json=faults)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_busy_rate_one_answers_minus_one_everywhere(api):
    person = api.follower()
    api.say(person)  # fetch the token while WeChat is well
    _set(api, busy_rate=1)
    assert api.say(person)["errcode"] == -1
    assert api.get("cgi-bin/token", token=False, grant_type="client_credential")["errcode"] == -1
    assert api.get("cgi-bin/user/get", token=False)["errcode"] == -1
    api.client.delete("/sandbox/api/_faults")
    assert api.say(person)["errcode"] == 0


def test_quota_fault_is_45009_until_clear_quota(api):
    person = api.follower()
    _set(api, quota_rate=1.0, paths=["message/custom/send"])
    assert api.say(person)["errcode"] == 45009
    assert "errcode" not in api.get("cgi-bin/user/get")  # other endpoints are not limited
    assert api.post("cgi-bin/clear_quota", {"appid": api.config.wechat.app_id})["errcode"] == 0
    assert api.say(person)["errcode"] == 0


def test_a_fraction_of_calls_fail(api):
    api.get("cgi-bin/user/get")  # fetch the token while WeChat is well
    _set(api, busy_rate=0.5)
    codes = [api.get("cgi-bin/user/get").get("errcode", 0) for _ in range(200)]
    assert set(codes) == {0, -1}
    assert 50 < codes.count(-1) < 150


def test_latency_is_added_to_each_call(api):
    api.get("cgi-bin/tags/get")  # the token first, so only the calls below are timed
    _set(api, latency_ms=800, paths=["cgi-bin/user/get"])
    started = time.monotonic()
    api.get("cgi-bin/user/get")
    assert time.monotonic() - started >= 0.8
    started = time.monotonic()
    api.get("cgi-bin/tags/get")  # not in `paths`: no delay (the bound leaves room for a busy CI)
    assert time.monotonic() - started < 0.8


@pytest.mark.parametrize(
    "faults",
    [{"busy_rate": 2}, {"latency_ms": -1}, {"paths": "all"}, {"quota_rate": True},
     {"reports": "no"}, {"report_delay_ms": -1}, {"template_report": "failed"}],
)
def test_bad_fault_settings_are_refused(api, faults):
    response = api.client.post("/sandbox/api/_faults", json=faults)
    assert response.status_code == 400
    settings = api.client.get("/sandbox/api/_faults").get_json()
    assert (settings["busy_rate"], settings["reports"], settings["template_report"]) == (
        0, True, "success")


def test_the_apps_client_sees_the_fault_as_wechat_would_answer_it(live_server):
    person = live_server.sandbox.people.add("故障")
    live_server.sandbox.people.follow(person.openid)
    live_server.sandbox.allowance.open(person.openid, "message")
    live_server.sandbox.faults.set({"quota_rate": 1, "paths": ["message/custom/send"]})
    with pytest.raises(WeChatClientException) as raised:
        live_server.runtime.wechat.message.send_text(person.openid, "配额用完了")
    assert raised.value.errcode == 45009
