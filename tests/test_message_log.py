"""The message log and interaction times, written in batches behind the webhook."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from handlers.interactions import Inbound, record_inbound
from models import MessageLog, WechatUser
from tests.wechat import click_xml, event_xml, post, text_xml

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def inbound(openid: str, at: datetime, *, is_message=True, opens=True) -> Inbound:
    return Inbound(openid=openid, at=at, msg_type="text" if is_message else "event", event=None,
                   msg_id=None, content="帮助", handler="handlers.help.show_help", reply_kind="text",
                   elapsed_ms=1, opens_window=opens, is_message=is_message)


def test_a_batch_creates_unknown_users_and_logs_every_message(runtime):
    with runtime.sessions.begin() as session:
        record_inbound(session, [inbound("o-a", T0), inbound("o-b", T0), inbound("o-a", T0 + timedelta(seconds=5))])
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageLog)) == 3
        a = session.scalars(select(WechatUser).where(WechatUser.openid == "o-a")).one()
        assert a.first_interaction_at == T0
        assert a.last_message_at == T0 + timedelta(seconds=5)


def test_interaction_times_never_move_backwards(runtime):
    with runtime.sessions.begin() as session:
        record_inbound(session, [inbound("o-late", T0 + timedelta(hours=1))])
    with runtime.sessions.begin() as session:  # an older batch from another worker arrives late
        record_inbound(session, [inbound("o-late", T0)])
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-late")).one()
        assert user.last_message_at == T0 + timedelta(hours=1)
        assert user.first_interaction_at == T0 + timedelta(hours=1)


def test_events_that_do_not_open_the_window_leave_the_times_alone(runtime):
    with runtime.sessions.begin() as session:
        record_inbound(session, [inbound("o-view", T0, is_message=False, opens=False)])
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-view")).one()
        assert user.last_interaction_at is None and user.last_message_at is None


def test_a_click_opens_the_short_window_but_not_the_48_hour_one(client, config, runtime):
    post(client, config.wechat.token, click_xml("o-click", "HELP"))
    runtime.inbox.flush()
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-click")).one()
        assert user.last_interaction_at is not None and user.last_message_at is None
        assert user.in_customer_service_window(user.last_interaction_at + timedelta(seconds=30))
        assert not user.in_customer_service_window(user.last_interaction_at + timedelta(minutes=2))


def test_a_message_keeps_the_window_open_for_48_hours(client, config, runtime):
    post(client, config.wechat.token, text_xml("o-msg", "你好"))
    runtime.inbox.flush()
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-msg")).one()
        assert user.in_customer_service_window(user.last_message_at + timedelta(hours=47))
        assert not user.in_customer_service_window(user.last_message_at + timedelta(hours=49))


def test_the_log_is_written_by_the_background_flusher_without_being_asked(client, config, runtime):
    import time

    post(client, config.wechat.token, event_xml("o-bg", "subscribe"))
    deadline = time.monotonic() + 5
    count = 0
    while time.monotonic() < deadline and not count:
        time.sleep(0.2)
        with runtime.sessions() as session:
            count = session.scalar(select(func.count()).select_from(MessageLog))
    assert count == 1


def test_records_survive_a_failed_write(runtime):
    import pytest
    from sqlalchemy.exc import DatabaseError

    runtime.inbox.push(inbound("o-keep", T0))
    table = MessageLog.__table__
    table.drop(runtime.engine)  # the database refuses the write for real
    with pytest.raises(DatabaseError):
        runtime.inbox.flush()
    table.create(runtime.engine)
    assert runtime.inbox.flush() == 1
    with runtime.sessions() as session:
        assert session.scalar(select(MessageLog.openid)) == "o-keep"
