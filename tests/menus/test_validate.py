"""Menu validation: every WeChat limit, each problem pointing at the entry it is about."""

from __future__ import annotations

import copy

import pytest

from menus.loader import MenuFileError, load_menu, load_menus
from menus.validate import errors, validate_matchrule, validate_menu, validate_menus


def shipped_with(change) -> dict:
    menu = copy.deepcopy(load_menu())
    change(menu["button"])
    return menu


def messages(menu: dict, *, only_errors: bool = True) -> list[str]:
    problems = validate_menu(menu)
    return [str(p) for p in (errors(problems) if only_errors else problems)]


def test_the_shipped_menus_pass_without_even_a_warning():
    menus = load_menus()
    assert validate_menus(menus) == []
    assert [p.source for p in menus.personalized] == ["bound.toml"]
    assert menus.tags == ["已认证校友"]


LONG_URL = "https://example.edu.cn/" + "a" * 1010


@pytest.mark.parametrize("change, expected", [
    (lambda b: b.append({"type": "click", "name": "第四", "key": "HELP"}),
     "菜单：最多 3 个一级按钮（现在 4 个）"),
    (lambda b: b.clear(), "菜单：至少要有 1 个一级按钮（button）"),
    (lambda b: b[1]["sub_button"].extend([{"type": "click", "name": "多", "key": f"K{i}"}
                                          for i in range(2)]),
     "按钮 2（“返校活动”）：最多 5 个子按钮（现在 6 个）"),
    (lambda b: b[0].update(name="校友会服务大厅"),
     "按钮 1（“校友会服务大厅”）：名称超过 16 字节（现在 21 字节；一个汉字占 3 字节）"),
    (lambda b: b[1]["sub_button"][3].update(name="我的活动" * 6),
     f"按钮 2 → 子按钮 4（“{'我的活动' * 6}”）：名称超过 60 字节（现在 72 字节；一个汉字占 3 字节）"),
    (lambda b: b[0]["sub_button"][1].update(name=""), "按钮 1 → 子按钮 2：缺少名称（name）"),
    (lambda b: b[0]["sub_button"][0].update(key="K" * 129),
     "按钮 1 → 子按钮 1（“身份绑定”）：键超过 128 字节（现在 129 字节）"),
    (lambda b: b[2]["sub_button"][0].update(type="view", url=LONG_URL, key=None),
     f"按钮 3 → 子按钮 1（“附近分会”）：网址超过 1024 字节（现在 {len(LONG_URL)} 字节）"),
    (lambda b: b[2]["sub_button"][0].update(type="view", url="ftp://x", key=None),
     "按钮 3 → 子按钮 1（“附近分会”）：网址必须以 http:// 或 https:// 开头"),
    (lambda b: b[0]["sub_button"][2].update(type="teleport"),
     "按钮 1 → 子按钮 3（“查找校友”）：未知的按钮类型 'teleport'"),
    (lambda b: b[0]["sub_button"][2].pop("type"),
     "按钮 1 → 子按钮 3（“查找校友”）：缺少类型（type），也没有子按钮"),
    (lambda b: b[0]["sub_button"][2].pop("key"), "按钮 1 → 子按钮 3（“查找校友”）：click 按钮缺少 key"),
    (lambda b: b[2]["sub_button"][1].update(type="view", key=None),
     "按钮 3 → 子按钮 2（“使用帮助”）：view 按钮缺少 url"),
    (lambda b: b[2]["sub_button"][1].update(type="media_id", key=None),
     "按钮 3 → 子按钮 2（“使用帮助”）：media_id 按钮缺少 media_id"),
    (lambda b: b[2]["sub_button"][1].update(type="miniprogram", url="https://x.cn", key=None,
                                            appid="wx123"),
     "按钮 3 → 子按钮 2（“使用帮助”）：miniprogram 按钮缺少 pagepath"),
    (lambda b: b[1]["sub_button"][2].update(key="REUNION_INFO"),
     "按钮 2 → 子按钮 3（“近期活动”）：键 REUNION_INFO 与按钮 2 → 子按钮 1（“秩年返校”）重复"),
    (lambda b: b[1]["sub_button"][3].update(key="MY_EVENTS"),
     ("按钮 2 → 子按钮 4（“我的活动”）：键 MY_EVENTS 不是机器人认识的菜单键（menus/keys.py：BIND、"
      "PROFILE、ALUMNI_SEARCH、REUNION_INFO、REUNION_MINE、EVENT_LIST、EVENT_MINE、CHAPTER_FIND、HELP、NEWS）")),
    (lambda b: b[0]["sub_button"][0].update(sub_button=[{"type": "click", "name": "x", "key": "HELP"}]),
     "按钮 1 → 子按钮 1（“身份绑定”）：子按钮不能再有子按钮（微信菜单只有两级）"),
    (lambda b: b[2].update(type="click", key="HELP"),
     "按钮 3（“分会”）：有子按钮的一级按钮不能再设 key（微信只用它的子按钮）"),
    (lambda b: b[0]["sub_button"][0].update(kye="BIND"), "按钮 1 → 子按钮 1（“身份绑定”）：未知字段 kye"),
])
def test_each_limit_is_an_error_that_names_the_entry(change, expected):
    assert expected in messages(shipped_with(change))


def test_a_non_click_button_may_carry_any_key_and_a_plain_top_level_button_is_fine():
    menu = shipped_with(lambda b: b[2].update(sub_button=[], type="scancode_push", key="SCAN_1"))
    assert messages(menu) == []


@pytest.mark.parametrize("change, expected", [
    (lambda b: b[1].update(name="返校与活动"),
     "按钮 2（“返校与活动”）：名称超过 4 个字，微信客户端只显示前 4 个，其余显示为“…”"),
    (lambda b: b[0]["sub_button"][0].update(name="身份绑定与认证服务"),
     "按钮 1 → 子按钮 1（“身份绑定与认证服务”）：名称超过 8 个字，微信客户端只显示前 8 个，其余显示为“…”"),
    (lambda b: b[0]["sub_button"][0].update(url="https://x.cn"),
     "按钮 1 → 子按钮 1（“身份绑定”）：url 对 click 按钮无效，微信会忽略它"),
])
def test_what_wechat_accepts_but_shows_badly_is_a_warning(change, expected):
    menu = shipped_with(change)
    assert messages(menu) == []
    assert expected in messages(menu, only_errors=False)


def test_problems_of_several_menus_name_their_file():
    menus = load_menus()
    broken = copy.deepcopy(menus.personalized[0].menu)
    broken["button"][0]["sub_button"][0]["key"] = "NOPE"
    problems = validate_menu(broken, "bound.toml")
    assert str(problems[0]).startswith("bound.toml 按钮 1 → 子按钮 1（“我的资料”）：键 NOPE")


@pytest.mark.parametrize("rule, expected", [
    ({"tag": "已认证校友", "sex": "1"}, "不支持 sex（微信拒绝其他规则：65320）"),
    ({"tag": "已认证校友", "client_platform_type": 4}, "client_platform_type 只能是 1（iOS）"),
    ({"client_platform_type": 1}, "缺少 tag（标签名）"),
    ({"tag": "校" * 11}, "标签名超过 30 字节（现在 33 字节）"),
])
def test_a_personalized_menu_may_match_only_on_a_tag_and_the_platform(rule, expected):
    assert any(expected in str(p) for p in validate_matchrule(rule, "bound.toml"))


def test_a_personalized_menu_file_without_a_tag_is_refused(tmp_path):
    (tmp_path / "menu.toml").write_text('[[button]]\nname = "帮助"\ntype = "click"\nkey = "HELP"\n',
                                        encoding="utf-8")
    (tmp_path / "vip.toml").write_text('[[button]]\nname = "帮助"\ntype = "click"\nkey = "HELP"\n',
                                       encoding="utf-8")
    with pytest.raises(MenuFileError, match=r"vip\.toml.*matchrule"):
        load_menus(tmp_path)
    (tmp_path / "vip.toml").write_text("[[button]\n", encoding="utf-8")
    with pytest.raises(MenuFileError, match=r"vip\.toml 无法解析"):
        load_menus(tmp_path)
