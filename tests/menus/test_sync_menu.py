"""`alumni-bot sync-menu`: the diff against the live menu, --dry-run pushing nothing, a sync that
menu/get then answers — against the sandbox's menu API — and the personalized menu's tag rules."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner

from menus.diff import diff_menus, normalize
from menus.loader import MenuSet, PersonalizedMenu, load_menu, load_menus
from tests.push.support import LiveApp
from wechat_bot.cli import main
from wechat_bot.commands.menu import sync_menus

OLD_MENU = {"button": [
    {"name": "校友", "sub_button": [
        {"type": "click", "name": "身份绑定", "key": "BIND"},
        {"type": "click", "name": "我的", "key": "PROFILE"},
    ]},
    {"type": "view", "name": "官网", "url": "https://www.example.edu.cn/"},
]}


def test_the_diff_marks_what_is_added_removed_and_changed_in_place():
    wanted = copy.deepcopy(OLD_MENU)
    wanted["button"][0]["sub_button"][1]["name"] = "我的资料"
    wanted["button"][0]["sub_button"].append({"type": "click", "name": "查找校友",
                                              "key": "ALUMNI_SEARCH"})
    wanted["button"].pop()
    diff = diff_menus(OLD_MENU, wanted)
    assert diff.changed
    assert diff.lines == [
        "  ▸ 校友",
        "      身份绑定 · 点击 BIND",
        "-     我的 · 点击 PROFILE",
        "- ▸ 官网 · 网页 https://www.example.edu.cn/",
        "+     我的资料 · 点击 PROFILE",
        "+     查找校友 · 点击 ALUMNI_SEARCH",
    ]


def test_what_menu_get_adds_to_a_menu_is_no_difference():
    live = copy.deepcopy(OLD_MENU)
    live["menuid"] = 208396938
    live["button"][1]["sub_button"] = []
    for sub in live["button"][0]["sub_button"]:
        sub["sub_button"] = []
    assert normalize(live) == normalize(OLD_MENU)
    assert not diff_menus(live, OLD_MENU).changed
    assert diff_menus(None, OLD_MENU).lines[0] == "+ ▸ 校友"


@pytest.fixture
def live(config):
    app = LiveApp(config)
    yield app
    app.close()


def _cli(live, monkeypatch, tmp_path, *args):
    monkeypatch.chdir(tmp_path)
    env = {"ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_REDIS_URL": "memory://",
           "ALUMNI_BOT_DATABASE_URL": live.config.database.url,
           "ALUMNI_BOT_WECHAT_API_BASE_URL": f"{live.url}/sandbox/api"}
    return CliRunner().invoke(main, ["sync-menu", *args], env=env, catch_exceptions=False)


def _live_menu(live) -> dict | None:
    answer = live.runtime.wechat.menu.get()
    return answer["menu"] if answer else None


def test_dry_run_shows_the_diff_and_pushes_nothing_then_sync_pushes_the_menu(
        live, monkeypatch, tmp_path):
    # The sandbox has no personalized menus yet (menu/addconditional): sync the default one.
    monkeypatch.setattr("wechat_bot.commands.menu.load_menus",
                        lambda: MenuSet(load_menus().default, ()))
    live.runtime.wechat.menu.create(OLD_MENU)

    dry = _cli(live, monkeypatch, tmp_path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "与线上的差异（- 线上，+ 将推送）" in dry.output
    assert "-     我的 · 点击 PROFILE" in dry.output
    assert "- ▸ 官网 · 网页 https://www.example.edu.cn/" in dry.output
    assert "+     我的资料 · 点击 PROFILE" in dry.output
    assert "+ ▸ 分会" in dry.output
    assert "--dry-run：没有推送任何内容" in dry.output
    assert normalize(_live_menu(live)) == normalize(OLD_MENU)

    pushed = _cli(live, monkeypatch, tmp_path)
    assert pushed.exit_code == 0, pushed.output
    assert "已推送默认菜单" in pushed.output and "线上默认菜单已与 menus/ 一致" in pushed.output
    assert normalize(_live_menu(live)) == normalize(load_menu())

    again = _cli(live, monkeypatch, tmp_path, "--dry-run")
    assert "默认菜单（menu.toml" in again.output and "与线上一致" in again.output
    assert "线上菜单与 menus/ 一致，无需推送" in again.output


def test_a_menu_with_errors_is_not_pushed(live, monkeypatch, tmp_path):
    broken = copy.deepcopy(load_menu())
    broken["button"][0]["name"] = "校友会服务大厅"
    monkeypatch.setattr("wechat_bot.commands.menu.load_menus", lambda: MenuSet(broken, ()))
    result = _cli(live, monkeypatch, tmp_path)
    assert result.exit_code == 1
    assert "错误：menu.toml 按钮 1（“校友会服务大厅”）：名称超过 16 字节" in result.output
    assert "没有推送" in result.output
    assert _live_menu(live) is None


def test_a_first_sync_against_an_account_without_a_menu_creates_it(live):
    lines = []
    assert sync_menus(live.runtime.wechat, MenuSet(load_menu(), ()), dry_run=False,
                      echo=lines.append)
    assert "  线上还没有菜单，将新建：" in lines
    assert normalize(_live_menu(live)) == normalize(load_menu())


class FakeWeChat:
    """menu/* (personalized menus included) and tags/* as WeChat answers them, in memory."""

    def __init__(self) -> None:
        self.default: dict | None = None
        self.conditional: list[dict] = []
        self.tags: dict[str, int] = {}
        self.calls: list[str] = []
        self.menu, self.tag = _Menu(self), _Tag(self)


class _Menu:
    def __init__(self, fake: FakeWeChat) -> None:
        self.fake = fake

    def get(self):
        if self.fake.default is None:
            return None
        return {"menu": {**copy.deepcopy(self.fake.default), "menuid": 1},
                "conditionalmenu": copy.deepcopy(self.fake.conditional)}

    def create(self, body):
        self.fake.calls.append("menu/create")
        self.fake.default = copy.deepcopy(body)

    def add_conditional(self, body):
        self.fake.calls.append("menu/addconditional")
        assert self.fake.default is not None, "WeChat needs a default menu first"
        menuid = 100 + len(self.fake.calls)
        rule = {"tag_id": body["matchrule"]["tag_id"], "sex": "", "country": "",
                "client_platform_type": body["matchrule"].get("client_platform_type", "")}
        self.fake.conditional.append({"button": body["button"], "matchrule": rule,
                                      "menuid": menuid})
        return {"menuid": menuid}

    def del_conditional(self, menuid):
        self.fake.calls.append(f"menu/delconditional {menuid}")
        self.fake.conditional = [c for c in self.fake.conditional if c["menuid"] != menuid]


class _Tag:
    def __init__(self, fake: FakeWeChat) -> None:
        self.fake = fake

    def get(self):
        return [{"id": i, "name": n, "count": 0} for n, i in self.fake.tags.items()]

    def create(self, name):
        self.fake.calls.append(f"tags/create {name}")
        self.fake.tags[name] = 100 + len(self.fake.tags)
        return {"id": self.fake.tags[name], "name": name}


def test_the_bound_alumni_menu_goes_out_as_a_personalized_menu_matched_by_the_tag():
    wechat, menus, lines = FakeWeChat(), load_menus(), []
    assert sync_menus(wechat, menus, dry_run=True, echo=lines.append)
    assert wechat.calls == []
    assert any("标签“已认证校友”，尚未创建，推送时创建" in line for line in lines)

    assert sync_menus(wechat, menus, dry_run=False, echo=lines.append)
    assert wechat.calls == ["menu/create", "tags/create 已认证校友", "menu/addconditional"]
    (conditional,) = wechat.conditional
    assert conditional["matchrule"]["tag_id"] == "100"
    assert normalize(conditional) == normalize(menus.personalized[0].menu)

    wechat.calls.clear()
    assert sync_menus(wechat, menus, dry_run=False, echo=lines.append) is False
    assert wechat.calls == []


def test_a_changed_personalized_menu_replaces_the_live_one_and_strays_are_deleted():
    wechat, menus = FakeWeChat(), load_menus()
    sync_menus(wechat, menus, dry_run=False, echo=lambda _: None)
    wechat.tags["旧标签"] = 7
    wechat.conditional.append({"button": OLD_MENU["button"], "menuid": 55,
                               "matchrule": {"tag_id": "7", "sex": ""}})
    bound = copy.deepcopy(menus.personalized[0])
    changed_menu = copy.deepcopy(bound.menu)
    changed_menu["button"][2]["sub_button"].append({"type": "click", "name": "使用帮助",
                                                    "key": "HELP"})
    changed = MenuSet(menus.default, (PersonalizedMenu(bound.source, bound.tag, changed_menu,
                                                       bound.matchrule),))
    old_id = wechat.conditional[0]["menuid"]
    lines = []
    sync_menus(wechat, changed, dry_run=False, echo=lines.append)
    assert any("menuid 55" in line and "将删除" in line for line in lines)
    assert "+     使用帮助 · 点击 HELP" in "\n".join(lines)
    assert wechat.calls[-3:] == ["menu/delconditional 55", f"menu/delconditional {old_id}",
                                 "menu/addconditional"]
    assert [normalize(c) for c in wechat.conditional] == [normalize(changed_menu)]


def test_the_sandbox_takes_the_personalized_menu(live):
    wechat, menus = live.runtime.wechat, load_menus()
    sync_menus(wechat, menus, dry_run=False, echo=lambda _: None)
    answer = wechat.menu.get()
    (conditional,) = answer["conditionalmenu"]
    assert normalize(conditional) == normalize(menus.personalized[0].menu)
    assert sync_menus(wechat, menus, dry_run=True, echo=lambda _: None) is False
