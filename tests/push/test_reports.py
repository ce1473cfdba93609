"""WeChat's reports after our sends, posted to /wechat as WeChat posts them: what they do to the
delivery rows, what push-status then tells staff, and what they must never do (create a user,
answer with a chat reply, touch a row they do not name)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models.message_log import MessageLog
from models.push import Delivery
from models.wechat_user import WechatUser
from scheduler.delivery import deliver_due
from scheduler.outbox import queue_push
from scheduler.sender import Outcome, SendResult
from tests.push.support import NOW, FakeLimiter, FakeSender, add_user
from tests.wechat import event_xml, post
from wechat_bot.commands.push import push_status


def _template_report(client, config, openid, msgid, status, create_time=None):
    extra = f"<MsgID>{msgid}</MsgID><Status><![CDATA[{status}]]></Status>"
    response = post(client, config.wechat.token,
                    event_xml(openid, "TEMPLATESENDJOBFINISH", extra, create_time=create_time))
    assert (response.status_code, response.get_data(as_text=True)) == (200, "success")


def _mass_report(client, config, msgid, status="sendsuccess", counts=(100, 80, 75, 5),
                 sender="o-mass-send-assistant"):
    total, filtered, sent, error = counts
    extra = (f"<MsgID>{msgid}</MsgID><Status><![CDATA[{status}]]></Status>"
             f"<TotalCount>{total}</TotalCount><FilterCount>{filtered}</FilterCount>"
             f"<SentCount>{sent}</SentCount><ErrorCount>{error}</ErrorCount>")
    response = post(client, config.wechat.token, event_xml(sender, "MASSSENDJOBFINISH", extra))
    assert (response.status_code, response.get_data(as_text=True)) == (200, "success")


def _sent_templates(sessions, count):
    """`count` followers, one push to them, delivered: template rows sent with msgids 3001, …"""
    with sessions.begin() as session:
        users = [add_user(session) for _ in range(count)]
        push = queue_push(session, text="返校日报名开始了", kind="broadcast", now=NOW,
                          audience="openids:" + ",".join(u.openid for u in users))
    sender = FakeSender()
    for number, user in enumerate(users):
        sender.answer(user.openid, SendResult.sent(3001 + number))
    assert deliver_due(sessions, sender, FakeLimiter(), now=NOW, worker_id="w").sent == count
    return push, users


def _rows(sessions, push):
    with sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.push_id == push.id)
                                    .order_by(Delivery.id)))


def _status(app, push):
    result = app.test_cli_runner().invoke(push_status, [str(push.id)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_template_reports_confirm_or_fail_the_row_and_push_status_counts_them(
        app, client, config, sessions):
    push, (ok, blocked, broken, _silent) = _sent_templates(sessions, 4)
    _template_report(client, config, ok.openid, 3001, "success")
    _template_report(client, config, blocked.openid, 3002, "failed:user block")
    _template_report(client, config, broken.openid, 3003, "failed: system failed")
    rows = _rows(sessions, push)
    assert [(r.status, r.report, r.msgid) for r in rows] == [
        ("sent", "success", "3001"), ("failed", "failed:user block", "3002"),
        ("failed", "failed: system failed", "3003"), ("sent", None, "3004")]
    assert rows[0].reported_at is not None and rows[0].error is None
    assert rows[1].error == "微信回报用户拒收（failed:user block）"
    assert rows[2].error == "微信回报微信系统失败（failed: system failed）"
    assert rows[1].errcode is None  # the call itself succeeded: no errcode to blame
    lines = _status(app, push)
    assert lines[2:] == [
        "待发送：0", "已发送：2", "  微信确认送达：1", "  等待微信回报：1", "失败：2",
        "  微信回报微信系统失败（failed: system failed）：1",
        "  微信回报用户拒收（failed:user block）：1", "无法送达：0"]


def test_a_report_naming_no_row_of_ours_changes_nothing_and_creates_no_user(
        runtime, client, config, sessions):
    push, (user,) = _sent_templates(sessions, 1)
    _template_report(client, config, "o-stranger", 987654, "failed:user block")
    _template_report(client, config, "o-stranger", 3001, "failed:user block")  # not its row
    _template_report(client, config, user.openid, 3999, "failed:user block")   # not its msgid
    (row,) = _rows(sessions, push)
    assert (row.status, row.report, row.error) == ("sent", None, None)
    runtime.inbox.flush()
    with sessions() as session:
        assert session.scalar(select(WechatUser).where(WechatUser.openid == "o-stranger")) is None
        # Logged like any event, so support can see that WeChat said it.
        assert session.scalar(select(func.count()).select_from(MessageLog).where(
            MessageLog.event == "TEMPLATESENDJOBFINISH")) == 3


def test_two_reports_to_one_user_in_the_same_second_are_both_recorded(client, config, sessions):
    first, (user,) = _sent_templates(sessions, 1)
    with sessions.begin() as session:
        second = queue_push(session, text="第二条", kind="broadcast", now=NOW,
                            audience=f"openids:{user.openid}")
    sender = FakeSender(default=SendResult.sent(4001))
    deliver_due(sessions, sender, FakeLimiter(), now=NOW, worker_id="w")
    _template_report(client, config, user.openid, 3001, "success", create_time=1700000000)
    _template_report(client, config, user.openid, 4001, "success", create_time=1700000000)
    assert [r.report for r in _rows(sessions, first) + _rows(sessions, second)] == [
        "success", "success"]


def _sent_mass(sessions, msgid="1988"):
    with sessions.begin() as session:
        for _ in range(3):
            add_user(session)
        push = queue_push(session, text="新年快乐", audience="all", kind="broadcast", now=NOW)
    deliver_due(sessions, FakeSender(default=SendResult.sent(msgid)), FakeLimiter(), now=NOW,
                worker_id="w")
    return push


def test_a_mass_report_is_recorded_on_the_row_and_shown_in_push_status(
        app, runtime, client, config, sessions):
    push = _sent_mass(sessions)
    assert _status(app, push)[2:] == ["群发：已提交微信（msg_id 1988）；按关注者计约 3 人",
                                      "等待微信回报"]
    _mass_report(client, config, "1988")
    (row,) = _rows(sessions, push)
    assert (row.status, row.report) == ("sent", "sendsuccess")
    assert row.report_counts == {"total": 100, "filter": 80, "sent": 75, "error": 5}
    assert _status(app, push)[3:] == ["微信回报：发送成功", "  粉丝总数：100", "  过滤后：80",
                                      "  发送成功：75", "  发送失败：5"]
    runtime.inbox.flush()
    with sessions() as session:  # the mass-send assistant is nobody we know
        assert session.scalar(select(WechatUser).where(
            WechatUser.openid == "o-mass-send-assistant")) is None
        assert session.scalar(select(func.count()).select_from(WechatUser)) == 3


def test_a_mass_send_wechat_stopped_says_why_in_chinese(app, client, config, sessions):
    push = _sent_mass(sessions, msgid="2024")
    _mass_report(client, config, "2024", status="err(10001)", counts=(3, 0, 0, 0))
    _mass_report(client, config, "77777")  # another system's mass send: ignored
    assert _status(app, push)[3:5] == ["微信回报：未发送（涉嫌广告，err(10001)）", "  粉丝总数：3"]


def _lost_templates(sessions, users, at=NOW):
    """A push to `users` at `at` whose calls timed out (they may have arrived) and whose retry
    came after the client_msg_id's window: each row `unknown`, its msgid never heard."""
    with sessions.begin() as session:
        push = queue_push(session, text="返校日报名开始了", kind="broadcast", now=at,
                          audience="openids:" + ",".join(u.openid for u in users))
    sender = FakeSender(default=SendResult(Outcome.UNCERTAIN, detail="ReadTimeout"))
    assert deliver_due(sessions, sender, FakeLimiter(), now=at, worker_id="w").retried == len(users)
    later = deliver_due(sessions, sender, FakeLimiter(), now=at + timedelta(minutes=12),
                        worker_id="w")
    assert later.unknown == len(users)
    return push


def _followers(sessions, count):
    with sessions.begin() as session:
        return [add_user(session) for _ in range(count)]


SENT_AT = int(NOW.timestamp())  # WeChat's CreateTime of a report on a send at NOW


def test_a_report_whose_msgid_we_never_heard_settles_the_unknown_row_by_recipient_and_time(
        app, client, config, sessions):
    arrived, blocked, silent = _followers(sessions, 3)
    push = _lost_templates(sessions, [arrived, blocked, silent])
    assert _status(app, push)[-1] == (
        "不确定是否送达：3（可能已送达，不会自动重发；模板消息等待微信回报）")
    _template_report(client, config, arrived.openid, 5001, "success", create_time=SENT_AT + 2)
    _template_report(client, config, blocked.openid, 5002, "failed:user block",
                     create_time=SENT_AT + 3)
    rows = _rows(sessions, push)
    assert [(r.status, r.msgid, r.report) for r in rows] == [
        ("sent", "5001", "success"), ("failed", "5002", "failed:user block"),
        ("unknown", None, None)]
    assert rows[0].error is None and rows[1].error == "微信回报用户拒收（failed:user block）"
    assert _status(app, push)[2:] == [
        "待发送：0", "已发送：1", "  微信确认送达：1", "  等待微信回报：0", "失败：1",
        "  微信回报用户拒收（failed:user block）：1", "无法送达：0",
        "不确定是否送达：1（可能已送达，不会自动重发；模板消息等待微信回报）"]


def test_a_report_that_fits_no_unknown_row_or_two_of_them_settles_nothing(client, config, sessions):
    (user,) = _followers(sessions, 1)
    first = _lost_templates(sessions, [user])
    # Later than ten minutes (and a report's delay) after the first try, or before it: not
    # that row's message.
    _template_report(client, config, user.openid, 6001, "success", create_time=SENT_AT + 12 * 60)
    _template_report(client, config, user.openid, 6002, "success", create_time=SENT_AT - 120)
    assert [r.status for r in _rows(sessions, first)] == ["unknown"]
    # A second lost push a minute later: a report between them could be either one's.
    second = _lost_templates(sessions, [user], at=NOW + timedelta(minutes=1))
    _template_report(client, config, user.openid, 6003, "success", create_time=SENT_AT + 90)
    assert [r.status for r in _rows(sessions, first) + _rows(sessions, second)] == [
        "unknown", "unknown"]
    # One that only the second fits (11.5 minutes after the first's try) settles the second.
    _template_report(client, config, user.openid, 6004, "success", create_time=SENT_AT + 690)
    assert [(r.status, r.msgid) for r in _rows(sessions, first) + _rows(sessions, second)] == [
        ("unknown", None), ("sent", "6004")]


def test_a_report_on_a_row_still_waiting_for_its_retry_settles_it_and_spares_the_resend(
        client, config, sessions):
    (user,) = _followers(sessions, 1)
    with sessions.begin() as session:
        push = queue_push(session, text="返校日报名开始了", kind="broadcast", now=NOW,
                          audience=f"openids:{user.openid}")
    sender = FakeSender(default=SendResult(Outcome.UNCERTAIN, detail="ReadTimeout"))
    assert deliver_due(sessions, sender, FakeLimiter(), now=NOW, worker_id="w").retried == 1
    _template_report(client, config, user.openid, 7001, "success", create_time=SENT_AT + 1)
    assert deliver_due(sessions, sender, FakeLimiter(), now=NOW + timedelta(minutes=1),
                       worker_id="w").claimed == 0
    (row,) = _rows(sessions, push)
    assert (row.status, row.msgid, row.report, len(sender.sent)) == ("sent", "7001", "success", 1)
