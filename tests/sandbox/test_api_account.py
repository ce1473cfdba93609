"""Menu, QR codes, followers, tags and mass sends, checked as WeChat checks them."""

import copy
from urllib.parse import quote

import pytest

from menus.loader import load_menu


def test_menu_create_accepts_the_shipped_menu_and_get_answers_it(api):
    assert api.get("cgi-bin/menu/get")["errcode"] == 46003
    assert api.post("cgi-bin/menu/create", load_menu())["errcode"] == 0
    created = api.get("cgi-bin/menu/get")["menu"]
    assert [b["name"] for b in created["button"]] == ["校友", "返校活动", "分会"]
    assert created["button"][2]["sub_button"][1] == {
        "type": "click",
        "name": "使用帮助",
        "key": "HELP",
    }
    state = api.client.get("/sandbox/_/state").get_json()
    assert state["menu_source"] == "menu/create"
    assert api.get("cgi-bin/menu/delete")["errcode"] == 0
    assert api.get("cgi-bin/menu/get")["errcode"] == 46003


def _menu_with(change):
    menu = copy.deepcopy(load_menu())
    change(menu["button"])
    return menu


@pytest.mark.parametrize(
    "change, errcode",
    [
        (lambda b: b.append({"type": "click", "name": "第四", "key": "X"}), 40016),
        (lambda b: b.clear(), 40016),
        (lambda b: b[0].update(name="校友会服务大厅"), 40018),  # 21 bytes > 16
        (
            lambda b: b[1]["sub_button"].extend([{"type": "click", "name": "多", "key": "M"}] * 2),
            40023,
        ),
        (lambda b: b[0]["sub_button"][0].update(type="teleport"), 40024),
        (lambda b: b[0]["sub_button"][0].update(name="名" * 21), 40025),
        (lambda b: b[0]["sub_button"][0].update(key="K" * 129), 40026),
        (lambda b: b[0]["sub_button"][0].update(type="view", url=""), 40027),
        (lambda b: b[2].update(sub_button=[], type="click", key=""), 40019),
    ],
)
def test_menu_create_refuses_what_wechat_refuses(api, change, errcode):
    assert api.post("cgi-bin/menu/create", _menu_with(change))["errcode"] == errcode
    assert api.get("cgi-bin/menu/get")["errcode"] == 46003


def test_qrcode_create_and_showqrcode_draws_a_png(api):
    answer = api.post(
        "cgi-bin/qrcode/create",
        {
            "expire_seconds": 600,
            "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": "checkin:12"}},
        },
    )
    assert answer["expire_seconds"] == 600 and answer["url"].startswith("http://weixin.qq.com/q/")
    image = api.client.get(
        "/sandbox/api/cgi-bin/showqrcode?ticket=" + quote(answer["ticket"], safe="")
    )
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n")
    listed = api.client.get("/sandbox/_/state").get_json()["qrcodes"]
    assert listed[0]["scene"] == "checkin:12"


def test_showqrcode_needs_the_ticket_url_encoded_and_unexpired(api):
    # The ticket is base64 with '+', '/' and '=' like WeChat's: unencoded, '+' arrives as a space.
    tickets = [
        api.post(
            "cgi-bin/qrcode/create",
            {"action_name": "QR_SCENE", "action_info": {"scene": {"scene_id": 7}}},
        )["ticket"]
        for _ in range(12)
    ]
    ticket = next(t for t in tickets if "+" in t)
    assert api.client.get(f"/sandbox/api/cgi-bin/showqrcode?ticket={ticket}").status_code == 404
    assert (
        api.client.get(
            f"/sandbox/api/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"
        ).status_code
        == 200
    )
    api.shift_clock(31)  # a temporary code without expire_seconds lives 30 seconds
    assert (
        api.client.get(
            f"/sandbox/api/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "body, errcode",
    [
        ({"action_name": "QR_SOMETHING", "action_info": {"scene": {"scene_id": 1}}}, 40097),
        ({"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 100001}}}, 40053),
        ({"action_name": "QR_SCENE", "action_info": {"scene": {"scene_id": 0}}}, 40053),
        ({"action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": "x" * 65}}}, 40053),
        ({"action_name": "QR_STR_SCENE"}, 40053),
    ],
)
def test_qrcode_create_refuses_bad_scenes(api, body, errcode):
    assert api.post("cgi-bin/qrcode/create", body)["errcode"] == errcode


def test_user_info_tells_followers_from_those_who_left(api):
    person = api.follower()
    info = api.get("cgi-bin/user/info", openid=person.openid, lang="zh_CN")
    assert info["subscribe"] == 1 and info["unionid"] == person.unionid and info["tagid_list"] == []
    api.sandbox.people.unfollow(person.openid)
    assert api.get("cgi-bin/user/info", openid=person.openid) == {
        "subscribe": 0,
        "openid": person.openid,
        "unionid": person.unionid,
    }
    assert api.get("cgi-bin/user/info", openid="oUnknown")["errcode"] == 40003
    assert api.get("cgi-bin/user/get")["data"]["openid"] == []


def test_tags_create_tag_untag_and_list(api):
    alice, bob = api.follower("甲"), api.follower("乙")
    tag = api.post("cgi-bin/tags/create", {"tag": {"name": "2016届"}})["tag"]
    assert tag["id"] >= 100
    assert api.post("cgi-bin/tags/create", {"tag": {"name": "2016届"}})["errcode"] == 45157
    assert api.post("cgi-bin/tags/create", {"tag": {"name": "长" * 11}})["errcode"] == 45158
    body = {"openid_list": [alice.openid, bob.openid], "tagid": tag["id"]}
    assert api.post("cgi-bin/tags/members/batchtagging", body)["errcode"] == 0
    assert api.post("cgi-bin/tags/getidlist", {"openid": alice.openid}) == {
        "tagid_list": [tag["id"]]
    }
    counts = {t["id"]: t["count"] for t in api.get("cgi-bin/tags/get")["tags"]}
    assert counts[tag["id"]] == 2 and 2 in counts  # 星标组 always exists
    assert (
        api.post(
            "cgi-bin/tags/members/batchuntagging", {"openid_list": [bob.openid], "tagid": tag["id"]}
        )["errcode"]
        == 0
    )
    assert api.post("cgi-bin/user/tag/get", {"tagid": tag["id"]})["data"]["openid"] == [
        alice.openid
    ]
    assert (
        api.post(
            "cgi-bin/tags/members/batchtagging", {"openid_list": [alice.openid], "tagid": 999}
        )["errcode"]
        == 45159
    )
    assert (
        api.post("cgi-bin/tags/members/batchtagging", {"openid_list": ["oX"], "tagid": tag["id"]})[
            "errcode"
        ]
        == 40003
    )
    assert (
        api.post("cgi-bin/tags/members/batchtagging", {"openid_list": [], "tagid": tag["id"]})[
            "errcode"
        ]
        == 40032
    )


def test_mass_send_by_tag_reaches_only_tagged_followers(api):
    alice, bob = api.follower("甲", opened=None), api.follower("乙", opened=None)
    tag = api.post("cgi-bin/tags/create", {"tag": {"name": "北京分会"}})["tag"]
    api.post(
        "cgi-bin/tags/members/batchtagging", {"openid_list": [alice.openid], "tagid": tag["id"]}
    )
    answer = api.post(
        "cgi-bin/message/mass/sendall",
        {
            "filter": {"is_to_all": False, "tag_id": tag["id"]},
            "msgtype": "text",
            "text": {"content": "聚会通知"},
        },
    )
    assert answer["errcode"] == 0 and answer["msg_id"]
    assert [m["content"] for m in api.sandbox.conversation.accepted(alice.openid)] == ["聚会通知"]
    assert api.sandbox.conversation.accepted(bob.openid) == []
    job = api.post("cgi-bin/message/mass/get", {"msg_id": answer["msg_id"]})
    assert job["msg_status"] == "SEND_SUCCESS" and job["sent_count"] == 1


def test_mass_send_to_all_counts_four_a_month_per_follower(api):
    person = api.follower(opened=None)
    body = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "通知"}}
    ids = [api.post("cgi-bin/message/mass/sendall", body)["msg_id"] for _ in range(5)]
    assert len(api.sandbox.conversation.accepted(person.openid)) == 4
    assert api.post("cgi-bin/message/mass/get", {"msg_id": ids[-1]})["filter_count"] == 1


def test_mass_send_to_a_list_needs_two_to_ten_thousand_openids(api):
    alice, bob = api.follower("甲", opened=None), api.follower("乙", opened=None)
    text = {"msgtype": "text", "text": {"content": "校庆"}}
    assert (
        api.post("cgi-bin/message/mass/send", {"touser": [alice.openid], **text})["errcode"]
        == 40130
    )
    assert (
        api.post("cgi-bin/message/mass/send", {"touser": [alice.openid, bob.openid], **text})[
            "errcode"
        ]
        == 0
    )
    assert (
        api.post(
            "cgi-bin/message/mass/send",
            {"touser": [alice.openid, bob.openid], "msgtype": "text", "text": {"content": ""}},
        )["errcode"]
        == 44004
    )
    assert len(api.sandbox.conversation.accepted(bob.openid)) == 1


def test_mass_clientmsgid_repeats_answer_45065_with_the_first_msg_id(api):
    api.follower(opened=None)
    body = {
        "filter": {"is_to_all": True},
        "msgtype": "text",
        "text": {"content": "一次"},
        "clientmsgid": "push-9",
    }
    first = api.post("cgi-bin/message/mass/sendall", body)
    again = api.post("cgi-bin/message/mass/sendall", body)
    assert again["errcode"] == 45065 and again["msg_id"] == first["msg_id"]
