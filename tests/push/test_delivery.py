"""Delivery against a scripted sender: what each answer does to a row, retries and backoff,
final errors, the daily quota, uncertain calls, stale rows of a crashed worker, lost claims."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from models.push import Channel, Delivery, SubscribeConsent, grant_subscribe_consents
from models.wechat_user import WechatUser
from scheduler.delivery import deliver_due, reconcile_stale
from scheduler.outbox import queue_push
from scheduler.progress import push_progress
from scheduler.sender import Outcome, SendResult
from tests.push.support import NOW, SUB_REMINDER, FakeLimiter, FakeSender, add_user, policy


def _queue(sessions, *users, text="返校日报名开始了", kind="broadcast", **kwargs):
    with sessions.begin() as session:
        audience = "openids:" + ",".join(u.openid for u in users)
        push = queue_push(session, text=text, audience=audience, kind=kind, now=NOW, **kwargs)
    return push


def _users(sessions, count=1, **state):
    with sessions.begin() as session:
        return [add_user(session, **state) for _ in range(count)]


def _rows(sessions, push):
    with sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.push_id == push.id)
                                    .order_by(Delivery.id)))


def _due(sessions, push):
    (row,) = _rows(sessions, push)
    return row.next_attempt_at


def _run(sessions, sender, limiter=None, at=NOW, worker="w1"):
    return deliver_due(sessions, sender, limiter or FakeLimiter(), now=at, worker_id=worker)


def test_a_follower_gets_one_template_message_and_the_row_says_sent(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender(default=SendResult.sent(2000000001))
    stats = _run(sessions, sender)
    assert (stats.claimed, stats.sent) == (1, 1)
    (message,) = sender.sent
    (row,) = _rows(sessions, push)
    assert message.channel is Channel.TEMPLATE
    assert message.address == user.openid
    assert message.idempotency_key == f"{push.key}-{row.id}"
    assert message.data == {"thing1": "返校日报名开始了", "thing2": "示例大学校友会",
                            "time3": "2026-12-01 10:00"}
    assert (row.status, row.msgid, row.attempts, row.channel) == (
        "sent", "2000000001", 1, "template")
    assert _run(sessions, sender, at=NOW + timedelta(days=1)).claimed == 0
    assert len(sender.sent) == 1


def test_nothing_is_sent_before_its_time(sessions):
    (user,) = _users(sessions)
    _queue(sessions, user, at=NOW + timedelta(hours=2))
    sender = FakeSender()
    assert _run(sessions, sender, at=NOW + timedelta(hours=1)).claimed == 0
    assert _run(sessions, sender, at=NOW + timedelta(hours=2)).sent == 1


def test_an_unsubscribed_users_43004_is_final_and_never_retried(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender()
    sender.answer(user.openid, SendResult.refused(43004, "require subscribe"))
    assert _run(sessions, sender).failed == 1
    for days in (1, 2, 30):
        assert _run(sessions, sender, at=NOW + timedelta(days=days)).claimed == 0
    (row,) = _rows(sessions, push)
    assert (row.status, row.errcode, len(sender.sent)) == ("failed", 43004, 1)
    with sessions() as session:
        assert push_progress(session, push.id).failed == {43004: 1}


def test_system_busy_is_retried_with_doubling_waits_until_max_attempts(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender(policy(max_attempts=4))
    sender.answer(user.openid, *[SendResult.refused(-1, "system error")] * 4)
    at, waits = NOW, []
    for _ in range(3):
        assert _run(sessions, sender, at=at).retried == 1
        (row,) = _rows(sessions, push)
        waits.append((row.next_attempt_at - at).total_seconds())
        assert _run(sessions, sender, at=row.next_attempt_at - timedelta(seconds=1)).claimed == 0
        at = row.next_attempt_at
    assert [round(w) for w in waits] == [30, 60, 120]
    assert _run(sessions, sender, at=at).failed == 1
    (row,) = _rows(sessions, push)
    assert (row.status, row.errcode, row.attempts, len(sender.sent)) == ("failed", -1, 4, 4)
    assert {m.idempotency_key for m in sender.sent} == {f"{push.key}-{row.id}"}


def test_a_busy_answer_then_success_sends_once(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender()
    sender.answer(user.openid, SendResult.refused(-1), SendResult(Outcome.NOT_SENT))
    assert _run(sessions, sender).retried == 1
    assert _run(sessions, sender, at=_due(sessions, push)).retried == 1
    assert _run(sessions, sender, at=_due(sessions, push)).sent == 1
    (row,) = _rows(sessions, push)
    assert (row.status, row.attempts, row.errcode) == ("sent", 3, None)


def test_daily_quota_stops_the_channel_until_midnight_and_others_take_over(sessions):
    windowed, silent = _users(sessions, 1, messaged=timedelta(hours=1)) + _users(sessions)
    push = _queue(sessions, windowed, silent)
    sender, limiter = FakeSender(), FakeLimiter()
    sender.answer(windowed.openid, SendResult.refused(45009, "reach max api daily quota limit"))
    stats = _run(sessions, sender, limiter)
    midnight = datetime.fromisoformat("2026-12-02T00:00:00+08:00")
    assert limiter.paused == {"template": midnight}
    assert stats.waiting == 2  # the second row saw the pause and did not even try
    assert len(sender.sent) == 1
    # The next run: customer-service reaches the user in the window; the other one waits.
    stats = _run(sessions, sender, limiter, at=NOW + timedelta(seconds=1))
    assert (stats.sent, stats.waiting, stats.unreachable) == (1, 0, 0)
    first, second = _rows(sessions, push)
    assert (first.status, first.channel, first.attempts) == ("sent", "custom", 1)
    assert (second.status, second.next_attempt_at, second.attempts) == ("pending", midnight, 0)
    limiter.paused.clear()  # midnight: the quota is back
    assert _run(sessions, sender, limiter, at=midnight).sent == 1
    assert [m.channel for m in sender.to(silent.openid)] == [Channel.TEMPLATE]


def test_an_uncertain_customer_service_call_is_unknown_and_never_resent(sessions):
    (user,) = _users(sessions, messaged=timedelta(hours=1))
    push = _queue(sessions, user)
    sender = FakeSender(policy(template=None))
    sender.answer(user.openid, SendResult(Outcome.UNCERTAIN, detail="ReadTimeout"))
    assert _run(sessions, sender).unknown == 1
    assert _run(sessions, sender, at=NOW + timedelta(hours=1)).claimed == 0
    (row,) = _rows(sessions, push)
    assert (row.status, len(sender.sent)) == ("unknown", 1)
    with sessions() as session:
        assert push_progress(session, push.id).unknown == 1


def test_an_uncertain_template_call_is_repeated_with_the_same_key(sessions):
    (user,) = _users(sessions, messaged=timedelta(hours=1))
    push = _queue(sessions, user)
    sender = FakeSender()
    sender.answer(user.openid, SendResult(Outcome.UNCERTAIN, detail="HTTP 502"),
                  SendResult.refused(-1))
    assert _run(sessions, sender).retried == 1
    assert _run(sessions, sender, at=_due(sessions, push)).retried == 1  # busy: same channel
    assert _run(sessions, sender, at=_due(sessions, push)).sent == 1
    assert [m.channel for m in sender.sent] == [Channel.TEMPLATE] * 3
    assert len({m.idempotency_key for m in sender.sent}) == 1
    (row,) = _rows(sessions, push)
    assert row.status == "sent"


def test_a_crashed_workers_rows_are_reconciled_by_the_rule(sessions):
    template_user, custom_user, claimed_user = _users(sessions, 3, messaged=timedelta(hours=1))
    template_push = _queue(sessions, template_user)
    custom_push = _queue(sessions, custom_user)
    claimed_push = _queue(sessions, claimed_user)
    with sessions.begin() as session:  # what kill -9 leaves behind
        for push, status, channel in ((template_push, "sending", "template"),
                                      (custom_push, "sending", "custom"),
                                      (claimed_push, "claimed", None)):
            row = session.scalars(select(Delivery).where(Delivery.push_id == push.id)).one()
            row.status, row.channel, row.claim_token, row.claimed_by = status, channel, "x", "dead"
            row.claimed_at = row.sending_at = NOW - timedelta(seconds=10)
            row.attempts = 1 if status == "sending" else 0
    sender = FakeSender()
    assert _run(sessions, sender).claimed == 0  # within the lease: maybe still in flight
    stats = _run(sessions, sender, at=NOW + timedelta(seconds=120))
    assert stats.reconciled == 3
    assert (stats.claimed, stats.sent) == (2, 2)
    (resent,) = sender.to(template_user.openid)
    (row,) = _rows(sessions, template_push)
    assert resent.idempotency_key == f"{template_push.key}-{row.id}"  # WeChat dedups it
    assert (row.status, row.attempts) == ("sent", 2)
    assert sender.to(custom_user.openid) == []
    (row,) = _rows(sessions, custom_push)
    assert row.status == "unknown"
    assert len(sender.to(claimed_user.openid)) == 1


def test_a_worker_whose_row_was_taken_over_drops_its_answer(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender()
    late = NOW + timedelta(minutes=5)

    def another_worker_takes_over(message):  # our call outlived the lease
        if len(sender.sent) == 1:
            _run(sessions, sender, at=late, worker="w2")

    sender.during_send = another_worker_takes_over
    stats = _run(sessions, sender, at=NOW, worker="w1")
    assert stats.lost == 1
    assert len({m.idempotency_key for m in sender.sent}) == 1 and len(sender.sent) == 2
    (row,) = _rows(sessions, push)
    assert (row.status, row.claimed_by) == ("sent", "w2")


def test_a_closed_window_falls_back_to_the_subscribe_message(sessions):
    with sessions.begin() as session:
        user = add_user(session, messaged=timedelta(hours=1), mp_openid="mp-1")
        grant_subscribe_consents(session, user.id, [SUB_REMINDER.template_id], NOW)
    push = _queue(sessions, user)
    sender = FakeSender(policy(template=None, subscribe=SUB_REMINDER))
    sender.answer(user.openid, SendResult.refused(45047, "out of response count limit"))
    assert _run(sessions, sender).sent == 1
    assert [m.channel for m in sender.sent] == [Channel.CUSTOM, Channel.SUBSCRIBE]
    assert sender.sent[1].address == "mp-1"
    (row,) = _rows(sessions, push)
    assert (row.status, row.channel, row.refused_channels, row.attempts) == (
        "sent", "subscribe", "custom", 1)
    with sessions() as session:
        assert session.scalars(select(SubscribeConsent.remaining)).one() == 0


def test_a_closed_window_with_no_other_channel_fails_with_its_errcode(sessions):
    (user,) = _users(sessions, messaged=timedelta(hours=1))
    push = _queue(sessions, user)
    sender = FakeSender(policy(template=None))
    sender.answer(user.openid, SendResult.refused(45015))
    assert _run(sessions, sender).failed == 1
    (row,) = _rows(sessions, push)
    assert (row.status, row.errcode) == ("failed", 45015)


def test_a_user_nobody_can_reach_is_recorded_unreachable(sessions):
    (user,) = _users(sessions, subscribed=False)
    push = _queue(sessions, user)
    sender = FakeSender()
    assert _run(sessions, sender).unreachable == 1
    assert sender.sent == []
    with sessions() as session:
        assert push_progress(session, push.id).unreachable == 1


def test_concurrent_workers_send_each_row_once(sessions):
    users = _users(sessions, 60)
    _queue(sessions, *users)
    sender = FakeSender()

    def work(name):
        for _ in range(10):
            deliver_due(sessions, sender, FakeLimiter(), now=NOW, batch=7, worker_id=name)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.address for m in sender.sent) == sorted(u.openid for u in users)


def test_reconcile_leaves_fresh_rows_alone(sessions):
    (user,) = _users(sessions)
    _queue(sessions, user)
    assert reconcile_stale(sessions, policy(), now=NOW + timedelta(days=1)) == 0


def _sending(sessions) -> dict[str, str]:
    """What another process sees now: openid → channel of each row marked `sending`."""
    with sessions() as session:
        return dict(session.execute(select(WechatUser.openid, Delivery.channel)
                                    .join(Delivery, Delivery.wechat_user_id == WechatUser.id)
                                    .where(Delivery.status == "sending")).all())


def test_a_group_of_template_rows_is_marked_sending_in_one_commit_before_any_call(sessions):
    users = _users(sessions, 5)
    push = _queue(sessions, *users)
    sender = FakeSender(policy(group=4))
    seen = []
    sender.during_send = lambda message: seen.append(_sending(sessions))
    stats = _run(sessions, sender)
    assert (stats.claimed, stats.sent) == (5, 5)
    first, second = [u.openid for u in users[:4]], users[4].openid
    # Committed before the first call: all four of the group. Their answers ride with the next
    # commit, which marks the fifth (a group of its own).
    assert seen[:4] == [{o: "template" for o in first}] * 4
    assert seen[4] == {second: "template"}
    rows = _rows(sessions, push)
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * 5
    assert len({m.idempotency_key for m in sender.sent}) == 5


def test_customer_service_rows_are_marked_one_at_a_time_even_with_groups(sessions):
    users = _users(sessions, 4, messaged=timedelta(hours=1))
    with sessions.begin() as session:  # and one who can only get a subscribe message
        consenting = add_user(session, subscribed=False, mp_openid="mp-9")
        grant_subscribe_consents(session, consenting.id, [SUB_REMINDER.template_id], NOW)
    _queue(sessions, *users, consenting)
    sender = FakeSender(policy(template=None, subscribe=SUB_REMINDER, group=4))
    seen = []
    sender.during_send = lambda message: seen.append(_sending(sessions))
    assert _run(sessions, sender).sent == 5
    # No key to dedup a resend: a crash may leave only the one row in flight 待核实 (unknown).
    assert [len(s) for s in seen] == [1] * 5
    assert [m.channel for m in sender.sent] == [Channel.CUSTOM] * 4 + [Channel.SUBSCRIBE]


def test_template_rows_around_a_customer_service_row_keep_it_alone_in_flight(sessions):
    followers = _users(sessions, 4)
    (windowed,) = _users(sessions, messaged=timedelta(hours=1))
    push = _queue(sessions, *followers[:2], windowed, *followers[2:])
    sender = FakeSender(policy(group=4))
    # The windowed user's template is refused as closed (as 45015 would): customer-service next.
    sender.answer(windowed.openid, SendResult.refused(45015))
    seen = {}
    sender.during_send = lambda message: seen.setdefault(
        (message.address, message.channel), _sending(sessions))
    assert _run(sessions, sender).sent == 5
    in_flight = seen[(windowed.openid, Channel.CUSTOM)]
    assert in_flight[windowed.openid] == "custom"
    assert "custom" not in [c for o, c in in_flight.items() if o != windowed.openid]
    rows = {r.wechat_user_id: r for r in _rows(sessions, push)}
    row = rows[windowed.id]
    assert (row.status, row.channel, row.refused_channels, row.attempts) == (
        "sent", "custom", "template", 1)


def test_a_quota_stop_in_the_middle_of_a_group_hands_the_rest_back_unsent(sessions):
    users = _users(sessions, 4, messaged=timedelta(hours=1))
    push = _queue(sessions, *users)
    sender, limiter = FakeSender(policy(group=4)), FakeLimiter()
    sender.answer(users[1].openid, SendResult.refused(45009, "reach max api daily quota limit"))
    stats = _run(sessions, sender, limiter)
    assert limiter.paused == {"template": datetime.fromisoformat("2026-12-02T00:00:00+08:00")}
    assert (stats.sent, stats.waiting) == (3, 1)
    rows = _rows(sessions, push)
    assert [(r.status, r.channel, r.attempts) for r in rows] == [
        ("sent", "template", 1), ("pending", None, 0), ("sent", "custom", 1),
        ("sent", "custom", 1)]
    # The two marked but not yet called went once each, on customer-service, not the template.
    assert [(m.address, m.channel) for m in sender.sent[2:]] == [
        (users[2].openid, Channel.CUSTOM), (users[3].openid, Channel.CUSTOM)]


def test_a_group_taken_over_mid_way_repeats_calls_only_with_each_rows_own_key(sessions):
    users = _users(sessions, 3)
    push = _queue(sessions, *users)
    sender = FakeSender(policy(group=3))
    late = NOW + timedelta(minutes=5)

    def another_worker_takes_over(message):  # our first call outlived the lease
        if len(sender.sent) == 1:
            _run(sessions, sender, at=late, worker="w2")

    sender.during_send = another_worker_takes_over
    stats = _run(sessions, sender, at=NOW, worker="w1")
    # w2 resent all three with their keys (WeChat dedups the first); w1 still made its calls for
    # the other two, also with their keys, and its answers are dropped as lost.
    assert len(sender.sent) == 6
    assert sorted(m.idempotency_key for m in sender.sent) == sorted(
        [f"{push.key}-{r.id}" for r in _rows(sessions, push)] * 2)
    assert stats.lost == 3
    assert {(r.status, r.claimed_by) for r in _rows(sessions, push)} == {("sent", "w2")}


def test_a_batch_claims_at_most_its_size_and_leaves_the_rest_pending(sessions):
    users = _users(sessions, 12)
    push = _queue(sessions, *users)
    seen = []
    sender = FakeSender()
    sender.during_send = lambda message: seen.append(
        sorted(r.status for r in _rows(sessions, push)).count("pending"))
    stats = deliver_due(sessions, sender, FakeLimiter(), now=NOW, batch=5, worker_id="w1")
    assert (stats.claimed, stats.sent) == (5, 5)
    assert seen[0] == 7  # while the batch was out, the other seven were free for other workers
    assert [r.status for r in _rows(sessions, push)].count("pending") == 7


def test_a_worker_whose_due_rows_were_just_claimed_by_another_claims_the_next_ones(sessions):
    from sqlalchemy import event

    from scheduler.claims import claim_batch

    users = _users(sessions, 6)
    push = _queue(sessions, *users)
    engine = sessions.kw["bind"]
    rival: list[str | None] = []

    def rival_claims_first(conn, cursor, statement, parameters, context, executemany):
        # Between our read of the due rows and our UPDATE, another worker claims a batch: on
        # SQLite (no lock taken by the read) the very rows we read; on PostgreSQL other ones.
        if statement.lstrip().upper().startswith("UPDATE") and not rival:
            rival.append(None)  # once: the rival's own UPDATE passes through here too
            rival[0] = claim_batch(sessions, now=NOW, batch=3, worker_id="w2")

    event.listen(engine, "before_cursor_execute", rival_claims_first)
    try:
        token = claim_batch(sessions, now=NOW, batch=3, worker_id="w1")
    finally:
        event.remove(engine, "before_cursor_execute", rival_claims_first)
    assert token is not None and rival[0] is not None  # neither worker went idle
    rows = _rows(sessions, push)
    assert sorted(r.claimed_by for r in rows) == ["w1"] * 3 + ["w2"] * 3


def test_an_uncertain_template_call_is_not_resent_once_its_key_is_ten_minutes_old(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender()
    sender.answer(user.openid, SendResult(Outcome.UNCERTAIN, detail="ReadTimeout"))
    assert _run(sessions, sender).retried == 1
    # The retry was due after 30 s, but no delivery ran for 12 minutes: WeChat has forgotten
    # the client_msg_id, and a resend could be a second message.
    stats = _run(sessions, sender, at=NOW + timedelta(minutes=12))
    assert (stats.claimed, stats.unknown, len(sender.sent)) == (1, 1, 1)
    (row,) = _rows(sessions, push)
    assert row.status == "unknown" and _near(row.first_sent_at, NOW)
    assert _run(sessions, sender, at=NOW + timedelta(days=1)).claimed == 0
    with sessions() as session:
        assert push_progress(session, push.id).unknown == 1


def test_retries_of_an_uncertain_template_call_stop_where_the_key_window_ends(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender(policy(max_attempts=10))
    sender.answer(user.openid, *[SendResult(Outcome.UNCERTAIN, detail="HTTP 502")] * 10)
    at = NOW
    while (stats := _run(sessions, sender, at=at)).retried:
        at = _due(sessions, push)
    # 30 s, 60 s, 120 s, 240 s after the first try: the next wait (480 s) would end past the
    # 540 s window, so the fifth call is the last, and the row is left for WeChat's report.
    assert stats.unknown == 1
    assert len(sender.sent) == 5
    assert len({m.idempotency_key for m in sender.sent}) == 1
    (row,) = _rows(sessions, push)
    assert (row.status, row.attempts) == ("unknown", 5)


def test_a_crashed_workers_template_row_found_after_the_window_is_unknown_not_resent(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    with sessions.begin() as session:  # what kill -9 leaves behind, in the middle of the call
        row = session.scalars(select(Delivery).where(Delivery.push_id == push.id)).one()
        row.status, row.channel, row.claim_token, row.claimed_by = "sending", "template", "x", "dead"
        row.claimed_at = row.sending_at = row.first_sent_at = NOW
        row.attempts = 1
    sender = FakeSender()
    stats = _run(sessions, sender, at=NOW + timedelta(minutes=10))
    assert (stats.reconciled, stats.claimed, sender.sent) == (1, 0, [])
    (row,) = _rows(sessions, push)
    assert (row.status, row.attempts) == ("unknown", 1)
    assert "client_msg_id" in row.error


def test_an_uncertain_template_row_stopped_by_the_quota_is_not_resent_at_midnight(
        sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender, limiter = FakeSender(), FakeLimiter()
    sender.answer(user.openid, SendResult(Outcome.UNCERTAIN, detail="ReadTimeout"),
                  SendResult.refused(45009, "reach max api daily quota limit"))
    assert _run(sessions, sender, limiter).retried == 1
    # Midnight, when the quota comes back, is hours past the key's window: unknown at once.
    assert _run(sessions, sender, limiter, at=_due(sessions, push)).unknown == 1
    (row,) = _rows(sessions, push)
    assert (row.status, len(sender.sent)) == ("unknown", 2)
    limiter.paused.clear()
    assert _run(sessions, sender, limiter, at=NOW + timedelta(days=1)).claimed == 0


def test_a_template_call_wechat_refused_does_not_start_the_keys_window(sessions):
    (user,) = _users(sessions)
    push = _queue(sessions, user)
    sender = FakeSender()
    sender.answer(user.openid, SendResult.refused(-1, "system error"),
                  SendResult(Outcome.UNCERTAIN, detail="ReadTimeout"))
    assert _run(sessions, sender).retried == 1
    (row,) = _rows(sessions, push)
    assert row.first_sent_at is None  # WeChat answered: nothing was sent, no key was kept
    later = NOW + timedelta(minutes=20)
    assert _run(sessions, sender, at=later).retried == 1  # a first try again, 20 minutes on
    assert _run(sessions, sender, at=_due(sessions, push)).sent == 1
    (row,) = _rows(sessions, push)
    assert (row.status, len(sender.sent)) == ("sent", 3) and _near(row.first_sent_at, later)


def _near(at: datetime, expected: datetime) -> bool:
    """Delivery's clock runs on from the `now` it was given."""
    return timedelta(0) <= at - expected < timedelta(seconds=1)


def test_a_late_reply_goes_only_by_customer_service_and_fails_when_that_is_refused(sessions):
    answered, refused = _users(sessions, 2)
    sender = FakeSender()  # a template is configured: it must not carry a reply
    sender.answer(refused.openid, SendResult.refused(45047, "out of response count limit"))
    replies = [_queue(sessions, user, text="查询完成：共找到 3 位校友，名单如下……", kind="reply")
               for user in (answered, refused)]
    assert _run(sessions, sender).sent == 1
    assert [(m.channel, m.text) for m in sender.sent] == [
        (Channel.CUSTOM, "查询完成：共找到 3 位校友，名单如下……")] * 2
    (row,) = _rows(sessions, replies[1])
    assert (row.status, row.errcode) == ("failed", 45047)
