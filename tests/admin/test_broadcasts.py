"""The broadcast composer and a push's pages (issue 20 item 6): refusals in Chinese, the scope
checked on the server, the test to one's own openid, schedule, progress, retry, cancel, CSRF, XSS,
and every send in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEntry, Delivery, Push, PushOptOut, StaffAccount, StaffRole
from models.push import DeliveryStatus
from tests.admin.support import add_account, add_alumnus, add_chapter, join, login, post_form

NOW = datetime.now(UTC)
COMPOSE = "/admin/broadcasts/new"


def compose(client, **fields):
    data = {"kind": "text", "text": "秋季返校日报名开始", "target": "segment", "years": "2016",
            "category": "notice", "when": "now", "action": "send", "chapter": ""}
    data.update(fields)
    return post_form(client, COMPOSE, data)


@pytest.fixture
def class_of_2016(runtime):
    with runtime.sessions.begin() as session:
        records = [add_alumnus(session, f"同学{i}", year=2016, bound_at=NOW) for i in range(3)]
        add_alumnus(session, "别届", year=2012, bound_at=NOW)
        return [r.wechat_user_id for r in records]


def _audit(runtime, action):
    with runtime.sessions() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


@pytest.mark.parametrize("fields, refusal", [
    ({"text": "  "}, "请填写推送内容"),
    ({"when": "at", "at": "明天上午"}, "不是有效的时间"),
    ({"when": "at", "at": "2020-01-01 09:00"}, "已经过去了"),
    ({"years": "", "target": "segment"}, "请至少填写一个筛选条件"),
    ({"years": "16"}, "届别应为四位年份"),
    ({"kind": "news", "news_title": "校庆", "news_url": "javascript:alert(1)"}, "应以 http:// 或 https:// 开头"),
])
def test_the_composer_refuses_in_chinese(admin_client, runtime, class_of_2016, fields, refusal):
    response = compose(admin_client, **fields)
    assert response.status_code == 200 and refusal in response.text
    with runtime.sessions() as session:
        assert session.scalar(select(Push.id)) is None


def test_send_now_queues_through_the_outbox_and_is_audited(admin_client, runtime, class_of_2016):
    response = compose(admin_client, category="events")
    assert response.status_code == 302 and "/admin/pushes/" in response.location
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert (push.audience, push.recipient_count, push.category, push.kind) == \
            ("year:2016", 3, "events", "broadcast")
        assert push.created_by == "admin:boss"
    assert "2016 届校友，3 人" in _audit(runtime, "broadcast_sent")[0].detail
    page = admin_client.get(response.location)
    assert "2016 届校友" in page.text and "活动" in page.text and 'id="progress"' in page.text


def test_a_news_card_and_a_scheduled_push(admin_client, runtime, class_of_2016):
    at = (NOW + timedelta(days=2)).astimezone(runtime.config.zone).strftime("%Y-%m-%d %H:%M")
    assert compose(admin_client, kind="news", text="", news_title="校庆 120 周年",
                   news_description="欢迎回家", news_url="https://example.edu/120",
                   when="at", at=at).status_code == 302
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert push.custom_message["news"]["articles"][0]["title"] == "校庆 120 周年"
        assert push.text == "校庆 120 周年\n欢迎回家"
        local = push.not_before.astimezone(runtime.config.zone).strftime("%Y-%m-%d %H:%M")
        assert local == at and push.not_before > NOW + timedelta(days=1)
    assert _audit(runtime, "broadcast_scheduled")


def test_the_count_endpoint_shows_count_and_channel_mix(admin_client, runtime, class_of_2016):
    with runtime.sessions.begin() as session:
        session.add(PushOptOut(wechat_user_id=class_of_2016[0], category="events",
                               opted_out=True, changed_at=NOW, channel="bot"))
    got = admin_client.get("/admin/broadcasts/count", query_string={
        "target": "segment", "years": "2016", "category": "events", "kind": "text"}).json
    assert got["count"] == 2 and got["label"] == "2016 届校友"
    assert got["custom"] + got["template"] + got["unreachable"] + got["subscribe"] == 2
    assert got["unreachable"] == 2  # no template configured, nobody wrote within 48 hours
    bad = admin_client.get("/admin/broadcasts/count", query_string={"target": "segment",
                                                                   "years": "x"})
    assert bad.status_code == 200 and "届别" in bad.json["error"] and "count" not in bad.json


def test_the_test_goes_to_ones_own_openid_only(admin_client, runtime, class_of_2016):
    refused = compose(admin_client, action="test")
    assert "还没有设置测试接收人" in refused.text
    assert post_form(admin_client, "/admin/broadcasts/test-recipient",
                     {"openid": "o-admin-1"}).status_code == 302
    response = compose(admin_client, action="test")
    assert response.status_code == 302
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert (push.kind, push.audience, push.category) == ("test", "openids:o-admin-1", None)
        assert push.text.startswith("【测试】")
        assert session.scalar(select(StaffAccount.test_openid)) == "o-admin-1"
    assert _audit(runtime, "broadcast_test") and _audit(runtime, "test_recipient_set")
    assert "【测试】" not in admin_client.get("/admin/broadcasts/").text  # tests stay off the list


def test_progress_retry_and_cancel(admin_client, runtime, class_of_2016):
    compose(admin_client)
    with runtime.sessions.begin() as session:
        push = session.scalars(select(Push)).one()
        rows = session.scalars(select(Delivery).where(Delivery.push_id == push.id)
                               .order_by(Delivery.id)).all()
        rows[0].status, rows[0].finished_at = DeliveryStatus.SENT, NOW
        rows[1].status, rows[1].errcode, rows[1].finished_at = DeliveryStatus.FAILED, 43004, NOW
        push_id = push.id
    progress = admin_client.get(f"/admin/pushes/{push_id}/progress").json
    assert progress == {"total": 3, "sent": 1, "failed": 1, "queued": 1, "uncertain": 0,
                        "unreachable": 0, "cancelled": 0, "finished": False, "percent": 66}
    page = admin_client.get(f"/admin/pushes/{push_id}?status=failed")
    assert "用户未关注公众号（43004）" in page.text
    assert post_form(admin_client, f"/admin/pushes/{push_id}", {}).status_code == 405
    token_page = f"/admin/pushes/{push_id}"
    assert post_form_to(admin_client, token_page, f"/admin/pushes/{push_id}/cancel").status_code == 302
    after = admin_client.get(f"/admin/pushes/{push_id}/progress").json
    assert (after["cancelled"], after["queued"], after["failed"], after["finished"],
            after["percent"]) == (1, 0, 1, True, 100)
    assert post_form_to(admin_client, token_page, f"/admin/pushes/{push_id}/retry").status_code == 302
    again = admin_client.get(f"/admin/pushes/{push_id}/progress").json
    assert (again["failed"], again["queued"], again["cancelled"]) == (0, 1, 1)
    assert _audit(runtime, "broadcast_cancelled") and _audit(runtime, "broadcast_retried")


def post_form_to(client, page: str, action: str):
    from tests.admin.support import csrf_token
    return client.post(action, data={"csrf_token": csrf_token(client.get(page).text)})


def test_a_post_without_the_csrf_token_is_refused(admin_client, runtime, class_of_2016):
    response = admin_client.post(COMPOSE, data={"text": "x", "years": "2016", "action": "send"})
    assert response.status_code == 400 and "页面已过期" in response.text
    with runtime.sessions() as session:
        assert session.scalar(select(Push.id)) is None


def test_a_script_in_a_push_is_shown_as_text(admin_client, runtime, class_of_2016):
    compose(admin_client, text="<script>alert(1)</script>")
    with runtime.sessions() as session:
        push_id = session.scalar(select(Push.id))
    for page in ("/admin/broadcasts/", f"/admin/pushes/{push_id}"):
        html = admin_client.get(page).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html


def test_a_liaison_sends_only_to_their_chapter(app, runtime):
    with runtime.sessions.begin() as session:
        mine, other = add_chapter(session, "上海校友会"), add_chapter(session, "北京校友会")
        for chapter, name in ((mine, "沪"), (other, "京")):
            join(session, chapter, add_alumnus(session, name, year=2016, bound_at=NOW))
    add_account(runtime, "sh", StaffRole.LIAISON, chapter="上海校友会")
    client = app.test_client()
    login(client, "sh")
    refused = compose(client, chapter="北京校友会")  # a forged choice: the page offers only 上海
    assert "您只能向本分会（上海校友会）的成员发送推送" in refused.text
    assert "您只能向本分会" in compose(client, target="all").text
    assert compose(client, chapter="上海校友会").status_code == 302
    with runtime.sessions.begin() as session:
        push = session.scalars(select(Push)).one()
        assert (push.audience, push.recipient_count) == ("and:year:2016&chapter:上海校友会", 1)
        foreign = Push(key="k" * 32, kind="broadcast", audience="chapter:北京校友会", text="x",
                       not_before=NOW, created_at=NOW)
        session.add(foreign)
        session.flush()
        foreign_id, own_id = foreign.id, push.id
    assert client.get(f"/admin/pushes/{own_id}").status_code == 200
    assert client.get(f"/admin/pushes/{foreign_id}").status_code == 404
    assert client.get(f"/admin/pushes/{foreign_id}/progress").status_code == 404
    assert "北京校友会" not in client.get("/admin/broadcasts/").text


def test_a_college_account_sends_only_to_its_college(app, runtime, class_of_2016):
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    client = app.test_client()
    login(client, "dean")
    assert "您只能向本学院（计算机学院）的校友发送推送" in compose(client, college="化学学院").text
    assert compose(client, college="计算机学院").status_code == 302
    assert client.get("/admin/consent/").status_code == 403


def test_the_consent_page_counts_opt_outs(admin_client, runtime, class_of_2016):
    with runtime.sessions.begin() as session:
        for user_id in class_of_2016[:2]:
            session.add(PushOptOut(wechat_user_id=user_id, category="events", opted_out=True,
                                   changed_at=NOW, channel="bot"))
    html = admin_client.get("/admin/consent/").text
    assert 'id="optout-events">2<' in html and 'id="optout-notice">0<' in html


def test_the_demo_admin_tests_to_the_sandbox_chat_person(runtime):
    from handlers.staff.demo import DEMO_ADMIN, ensure_demo_admin, link_test_recipient

    with runtime.sessions.begin() as session:
        ensure_demo_admin(session, runtime.config.admin, now=NOW)
        link_test_recipient(session, "o-zhangwei")
        link_test_recipient(session, "o-someone-else")  # the first link (or the admin's own) stays
        assert session.scalar(select(StaffAccount.test_openid)
                              .where(StaffAccount.username == DEMO_ADMIN)) == "o-zhangwei"
