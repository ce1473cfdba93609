"""The alerts page: open first and newest first, filtered by kind; a binding conflict resolved by
keeping one link (the other WeChat user told through the outbox); any alert closed with a note;
every resolution audited; the dashboard's count leads here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.directory.binding import bind_alumnus, binding_lockout
from models import Alumnus, AuditEntry, Delivery, Push, StaffAlert, StaffRole, WechatUser
from tests.admin.support import add_account, csrf_token, login
from tests.roster import add_alumnus

NOW = datetime.now(UTC)


def _user(session, openid: str) -> WechatUser:
    user = WechatUser(openid=openid, subscribed=True, created_at=NOW)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def conflict(runtime):
    """Holder bound 张伟's record; a claimant named it correctly: binding raised the alert."""
    limiter = binding_lockout(runtime.store, runtime.config.directory)
    with runtime.sessions.begin() as session:
        record = add_alumnus(session, "2012010101", "张伟", 2012)
        holder, claimant = _user(session, "o-holder"), _user(session, "o-claimant")
        for user in (holder, claimant):
            bind_alumnus(session, user, "张伟", "2012010101", now=NOW, channel="bot",
                         limiter=limiter)
        alert = session.scalar(select(StaffAlert))
        session.add(StaffAlert(kind="wechat_user_duplicate", message="两条记录分别绑定了不同的人",
                               created_at=NOW - timedelta(days=1)))
        old = StaffAlert(kind="chapter_join", message="旧的提醒", created_at=NOW - timedelta(days=9),
                         resolved_at=NOW - timedelta(days=8), resolved_by="boss", resolution="已电话联系")
        session.add(old)
        session.flush()
        ids = {"alert": alert.id, "record": record, "holder": holder.id, "claimant": claimant.id,
               "old": old.id}
    add_account(runtime, "clerk", StaffRole.STAFF)
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    return ids


def _client(app, username="clerk"):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _pushes(runtime) -> dict[int, str]:
    with runtime.sessions() as session:
        return {d.wechat_user_id: p.text for p, d in session.execute(
            select(Push, Delivery).join(Delivery, Delivery.push_id == Push.id))}


def test_alerts_are_listed_open_first_newest_first_with_their_kind(app, conflict):
    page = _client(app).get("/admin/alerts/").text
    assert page.index("绑定冲突") < page.index("重复的微信用户") < page.index("旧的提醒")
    assert "已电话联系" in page and "待处理" in page
    assert "学号 2012010101" in page and "改绑给申请人" in page
    only = _client(app).get("/admin/alerts/?kind=chapter_join").text
    assert "旧的提醒" in only and "两条记录" not in only


def test_keeping_the_claimant_moves_the_record_and_tells_both(app, runtime, conflict):
    client = _client(app)
    token = csrf_token(client.get("/admin/alerts/").text)
    answer = client.post(f"/admin/alerts/{conflict['alert']}/conflict",
                         data={"keep": "claimant", "csrf_token": token})
    assert answer.status_code == 302
    assert "已通知相关校友" in client.get("/admin/alerts/").text
    with runtime.sessions() as session:
        assert session.get(Alumnus, conflict["record"]).wechat_user_id == conflict["claimant"]
        alert = session.get(StaffAlert, conflict["alert"])
        assert alert.resolved_at is not None and alert.resolved_by == "clerk"
        assert f"改绑给微信用户 #{conflict['claimant']}" in alert.resolution
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "alert_resolved"))
        assert entry.detail == alert.resolution
    told = _pushes(runtime)
    assert "解除绑定" in told[conflict["holder"]] and "2012010101" not in told[conflict["holder"]]
    assert "已为您绑定" in told[conflict["claimant"]]


def test_keeping_the_holder_leaves_the_link_and_tells_the_claimant(app, runtime, conflict):
    client = _client(app)
    token = csrf_token(client.get("/admin/alerts/").text)
    client.post(f"/admin/alerts/{conflict['alert']}/conflict",
                data={"keep": "holder", "csrf_token": token})
    with runtime.sessions() as session:
        assert session.get(Alumnus, conflict["record"]).wechat_user_id == conflict["holder"]
        assert session.get(StaffAlert, conflict["alert"]).resolved_at is not None
    told = _pushes(runtime)
    assert list(told) == [conflict["claimant"]] and "仍由原来的微信账号绑定" in told[conflict["claimant"]]
    again = client.post(f"/admin/alerts/{conflict['alert']}/conflict",
                        data={"keep": "claimant", "csrf_token": token})
    assert "已经处理过" in client.get(again.headers["Location"]).text
    with runtime.sessions() as session:
        assert session.get(Alumnus, conflict["record"]).wechat_user_id == conflict["holder"]


def test_any_alert_is_closed_with_a_note_and_audited(app, runtime, conflict):
    client = _client(app)
    with runtime.sessions() as session:
        duplicate = session.scalar(select(StaffAlert.id).where(StaffAlert.kind == "wechat_user_duplicate"))
    token = csrf_token(client.get("/admin/alerts/").text)
    client.post(f"/admin/alerts/{duplicate}/resolve", data={"note": "<b>已核实</b>", "csrf_token": token})
    page = client.get("/admin/alerts/").text
    assert "&lt;b&gt;已核实&lt;/b&gt;" in page and "<b>已核实" not in page
    with runtime.sessions() as session:
        assert session.get(StaffAlert, duplicate).resolution == "<b>已核实</b>"
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.detail == "<b>已核实</b>")) \
            == "alert_resolved"


def test_only_admin_and_staff_open_alerts_and_posts_need_the_token(app, runtime, conflict):
    dean = _client(app, "dean")
    assert dean.get("/admin/alerts/").status_code == 403
    token = csrf_token(dean.get("/admin/password").text)
    assert dean.post(f"/admin/alerts/{conflict['alert']}/conflict",
                     data={"keep": "claimant", "csrf_token": token}).status_code == 403
    refused = _client(app).post(f"/admin/alerts/{conflict['alert']}/conflict", data={"keep": "claimant"})
    assert refused.status_code == 400
    with runtime.sessions() as session:
        assert session.get(Alumnus, conflict["record"]).wechat_user_id == conflict["holder"]


def test_the_dashboards_open_alerts_count_leads_to_the_alerts_page(app, conflict):
    page = _client(app).get("/admin/").text
    tile = page.split('class="tile attention"', 1)[1].split("</div>", 1)[0]
    assert 'href="/admin/alerts/"' in tile and 'id="count-alerts">2<' in tile
