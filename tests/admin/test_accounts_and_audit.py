"""The accounts page (admin only) and the audit log: every change written, the log filtered and
paginated, never rewritten, and every value shown as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.staff.accounts import find_account, verify_password
from handlers.staff.audit import record_audit
from models import AuditEntry, StaffRole
from models.staff import AppendOnlyError
from tests.admin.support import PASSWORD, add_account, add_alumnus, csrf_token, login, post_form

XSS = "<script>alert(1)</script>"


def _actions(runtime) -> list[tuple[str, str, str]]:
    with runtime.sessions() as session:
        return [(e.actor, e.action, e.target) for e in
                session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_an_admin_creates_changes_disables_and_resets_an_account(app, runtime, admin_client):
    with runtime.sessions.begin() as session:
        add_alumnus(session, college="计算机学院")
    created = post_form(admin_client, "/admin/accounts/new", {
        "username": "wang", "role": "staff", "college": "", "chapter": "", "password": "long-enough-1"})
    assert created.status_code == 302
    with runtime.sessions() as session:
        wang_id = find_account(session, "wang").id
    refused = post_form(admin_client, f"/admin/accounts/{wang_id}", {
        "role": "college", "college": "天文学院", "chapter": ""})
    assert "花名册里没有学院「天文学院」" in refused.text
    changed = post_form(admin_client, f"/admin/accounts/{wang_id}", {
        "role": "college", "college": "计算机学院", "chapter": ""})
    assert changed.status_code == 302
    page = admin_client.get("/admin/accounts/")
    token = csrf_token(page.text)
    assert admin_client.post(f"/admin/accounts/{wang_id}/active",
                             data={"csrf_token": token}).status_code == 302
    assert "已停用" in admin_client.get("/admin/accounts/").text
    assert "这个账号已被停用" in login(app.test_client(), "wang", "long-enough-1").text
    admin_client.post(f"/admin/accounts/{wang_id}/active", data={"csrf_token": token})
    token = csrf_token(admin_client.get(f"/admin/accounts/{wang_id}").text)
    admin_client.post(f"/admin/accounts/{wang_id}/password",
                      data={"password": "reset-by-boss-1", "csrf_token": token})
    with runtime.sessions() as session:
        wang = find_account(session, "wang")
        assert wang.role is StaffRole.COLLEGE and wang.college == "计算机学院" and wang.active
        assert verify_password(wang, "reset-by-boss-1")
    assert _actions(runtime)[1:] == [
        ("boss", "account_created", "账号 wang"),
        ("boss", "account_changed", "账号 wang"),
        ("boss", "account_disabled", "账号 wang"),
        ("wang", "login_failed", "账号 wang"),
        ("boss", "account_enabled", "账号 wang"),
        ("boss", "password_reset", "账号 wang"),
    ]
    with runtime.sessions() as session:
        change = session.scalar(select(AuditEntry).where(AuditEntry.action == "account_changed"))
    assert change.detail == "工作人员 → 学院联络人（计算机学院）" and change.ip == "127.0.0.1"


def test_an_admin_cannot_disable_or_demote_themself(runtime, admin_client):
    with runtime.sessions() as session:
        boss_id = find_account(session, "boss").id
    demote = post_form(admin_client, f"/admin/accounts/{boss_id}", {"role": "staff", "chapter": ""})
    assert "不能取消自己的管理员角色" in demote.text
    token = csrf_token(admin_client.get("/admin/password").text)  # no 停用 button for oneself
    refused = admin_client.post(f"/admin/accounts/{boss_id}/active", data={"csrf_token": token},
                                follow_redirects=True)
    assert "不能停用自己的账号" in refused.text
    assert admin_client.get("/admin/").status_code == 200


def test_the_audit_log_filters_by_person_action_and_dates_and_pages(make_app, runtime):
    app = make_app(admin={"page_size": 3})
    rt = app.extensions["alumni_bot"]
    add_account(rt, "boss")
    now = datetime.now(UTC)
    with rt.sessions.begin() as session:
        for days in range(7):
            record_audit(session, at=now - timedelta(days=days, hours=1), actor="wang",
                         action="password_changed", target=f"第{days}天")
        record_audit(session, at=now - timedelta(days=40), actor="li", action="account_created",
                     target="很久以前")
    client = app.test_client()
    login(client, "boss")
    first = client.get("/admin/audit/?actor=wang").text
    assert first.count("<td>wang</td>") == 3 and "下一页" in first and "上一页" not in first
    third = client.get("/admin/audit/?actor=wang&page=3").text
    assert third.count("<td>wang</td>") == 1 and "下一页" not in third
    assert "actor=wang" in client.get("/admin/audit/?actor=wang&page=2").text  # pager keeps filters
    old = client.get("/admin/audit/?action=account_created").text
    assert "很久以前" in old and "第0天" not in old
    zone = rt.config.zone
    day = (now - timedelta(days=40)).astimezone(zone).date()  # the day 很久以前 was recorded
    dated = client.get(f"/admin/audit/?since={day}&until={day}").text
    assert "很久以前" in dated and "第6天" not in dated
    assert "没有符合条件的记录" in client.get("/admin/audit/?actor=nobody").text


def test_the_audit_log_is_append_only(runtime):
    with runtime.sessions.begin() as session:
        entry = record_audit(session, at=datetime.now(UTC), actor="boss", action="login")
    with runtime.sessions() as session:
        entry = session.get(AuditEntry, entry.id)
        entry.detail = "rewritten"
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
        session.delete(session.get(AuditEntry, entry.id))
        with pytest.raises(AppendOnlyError):
            session.flush()


def test_a_script_typed_anywhere_is_shown_as_text(app, runtime, admin_client):
    """A login attempt under a hostile name lands in the audit log; a college named so in the
    roster shows on a college account's dashboard: both render as text, never as markup."""
    with runtime.sessions.begin() as session:
        add_alumnus(session, XSS, college=XSS, bound_at=datetime.now(UTC))
    login(app.test_client(), XSS, "whatever")
    add_account(runtime, "dean", StaffRole.COLLEGE, college=XSS)
    pages = [admin_client.get("/admin/audit/").text,
             admin_client.get(f"/admin/audit/?actor={XSS}").text,
             admin_client.get("/admin/accounts/").text]
    dean = app.test_client()
    login(dean, "dean", PASSWORD)
    pages.append(dean.get("/admin/").text)
    for html in pages:
        assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[3]
    assert "script-src 'self'" in admin_client.get("/admin/").headers["Content-Security-Policy"]


def test_an_unknown_admin_path_answers_with_the_admin_page(admin_client):
    answer = admin_client.get("/admin/no-such-page")
    assert answer.status_code == 404 and "没有找到这个页面或记录" in answer.text


@pytest.mark.parametrize("proxies, recorded", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_audit_log_records_the_address_nginx_saw_only_when_told_a_proxy_is_in_front(
        make_app, runtime, proxies, recorded):
    app = make_app(app={"proxies": proxies})
    add_account(app.extensions["alumni_bot"], "li", StaffRole.STAFF)
    client = app.test_client()
    token = csrf_token(client.get("/admin/login").text)
    client.post("/admin/login", data={"username": "li", "password": PASSWORD, "csrf_token": token},
                headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    with app.extensions["alumni_bot"].sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "login")).one()
    assert entry.ip == recorded
