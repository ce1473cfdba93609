"""The routing table, the menu files and SPEC 5 say the same thing.

SPEC 5 is the contract alumni and the acceptance tests hold us to; the routing table is what the bot
does; `menus/` is what the account shows. A keyword the SPEC names but nothing routes, a button
whose key nothing answers, or a menu key the SPEC does not know would each be a dead end or a
broken promise, so each direction is checked here (docs/adding-a-feature.md, step "routes").
"""

from __future__ import annotations

from menus.keys import MenuKey
from menus.loader import load_menus
from wechat_bot.conversation.normalize import normalize
from wechat_bot.conversation.router import CANCEL_WORDS
from wechat_bot.conversation.routes import ROUTES
from wechat_bot.conversation.table import Keyword, MenuClick

# SPEC 5, "the alumnus sends": every keyword and alias, as the table there writes it.
SPEC_KEYWORDS = {
    "帮助", "help", "?", "绑定", "解绑", "我的", "修改资料", "修改", "隐私", "查找", "找", "校友",
    "下一页", "返校", "预约返校", "我的预约", "取消预约", "活动", "报名", "取消报名", "我的活动",
    "分会", "加入返校", "我的返校码", "确认", "退订", "订阅", "新闻", "校友卡", "校友圈", "导师",
    "我的数据", "注销",
}
# SPEC 5, "Custom-menu click keys (EventKey)".
SPEC_MENU_KEYS = {"BIND", "PROFILE", "ALUMNI_SEARCH", "REUNION_INFO", "REUNION_MINE",
                  "EVENT_LIST", "EVENT_MINE", "CHAPTER_FIND", "HELP", "NEWS"}


def _published_click_keys() -> set[str]:
    menus = load_menus()
    keys = set()
    for menu in [menus.default, *(p.menu for p in menus.personalized)]:
        for button in menu["button"]:
            for entry in [button, *button.get("sub_button", [])]:
                if entry.get("type") == "click":
                    keys.add(entry["key"])
    return keys


def test_every_spec_keyword_is_routed():
    routed = set(ROUTES.keywords) | {normalize(word) for word in CANCEL_WORDS}
    missing = {word for word in SPEC_KEYWORDS if normalize(word) not in routed}
    assert not missing, f"SPEC 5 names these but no route takes them: {sorted(missing)}"


def test_取消_leaves_a_dialog_and_is_no_command_of_its_own():
    assert "取消" in CANCEL_WORDS
    assert normalize("取消") not in ROUTES.keywords


def test_the_menu_keys_are_exactly_the_specs_and_each_is_routed():
    assert {key.value for key in MenuKey} == SPEC_MENU_KEYS
    routed = {route.key for route in ROUTES.of(MenuClick)}
    assert routed == SPEC_MENU_KEYS, f"routed {sorted(routed)}"


def test_every_button_in_menus_sends_a_key_the_table_answers():
    routed = {route.key for route in ROUTES.of(MenuClick)}
    unknown = _published_click_keys() - routed
    assert not unknown, f"menus/ publishes keys nothing answers: {sorted(unknown)}"


def test_every_routed_keyword_leads_with_its_chinese_word():
    # help lists a command by its first word; an English alias first would show alumni English.
    for route in ROUTES.of(Keyword):
        first = route.words[0]
        assert first == "?" or not first.isascii(), f"{route.words}: the Chinese word comes first"
