"""Delivery over real HTTP to the sandbox's stand-in WeChat API: every channel, the faults WeChat
shows (system busy, quota, slowness), and the errcodes it answers (43004 for an unfollowed user)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from models.push import Delivery, SubscribeConsent, grant_subscribe_consents
from scheduler.delivery import deliver_due
from scheduler.outbox import queue_push
from wechat_bot.commands.push import push_status
from wechat_bot.push_sender import build_delivery

TEMPLATE = {"template_id": "alumni-sandbox-tpl-notice",
            "template_data": ["thing1={text}", "thing2={account}", "time3={time}"],
            "rate_per_second": 1000.0}
SUBSCRIBE = {"miniprogram_template_id": "alumni-sandbox-sub-event-reminder",
             "miniprogram_template_data": ["thing1={text}", "time2={time}", "thing3={account}"],
             "rate_per_second": 1000.0}
NO_TEMPLATE = {"rate_per_second": 1000.0}


def _now():
    return datetime.now(UTC)


def _queue(live, audience, text="校友会年度大会通知"):
    with live.runtime.sessions.begin() as session:
        return queue_push(session, text=text, audience=audience, kind="broadcast", now=_now())


def _deliver(live, at=None):
    sender, limiter = build_delivery(live.runtime)
    return deliver_due(live.runtime.sessions, sender, limiter, now=at or _now(), worker_id="t")


def _rows(live, push):
    with live.runtime.sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.push_id == push.id)
                                    .order_by(Delivery.id)))


def _crash_while_sending(live, push):
    """Leave the rows as kill -9 in the middle of the call would, long enough ago."""
    with live.runtime.sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.push_id == push.id).values(
            status="sending", claim_token="dead", sending_at=_now() - timedelta(hours=1)))


def _followers(live, count, **kwargs):
    with live.runtime.sessions.begin() as session:
        return [live.follower(session, f"校友{i}", **kwargs) for i in range(count)]


def test_a_template_message_arrives_once_even_when_resent_after_a_crash(live_factory):
    live = live_factory(push=TEMPLATE)
    (user,) = _followers(live, 1)
    push = _queue(live, f"openids:{user.openid}")
    assert _deliver(live).sent == 1
    (entry,) = live.arrived(user.openid)
    assert (entry["channel"], entry["template_id"]) == ("template", "alumni-sandbox-tpl-notice")
    assert entry["rows"][0] == ["通知内容", "校友会年度大会通知"]
    (row,) = _rows(live, push)
    assert row.msgid == str(entry["msgid"])
    _crash_while_sending(live, push)
    stats = _deliver(live)
    assert (stats.reconciled, stats.sent) == (1, 1)
    assert len(live.arrived(user.openid)) == 1  # WeChat answered the same client_msg_id
    (again,) = _rows(live, push)
    assert (again.status, again.msgid, again.attempts) == ("sent", row.msgid, 2)


def test_without_a_template_a_user_in_the_window_gets_a_customer_service_message(live_factory):
    live = live_factory(push=NO_TEMPLATE)
    writer, silent = _followers(live, 1) + _followers(live, 1, window=False)
    push = _queue(live, f"openids:{writer.openid},{silent.openid}")
    stats = _deliver(live)
    assert (stats.sent, stats.unreachable) == (1, 1)
    (entry,) = live.arrived(writer.openid)
    assert (entry["channel"], entry["content"]) == ("custom", "校友会年度大会通知")
    assert live.arrived(silent.openid) == []
    assert [r.status for r in _rows(live, push)] == ["sent", "unreachable"]


def test_a_subscribe_message_spends_the_users_consent(live_factory):
    live = live_factory(push=SUBSCRIBE)
    person = live.sandbox.people.add("小程序用户")  # uses the mini-program, does not follow
    live.sandbox.catalog.grant(person.mp_openid, SUBSCRIBE["miniprogram_template_id"])
    with live.runtime.sessions.begin() as session:
        from tests.push.support import add_user

        user = add_user(session, person.openid, subscribed=False, mp_openid=person.mp_openid)
        grant_subscribe_consents(session, user.id, [SUBSCRIBE["miniprogram_template_id"]], _now())
    _queue(live, f"users:{user.id}")
    assert _deliver(live).sent == 1
    (entry,) = live.arrived(person.mp_openid)
    assert entry["channel"] == "subscribe"
    assert live.sandbox.catalog.consents(person.mp_openid,
                                         SUBSCRIBE["miniprogram_template_id"]) == 0
    with live.runtime.sessions() as session:
        assert session.scalars(select(SubscribeConsent.remaining)).one() == 0
    second = _queue(live, f"users:{user.id}", text="第二条")
    assert _deliver(live).unreachable == 1  # the grant was one-time
    assert _rows(live, second)[0].status == "unreachable"


def test_all_followers_get_one_mass_send(live_factory):
    live = live_factory(push=TEMPLATE)
    users = _followers(live, 3, window=False)
    push = _queue(live, "all", text="新年快乐！")
    assert _deliver(live).sent == 1
    for user in users:
        (entry,) = live.arrived(user.openid)
        assert (entry["channel"], entry["content"]) == ("mass", "新年快乐！")
    (row,) = _rows(live, push)
    _crash_while_sending(live, push)
    assert _deliver(live).sent == 1  # 45065: that clientmsgid was sent already
    assert all(len(live.arrived(u.openid)) == 1 for u in users)
    assert _rows(live, push)[0].msgid == row.msgid


def test_system_busy_is_retried_and_arrives_once(live_factory):
    live = live_factory(push=TEMPLATE)
    (user,) = _followers(live, 1)
    push = _queue(live, f"openids:{user.openid}")
    _deliver(live)  # fetch the token while WeChat is well (and send)
    live.sandbox.faults.set({"busy_rate": 1.0, "paths": ["message/template/send"]})
    second = _queue(live, f"openids:{user.openid}", text="第二条通知")
    assert _deliver(live).retried == 1
    (row,) = _rows(live, second)
    assert (row.status, row.errcode, row.attempts) == ("pending", -1, 1)
    live.sandbox.faults.clear()
    assert _deliver(live, at=row.next_attempt_at).sent == 1
    assert [e["rows"][0][1] for e in live.arrived(user.openid)] == ["校友会年度大会通知", "第二条通知"]
    assert _rows(live, push)[0].status == "sent"


def test_an_unfollowed_user_is_43004_once_and_never_again(live_factory):
    live = live_factory(push=TEMPLATE)
    (user,) = _followers(live, 1)
    live.sandbox.people.unfollow(user.openid)  # our table has not heard yet
    push = _queue(live, f"openids:{user.openid}")
    assert _deliver(live).failed == 1
    (row,) = _rows(live, push)
    assert (row.status, row.errcode) == ("failed", 43004)
    assert _deliver(live, at=_now() + timedelta(days=1)).claimed == 0


def test_the_daily_quota_moves_users_in_the_window_to_customer_service(live_factory):
    live = live_factory(push=TEMPLATE)
    (user,) = _followers(live, 1)
    live.sandbox.faults.set({"quota_rate": 1.0, "paths": ["message/template/send"]})
    push = _queue(live, f"openids:{user.openid}")
    assert _deliver(live).waiting == 1
    assert _deliver(live).sent == 1
    (entry,) = live.arrived(user.openid)
    assert entry["channel"] == "custom"
    assert _rows(live, push)[0].channel == "custom"


def _answer_lost(live, user):
    """Deliver a push to `user` while WeChat answers too slowly: the call goes through after we
    stopped waiting for it. Answers the push."""
    _deliver(live)  # the token, fetched before WeChat turns slow
    live.sandbox.faults.set({"latency_ms": 700, "paths": ["message/custom/send",
                                                          "message/template/send"]})
    push = _queue(live, f"openids:{user.openid}")
    _deliver(live)
    deadline = time.monotonic() + 3
    while not live.arrived(user.openid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(live.arrived(user.openid)) == 1
    return push


@pytest.mark.parametrize("settings, expected", [(NO_TEMPLATE, "unknown"), (TEMPLATE, "pending")])
def test_a_call_whose_answer_is_lost_is_never_blindly_repeated(live_factory, settings, expected):
    live = live_factory(push=settings, wechat={"request_timeout_seconds": 0.3})
    (user,) = _followers(live, 1)
    live.sandbox.faults.set({"reports": False})  # the resend alone must put it right
    push = _answer_lost(live, user)
    assert _rows(live, push)[0].status == expected
    live.sandbox.faults.set({"latency_ms": 0})
    # Two minutes on: the template is sent again with its client_msg_id, which WeChat dedups.
    _deliver(live, at=_now() + timedelta(minutes=2))
    assert len(live.arrived(user.openid)) == 1
    assert _rows(live, push)[0].status == ("unknown" if expected == "unknown" else "sent")


def test_a_template_whose_answer_is_lost_is_not_resent_after_ten_minutes_and_wechat_settles_it(
        live_factory):
    live = live_factory(push=TEMPLATE, wechat={"request_timeout_seconds": 0.3})
    (user,) = _followers(live, 1)
    live.sandbox.faults.set({"report_delay_ms": 3000})  # WeChat's report comes after our retry
    push = _answer_lost(live, user)
    live.sandbox.faults.set({"latency_ms": 0})
    live.sandbox.store.shift_clock(11 * 60)  # the retry comes late: the scheduler was down
    _deliver(live, at=datetime.fromtimestamp(live.sandbox.now(), UTC))
    (row,) = _rows(live, push)
    assert (row.status, row.attempts) == ("unknown", 1)  # a resend now could be a second message
    output = live.app.test_cli_runner().invoke(push_status, [str(push.id)]).output
    assert ("不确定是否送达：1（可能已送达，不会自动重发；模板消息等待微信回报）"
            in output.splitlines())
    deadline = time.monotonic() + 10
    while (row := _rows(live, push)[0]).report is None and time.monotonic() < deadline:
        time.sleep(0.05)
    (entry,) = live.arrived(user.openid)
    assert (row.status, row.report, row.msgid) == ("sent", "success", str(entry["msgid"]))
    output = live.app.test_cli_runner().invoke(push_status, [str(push.id)]).output
    assert "  微信确认送达：1" in output.splitlines()
