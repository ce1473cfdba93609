"""The custom-menu page against the sandbox's WeChat API over real HTTP: menus/ drawn as a phone,
the validator's problems, the differences to the live menu, and the sync button doing what
`alumni-bot sync-menu` does; WeChat out of reach is one Chinese line, not an error page."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from menus.diff import normalize
from menus.loader import MenuSet, load_menu, load_menus
from models import AuditEntry, StaffRole
from tests.admin.support import add_account, add_chapter, csrf_token, login
from tests.sandbox.support import LiveServer, build_app, close_app, with_sandbox

OLD_MENU = {"button": [
    {"name": "校友", "sub_button": [{"type": "click", "name": "身份绑定", "key": "BIND"}]},
    {"type": "view", "name": "官网", "url": "https://www.example.edu.cn/"},
]}


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


@pytest.fixture
def staff(server):
    add_account(server.runtime, "menu-staff", StaffRole.STAFF)
    client = server.app.test_client()
    assert login(client, "menu-staff").status_code == 302
    return client


def _live(server) -> dict | None:
    answer = server.runtime.wechat.menu.get()
    return answer["menu"] if answer else None


def _menu_audit(runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEntry.detail)
                                    .where(AuditEntry.action == "menu_synced")))


def test_the_page_draws_both_menus_and_the_difference_to_a_changed_live_menu(server, staff):
    server.runtime.wechat.menu.create(OLD_MENU)  # someone changed it in WeChat's console
    page = staff.get("/admin/menu/")
    assert page.status_code == 200
    phones = page.text.split('class="phones"')[1].split('id="problems"')[0]
    assert "访客看到的菜单" in phones and "已认证校友看到的菜单" in phones
    for label in ("校友", "返校活动", "分会", "身份绑定", "我的资料", "秩年返校", "附近分会"):
        assert f">{label}<" in phones, label
    assert "标签“已认证校友”" in phones
    assert "符合微信自定义菜单的全部规则" in page.text
    diff = page.text.split('id="diff"')[1]
    assert "线上菜单与 menus/ 不同" in diff
    assert '<div class="removed">- ▸ 官网 · 网页 https://www.example.edu.cn/</div>' in diff
    assert '<div class="added">+ ▸ 分会</div>' in diff
    assert '<div class="same">      身份绑定 · 点击 BIND</div>' in diff
    assert normalize(_live(server)) == normalize(OLD_MENU)  # looking pushes nothing


def test_sync_without_the_csrf_token_is_refused(server, staff):
    answer = staff.post("/admin/menu/sync")
    assert answer.status_code == 400
    assert "页面已过期" in answer.text
    assert _live(server) is None


def test_sync_pushes_menus_to_the_sandbox_and_is_audited(server, staff):
    server.runtime.wechat.menu.create(OLD_MENU)
    token = csrf_token(staff.get("/admin/menu/").text)
    answer = staff.post("/admin/menu/sync", data={"csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200
    assert "菜单已同步到微信：已推送默认菜单，" in answer.text
    live = server.runtime.wechat.menu.get()
    menus = load_menus()
    assert normalize(live["menu"]) == normalize(menus.default)
    (conditional,) = live["conditionalmenu"]
    assert normalize(conditional) == normalize(menus.personalized[0].menu)
    assert "线上菜单与 menus/ 一致，无需同步" in answer.text  # the page, drawn again after it

    (detail,) = _menu_audit(server.runtime)
    assert detail.startswith("菜单已同步到微信：已推送默认菜单")
    again = staff.post("/admin/menu/sync", data={"csrf_token": token}, follow_redirects=True)
    assert "线上菜单与 menus/ 一致，无需推送。" in again.text


def test_a_menu_with_errors_is_shown_and_not_pushed(server, staff, monkeypatch):
    broken = copy.deepcopy(load_menu())
    broken["button"][0]["name"] = "校友会服务大厅"
    monkeypatch.setattr("wechat_bot.admin.menu.load_menus", lambda: MenuSet(broken, ()))
    page = staff.get("/admin/menu/")
    assert "按钮 1（“校友会服务大厅”）：名称超过 16 字节" in page.text
    assert 'id="sync" disabled' in page.text
    assert ">校友会服…<" in page.text  # cut where the client cuts it
    answer = staff.post("/admin/menu/sync", data={"csrf_token": csrf_token(page.text)},
                        follow_redirects=True)
    assert "菜单有 1 处错误，没有推送。" in answer.text
    assert _live(server) is None


@pytest.fixture
def unreachable(config):
    """The app with WeChat's API on a port where nothing listens."""
    app = build_app(with_sandbox(config))
    yield app
    close_app(app)


def test_wechat_out_of_reach_is_one_chinese_line_not_an_error_page(unreachable):
    runtime = unreachable.extensions["alumni_bot"]
    add_account(runtime, "menu-admin", StaffRole.ADMIN)
    client = unreachable.test_client()
    login(client, "menu-admin")
    page = client.get("/admin/menu/")
    assert page.status_code == 200
    diff = page.text.split('id="diff"')[1]
    assert "无法连接微信接口：http://127.0.0.1:9/sandbox/api" in diff
    assert "Traceback" not in page.text and "ConnectionError" not in page.text
    answer = client.post("/admin/menu/sync", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302
    shown = client.get(answer.headers["Location"]).text
    (line,) = [p.split("</p>")[0] for p in shown.split('<p class="flash error" role="status">')[1:]]
    assert line.startswith("无法连接微信接口：http://127.0.0.1:9/sandbox/api")
    assert line.endswith("菜单没有同步完。") and "\n" not in line
    assert _menu_audit(runtime)[0].startswith("失败：无法连接微信接口")


def test_only_admin_and_staff_open_the_menu_page(server):
    with server.runtime.sessions.begin() as session:
        add_chapter(session, "上海校友会")
    add_account(server.runtime, "liaison", StaffRole.LIAISON, chapter="上海校友会")
    client = server.app.test_client()
    login(client, "liaison")
    assert client.get("/admin/menu/").status_code == 403
    assert client.post("/admin/menu/sync",
                       data={"csrf_token": csrf_token(client.get("/admin/password").text)}
                       ).status_code == 403
