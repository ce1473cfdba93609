"""The publications library page (刊物与新闻): list by category, add, edit, hide, with CSRF,
validation, roles and the audit log; and a browser run adding an item."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers.publications.library import latest_of_each
from models import AuditEntry, StaffRole
from models.publication import Publication
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.support import (
    PASSWORD,
    add_account,
    add_alumnus,
    csrf_token,
    login,
    menu_offers,
    post_form,
)

NEW = "/admin/publications/new"
GOOD = {"category": "校报", "title": "第 1234 期：新图书馆落成", "summary": "图书馆今日启用",
        "url": "https://news.example.edu/1234", "picture_url": "https://news.example.edu/1234.jpg"}


def rows(runtime) -> list[Publication]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Publication).order_by(Publication.id)))


def audits(runtime) -> list[tuple[str, str, str]]:
    with runtime.sessions() as session:
        return session.execute(select(AuditEntry.action, AuditEntry.target, AuditEntry.detail)
                               .where(AuditEntry.action.like("publication%"))
                               .order_by(AuditEntry.id)).all()


def add(runtime, **values) -> int:
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        row = Publication(**{**GOOD, **values}, published_at=now, created_by="boss", created_at=now)
        session.add(row)
        session.flush()
        return row.id


def test_staff_add_an_item_and_find_it_under_its_category(admin_client, runtime):
    answer = post_form(admin_client, NEW, GOOD)
    assert answer.status_code == 302
    [row] = rows(runtime)
    assert (row.category, row.title, row.url, row.hidden, row.created_by) == (
        "校报", GOOD["title"], GOOD["url"], False, "boss")
    page = admin_client.get(answer.headers["Location"]).text
    assert "已添加《第 1234 期：新图书馆落成》" in page
    assert 'data-category="校报"' in page and GOOD["url"] in page
    assert audits(runtime) == [("publication_added", f"校报 #{row.id}《{GOOD['title']}》", GOOD["url"])]


def test_the_list_shows_every_category_and_filters_by_one(admin_client, runtime):
    add(runtime, category="校史", title="百年校史")
    add(runtime, category="校友通讯", title="春季号")
    page = admin_client.get("/admin/publications/").text
    for category in ("校园新闻", "校报", "校友通讯", "校史"):
        assert f"<h2>{category}</h2>" in page
    assert "还没有校园新闻" in page and "百年校史" in page and "春季号" in page
    only = admin_client.get("/admin/publications/?category=校史").text
    assert "百年校史" in only and "春季号" not in only


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "长" * 65, "最多 64 个字"),
    ("title", "", "请填写这一项"),
    ("url", "javascript:alert(1)", "须以 http:// 或 https:// 开头"),
    ("url", "ftp://news.example.edu/a", "须以 http:// 或 https:// 开头"),
    ("picture_url", "data:image/png;base64,AAAA", "封面图片须为 http:// 或 https:// 开头的网址"),
    ("category", "八卦", "不是有效的选择"),
])
def test_a_bad_value_is_refused_beside_its_field_and_the_rest_kept(admin_client, runtime, field,
                                                                   value, message):
    answer = post_form(admin_client, NEW, {**GOOD, field: value})
    assert answer.status_code == 200
    assert message in answer.text
    assert GOOD["summary"] in answer.text   # what was typed stays in the form
    assert rows(runtime) == [] and audits(runtime) == []


def test_a_post_without_the_csrf_token_changes_nothing(admin_client, runtime):
    answer = admin_client.post(NEW, data=GOOD)
    assert answer.status_code == 400
    assert rows(runtime) == []


def test_staff_edit_an_item_and_the_change_is_audited(admin_client, runtime):
    item = add(runtime)
    path = f"/admin/publications/{item}/edit"
    assert GOOD["title"] in admin_client.get(path).text
    answer = post_form(admin_client, path, {**GOOD, "title": "第 1234 期（修订）", "summary": ""})
    assert answer.status_code == 302
    [row] = rows(runtime)
    assert (row.title, row.summary) == ("第 1234 期（修订）", None)
    assert audits(runtime)[-1] == ("publication_changed", f"校报 #{item}《第 1234 期（修订）》", "修改标题、摘要")


def test_hiding_keeps_the_item_but_offers_it_no_more_and_can_be_undone(admin_client, runtime):
    item = add(runtime)
    hide = f"/admin/publications/{item}/hidden"
    token_page = "/admin/publications/"
    token = csrf_token(admin_client.get(token_page).text)
    assert admin_client.post(hide, data={"csrf_token": token}).status_code == 302
    assert rows(runtime)[0].hidden is True
    assert "已隐藏" in admin_client.get(token_page).text
    with runtime.sessions() as session:
        assert latest_of_each(session, ("校报",)) == []
    admin_client.post(hide, data={"csrf_token": token})
    assert rows(runtime)[0].hidden is False
    assert [a[0] for a in audits(runtime)] == ["publication_hidden", "publication_shown"]


def test_only_admin_and_staff_open_the_library(app, runtime):
    with runtime.sessions.begin() as session:
        add_alumnus(session, college="计算机学院")
    add_account(runtime, "计院", StaffRole.COLLEGE, college="计算机学院")
    client = app.test_client()
    login(client, "计院")
    assert client.get("/admin/publications/").status_code == 403
    assert "刊物与新闻" not in menu_offers(client)
    add_account(runtime, "李老师", StaffRole.STAFF)
    staff = app.test_client()
    login(staff, "李老师")
    assert staff.get("/admin/publications/").status_code == 200
    assert "刊物与新闻" in menu_offers(staff)


# --- in a browser -----------------------------------------------------------------------------

@pytest.fixture
def server(config):
    from tests.sandbox.support import LiveServer

    live = LiveServer(config)
    yield live
    live.close()


@needs_chromium
def test_staff_add_a_publication_in_the_browser(server):
    from playwright.sync_api import expect

    add_account(server.runtime, "李老师", StaffRole.STAFF)
    with admin_page() as (page, errors):
        log_in(page, server.url, "李老师", PASSWORD)
        page.get_by_role("link", name="校园服务").click()
        expect(page.get_by_role("heading", name="刊物与新闻")).to_be_visible()
        page.get_by_role("link", name="添加").click()
        page.get_by_label("类别").select_option("校友通讯")
        page.get_by_label("标题").fill("校友通讯 2026 春季号")
        page.get_by_label("摘要").fill("本期：秩年返校特辑")
        page.get_by_label("链接").fill("ftp://wrong.example.edu")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("须以 http:// 或 https:// 开头")).to_be_visible()
        page.get_by_label("链接").fill("https://news.example.edu/spring")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已添加《校友通讯 2026 春季号》")).to_be_visible()
        table = page.locator('table[data-category="校友通讯"]')
        expect(table.get_by_role("link", name="校友通讯 2026 春季号")).to_be_visible()
        assert errors == []
    [row] = rows(server.runtime)
    assert (row.category, row.url, row.summary) == ("校友通讯", "https://news.example.edu/spring",
                                                    "本期：秩年返校特辑")
