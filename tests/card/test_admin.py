"""校友卡核验点 on the admin page: issuing a site key (shown once, stored hashed, audited), refusing
a duplicate name, revoking, CSRF and roles."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from handlers.card.sites import key_hash, site_for_key
from models import AuditEntry, CardSite, StaffRole
from tests.admin.support import add_account, csrf_token, login, post_form

PAGE = "/admin/card-sites/"
KEY = re.compile(r'<code id="site-key">(acs_[A-Za-z0-9_-]+)</code>')


@pytest.fixture
def staff_client(app, runtime):
    add_account(runtime, "zhang", StaffRole.STAFF)
    client = app.test_client()
    assert login(client, "zhang").status_code == 302
    return client


def issue(client, name="东门闸机", kind="gate"):
    return post_form(client, PAGE, {"name": name, "kind": kind})


def test_issuing_a_site_shows_its_key_once_and_keeps_only_its_hash(staff_client, runtime):
    answer = issue(staff_client)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    key = KEY.search(answer.text).group(1)
    assert "只显示这一次" in answer.text
    with runtime.sessions() as session:
        site = session.scalars(select(CardSite)).one()
        assert (site.name, site.kind, site.created_by) == ("东门闸机", "gate", "zhang")
        assert site.key_hash == key_hash(key) and key not in site.key_hash
        assert site_for_key(session, key).id == site.id
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "card_site_issued")).one()
        assert audit.target == "核验点 东门闸机" and key not in audit.detail
    page = staff_client.get(PAGE).text
    assert "东门闸机" in page and key not in page and f"…{key[-4:]}" in page


def test_a_second_site_of_the_same_name_is_refused_with_the_reason(staff_client, runtime):
    issue(staff_client)
    again = issue(staff_client, "东门闸机", "library")
    assert again.status_code == 422 and "已有名为「东门闸机」的核验点" in again.text
    assert not KEY.search(again.text)


def test_revoking_a_site_stops_its_key(staff_client, runtime):
    key = KEY.search(issue(staff_client).text).group(1)
    with runtime.sessions() as session:
        site_id = session.scalars(select(CardSite.id)).one()
    token = csrf_token(staff_client.get(PAGE).text)
    answer = staff_client.post(f"{PAGE}{site_id}/revoke", data={"csrf_token": token},
                               follow_redirects=True)
    assert "已停用核验点「东门闸机」" in answer.text and "已停用（" in answer.text
    with runtime.sessions() as session:
        assert site_for_key(session, key) is None
        assert session.scalar(select(AuditEntry.target).where(
            AuditEntry.action == "card_site_revoked")) == "核验点 东门闸机"


def test_a_post_without_the_csrf_token_issues_nothing(staff_client, runtime):
    answer = staff_client.post(PAGE, data={"name": "图书馆", "kind": "library"})
    assert answer.status_code == 400
    with runtime.sessions() as session:
        assert session.scalars(select(CardSite)).all() == []


@pytest.mark.parametrize("role", [StaffRole.COLLEGE, StaffRole.LIAISON])
def test_college_and_liaison_accounts_cannot_open_or_issue(app, runtime, role):
    from tests.admin.support import add_alumnus, add_chapter

    with runtime.sessions.begin() as session:
        add_alumnus(session)  # the roster knows 计算机学院
        chapter = add_chapter(session).name if role is StaffRole.LIAISON else None
    add_account(runtime, "li", role, college="计算机学院" if role is StaffRole.COLLEGE else None,
                chapter=chapter)
    client = app.test_client()
    login(client, "li")
    assert client.get(PAGE).status_code == 403
    assert "校友卡核验点" not in client.get("/admin/").text
