"""The chapters pages: the list with member counts, a chapter's page and members (never their phone
or e-mail), editing through the chapters file's rules, liaisons, the import's report, and what a
liaison and a college account may see of it all."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers.chapters.importing import import_chapters
from models import AuditEntry, Chapter, ChapterLiaison, StaffRole
from tests.admin.support import (
    add_account,
    add_alumnus,
    csrf_token,
    join,
    login,
    menu_offers,
    post_form,
)
from tests.chapters.support import rows
from tests.sandbox.support import DEAD_URL

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(runtime):
    """Two chapters with members: 苏州 (2, one with phone and e-mail on record), 南京 (3)."""
    with runtime.sessions.begin() as session:
        import_chapters(session, rows("苏州校友会,地区,苏州,,31.298886,120.585316,张伟,微信 zw_sz,姑苏城外",
                                      "南京校友会,地区,南京,,,,李娜,139,"), now=NOW)
        suzhou = session.scalar(select(Chapter).where(Chapter.name == "苏州校友会"))
        nanjing = session.scalar(select(Chapter).where(Chapter.name == "南京校友会"))
        first = add_alumnus(session, "王小明", college="机械学院", year=2010, bound_at=NOW)
        first.phone, first.email = "13912345678", "wxm@example.com"
        join(session, suzhou, first)
        join(session, suzhou, add_alumnus(session, "赵六", year=2015, bound_at=NOW))
        for name in ("钱一", "孙二", "周三"):
            join(session, nanjing, add_alumnus(session, name, bound_at=NOW))
        return {"suzhou": suzhou.id, "nanjing": nanjing.id}


def _chapter(runtime, chapter_id: int) -> Chapter:
    with runtime.sessions() as session:
        chapter = session.get(Chapter, chapter_id)
        chapter.liaisons  # noqa: B018 — loaded before the session closes
        return chapter


def _value(form_html: str, field: str) -> str:
    """What the form shows in an input (as a browser would post it back untouched)."""
    return html.unescape(re.search(rf'name="{field}"[^>]*value="([^"]*)"', form_html).group(1))


def _audit(runtime) -> list[tuple[str, str, str]]:
    with runtime.sessions() as session:
        return [(e.action, e.target, e.detail) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("chapter%")).order_by(AuditEntry.id))]


def test_the_list_shows_kind_city_liaisons_and_member_counts(admin_client, world):
    page = admin_client.get("/admin/chapters/")
    assert page.status_code == 200
    suzhou = page.text.split("苏州校友会</a>")[1].split("</tr>")[0]
    assert "地区" in suzhou and "苏州" in suzhou and "张伟" in suzhou
    assert '<td class="num">2</td>' in suzhou
    nanjing = page.text.split("南京校友会</a>")[1].split("</tr>")[0]
    assert '<td class="num">3</td>' in nanjing
    assert "共 2 个分会" in page.text
    assert "苏州校友会" not in admin_client.get("/admin/chapters/?kind=industry").text


def test_a_chapter_page_lists_members_with_name_year_college_but_never_phone_or_email(
        admin_client, world):
    page = admin_client.get(f"/admin/chapters/{world['suzhou']}")
    assert page.status_code == 200
    assert "王小明" in page.text and "2010" in page.text and "机械学院" in page.text
    assert "赵六" in page.text and "成员（2 人）" in page.text
    assert "13912345678" not in page.text and "wxm@example.com" not in page.text
    assert "微信 zw_sz" in page.text  # a liaison's published contact is the chapter's, shown
    assert "钱一" not in page.text


def test_the_member_list_is_paginated(make_app, world):
    app = make_app(admin={"page_size": 2})
    add_account(app.extensions["alumni_bot"], "pager", StaffRole.STAFF)
    client = app.test_client()
    login(client, "pager")
    first = client.get(f"/admin/chapters/{world['nanjing']}")
    second = client.get(f"/admin/chapters/{world['nanjing']}?page=2")
    assert "下一页" in first.text and "成员（3 人）" in first.text
    names = ("钱一", "孙二", "周三")
    shown = [n for n in names if n in first.text]
    assert len(shown) == 2
    assert [n for n in names if n in second.text] == [n for n in names if n not in shown]


def test_editing_moves_a_chapter_through_the_gazetteer_and_is_audited(admin_client, runtime, world):
    path = f"/admin/chapters/{world['suzhou']}/edit"
    form = admin_client.get(path).text
    assert 'value="苏州"' in form and 'value="31.' in form
    placed = _chapter(runtime, world["suzhou"])
    intro_only = post_form(admin_client, path, {
        **{f: _value(form, f) for f in ("name", "city", "country", "lat", "lng")},
        "kind": "regional", "intro": "姑苏城外寒山寺", "status": "active"})
    assert intro_only.status_code == 302
    assert [detail for _, _, detail in _audit(runtime)] == ["简介：姑苏城外 → 姑苏城外寒山寺"]
    kept = _chapter(runtime, world["suzhou"])
    assert (kept.latitude, kept.longitude) == (placed.latitude, placed.longitude)  # not rounded
    answer = post_form(admin_client, path, {
        "name": "苏州校友会", "kind": "regional", "city": "无锡", "country": "中国",
        # the old city's coordinates, as the form showed them: they must not pin the new city
        "lat": _value(form, "lat"), "lng": _value(form, "lng"),
        "intro": "太湖明珠", "status": "active"})
    assert answer.status_code == 302
    chapter = _chapter(runtime, world["suzhou"])
    assert (chapter.city, chapter.province, chapter.intro) == ("无锡", "江苏", "太湖明珠")
    assert chapter.latitude == pytest.approx(31.5, abs=0.2)
    assert chapter.longitude == pytest.approx(120.3, abs=0.2)
    (action, target, detail) = _audit(runtime)[-1]
    assert (action, target) == ("chapter_changed", "分会 苏州校友会")
    assert "城市：苏州 → 无锡" in detail and "简介：姑苏城外寒山寺 → 太湖明珠" in detail


def test_an_edit_the_file_rules_refuse_changes_nothing(admin_client, runtime, world):
    path = f"/admin/chapters/{world['suzhou']}/edit"
    answer = post_form(admin_client, path, {"name": "苏州校友会", "kind": "overseas",
                                            "city": "Olympus Mons", "country": "", "lat": "",
                                            "lng": "", "intro": "", "status": "active"})
    assert answer.status_code == 200
    assert "未知的城市「Olympus Mons」：请填写纬度和经度" in answer.text
    taken = post_form(admin_client, path, {"name": "南京校友会", "kind": "regional", "city": "苏州",
                                           "status": "active"})
    assert "已有名为「南京校友会」的分会" in taken.text
    assert _chapter(runtime, world["suzhou"]).city == "苏州"
    assert _audit(runtime) == []


def test_a_new_chapter_from_the_form(admin_client, runtime, world):
    answer = post_form(admin_client, "/admin/chapters/new", {
        "name": "纽约校友会", "kind": "overseas", "city": "New York", "country": "美国",
        "status": "active"})
    assert answer.status_code == 302
    page = admin_client.get(answer.headers["Location"])
    assert "纽约校友会" in page.text and "纽约" in page.text
    assert _audit(runtime)[-1][:2] == ("chapter_created", "分会 纽约校友会")


def test_liaisons_are_added_with_a_roster_check_corrected_and_removed(admin_client, runtime, world):
    path = f"/admin/chapters/{world['suzhou']}"
    token = csrf_token(admin_client.get(path).text)
    wrong = admin_client.post(f"{path}/liaisons", data={
        "csrf_token": token, "name": "陈静", "contact": "138", "student_id": "NOPE"},
        follow_redirects=True)
    assert "陈静 的学号「NOPE」在花名册中不存在或与姓名不符" in wrong.text
    added = admin_client.post(f"{path}/liaisons", data={
        "csrf_token": token, "name": "陈静", "contact": "微信 cj"}, follow_redirects=True)
    assert "已添加联络员 陈静" in added.text
    chapter = _chapter(runtime, world["suzhou"])
    assert [(lia.name, lia.contact) for lia in chapter.liaisons] == [("张伟", "微信 zw_sz"),
                                                                    ("陈静", "微信 cj")]
    zhang, chen = chapter.liaisons
    admin_client.post(f"{path}/liaisons/{zhang.id}", data={"csrf_token": token,
                                                           "contact": "zw@example.com"})
    admin_client.post(f"{path}/liaisons/{chen.id}/remove", data={"csrf_token": token})
    chapter = _chapter(runtime, world["suzhou"])
    assert [(lia.name, lia.contact) for lia in chapter.liaisons] == [("张伟", "zw@example.com")]
    details = [detail for _, _, detail in _audit(runtime)]
    assert details == ["添加联络员 陈静（微信 cj）",
                       "联络员 张伟 的联络方式：微信 zw_sz → zw@example.com", "移除联络员 陈静"]
    # another chapter's liaison through this chapter's address: not found
    with runtime.sessions() as session:
        other = session.scalar(select(ChapterLiaison.id).where(ChapterLiaison.name == "李娜"))
    assert admin_client.post(f"{path}/liaisons/{other}/remove",
                             data={"csrf_token": token}).status_code == 404


BAD_FILE = ("名称,类型,城市,国家,纬度,经度,联络员,联络方式,简介\n"
            "杭州校友会,地区,杭州,,,,周敏,139,西湖边\n"
            "火星校友会,海外,Olympus Mons,,,,,,\n"
            "苏州校友会,地区,苏州,,,,张伟,138,新简介\n")


def test_import_takes_good_rows_and_reports_the_bad_ones_by_line(admin_client, runtime, world):
    from io import BytesIO

    token = csrf_token(admin_client.get("/admin/chapters/import").text)
    answer = admin_client.post("/admin/chapters/import", data={
        "csrf_token": token, "file": (BytesIO(BAD_FILE.encode("gb18030")), "分会.csv")},
        content_type="multipart/form-data")
    assert answer.status_code == 200
    assert "新增 <strong>1</strong> 个分会，更新 <strong>1</strong> 个，拒绝 <strong>1</strong> 行" \
        in answer.text
    rejected = answer.text.split('id="rejected"')[1].split("</table>")[0]
    assert "第 3 行" in rejected and "未知的城市「Olympus Mons」：请填写纬度和经度" in rejected
    assert "杭州校友会" in admin_client.get("/admin/chapters/").text
    assert _chapter(runtime, world["suzhou"]).intro == "新简介"
    with runtime.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "chapters_imported"))
    assert (entry.target, entry.detail) == ("文件 分会.csv", "新增 1，更新 1，拒绝 1 行")


def test_a_file_that_is_no_chapters_file_says_why(admin_client):
    from io import BytesIO

    token = csrf_token(admin_client.get("/admin/chapters/import").text)
    answer = admin_client.post("/admin/chapters/import", data={
        "csrf_token": token, "file": (BytesIO("姓名,学号\n张三,1\n".encode()), "roster.csv")},
        content_type="multipart/form-data")
    assert answer.status_code == 200
    assert "无法导入：缺少必需的列：名称、类型" in answer.text


def test_a_liaison_sees_and_edits_only_their_own_chapter(app, runtime, world):
    add_account(runtime, "lily", StaffRole.LIAISON, chapter="苏州校友会")
    client = app.test_client()
    login(client, "lily")
    listing = client.get("/admin/chapters/")
    assert "苏州校友会" in listing.text and "南京校友会" not in listing.text
    assert "共 1 个分会" in listing.text and '<td class="num">3</td>' not in listing.text
    assert "导入分会表" not in listing.text and "新建分会" not in listing.text

    other = world["nanjing"]
    assert client.get(f"/admin/chapters/{other}").status_code == 404
    assert client.get(f"/admin/chapters/{other}/edit").status_code == 404
    token = csrf_token(client.get(f"/admin/chapters/{world['suzhou']}").text)
    with runtime.sessions() as session:
        nanjing_liaison = session.scalar(select(ChapterLiaison.id).where(ChapterLiaison.name == "李娜"))
    assert client.post(f"/admin/chapters/{other}/liaisons/{nanjing_liaison}",
                       data={"csrf_token": token, "contact": "x"}).status_code == 404
    for path in ("/admin/chapters/import", "/admin/chapters/new"):
        assert client.get(path).status_code == 403
    assert client.post(f"/admin/chapters/{world['suzhou']}/liaisons",
                       data={"csrf_token": token, "name": "冒名"}).status_code == 403

    own = f"/admin/chapters/{world['suzhou']}/edit"
    form = client.get(own).text
    assert 'name="intro"' in form and 'name="city"' not in form
    client.post(own, data={"csrf_token": token, "intro": "每月聚会", "name": "改名了",
                           "city": "上海"})
    chapter = _chapter(runtime, world["suzhou"])
    assert (chapter.name, chapter.city, chapter.intro) == ("苏州校友会", "苏州", "每月聚会")
    assert client.get(f"/admin/chapters/{world['suzhou']}").status_code == 200


def test_a_college_account_has_no_chapters_pages(app, runtime, world):
    add_account(runtime, "college", StaffRole.COLLEGE, college="计算机学院")
    client = app.test_client()
    login(client, "college")
    assert "分会" not in client.get("/admin/").text.split("</nav>")[0].split('aria-label="主菜单"')[1]
    assert client.get("/admin/chapters/").status_code == 403
    assert client.get(f"/admin/chapters/{world['suzhou']}").status_code == 403


def test_a_chapter_named_like_a_script_is_shown_as_text(admin_client, runtime):
    evil = "<script>alert(1)</script>"
    with runtime.sessions.begin() as session:
        import_chapters(session, rows(f"{evil},行业,,,,,{evil},{evil},{evil}"), now=NOW)
        chapter_id = session.scalar(select(Chapter.id))
    for path in ("/admin/chapters/", f"/admin/chapters/{chapter_id}",
                 f"/admin/chapters/{chapter_id}/edit"):
        page = admin_client.get(path).text
        assert evil not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


@pytest.mark.parametrize("role, chapters, menu", [
    (StaffRole.ADMIN, 200, 200), (StaffRole.STAFF, 200, 200), (StaffRole.COLLEGE, 403, 403),
    (StaffRole.LIAISON, 200, 403)])
def test_each_role_opens_the_chapters_and_menu_pages_it_may_and_sees_them_in_the_menu(
        make_app, world, role, chapters, menu):
    app = make_app(wechat={"api_base_url": f"{DEAD_URL}/sandbox/api"})  # never WeChat's own host
    place = {StaffRole.COLLEGE: {"college": "计算机学院"},
             StaffRole.LIAISON: {"chapter": "南京校友会"}}.get(role, {})
    add_account(app.extensions["alumni_bot"], "who", role, **place)
    client = app.test_client()
    login(client, "who")
    assert client.get("/admin/chapters/").status_code == chapters
    assert client.get(f"/admin/chapters/{world['nanjing']}").status_code == chapters
    assert client.get("/admin/menu/").status_code == menu
    nav = menu_offers(client)
    assert (">分会<" in nav) is (chapters == 200)
    assert (">自定义菜单<" in nav) is (menu == 200)
