"""Consent (issue 20 item 7): 退订/订阅 through the webhook, GET/PUT /me/consents, and the outbox
leaving the opted-out out of a categorised push while the notices that always go still go."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from models import Delivery, PushOptOut, WechatUser
from scheduler.outbox import count_recipients, queue_push
from tests.admin.support import add_alumnus
from tests.wechat import say

NOW = datetime.now(UTC)


def test_unsubscribe_and_subscribe_through_the_webhook(app, runtime):
    client, token = app.test_client(), runtime.config.wechat.token
    listed = say(client, token, "o-consent-1", "退订")
    assert "校友会通知" in listed and "活动" in listed and "接收中" in listed
    assert "已退订「活动」" in say(client, token, "o-consent-1", "退订 活动")
    assert "之前已退订" in say(client, token, "o-consent-1", "退订活动")
    assert "活动（校友活动的报名与提醒）：已退订" in say(client, token, "o-consent-1", "退订")
    with runtime.sessions() as session:
        row = session.scalars(select(PushOptOut)).one()
        assert (row.category, row.opted_out, row.channel) == ("events", True, "bot")
        assert row.changed_at is not None
    assert "已恢复接收「活动」" in say(client, token, "o-consent-1", "订阅 活动")
    assert "没有「天气」这个推送类别" in say(client, token, "o-consent-1", "退订 天气")
    with runtime.sessions() as session:
        assert session.scalars(select(PushOptOut.opted_out)).one() is False


def test_opt_outs_are_left_out_and_own_notices_still_go(runtime):
    with runtime.sessions.begin() as session:
        kept = add_alumnus(session, "留下", year=2016, bound_at=NOW)
        leaving = add_alumnus(session, "退订", year=2016, bound_at=NOW)
        session.add(PushOptOut(wechat_user_id=leaving.wechat_user_id, category="events",
                               opted_out=True, changed_at=NOW, channel="api"))
        session.flush()
        assert count_recipients(session, "year:2016") == 2
        assert count_recipients(session, "year:2016", "events") == 1
        assert count_recipients(session, "year:2016", "notice") == 2  # another category
        push = queue_push(session, text="活动", audience="year:2016", kind="broadcast",
                          category="events", now=NOW)
        assert push.recipient_count == 1
        assert session.scalars(select(Delivery.wechat_user_id).where(
            Delivery.push_id == push.id)).all() == [kept.wechat_user_id]
        notice = queue_push(session, text="您的预约已通过", kind="notification", now=NOW,
                            audience=f"users:{leaving.wechat_user_id}")
        assert notice.recipient_count == 1 and notice.category is None


def test_all_followers_go_one_by_one_once_someone_opted_out(runtime):
    with runtime.sessions.begin() as session:
        a = add_alumnus(session, "甲", bound_at=NOW)
        add_alumnus(session, "乙", bound_at=NOW)
        assert queue_push(session, text="x", audience="all", kind="broadcast", category="events",
                          now=NOW).mass
        session.add(PushOptOut(wechat_user_id=a.wechat_user_id, category="events",
                               opted_out=True, changed_at=NOW, channel="bot"))
        session.flush()
        push = queue_push(session, text="x", audience="all", kind="broadcast", category="events",
                          now=NOW)
        assert not push.mass and push.recipient_count == 1  # a mass send cannot leave anyone out


def test_consents_through_the_api(live):
    token = live.login(live.person())
    first = live.call("GET", "/me/consents", token).json()
    assert [i["label"] for i in first["items"]] == ["校友会通知", "活动", "返校", "分会", "校友圈",
                                                    "校园新闻", "校报", "校友通讯", "校史"]
    # every category but the news ones (opt-in) goes to everyone until they opt out
    assert [i["subscribed"] for i in first["items"]] == [True] * 5 + [False] * 4
    assert "总会发送" in first["always"]
    changed = live.call("PUT", "/me/consents", token,
                        json={"items": [{"category": "events", "subscribed": False}]})
    assert changed.status_code == 200
    events = next(i for i in changed.json()["items"] if i["category"] == "events")
    assert events["subscribed"] is False and events["channel"] == "api" and events["changed_at"]
    refused = live.call("PUT", "/me/consents", token,
                        json={"items": [{"category": "天气", "subscribed": False}]})
    assert refused.status_code == 422
    with live.runtime.sessions() as session:
        user = session.scalars(select(WechatUser)).one()
        assert session.scalars(select(PushOptOut.wechat_user_id)).all() == [user.id]
