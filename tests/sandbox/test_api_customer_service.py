"""Customer-service sends: who may receive them, the 48-hour and 1-minute allowances, payloads."""

import pytest


def _text(openid, content="你好"):
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


def test_unknown_openid_is_40003_and_an_unfollowed_user_43004(api):
    assert (
        api.post("cgi-bin/message/custom/send", _text("oNobodyTheSandboxKnows0000000"))["errcode"]
        == 40003
    )
    person = api.sandbox.people.add("未关注")
    assert api.post("cgi-bin/message/custom/send", _text(person.openid))["errcode"] == 43004


def test_a_follower_who_never_interacted_is_outside_the_window(api):
    person = api.follower(opened=None)
    assert api.say(person)["errcode"] == 45015


def test_a_user_message_allows_five_sends_within_48_hours(api):
    person = api.follower(opened="message")
    assert [api.say(person, f"第{i}条")["errcode"] for i in range(6)] == [0, 0, 0, 0, 0, 45047]
    api.sandbox.allowance.open(person.openid, "message")  # the user writes again: five more
    assert api.say(person)["errcode"] == 0


def test_the_48_hour_window_closes(api):
    person = api.follower(opened="message")
    api.shift_clock(48 * 3600 - 10)
    assert api.say(person)["errcode"] == 0
    api.shift_clock(11)
    assert api.say(person)["errcode"] == 45015


def test_a_click_subscribe_or_scan_allows_three_sends_within_a_minute(api):
    person = api.follower(opened="event")
    assert [api.say(person)["errcode"] for _ in range(4)] == [0, 0, 0, 45047]
    api.sandbox.allowance.open(person.openid, "event")
    api.shift_clock(61)
    assert api.say(person)["errcode"] == 45015


def test_the_minute_window_is_spent_before_the_48_hour_one(api):
    person = api.follower(opened="message")
    api.sandbox.allowance.open(person.openid, "event")
    assert [api.say(person)["errcode"] for _ in range(9)] == [0] * 8 + [45047]


def test_every_accepted_message_is_stored_with_its_time(api):
    person = api.follower()
    api.say(person, "活动明天开始")
    api.post(
        "cgi-bin/message/custom/send",
        {
            "touser": person.openid,
            "msgtype": "news",
            "news": {
                "articles": [
                    {
                        "title": "返校日",
                        "description": "欢迎回家",
                        "url": "https://example.org/a",
                        "picurl": "https://example.org/a.jpg",
                    }
                ]
            },
        },
    )
    stored = api.client.get(f"/sandbox/api/_messages?openid={person.openid}").get_json()["messages"]
    assert [(m["channel"], m["msgtype"]) for m in stored] == [
        ("custom", "text"),
        ("custom", "news"),
    ]
    assert stored[0]["content"] == "活动明天开始" and stored[0]["at"] > 0
    assert stored[1]["articles"][0]["title"] == "返校日"
    assert stored == api.sandbox.conversation.accepted(person.openid)


@pytest.mark.parametrize(
    "body, errcode",
    [
        ({"msgtype": "news", "news": {"articles": [{"title": "一"}, {"title": "二"}]}}, 45008),
        ({"msgtype": "news", "news": {"articles": []}}, 44003),
        ({"msgtype": "text", "text": {"content": "  "}}, 44004),
        ({"msgtype": "text"}, 44002),
        ({"msgtype": "sticker", "sticker": {}}, 40008),
        ({"msgtype": "image", "image": {}}, 40007),
    ],
)
def test_bad_payloads_get_wechats_errcodes_and_spend_nothing(api, body, errcode):
    person = api.follower(opened="event")
    assert (
        api.post("cgi-bin/message/custom/send", {"touser": person.openid, **body})["errcode"]
        == errcode
    )
    assert [api.say(person)["errcode"] for _ in range(3)] == [0, 0, 0]


def test_empty_or_malformed_bodies(api):
    assert api.post("cgi-bin/message/custom/send", raw=b"")["errcode"] == 44002
    assert api.post("cgi-bin/message/custom/send", raw=b"{not json")["errcode"] == 47001
    assert api.post("cgi-bin/message/custom/send", raw=b"[1, 2]")["errcode"] == 47001


def test_a_user_who_unsubscribed_gets_43004_even_inside_the_window(api):
    person = api.follower(opened="message")
    api.sandbox.people.unfollow(person.openid)
    assert api.say(person)["errcode"] == 43004
