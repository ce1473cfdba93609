"""The alumni pages: staff search with the bot's lookup within their scope (privacy hides no one
from staff; another college's alumnus is never shown, counted or opened), an alumnus's page, and
phone and e-mail shown only after a CSRF-checked click that is written to the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import (
    Alumnus,
    AuditEntry,
    Chapter,
    ChapterMember,
    Delivery,
    Privacy,
    Push,
    StaffRole,
    WechatUser,
)
from models.push import DeliveryStatus
from tests.admin.support import add_account, csrf_token, login
from tests.roster import add_alumnus

NOW = datetime.now(UTC)
XSS = "<script>alert(1)</script>"


def _bind(session, alumnus_id: int, openid: str) -> WechatUser:
    user = WechatUser(openid=openid, subscribed=True, subscribed_at=NOW, created_at=NOW)
    session.add(user)
    session.flush()
    record = session.get(Alumnus, alumnus_id)
    record.wechat_user_id, record.bound_at = user.id, NOW - timedelta(days=3)
    session.flush()
    return user


@pytest.fixture
def world(runtime):
    """张伟 of 计算机学院 (hidden, bound, in no chapter, with contact and a push), 张伟 of 化学学院
    (bound, in 上海校友会), 张三 of 计算机学院, and an alumnus whose name is a script."""
    with runtime.sessions.begin() as session:
        cs = add_alumnus(session, "2012001", "张伟", 2012, privacy=Privacy.HIDDEN,
                         phone="13800000001", email="zw@example.cn", city="南京")
        chem = add_alumnus(session, "2012002", "张伟", 2012, college="化学学院", major="应用化学",
                           phone="13900000002")
        other = add_alumnus(session, "2013003", "张三", 2013)
        xss = add_alumnus(session, "1999001", XSS, 1999, employer=XSS)
        cs_user = _bind(session, cs, "o-cs")
        chem_user = _bind(session, chem, "o-chem")
        chapter = Chapter(name="上海校友会", kind="industry", created_at=NOW, updated_at=NOW)
        session.add(chapter)
        session.flush()
        session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=chem_user.id, joined_at=NOW))
        push = Push(key="k1", kind="broadcast", audience="all", text="返校日通知：欢迎回家",
                    not_before=NOW, created_at=NOW)
        session.add(push)
        session.flush()
        session.add(Delivery(push_id=push.id, wechat_user_id=cs_user.id, status=DeliveryStatus.SENT,
                             next_attempt_at=NOW, finished_at=NOW))
        ids = {"cs": cs, "chem": chem, "other": other, "xss": xss}
    add_account(runtime, "boss", StaffRole.ADMIN)
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    add_account(runtime, "sh", StaffRole.LIAISON, chapter="上海校友会")
    return ids


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _found(html: str) -> list[str]:
    """Student IDs on a result page."""
    if 'id="alumni-results"' not in html:
        return []
    table = html.split('id="alumni-results"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="nowrap">(\d{7})</td>', table)


def test_staff_search_finds_alumni_whatever_their_privacy(app, world):
    admin = _client(app, "boss")
    assert sorted(_found(admin.get("/admin/alumni/?q=张伟").text)) == ["2012001", "2012002"]
    assert sorted(_found(admin.get("/admin/alumni/?q=zhangwei").text)) == ["2012001", "2012002"]
    assert _found(admin.get("/admin/alumni/?q=zw 化学学院").text) == ["2012002"]
    assert _found(admin.get("/admin/alumni/?q=张&year=2013").text) == ["2013003"]
    assert _found(admin.get("/admin/alumni/?college=化学学院").text) == ["2012002"]
    assert _found(admin.get("/admin/alumni/?q=zw&city=南京").text) == ["2012001"]
    page = admin.get("/admin/alumni/?q=张伟").text
    assert "隐藏</span>" in page and "已绑定</span>" in page
    assert "13800000001" not in page  # never on the result list


def test_a_college_account_never_sees_another_colleges_alumnus(app, world):
    dean = _client(app, "dean")
    for query in ("q=张伟", "q=zhangwei", "q=zw", "q=张", "q=化学学院", "college=化学学院",
                  "q=应用化学", "year=2012"):
        page = dean.get(f"/admin/alumni/?{query}").text
        assert "2012002" not in page and "化学" not in page.split('id="alumni-results"')[-1], query
    assert _found(dean.get("/admin/alumni/?q=张伟").text) == ["2012001"]
    assert "只能查到计算机学院的校友" in dean.get("/admin/alumni/").text
    assert dean.get(f"/admin/alumni/{world['chem']}").status_code == 404
    assert dean.get(f"/admin/alumni/{world['cs']}").status_code == 200
    token = csrf_token(dean.get(f"/admin/alumni/{world['cs']}").text)
    assert dean.post(f"/admin/alumni/{world['chem']}/contact",
                     data={"csrf_token": token}).status_code == 404
    assert dean.get("/admin/alumni/999999").status_code == 404


def test_a_liaison_finds_only_their_chapters_members(app, world):
    liaison = _client(app, "sh")
    assert _found(liaison.get("/admin/alumni/?q=张伟").text) == ["2012002"]
    assert _found(liaison.get("/admin/alumni/?q=张三").text) == []
    assert liaison.get(f"/admin/alumni/{world['cs']}").status_code == 404
    page = liaison.get(f"/admin/alumni/{world['chem']}").text
    assert "上海校友会" in page and "您的角色不能查看校友的联系方式" in page
    token = csrf_token(liaison.get("/admin/password").text)
    assert liaison.post(f"/admin/alumni/{world['chem']}/contact",
                        data={"csrf_token": token}).status_code == 403


def test_the_alumnus_page_shows_binding_privacy_chapters_and_pushes(app, world):
    admin = _client(app, "boss")
    page = admin.get(f"/admin/alumni/{world['cs']}").text
    assert "已绑定" in page and "o-cs" in page and "隐藏（校友查不到）" in page
    assert "返校日通知：欢迎回家" in page and "已送达" in page
    assert "未加入任何分会" in page
    assert "13800000001" not in page and "zw@example.cn" not in page
    chem = admin.get(f"/admin/alumni/{world['chem']}").text
    assert "上海校友会" in chem and "还没有给 TA 的推送" in chem
    college = _client(app, "dean").get(f"/admin/alumni/{world['cs']}").text
    assert "您的角色不能查看推送记录" in college and "返校日通知" not in college


def test_revealing_contact_writes_the_audit_log(app, runtime, world):
    admin = _client(app, "boss")
    page = admin.get(f"/admin/alumni/{world['cs']}").text
    shown = admin.post(f"/admin/alumni/{world['cs']}/contact",
                       data={"csrf_token": csrf_token(page)})
    assert shown.status_code == 200
    assert "13800000001" in shown.text and "zw@example.cn" in shown.text
    with runtime.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "contact_viewed"))
        assert (entry.actor, entry.target, entry.detail) == ("boss", "校友 2012001", "张伟")
    audit_page = admin.get("/admin/audit/?action=contact_viewed").text
    assert "查看联系方式" in audit_page and "校友 2012001" in audit_page


def test_revealing_contact_without_csrf_is_refused_and_not_logged(app, runtime, world):
    admin = _client(app, "boss")
    refused = admin.post(f"/admin/alumni/{world['cs']}/contact", data={})
    assert refused.status_code == 400 and "13800000001" not in refused.text
    forged = admin.post(f"/admin/alumni/{world['cs']}/contact", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    with runtime.sessions() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "contact_viewed")) is None


def test_a_script_for_a_name_is_shown_as_text(app, world):
    admin = _client(app, "boss")
    for page in (admin.get("/admin/alumni/?year=1999").text,
                 admin.get(f"/admin/alumni/{world['xss']}").text):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert XSS not in page
    search = admin.get(f"/admin/alumni/?q={XSS}")
    assert search.status_code == 200 and XSS not in search.text


def test_a_query_the_lookup_refuses_says_why(app, world):
    admin = _client(app, "boss")
    page = admin.get("/admin/alumni/?q=一 二 三 四 五 六&year=12").text
    assert "查找最多 5 个词" in page and "毕业年份「12」应为四位数字" in page
