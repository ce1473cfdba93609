"""Logging in and out: the form, the lockout (counted exactly, even for attempts made at once),
the idle timeout, a password change, the cookie's flags, CSRF on admin forms only."""

from __future__ import annotations

import threading

from sqlalchemy import select

from handlers.staff.accounts import find_account
from models import AuditEntry, StaffAccount, StaffRole
from tests.admin.support import PASSWORD, add_account, csrf_token, login, post_form

WRONG = "用户名或密码不正确"
LOCKED = "登录失败次数过多，已暂时锁定"


def test_the_login_form_is_labelled_in_chinese_and_logs_in(app, runtime):
    add_account(runtime, "boss")
    client = app.test_client()
    page = client.get("/admin/login").text
    assert "用户名" in page and "密码" in page and ">登录</button>" in page
    answer = login(client, "boss")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200 and "概览" in dashboard.text
    assert 'href="/admin/logout"' in dashboard.text and ">退出</a>" in dashboard.text


def test_pages_ask_for_a_login_and_come_back_after_it(app, runtime):
    add_account(runtime, "boss")
    client = app.test_client()
    answer = client.get("/admin/audit/?action=login")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/login?next=")
    token = csrf_token(client.get(answer.headers["Location"]).text)
    back = client.post(answer.headers["Location"], data={"username": "boss", "password": PASSWORD,
                                                         "csrf_token": token})
    assert back.headers["Location"] == "/admin/audit/?action=login"


def test_a_login_never_redirects_off_the_admin(app, runtime):
    add_account(runtime, "boss")
    client = app.test_client()
    token = csrf_token(client.get("/admin/login").text)
    answer = client.post("/admin/login?next=https://evil.example/admin/",
                         data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    assert answer.headers["Location"] == "/admin/"


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(app, runtime):
    add_account(runtime, "boss")
    client = app.test_client()
    wrong = login(client, "boss", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert WRONG in wrong.text and WRONG in unknown.text
    assert client.get("/admin/").status_code == 302


def test_repeated_failures_lock_the_username_even_for_the_right_password(app, runtime):
    add_account(runtime, "boss")
    client = app.test_client()
    allowed = runtime.config.admin.login_failures_allowed
    answers = [login(client, "boss", f"guess-{i}").text for i in range(allowed)]
    assert all(WRONG in a for a in answers[:-1]) and LOCKED in answers[-1]
    assert LOCKED in login(client, "boss").text
    assert client.get("/admin/").status_code == 302
    # the same for a name nobody has: a lock tells nothing about who exists
    for i in range(allowed):
        last = login(client, "ghost", f"guess-{i}").text
    assert LOCKED in last


def test_attempts_made_at_once_are_counted_exactly(app, runtime):
    """Twenty wrong passwords sent together from twenty browsers: exactly the allowed number have
    their password checked (handlers.limits.Lockout counts before judging, so the first of them to
    fail finds the allowance spent and locks), the rest are refused unchecked, and the right
    password is refused after."""
    add_account(runtime, "boss")
    allowed = runtime.config.admin.login_failures_allowed
    clients = [app.test_client() for _ in range(20)]
    tokens = [csrf_token(c.get("/admin/login").text) for c in clients]
    start = threading.Barrier(len(clients))
    answers: list[str] = [""] * len(clients)

    def attempt(i: int) -> None:
        start.wait()
        answers[i] = clients[i].post("/admin/login", data={
            "username": "boss", "password": f"guess-{i}", "csrf_token": tokens[i]}).text

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(LOCKED in a or WRONG in a for a in answers)
    assert LOCKED in login(app.test_client(), "boss").text
    with runtime.sessions() as session:
        details = list(session.scalars(select(AuditEntry.detail)
                                       .where(AuditEntry.action == "login_failed")))
    assert len(details) == len(clients) + 1
    assert sum(d.startswith("密码错误") for d in details) == allowed


def test_an_idle_session_ends(app, runtime):
    add_account(runtime, "boss")
    client = app.test_client()
    login(client, "boss")
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["admin_seen"] -= runtime.config.admin.idle_timeout_minutes * 60 + 1
    answer = client.get("/admin/", follow_redirects=True)
    assert "长时间未操作，已自动退出" in answer.text and "登录" in answer.text
    assert client.get("/admin/").status_code == 302


def test_logout_ends_the_session_and_is_audited(admin_client, runtime):
    answer = admin_client.get("/admin/logout", follow_redirects=True)
    assert "您已退出" in answer.text
    assert admin_client.get("/admin/").status_code == 302
    with runtime.sessions() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["login", "logout"]


def test_a_password_change_ends_the_other_sessions(app, runtime, admin_client):
    elsewhere = app.test_client()
    login(elsewhere, "boss")
    refused = post_form(admin_client, "/admin/password", {
        "current": "wrong-one", "new": "new-password-1", "confirm": "new-password-1"})
    assert "当前密码不正确" in refused.text
    mismatch = post_form(admin_client, "/admin/password", {
        "current": PASSWORD, "new": "new-password-1", "confirm": "new-password-2"})
    assert "两次输入的新密码不一致" in mismatch.text
    short = post_form(admin_client, "/admin/password", {
        "current": PASSWORD, "new": "short", "confirm": "short"})
    assert "密码太短" in short.text
    done = post_form(admin_client, "/admin/password", {
        "current": PASSWORD, "new": "new-password-1", "confirm": "new-password-1"})
    assert done.status_code == 302
    assert admin_client.get("/admin/").status_code == 200       # this browser stays in
    assert elsewhere.get("/admin/").status_code == 302          # the other one is out
    assert WRONG in login(app.test_client(), "boss").text
    assert login(app.test_client(), "boss", "new-password-1").status_code == 302


def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(make_app, runtime):
    for base_url, secure in (("http://127.0.0.1:5000", False), ("https://alumni.example", True)):
        app = make_app(app={"base_url": base_url})
        if base_url.startswith("http:"):
            add_account(app.extensions["alumni_bot"], "boss")
        client = app.test_client()
        cookie = login(client, "boss").headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_an_admin_post_without_a_csrf_token_is_refused_and_changes_nothing(admin_client, runtime):
    answer = admin_client.post("/admin/accounts/new", data={
        "username": "mallory", "role": "admin", "password": "long-enough-1"})
    assert answer.status_code == 400 and "页面已过期" in answer.text
    with runtime.sessions() as session:
        assert find_account(session, "mallory") is None
    bare_login = admin_client.post("/admin/login", data={"username": "boss", "password": PASSWORD})
    assert bare_login.status_code == 400


def test_the_other_doors_take_no_csrf_token(client):
    """The webhook, the API and the sandbox are POSTed to by WeChat and programs, not forms."""
    api = client.post("/api/v1/auth/login", json={"code": "x"})
    assert api.is_json and "csrf" not in api.text.lower()  # the API's own answer, whatever it is
    webhook = client.post("/wechat", data=b"<xml></xml>")
    assert "CSRF" not in webhook.text and "页面已过期" not in webhook.text


def test_a_disabled_account_cannot_log_in_and_its_session_ends(app, runtime, admin_client):
    add_account(runtime, "wang", StaffRole.STAFF)
    other = app.test_client()
    login(other, "wang")
    assert other.get("/admin/").status_code == 200
    with runtime.sessions.begin() as session:
        session.scalar(select(StaffAccount).where(StaffAccount.username == "wang")).active = False
    assert other.get("/admin/").status_code == 302
    assert "这个账号已被停用" in login(app.test_client(), "wang").text
