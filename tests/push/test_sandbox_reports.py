"""The sandbox reports on sends as WeChat does: a TEMPLATESENDJOBFINISH or MASSSENDJOBFINISH
posted to the app's /wechat over real HTTP a moment after the API call was answered, which the
app records on the delivery row; and none at all when its `reports` switch is off."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from models.message_log import MessageLog
from models.push import Delivery
from models.wechat_user import WechatUser
from scheduler.delivery import deliver_due
from scheduler.outbox import queue_push
from wechat_bot.commands.push import push_status
from wechat_bot.push_sender import build_delivery
from wechat_bot.sandbox.reports import MASS_ASSISTANT

TEMPLATE = {"template_id": "alumni-sandbox-tpl-notice",
            "template_data": ["thing1={text}", "thing2={account}", "time3={time}"],
            "rate_per_second": 1000.0}


def _push(live, audience, text="校友会年度大会通知"):
    with live.runtime.sessions.begin() as session:
        push = queue_push(session, text=text, audience=audience, kind="broadcast",
                          now=datetime.now(UTC))
    sender, limiter = build_delivery(live.runtime)
    assert deliver_due(live.runtime.sessions, sender, limiter, now=datetime.now(UTC),
                       worker_id="t").sent == 1
    return push


def _row(live, push):
    with live.runtime.sessions() as session:
        return session.scalars(select(Delivery).where(Delivery.push_id == push.id)).one()


def _reported(live, push, seconds=10.0):
    """The row once WeChat's report has reached the app (it comes a moment after the send)."""
    give_up = time.monotonic() + seconds
    while (row := _row(live, push)).report is None and time.monotonic() < give_up:
        time.sleep(0.05)
    return row


def _follower(live):
    with live.runtime.sessions.begin() as session:
        return live.follower(session)


@pytest.mark.parametrize("wechat_says, status, error", [
    ("success", "sent", None),
    ("failed:user block", "failed", "微信回报用户拒收（failed:user block）"),
])
def test_the_sandbox_reports_a_delivered_template_message_to_the_webhook(
        live_factory, wechat_says, status, error):
    live = live_factory(push=TEMPLATE)
    live.sandbox.faults.set({"report_delay_ms": 300, "template_report": wechat_says})
    user = _follower(live)
    push = _push(live, f"openids:{user.openid}")
    (entry,) = live.arrived(user.openid)
    row = _reported(live, push)
    assert (row.report, row.status, row.error, row.msgid) == (
        wechat_says, status, error, str(entry["msgid"]))
    output = live.app.test_cli_runner().invoke(push_status, [str(push.id)]).output
    assert ("  微信确认送达：1" in output.splitlines()) is (wechat_says == "success")


def test_with_reports_off_the_sandbox_reports_nothing(live_factory):
    live = live_factory(push=TEMPLATE)
    live.sandbox.faults.set({"reports": False, "report_delay_ms": 300})
    user = _follower(live)
    silent = _push(live, f"openids:{user.openid}")
    # Then on again: once the later push's report is in, the earlier one would have been too.
    live.sandbox.faults.set({"reports": True})
    heard = _push(live, f"openids:{user.openid}", text="第二条通知")
    assert _reported(live, heard).report == "success"
    time.sleep(0.3)
    assert (_row(live, silent).status, _row(live, silent).report) == ("sent", None)
    live.runtime.inbox.flush()
    with live.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageLog).where(
            MessageLog.event == "TEMPLATESENDJOBFINISH")) == 1


def test_the_sandbox_reports_a_mass_send_with_its_counts_and_nobody_becomes_a_user(
        live_factory):
    live = live_factory(push=TEMPLATE)
    live.sandbox.faults.set({"report_delay_ms": 300})
    for _ in range(3):
        _follower(live)
    push = _push(live, "all", text="新年快乐！")
    row = _reported(live, push)
    assert row.report == "sendsuccess"
    assert row.report_counts == {"total": 3, "filter": 3, "sent": 3, "error": 0}
    live.runtime.inbox.flush()
    with live.runtime.sessions() as session:
        assert session.scalar(select(WechatUser).where(WechatUser.openid == MASS_ASSISTANT)) is None
        assert session.scalar(select(func.count()).select_from(WechatUser)) == 3
