import pytest
from sqlalchemy import func, select

from models import WechatUser
from tests.wechat import now, post, signed_query, text_xml
from wechat_bot.webhook.crypto import signature


def test_the_signature_is_computed_as_in_the_official_sample():
    assert signature("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"


def test_verification_echoes_echostr_when_signed_as_the_console_signs(make_app):
    client = make_app(wechat={"token": "test"}).test_client()
    response = client.get("/wechat", query_string={**signed_query("test", nonce="test"), "echostr": "hello-wechat"})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello-wechat"


def test_verification_signed_long_ago_is_refused(make_app):
    """The official sample is correctly signed, in 2014: a captured verification URL stays dead."""
    client = make_app(wechat={"token": "test"}).test_client()
    response = client.get("/wechat", query_string={
        "signature": "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "timestamp": "1410685589",
        "nonce": "test", "echostr": "hello-wechat"})
    assert response.status_code == 403
    assert "hello-wechat" not in response.get_data(as_text=True)


def test_verification_with_a_forged_signature_is_refused(client):
    response = client.get("/wechat", query_string={
        "signature": "0" * 40, "timestamp": "1410685589", "nonce": "test", "echostr": "x"})
    assert response.status_code == 403
    assert "x" not in response.get_data(as_text=True)


def test_verification_without_a_signature_is_refused(client):
    assert client.get("/wechat", query_string={"echostr": "x"}).status_code == 403


def test_message_with_a_forged_signature_is_refused_and_changes_nothing(client, config, runtime):
    query = {**signed_query(config.wechat.token), "signature": "f" * 40}
    response = client.post("/wechat", query_string=query, data=text_xml("o-forger", "帮助"))
    assert response.status_code == 403
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WechatUser)) == 0


def test_message_without_a_signature_is_refused(client):
    assert client.post("/wechat", data=text_xml("o-anon", "帮助")).status_code == 403


def test_message_signed_with_another_token_is_refused(client):
    assert post(client, "someone-elses-token", text_xml("o-x", "帮助")).status_code == 403


def test_correctly_signed_message_is_answered(client, config):
    response = post(client, config.wechat.token, text_xml("o-alumnus", "帮助"))
    assert response.status_code == 200
    assert "可用指令" in response.get_data(as_text=True)


@pytest.mark.parametrize("forged", ["签名" * 20, "ｆ" * 40, "é"])
def test_a_non_ascii_signature_is_refused_not_a_server_error(client, config, forged):
    query = {**signed_query(config.wechat.token), "signature": forged}
    assert client.post("/wechat", query_string=query, data=text_xml("o-odd", "帮助")).status_code == 403
    assert client.get("/wechat", query_string={**query, "echostr": "x"}).status_code == 403


def _resigned(token: str, timestamp: str, nonce: str = "n0nce") -> dict:
    return {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "openid": "o"}


@pytest.mark.parametrize("timestamp", [
    "", "soon", "1.7e9", "-1", " " + "1" * 10, "１７００００００００", "٣" * 10, "9" * 5000,
    "99999999999999999999",
], ids=["empty", "word", "float", "negative", "space", "fullwidth", "arabic-digits", "5000-digits",
        "far-future"])
def test_an_odd_timestamp_is_refused_even_when_correctly_signed(client, config, runtime, timestamp):
    query = _resigned(config.wechat.token, timestamp)
    response = client.post("/wechat", query_string=query, data=text_xml("o-odd-time", "帮助"))
    assert response.status_code == 403
    assert client.get("/wechat", query_string={**query, "echostr": "x"}).status_code == 403
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WechatUser)) == 0


def test_a_message_without_a_timestamp_is_refused(client, config):
    query = _resigned(config.wechat.token, "")
    del query["timestamp"]
    assert client.post("/wechat", query_string=query, data=text_xml("o-x", "帮助")).status_code == 403


def test_huge_or_repeated_query_values_are_refused_not_a_server_error(client, config):
    huge = "n" * 100_000
    query = _resigned(config.wechat.token, now(), nonce=huge)
    response = client.post("/wechat", query_string={**query, "signature": "a" * 100_000},
                           data=text_xml("o-x", "帮助"))
    assert response.status_code == 403
    repeated = "&".join(f"timestamp={now()}" for _ in range(50)) + "&signature=" + "é" * 10
    assert client.post(f"/wechat?{repeated}", data=text_xml("o-x", "帮助")).status_code == 403
