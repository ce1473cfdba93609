"""Template and subscribe messages: known ids, typed data, idempotent client_msg_id, consents."""

EVENT_REMINDER = "alumni-sandbox-tpl-event-reminder"
SUB_REMINDER = "alumni-sandbox-sub-event-reminder"


def _data(name="校友返校日", when="2026-06-06 09:00", where="大礼堂"):
    return {"thing1": {"value": name}, "time2": {"value": when}, "thing3": {"value": where}}


def _template(openid, **extra):
    return {"touser": openid, "template_id": EVENT_REMINDER, "data": _data(), **extra}


def test_template_send_answers_a_msgid_and_stores_the_card(api):
    person = api.follower(opened=None)  # template messages need no customer-service window
    answer = api.post(
        "cgi-bin/message/template/send", _template(person.openid, url="https://example.org/e/1")
    )
    assert answer["errcode"] == 0 and isinstance(answer["msgid"], int)
    [card] = api.sandbox.conversation.accepted(person.openid)
    assert card["channel"] == "template" and card["title"] == "活动开始提醒"
    assert card["rows"][0] == ["活动名称", "校友返校日"] and card["msgid"] == answer["msgid"]


def test_unknown_template_id_is_40037(api):
    person = api.follower()
    answer = api.post("cgi-bin/message/template/send", _template(person.openid, template_id="nope"))
    assert answer["errcode"] == 40037
    # a subscribe-message template is not a template-message template either
    answer = api.post(
        "cgi-bin/message/template/send", _template(person.openid, template_id=SUB_REMINDER)
    )
    assert answer["errcode"] == 40037


def test_data_wechat_would_refuse_is_47003(api):
    person = api.follower()
    for data in (
        _data(name="一" * 21),
        _data(when="明天上午"),
        {"thing1": {"value": "返校"}},
        {**_data(), "thing3": "大礼堂"},
        "not an object",
    ):
        answer = api.post(
            "cgi-bin/message/template/send", {**_template(person.openid), "data": data}
        )
        assert answer["errcode"] == 47003, data
    assert api.sandbox.conversation.accepted(person.openid) == []


def test_template_to_unfollowed_or_unknown_users(api):
    assert api.post("cgi-bin/message/template/send", _template("oUnknown"))["errcode"] == 40003
    person = api.sandbox.people.add("离开的人")
    assert api.post("cgi-bin/message/template/send", _template(person.openid))["errcode"] == 43004


def test_client_msg_id_makes_a_send_idempotent(api):
    person = api.follower()
    first = api.post(
        "cgi-bin/message/template/send", _template(person.openid, client_msg_id="delivery-17")
    )
    again = api.post(
        "cgi-bin/message/template/send", _template(person.openid, client_msg_id="delivery-17")
    )
    other = api.post(
        "cgi-bin/message/template/send", _template(person.openid, client_msg_id="delivery-18")
    )
    assert first["errcode"] == again["errcode"] == other["errcode"] == 0
    assert first["msgid"] == again["msgid"] != other["msgid"]
    assert len(api.sandbox.conversation.accepted(person.openid)) == 2


def test_client_msg_id_holds_for_ten_minutes_then_a_resend_is_delivered_again(api):
    person = api.follower()
    body = _template(person.openid, client_msg_id="delivery-19")
    first = api.post("cgi-bin/message/template/send", body)
    api.shift_clock(9 * 60 + 58)
    again = api.post("cgi-bin/message/template/send", body)
    api.shift_clock(3)  # ten minutes after the first use, not after the repeat
    late = api.post("cgi-bin/message/template/send", body)
    assert first["msgid"] == again["msgid"] != late["msgid"]
    assert api.post("cgi-bin/message/template/send", body)["msgid"] == late["msgid"]
    assert len(api.sandbox.conversation.accepted(person.openid)) == 2


def test_a_refused_send_does_not_use_up_its_client_msg_id(api):
    person = api.follower()
    bad = {**_template(person.openid, client_msg_id="d-1"), "data": {}}
    assert api.post("cgi-bin/message/template/send", bad)["errcode"] == 47003
    assert (
        api.post("cgi-bin/message/template/send", _template(person.openid, client_msg_id="d-1"))[
            "errcode"
        ]
        == 0
    )


def test_mini_program_subscribe_message_needs_a_consent_for_each_send(api):
    person = api.follower()
    body = {
        "touser": person.mp_openid,
        "template_id": SUB_REMINDER,
        "data": _data(),
        "page": "pages/events/detail?id=1",
        "miniprogram_state": "formal",
    }
    token = api.mp_token()
    assert api.post("cgi-bin/message/subscribe/send", body, token=token)["errcode"] == 43101
    api.sandbox.catalog.grant(person.mp_openid, SUB_REMINDER)
    assert api.post("cgi-bin/message/subscribe/send", body, token=token)["errcode"] == 0
    assert api.post("cgi-bin/message/subscribe/send", body, token=token)["errcode"] == 43101
    [notice] = api.sandbox.conversation.accepted(person.mp_openid)
    assert notice["channel"] == "subscribe" and notice["page"] == "pages/events/detail?id=1"


def test_subscribe_message_checks_openid_template_and_data(api):
    person = api.follower()
    token = api.mp_token()
    base = {"touser": person.mp_openid, "template_id": SUB_REMINDER, "data": _data()}
    api.sandbox.catalog.grant(person.mp_openid, SUB_REMINDER, 5)
    # the official-account openid is not the mini-program's
    assert (
        api.post("cgi-bin/message/subscribe/send", {**base, "touser": person.openid}, token=token)[
            "errcode"
        ]
        == 40003
    )
    assert (
        api.post(
            "cgi-bin/message/subscribe/send", {**base, "template_id": EVENT_REMINDER}, token=token
        )["errcode"]
        == 40037
    )
    assert (
        api.post("cgi-bin/message/subscribe/send", {**base, "data": _data(where="")}, token=token)[
            "errcode"
        ]
        == 47003
    )
    assert api.sandbox.catalog.consents(person.mp_openid, SUB_REMINDER) == 5  # nothing was spent


def test_official_account_bizsend_spends_consents_too(api):
    person = api.follower()
    body = {"touser": person.openid, "template_id": SUB_REMINDER, "data": _data()}
    assert api.post("cgi-bin/message/subscribe/bizsend", body)["errcode"] == 43101
    api.sandbox.catalog.grant(person.openid, SUB_REMINDER)
    assert api.post("cgi-bin/message/subscribe/bizsend", body)["errcode"] == 0
    assert api.post("cgi-bin/message/subscribe/bizsend", body)["errcode"] == 43101
    api.sandbox.people.unfollow(person.openid)
    assert api.post("cgi-bin/message/subscribe/bizsend", body)["errcode"] == 43004


def test_template_lists_and_registering_a_template(api):
    listed = api.get("cgi-bin/template/get_all_private_template")["template_list"]
    assert EVENT_REMINDER in {t["template_id"] for t in listed}
    registered = api.client.post(
        "/sandbox/api/_templates",
        json={
            "template_id": "feature-x",
            "kind": "template",
            "title": "新功能",
            "content": "内容：{{thing1.DATA}}",
        },
    )
    assert registered.status_code == 200
    person = api.follower()
    answer = api.post(
        "cgi-bin/message/template/send",
        {"touser": person.openid, "template_id": "feature-x", "data": {"thing1": {"value": "好"}}},
    )
    assert answer["errcode"] == 0
    subscribe = api.get("wxaapi/newtmpl/gettemplate", token=api.mp_token())["data"]
    assert SUB_REMINDER in {t["priTmplId"] for t in subscribe}
