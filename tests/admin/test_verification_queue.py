"""The verification queue page: candidates from the roster, approve (a link made through binding's
rules, the alumnus told through the outbox), reject with a reason, audited; roles and scopes, CSRF,
and a requested name rendered as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.directory.names import name_key
from models import (
    Alumnus,
    AuditEntry,
    BindingEvent,
    Delivery,
    Push,
    StaffRole,
    VerificationRequest,
    VerificationStatus,
    WechatUser,
)
from tests.admin.support import (
    add_account,
    add_alumnus,
    add_chapter,
    csrf_token,
    login,
    menu_offers,
)

NOW = datetime.now(UTC)
XSS = "<script>alert(1)</script>"


def add_request(session, name="张伟", *, year=2012, college="计算机学院", openid=None,
                photo_url=None) -> VerificationRequest:
    user = WechatUser(openid=openid or f"o-req-{name_key(name)}-{year}-{college}",
                      subscribed=True, created_at=NOW)
    session.add(user)
    session.flush()
    request = VerificationRequest(
        wechat_user_id=user.id, name=name, name_key=name_key(name), graduation_year=year,
        college=college, major="软件工程", channel="bot", created_at=NOW, photo_url=photo_url,
        status=VerificationStatus.PENDING)
    session.add(request)
    session.flush()
    return request


@pytest.fixture
def world(runtime):
    """A request from 张伟 (2012, 计算机学院) with photo; the roster holds 张伟 of 2011, 2012, 2013
    and 2015 in 计算机学院, one of 2012 in 化学学院, and a 2013 record already bound to someone."""
    with runtime.sessions.begin() as session:
        review = add_request(session, photo_url="https://example.com/diploma.jpg")
        records = {
            "y2011": add_alumnus(session, "张伟", year=2011).id,
            "y2012": add_alumnus(session, "张伟", year=2012).id,
            "y2013_bound": add_alumnus(session, "张伟", year=2013, bound_at=NOW).id,
            "y2015": add_alumnus(session, "张伟", year=2015).id,
            "chem": add_alumnus(session, "张伟", year=2012, college="化学学院").id,
            "other_name": add_alumnus(session, "张为", year=2012).id,
        }
        chem_request = add_request(session, "李娜", college="化学学院").id
        ids = {"request": review.id, "chem_request": chem_request, "user": review.wechat_user_id,
               **records}
    add_account(runtime, "clerk", StaffRole.STAFF)
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    add_account(runtime, "chemdean", StaffRole.COLLEGE, college="化学学院")
    with runtime.sessions.begin() as session:
        add_chapter(session, "上海校友会")
    add_account(runtime, "sh", StaffRole.LIAISON, chapter="上海校友会")
    return ids


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _student_id(runtime, record_id) -> str:
    with runtime.sessions() as session:
        return session.get(Alumnus, record_id).student_id


def test_the_queue_lists_pending_requests_and_the_page_shows_candidates(app, runtime, world):
    client = _client(app, "clerk")
    queue = client.get("/admin/verification/").text
    assert "张伟" in queue and "李娜" in queue and "审核" in queue
    page = client.get(f"/admin/verification/{world['request']}").text
    candidates = page.split('id="candidates"', 1)[1]
    for key in ("y2011", "y2012", "y2013_bound"):
        assert _student_id(runtime, world[key]) in candidates
    for key in ("y2015", "chem", "other_name"):  # year ± 1, same college, same name only
        assert _student_id(runtime, world[key]) not in candidates
    assert "已被微信用户" in candidates  # the bound one is shown, with no approve button
    assert candidates.count("通过并绑定") == 2
    assert 'href="https://example.com/diploma.jpg"' in page and 'rel="noopener noreferrer"' in page


def test_approving_links_the_record_notifies_and_is_audited(app, runtime, world):
    client = _client(app, "clerk")
    path = f"/admin/verification/{world['request']}"
    token = csrf_token(client.get(path).text)
    answer = client.post(f"{path}/approve", data={"alumnus_id": world["y2012"], "csrf_token": token})
    assert answer.status_code == 302
    assert "已通过" in client.get(answer.headers["Location"]).text
    with runtime.sessions() as session:
        record = session.get(Alumnus, world["y2012"])
        review = session.get(VerificationRequest, world["request"])
        assert record.wechat_user_id == world["user"] and record.bound_at is not None
        assert review.status is VerificationStatus.APPROVED and review.decided_by == "clerk"
        assert review.alumnus_id == record.id
        [event] = session.scalars(select(BindingEvent).where(BindingEvent.alumnus_id == record.id))
        assert (event.kind, event.channel) == ("bound", "admin")
        [push] = session.scalars(select(Push))
        assert "已通过" in push.text and push.kind == "notification"
        assert push.created_by == "verification:approved"
        [delivery] = session.scalars(select(Delivery).where(Delivery.push_id == push.id))
        assert delivery.wechat_user_id == world["user"] and delivery.status.value == "pending"
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "verification_approved"))
        assert entry.actor == "clerk" and record.student_id in entry.detail
    again = client.post(f"{path}/approve", data={"alumnus_id": world["y2011"], "csrf_token": token})
    assert "已经处理过" in client.get(again.headers["Location"]).text


def test_a_record_bound_to_someone_else_is_refused_by_bindings_rule(app, runtime, world):
    client = _client(app, "clerk")
    path = f"/admin/verification/{world['request']}"
    token = csrf_token(client.get(path).text)
    answer = client.post(f"{path}/approve", data={"alumnus_id": world["y2013_bound"],
                                                  "csrf_token": token})
    assert "已绑定在另一个微信用户上" in client.get(answer.headers["Location"]).text
    with runtime.sessions() as session:
        assert session.get(Alumnus, world["y2013_bound"]).wechat_user_id != world["user"]
        assert session.get(VerificationRequest, world["request"]).status is VerificationStatus.PENDING
        assert list(session.scalars(select(Push))) == []


def test_rejecting_needs_a_reason_which_the_alumnus_is_told(app, runtime, world):
    client = _client(app, "clerk")
    path = f"/admin/verification/{world['request']}"
    token = csrf_token(client.get(path).text)
    empty = client.post(f"{path}/reject", data={"reason": " ", "csrf_token": token})
    assert empty.status_code == 400 and "请填写这一项" in empty.text
    answer = client.post(f"{path}/reject", data={"reason": "花名册中查无此人，请补充毕业证照片",
                                                  "csrf_token": token})
    assert answer.status_code == 302
    with runtime.sessions() as session:
        review = session.get(VerificationRequest, world["request"])
        assert review.status is VerificationStatus.REJECTED
        assert review.reason == "花名册中查无此人，请补充毕业证照片"
        [push] = session.scalars(select(Push))
        assert "未通过" in push.text and "花名册中查无此人" in push.text
        assert push.audience == f"users:{world['user']}"
        assert session.scalar(select(Delivery.wechat_user_id).where(Delivery.push_id == push.id)) \
            == world["user"]
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "verification_rejected"))
        assert "花名册中查无此人" in entry.detail
    rejected = client.get("/admin/verification/?status=rejected").text
    assert "张伟" in rejected


def test_a_liaison_is_refused_and_the_menu_shows_it_only_to_reviewers(app, world):
    sh = _client(app, "sh")
    assert sh.get("/admin/verification/").status_code == 403
    assert sh.get(f"/admin/verification/{world['request']}").status_code == 403
    assert "身份核验" not in menu_offers(sh)
    assert "身份核验" in menu_offers(_client(app, "dean"))


def test_a_college_sees_its_own_requests_and_records_only(app, runtime, world):
    dean = _client(app, "dean")
    queue = dean.get("/admin/verification/").text
    assert "张伟" in queue and "李娜" not in queue
    assert dean.get(f"/admin/verification/{world['chem_request']}").status_code == 404
    token = csrf_token(dean.get(f"/admin/verification/{world['request']}").text)
    foreign = dean.post(f"/admin/verification/{world['chem_request']}/reject",
                        data={"reason": "x", "csrf_token": token})
    assert foreign.status_code == 404
    # approving with another college's record: 404, nothing linked
    other = dean.post(f"/admin/verification/{world['request']}/approve",
                      data={"alumnus_id": world["chem"], "csrf_token": token})
    assert other.status_code == 404
    with runtime.sessions() as session:
        assert session.get(Alumnus, world["chem"]).wechat_user_id is None
    chem = _client(app, "chemdean")
    assert chem.get(f"/admin/verification/{world['request']}").status_code == 404
    assert "李娜" in chem.get("/admin/verification/").text


def test_a_post_without_the_csrf_token_is_refused(app, runtime, world):
    client = _client(app, "clerk")
    answer = client.post(f"/admin/verification/{world['request']}/approve",
                         data={"alumnus_id": world["y2012"]})
    assert answer.status_code == 400 and "页面已过期" in answer.text
    with runtime.sessions() as session:
        assert session.get(Alumnus, world["y2012"]).wechat_user_id is None


def test_a_requested_name_is_rendered_as_text(app, runtime, world):
    with runtime.sessions.begin() as session:
        evil = add_request(session, XSS, college=XSS).id
    client = _client(app, "clerk")
    for page in (client.get("/admin/verification/").text,
                 client.get(f"/admin/verification/{evil}").text):
        assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_oldest_pending_request_comes_first(app, runtime, world):
    with runtime.sessions.begin() as session:
        older = add_request(session, "王芳")
        older.created_at = NOW - timedelta(days=3)
    queue = _client(app, "clerk").get("/admin/verification/").text
    assert queue.index("王芳") < queue.index("张伟")
