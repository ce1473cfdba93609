"""A signed URL is only good for a few minutes: the signature covers token, timestamp and nonce,
not a plain body, so a leaked URL must not let anyone post as anyone later (PROTOCOL.md 1)."""

import time

import pytest
from sqlalchemy import func, select

from models import WechatUser
from tests.wechat import reply_content, signed_query, text_xml


def _post_signed_at(client, token: str, seconds_from_now: int, openid: str):
    query = signed_query(token, timestamp=str(int(time.time()) + seconds_from_now))
    return client.post("/wechat", query_string=query, data=text_xml(openid, "帮助"), content_type="text/xml")


def _users(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(WechatUser))


@pytest.mark.parametrize("age", [400, 3600, 86_400 * 365])
def test_a_signed_message_replayed_after_five_minutes_is_refused_and_changes_nothing(client, config, runtime,
                                                                                       age):
    response = _post_signed_at(client, config.wechat.token, -age, "o-replayer")
    assert response.status_code == 403
    assert "可用指令" not in response.get_data(as_text=True)
    assert _users(runtime) == 0


def test_a_timestamp_more_than_five_minutes_ahead_is_refused(client, config):
    assert _post_signed_at(client, config.wechat.token, 400, "o-future").status_code == 403


@pytest.mark.parametrize("skew", [-280, 0, 280])
def test_a_message_signed_within_five_minutes_either_way_is_answered(client, config, skew):
    response = _post_signed_at(client, config.wechat.token, skew, f"o-skew{skew}")
    assert response.status_code == 200
    assert "可用指令" in reply_content(response.get_data(as_text=True))


def test_the_window_is_the_configured_timestamp_tolerance(make_app, config):
    client = make_app(wechat={"timestamp_tolerance_seconds": 60}).test_client()
    assert _post_signed_at(client, config.wechat.token, -90, "o-late").status_code == 403
    assert _post_signed_at(client, config.wechat.token, 90, "o-early").status_code == 403
    assert _post_signed_at(client, config.wechat.token, -40, "o-in-time").status_code == 200


def test_a_stale_verification_request_is_refused_and_a_fresh_one_echoed(client, config):
    stale = signed_query(config.wechat.token, timestamp=str(int(time.time()) - 600))
    assert client.get("/wechat", query_string={**stale, "echostr": "e1"}).status_code == 403
    response = client.get("/wechat", query_string={**signed_query(config.wechat.token), "echostr": "e2"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "e2"
