"""校友圈 on the admin page: approving and rejecting a proposal (the proposer told either way),
naming a circle admin, removing a member and letting them back, CSRF, roles, the audit log, and a
circle as a broadcast audience (circle:<id>) in the composer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.circles.membership import is_admin, is_member
from handlers.circles.proposals import propose_circle
from handlers.settings import Settings
from models import AuditEntry, Delivery, Push, StaffRole
from models.circle import Circle, CircleStatus
from tests.admin.support import add_account, csrf_token, login, post_form
from tests.circles.support import NOW, alumnus, interest_circle, pushes

PAGE = "/admin/circles/"


@pytest.fixture
def staff_client(app, runtime):
    add_account(runtime, "zhang", StaffRole.STAFF)
    client = app.test_client()
    assert login(client, "zhang").status_code == 302
    return client


@pytest.fixture
def proposal(runtime):
    with runtime.sessions.begin() as session:
        proposer = alumnus(session, "李雷")
        circle = propose_circle(session, proposer, "摄影", "周末扫街", now=NOW, settings=Settings().circles)
        return circle.id, proposer.id


def _post(client, path, data=None):
    token = csrf_token(client.get(PAGE).text)
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=True)


def test_approving_a_proposal_opens_the_circle_and_tells_the_proposer(staff_client, runtime, proposal):
    circle_id, proposer = proposal
    page = staff_client.get(PAGE).text
    assert "摄影" in page and "周末扫街" in page and "李雷（2016届 计算机学院）" in page
    answer = _post(staff_client, f"{PAGE}{circle_id}/approve")
    assert "已通过「摄影」" in answer.text
    with runtime.sessions() as session:
        circle = session.get(Circle, circle_id)
        assert (circle.status, circle.decided_by) == (CircleStatus.ACTIVE, "zhang")
        assert is_admin(session, circle, proposer)
        (told,) = pushes(session, "circles:decision")
        assert "已通过审核" in told.text and f"加入校友圈 {circle_id}" in told.text
        assert session.scalar(select(Delivery.wechat_user_id).where(Delivery.push_id == told.id)) == proposer
        assert session.scalar(select(AuditEntry.target).where(AuditEntry.action == "circle_approved")) == \
            f"校友圈 #{circle_id} 摄影"
    assert _post(staff_client, f"{PAGE}{circle_id}/approve").text.count("已通过「摄影」") == 0  # once


def test_rejecting_a_proposal_tells_the_proposer_why(staff_client, runtime, proposal):
    circle_id, _ = proposal
    answer = _post(staff_client, f"{PAGE}{circle_id}/reject", {"note": "已有同类的圈"})
    assert "已驳回「摄影」" in answer.text
    with runtime.sessions() as session:
        assert session.get(Circle, circle_id).status is CircleStatus.REJECTED
        (told,) = pushes(session, "circles:decision")
        assert "未通过审核" in told.text and "已有同类的圈" in told.text


def test_staff_name_an_admin_remove_a_member_and_let_them_back(staff_client, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷")
        member = alumnus(session, "韩梅梅")
        circle_id = interest_circle(session, admin, "羽毛球", member).id
    detail = staff_client.get(f"{PAGE}{circle_id}").text
    assert "韩梅梅" in detail and "圈管理员" in detail and "13800" not in detail
    _post(staff_client, f"{PAGE}{circle_id}/members/{member.id}/admin", {"admin": "1"})
    with runtime.sessions() as session:
        assert is_admin(session, session.get(Circle, circle_id), member.id)
    _post(staff_client, f"{PAGE}{circle_id}/members/{member.id}/admin", {"admin": "0"})
    answer = _post(staff_client, f"{PAGE}{circle_id}/members/{member.id}/remove")
    assert "已将 韩梅梅（2016届 计算机学院） 移出「羽毛球」" in answer.text
    with runtime.sessions() as session:
        circle = session.get(Circle, circle_id)
        assert not is_admin(session, circle, member.id) and not is_member(session, circle_id, member.id)
        assert "您已被圈管理员移出" in pushes(session, "circles:removed")[0].text
    answer = _post(staff_client, f"{PAGE}{circle_id}/members/{member.id}/allow")
    assert "可以重新加入「羽毛球」了" in answer.text
    with runtime.sessions() as session:  # closed: an open one would block the next test's TRUNCATE
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"circle_admin_named", "circle_admin_unnamed", "circle_member_removed",
            "circle_member_allowed_back"} <= actions


def test_staff_open_a_class_circle_nobody_has_looked_at_yet(staff_client, runtime):
    with runtime.sessions.begin() as session:
        alumnus(session, "李雷")
        alumnus(session, "韩梅梅")
    answer = _post(staff_client, f"{PAGE}class", {"college": "计算机学院", "year": "2016"})
    assert "计算机学院 2016届" in answer.text and "李雷" in answer.text and "韩梅梅" in answer.text
    unknown = _post(staff_client, f"{PAGE}class", {"college": "计算机学院", "year": "1999"})
    assert "花名册里没有计算机学院 1999 届的校友" in unknown.text


def test_a_circle_is_a_broadcast_audience(staff_client, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷")
        circle_id = interest_circle(session, admin, "羽毛球", alumnus(session, "韩梅梅")).id
        alumnus(session, "路人")
    composer = staff_client.get(f"/admin/broadcasts/new?circle={circle_id}").text
    assert f'value="{circle_id}"' in composer and "校友圈编号" in composer
    count = staff_client.get("/admin/broadcasts/count", query_string={
        "target": "segment", "circle": str(circle_id), "category": "circles", "kind": "text"}).json
    assert count["count"] == 2 and count["label"] == f"校友圈 #{circle_id} 的成员"
    missing = staff_client.get("/admin/broadcasts/count", query_string={
        "target": "segment", "circle": "999", "kind": "text"}).json
    assert "没有编号为 999 的校友圈" in missing["error"]
    sent = post_form(staff_client, "/admin/broadcasts/new", {
        "kind": "text", "text": "羽毛球圈周末活动", "target": "segment", "circle": str(circle_id),
        "category": "circles", "when": "now", "action": "send", "chapter": ""})
    assert sent.status_code == 302
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert (push.audience, push.recipient_count, push.category) == (f"circle:{circle_id}", 2, "circles")


def test_a_post_without_the_csrf_token_changes_nothing(staff_client, runtime, proposal):
    circle_id, _ = proposal
    assert staff_client.post(f"{PAGE}{circle_id}/approve").status_code == 400
    with runtime.sessions() as session:
        assert session.get(Circle, circle_id).status is CircleStatus.PENDING


@pytest.mark.parametrize("role", [StaffRole.COLLEGE, StaffRole.LIAISON])
def test_college_and_liaison_accounts_cannot_open_or_decide(app, runtime, role, proposal):
    from tests.admin.support import add_alumnus, add_chapter

    circle_id, _ = proposal
    with runtime.sessions.begin() as session:
        add_alumnus(session)
        add_chapter(session, "北京校友会")
    add_account(runtime, "limited", role, college="计算机学院" if role is StaffRole.COLLEGE else None,
                chapter="北京校友会" if role is StaffRole.LIAISON else None)
    client = app.test_client()
    login(client, "limited")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client.get("/admin/password").text)
    assert client.post(f"{PAGE}{circle_id}/approve", data={"csrf_token": token}).status_code == 403
    with runtime.sessions() as session:
        assert session.get(Circle, circle_id).status is CircleStatus.PENDING
    assert "校友圈" not in client.get("/admin/").text.split("<main")[0]
