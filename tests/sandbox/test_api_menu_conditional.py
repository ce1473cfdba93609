"""Personalized menus in the stand-in: menu/addconditional, delconditional and trymatch, what
menu/get and menu/delete do with them, and the chat page's per-person menu (/sandbox/_/state)."""

from __future__ import annotations

import copy

import pytest

from menus.loader import load_menu, load_menus

BOUND = load_menus().personalized[0].menu  # menus/bound.toml: what bound alumni see


def _tag(api, name: str = "已认证校友") -> int:
    return api.post("cgi-bin/tags/create", {"tag": {"name": name}})["tag"]["id"]


def _tagged(api, tag_id: int, nickname: str = "已绑定校友"):
    person = api.follower(nickname, opened=None)
    answer = api.post(
        "cgi-bin/tags/members/batchtagging", {"openid_list": [person.openid], "tagid": tag_id}
    )
    assert answer["errcode"] == 0
    return person


def _add(api, matchrule, menu=BOUND) -> dict:
    return api.post("cgi-bin/menu/addconditional", {**menu, "matchrule": matchrule})


@pytest.fixture
def default_menu(api):
    assert api.post("cgi-bin/menu/create", load_menu())["errcode"] == 0


def test_addconditional_answers_a_menuid_and_menu_get_lists_the_menu(api, default_menu):
    tag_id = _tag(api)
    answer = _add(api, {"tag_id": str(tag_id)})
    assert set(answer) == {"menuid"} and isinstance(answer["menuid"], int)
    got = api.get("cgi-bin/menu/get")
    assert [b["name"] for b in got["menu"]["button"]] == ["校友", "返校活动", "分会"]
    (conditional,) = got["conditionalmenu"]
    assert conditional["menuid"] == answer["menuid"]
    assert conditional["matchrule"] == {"tag_id": str(tag_id)}
    assert conditional["button"] == BOUND["button"]


def test_menu_get_has_no_conditionalmenu_while_there_is_none(api, default_menu):
    assert "conditionalmenu" not in api.get("cgi-bin/menu/get")


def test_a_numeric_tag_id_and_a_platform_are_kept_as_strings(api, default_menu):
    tag_id = _tag(api)
    assert "menuid" in _add(api, {"tag_id": tag_id, "client_platform_type": 2})
    (conditional,) = api.get("cgi-bin/menu/get")["conditionalmenu"]
    assert conditional["matchrule"] == {"tag_id": str(tag_id), "client_platform_type": "2"}


def test_addconditional_needs_a_default_menu_first(api):
    tag_id = _tag(api)
    assert _add(api, {"tag_id": str(tag_id)})["errcode"] == 65303
    assert api.get("cgi-bin/menu/get")["errcode"] == 46003


@pytest.mark.parametrize(
    "matchrule", [None, {}, {"tag_id": ""}, {"tag_id": "", "client_platform_type": ""}, "100"]
)
def test_an_empty_matchrule_is_refused(api, default_menu, matchrule):
    body = {**BOUND, **({"matchrule": matchrule} if matchrule is not None else {})}
    assert api.post("cgi-bin/menu/addconditional", body)["errcode"] == 65304


@pytest.mark.parametrize("field", ["sex", "country", "province", "city", "language", "group_id"])
def test_rules_on_anything_but_tag_and_platform_are_refused(api, default_menu, field):
    tag_id = _tag(api)
    answer = _add(api, {"tag_id": str(tag_id), field: "1"})
    assert answer["errcode"] == 65320 and field in answer["errmsg"]
    assert "conditionalmenu" not in api.get("cgi-bin/menu/get")


def test_empty_private_fields_are_no_condition(api, default_menu):
    # menu/get of the real API fills unused fields with "": sending them back is not a rule.
    tag_id = _tag(api)
    rule = {"tag_id": str(tag_id), "sex": "", "country": "", "language": ""}
    assert "menuid" in _add(api, rule)


@pytest.mark.parametrize("tag_id", ["999", "0", "abc", -1, True])
def test_the_tag_must_exist(api, default_menu, tag_id):
    assert _add(api, {"tag_id": tag_id})["errcode"] == 40050


def test_an_unknown_platform_is_refused(api, default_menu):
    assert _add(api, {"tag_id": str(_tag(api)), "client_platform_type": "7"})["errcode"] == 40097


def test_the_buttons_are_validated_like_menu_create(api, default_menu):
    tag_id = _tag(api)
    too_many = copy.deepcopy(BOUND)
    too_many["button"].append({"type": "click", "name": "第四", "key": "X"})
    assert _add(api, {"tag_id": str(tag_id)}, too_many)["errcode"] == 40016
    bad_sub = copy.deepcopy(BOUND)
    bad_sub["button"][0]["sub_button"][0]["key"] = "K" * 129
    assert _add(api, {"tag_id": str(tag_id)}, bad_sub)["errcode"] == 40026
    assert "conditionalmenu" not in api.get("cgi-bin/menu/get")


def test_delconditional_removes_one_menu_and_refuses_an_unknown_menuid(api, default_menu):
    tag_id = _tag(api)
    first = _add(api, {"tag_id": str(tag_id)})["menuid"]
    second = _add(api, {"tag_id": str(tag_id), "client_platform_type": "1"})["menuid"]
    # The documentation posts the menuid as a string; menu/get gives it as a number.
    assert api.post("cgi-bin/menu/delconditional", {"menuid": str(first)})["errcode"] == 0
    assert [c["menuid"] for c in api.get("cgi-bin/menu/get")["conditionalmenu"]] == [second]
    assert api.post("cgi-bin/menu/delconditional", {"menuid": first})["errcode"] == 65301
    assert api.post("cgi-bin/menu/delconditional", {"menuid": "nope"})["errcode"] == 65301
    assert api.post("cgi-bin/menu/delconditional", {"menuid": second})["errcode"] == 0
    assert "conditionalmenu" not in api.get("cgi-bin/menu/get")


def test_menu_delete_removes_the_personalized_menus_too(api, default_menu):
    tag_id = _tag(api)
    menuid = _add(api, {"tag_id": str(tag_id)})["menuid"]
    assert api.get("cgi-bin/menu/delete")["errcode"] == 0
    assert api.get("cgi-bin/menu/get")["errcode"] == 46003
    assert api.post("cgi-bin/menu/create", load_menu())["errcode"] == 0
    assert "conditionalmenu" not in api.get("cgi-bin/menu/get")
    assert api.post("cgi-bin/menu/delconditional", {"menuid": menuid})["errcode"] == 65301


def test_trymatch_answers_the_menu_a_follower_sees(api, default_menu):
    tag_id = _tag(api)
    bound = _tagged(api, tag_id)
    visitor = api.follower("访客", opened=None)
    assert api.post("cgi-bin/menu/trymatch", {"user_id": bound.openid}) == {
        "button": load_menu()["button"]
    }
    _add(api, {"tag_id": str(tag_id)})
    assert api.post("cgi-bin/menu/trymatch", {"user_id": bound.openid}) == {
        "button": BOUND["button"]
    }
    assert api.post("cgi-bin/menu/trymatch", {"user_id": visitor.openid}) == {
        "button": load_menu()["button"]
    }
    assert api.post("cgi-bin/menu/trymatch", {"user_id": "o-nobody"})["errcode"] == 65302


def test_trymatch_takes_the_newest_matching_menu_and_the_phone_counts_as_others(api, default_menu):
    tag_id = _tag(api)
    bound = _tagged(api, tag_id)
    older = {"button": [{"type": "click", "name": "旧的", "key": "OLD"}]}
    newer = {"button": [{"type": "click", "name": "新的", "key": "NEW"}]}
    ios_only = {"button": [{"type": "click", "name": "苹果", "key": "IOS"}]}
    _add(api, {"tag_id": str(tag_id)}, older)
    _add(api, {"tag_id": str(tag_id)}, newer)
    _add(api, {"tag_id": str(tag_id), "client_platform_type": "1"}, ios_only)
    assert api.post("cgi-bin/menu/trymatch", {"user_id": bound.openid}) == newer
    others = {"button": [{"type": "click", "name": "其他", "key": "OTHERS"}]}
    _add(api, {"client_platform_type": "3"}, others)  # no tag: every follower on "others"
    assert api.post("cgi-bin/menu/trymatch", {"user_id": bound.openid}) == others


def test_trymatch_without_any_menu_is_46003(api):
    person = api.follower(opened=None)
    assert api.post("cgi-bin/menu/trymatch", {"user_id": person.openid})["errcode"] == 46003


def test_a_deleted_tag_matches_nobody(api, default_menu):
    tag_id = _tag(api)
    bound = _tagged(api, tag_id)
    _add(api, {"tag_id": str(tag_id)})
    assert api.post("cgi-bin/tags/delete", {"tag": {"id": tag_id}})["errcode"] == 0
    answer = api.post("cgi-bin/menu/trymatch", {"user_id": bound.openid})
    assert answer == {"button": load_menu()["button"]}


def test_the_chat_state_names_the_menu_each_person_sees(api, default_menu):
    tag_id = _tag(api)
    bound = _tagged(api, tag_id)
    menuid = _add(api, {"tag_id": str(tag_id)})["menuid"]
    state = api.client.get("/sandbox/_/state").get_json()
    assert state["menu_of"] == {bound.openid: menuid}
    assert [c["menuid"] for c in state["conditional_menus"]] == [menuid]
    assert state["menu_source"] == "menu/create"
    assert [b["name"] for b in state["menu"]["button"]] == ["校友", "返校活动", "分会"]


def test_a_tap_is_read_against_the_menu_the_page_drew(api, default_menu):
    # The server refuses a tap drawn from another menu than the person sees now (409), so a tap
    # never lands on the button at the same place in a different menu.
    tag_id = _tag(api)
    bound = _tagged(api, tag_id)
    _add(api, {"tag_id": str(tag_id)})
    default_id = api.get("cgi-bin/menu/get")["menu"]["menuid"]
    answer = api.client.post(
        "/sandbox/_/send",
        json={"openid": bound.openid, "action": "menu", "path": [0, 0], "menuid": default_id},
    )
    assert answer.status_code == 409 and "菜单已变化" in answer.get_json()["error"]
