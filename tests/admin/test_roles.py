"""Roles on the server: pages per role (403), the menu per role, rows and counts per scope (404,
nothing leaked in counts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from handlers.staff.scope import Scope
from models import Alumnus, StaffAccount, StaffAlert, StaffRole
from tests.admin.support import add_account, add_alumnus, add_chapter, join, login, menu_offers

NOW = datetime.now(UTC)


@pytest.fixture
def world(runtime):
    """Two colleges and a chapter: 计算机学院 has 3 bound alumni (one this week), 化学学院 2."""
    with runtime.sessions.begin() as session:
        cs = [add_alumnus(session, "计一", college="计算机学院", bound_at=NOW),
              add_alumnus(session, "计二", college="计算机学院", bound_at=NOW - timedelta(weeks=3)),
              add_alumnus(session, "计三", college="计算机学院", bound_at=NOW - timedelta(weeks=3),
                          follower=False)]
        add_alumnus(session, "计四", college="计算机学院")  # not bound
        chem = [add_alumnus(session, "化一", college="化学学院", bound_at=NOW),
                add_alumnus(session, "化二", college="化学学院", bound_at=NOW - timedelta(weeks=30))]
        chapter = add_chapter(session, "上海校友会")
        join(session, chapter, chem[0])
        session.add(StaffAlert(kind="conflict", message="x", created_at=NOW))
        ids = {"cs": cs[0].id, "chem": chem[0].id, "chem_other": chem[1].id}
    add_account(runtime, "boss", StaffRole.ADMIN)
    add_account(runtime, "clerk", StaffRole.STAFF)
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    add_account(runtime, "sh", StaffRole.LIAISON, chapter="上海校友会")
    return ids


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _tile(html: str, tile_id: str) -> int | None:
    marker = f'id="{tile_id}">'
    if marker not in html:
        return None
    return int(html.split(marker, 1)[1].split("<", 1)[0].replace(",", ""))


@pytest.mark.parametrize("username, accounts, audit", [
    ("boss", 200, 200), ("clerk", 403, 200), ("dean", 403, 403), ("sh", 403, 403)])
def test_each_role_opens_only_its_pages(app, world, username, accounts, audit):
    client = _client(app, username)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/password").status_code == 200
    assert client.get("/admin/accounts/").status_code == accounts
    assert client.get("/admin/accounts/new").status_code == accounts
    assert client.get("/admin/accounts/1").status_code == accounts
    assert client.get("/admin/audit/").status_code == audit
    menu = menu_offers(client)
    assert ("账号管理" in menu) is (accounts == 200)
    assert ("审计日志" in menu) is (audit == 200)


def test_a_staff_post_to_the_accounts_page_is_refused(app, world, runtime):
    from tests.admin.support import csrf_token

    client = _client(app, "clerk")
    token = csrf_token(client.get("/admin/password").text)
    answer = client.post("/admin/accounts/new", data={
        "username": "mallory", "role": "admin", "password": "long-enough-1", "csrf_token": token})
    assert answer.status_code == 403
    with runtime.sessions() as session:
        assert session.scalar(select(StaffAccount).where(StaffAccount.username == "mallory")) is None


def test_the_dashboard_counts_only_what_the_role_may_see(app, world):
    everything = _client(app, "boss").get("/admin/").text
    assert (_tile(everything, "count-followers"), _tile(everything, "count-bound")) == (4, 5)
    assert _tile(everything, "count-alerts") == 1 and _tile(everything, "count-pushes") == 0

    college = _client(app, "dean").get("/admin/").text
    assert (_tile(college, "count-followers"), _tile(college, "count-bound")) == (2, 3)
    assert _tile(college, "count-alerts") is None and _tile(college, "count-pushes") is None
    assert "只包括计算机学院的校友" in college
    weeks = _chart(college)["weeks"]["values"]
    assert (len(weeks), weeks[-1], weeks[-4], sum(weeks)) == (12, 1, 2, 3)
    assert sum(_chart(everything)["weeks"]["values"]) == 4  # 化二 was bound 30 weeks ago

    liaison = _client(app, "sh").get("/admin/").text
    assert (_tile(liaison, "count-followers"), _tile(liaison, "count-bound")) == (1, 1)
    assert _tile(liaison, "count-alerts") is None and _tile(liaison, "count-pushes") == 0


def _chart(html: str) -> dict:
    return json.loads(html.split('id="chart-data">', 1)[1].split("</script>", 1)[0])


def _scope(runtime, username) -> Scope:
    with runtime.sessions() as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.username == username))
        return Scope.of(account)


def test_a_row_out_of_scope_is_as_absent_as_no_row(app, runtime, world):
    from wechat_bot.admin.auth import StaffUser
    from wechat_bot.admin.db import db
    from wechat_bot.admin.guard import scoped_or_404

    expected = {"boss": {"cs", "chem", "chem_other"}, "clerk": {"cs", "chem", "chem_other"},
                "dean": {"cs"}, "sh": {"chem"}}
    for username, visible in expected.items():
        with app.test_request_context("/admin/"):
            account = db().scalar(select(StaffAccount).where(StaffAccount.username == username))
            login_user(StaffUser(account))
            for name, alumnus_id in world.items():
                if name in visible:
                    assert scoped_or_404(Alumnus, alumnus_id).id == alumnus_id
                else:
                    with pytest.raises(NotFound):
                        scoped_or_404(Alumnus, alumnus_id)
            with pytest.raises(NotFound):
                scoped_or_404(Alumnus, 10**9)


def test_a_model_without_a_rule_shows_nothing_to_a_limited_role(runtime, world):
    with runtime.sessions() as session:
        for username, seen in (("boss", 1), ("dean", 0), ("sh", 0)):
            rows = session.scalars(_scope(runtime, username).apply(select(StaffAlert), StaffAlert))
            assert len(list(rows)) == seen


def test_every_admin_view_declares_its_roles(app):
    """Deny by default holds only if nobody forgets: every view but the login's says who may
    open it (a view without @roles answers 403 to everyone, which a test of the page would show)."""
    from wechat_bot.admin.guard import PUBLIC

    views = {endpoint: view for endpoint, view in app.view_functions.items()
             if endpoint.startswith("admin.") and endpoint not in PUBLIC}
    assert views
    assert [e for e, view in views.items() if not getattr(view, "admin_roles", None)] == []
