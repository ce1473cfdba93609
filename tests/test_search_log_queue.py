"""The bot's search log rides the same queue as the API's (issue 23): written after the request by
the flusher, a page per line as data, and both log queues capped while the database is down."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from handlers.directory.searching import SearchRecord
from models import Privacy, SearchLog, WechatUser
from tests.roster import add_alumnus
from tests.wechat import say
from wechat_bot.search_log import SearchLogQueue

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def searcher(client, config, runtime):
    """赵敏, bound, and 15 public 王磊: two pages of them."""
    with runtime.sessions.begin() as session:
        add_alumnus(session, "2010010001", "赵敏", 2010)
        for i in range(15):
            add_alumnus(session, f"20{i:02d}050001", "王磊", 2000 + i, privacy=Privacy.PUBLIC.value)
    assert say(client, config.wechat.token, "o-zm", "绑定 赵敏 2010010001").startswith("绑定成功")
    return "o-zm"


def _logged(runtime) -> list[tuple]:
    with runtime.sessions() as session:
        return [(r.wechat_user_id, r.channel, r.query, r.page, r.hits)
                for r in session.scalars(select(SearchLog).order_by(SearchLog.id))]


def _user_id(runtime, openid: str) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(WechatUser.id).where(WechatUser.openid == openid))


def test_a_bot_search_is_queued_by_the_request_and_written_by_the_flusher(client, config, runtime,
                                                                          searcher):
    answer = say(client, config.wechat.token, searcher, "查找 王磊")
    assert answer.startswith("为您找到以下校友（第 1 页）")
    assert _logged(runtime) == []  # the request wrote nothing: the line waits in the queue
    runtime.search_log.flush_round()  # the background flusher's next round
    assert _logged(runtime) == [(_user_id(runtime, searcher), "bot", "王磊", 1, 10)]


def test_next_page_is_logged_as_page_2_of_the_same_query(client, config, runtime, searcher):
    say(client, config.wechat.token, searcher, "查找 王磊")
    assert say(client, config.wechat.token, searcher, "下一页").startswith("为您找到以下校友（第 2 页）")
    runtime.search_log.flush()
    user = _user_id(runtime, searcher)
    assert _logged(runtime) == [(user, "bot", "王磊", 1, 10), (user, "bot", "王磊", 2, 5)]


def test_a_line_queued_before_the_page_column_reads_as_page_1(runtime):
    with runtime.sessions.begin() as session:
        session.add(WechatUser(openid="o-old", created_at=T0, subscribed=True))
    queued_by_the_last_version = json.dumps(
        {"wechat_user_id": _user_id(runtime, "o-old"), "searched_at": "2026-12-07T09:00:00+00:00",
         "channel": "api", "query": "李娜", "hits": 1}, ensure_ascii=False)
    runtime.store.rpush(runtime.keys("search-log"), queued_by_the_last_version)
    runtime.search_log.flush()
    assert _logged(runtime) == [(_user_id(runtime, "o-old"), "api", "李娜", 1, 1)]


def _database_down():
    """Sessions on a database that cannot be opened: what the flusher meets while it is down."""
    return sessionmaker(create_engine("sqlite:////nonexistent-folder/alumni.db"))


def test_while_the_database_is_down_the_search_log_keeps_the_newest_within_its_cap(runtime, caplog):
    queue = SearchLogQueue(runtime.store, runtime.keys, _database_down())
    queue.cap = 5
    for n in range(12):
        queue.push(SearchRecord(wechat_user_id=1, searched_at=T0, channel="bot", query=f"第{n}次",
                                hits=0))
        assert queue.waiting() <= 5
    with caplog.at_level(logging.WARNING, logger="wechat_bot.log_queue"):
        for _ in range(3):
            queue.flush_round()  # each fails; the batch taken goes back, still within the cap
    assert queue.waiting() == 5
    kept = runtime.store.lrange(runtime.keys("search-log"), 0, -1)
    assert [json.loads(line)["query"] for line in kept] == [f"第{n}次" for n in range(7, 12)]
    full = [r for r in caplog.records if "积压已达上限" in r.getMessage()]
    assert len(full) == 1 and "最早的记录被丢弃" in full[0].getMessage()


def test_while_the_database_is_down_help_is_answered_and_the_message_log_stays_within_its_cap(
        make_app, config):
    app = make_app(database={"url": "sqlite:////nonexistent-folder/alumni.db"})
    runtime = app.extensions["alumni_bot"]
    runtime.inbox.cap = 5
    client = app.test_client()
    for n in range(20):
        answer = say(client, config.wechat.token, f"o-{n}", "帮助")
        assert "查找" in answer  # the help answers from memory, without the database
        runtime.writes.flush()  # the write-behind's round trip: the log lines reach the queue
        assert runtime.inbox.waiting() <= 5
    runtime.inbox.flush_round()
    assert runtime.inbox.waiting() == 5


def test_the_hourly_limit_still_counts_a_search_after_redis_forgot_its_scripts(client, config,
                                                                              runtime, searcher):
    from handlers.directory.searching import search_limit

    limit = search_limit(runtime.store, runtime.config.features.directory)
    key = limit.key(str(_user_id(runtime, searcher)))
    say(client, config.wechat.token, searcher, "查找 王磊")
    runtime.store.script_flush()  # as after a Redis restart: the script is sent again, then counted
    assert say(client, config.wechat.token, searcher, "查找 王磊 2003").startswith("为您找到")
    assert runtime.store.zcard(key) == 2


def test_lines_logged_as_query_and_page_text_before_0021_are_split_by_the_migration(tmp_path):
    from alembic import command
    from sqlalchemy import text

    from models.db import make_engine
    from wechat_bot.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0017")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO wechat_user (id, openid, created_at, subscribed) "
                                "VALUES (1, 'o-old', '2026-12-01 08:00:00', 1)"))
        for query, hits in (("王磊", 10), ("王磊（第2页）", 10), ("第三页（第3页）", 5)):
            connection.execute(text("INSERT INTO search_log (wechat_user_id, searched_at, channel, "
                                    "query, hits) VALUES (1, '2026-12-01 08:00:00', 'bot', :q, :h)"),
                               {"q": query, "h": hits})
    upgrade(engine)
    rows = "SELECT query, page, hits FROM search_log ORDER BY id"
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(text(rows))] == [
            ("王磊", 1, 10), ("王磊", 2, 10), ("第三页", 3, 5)]
    with engine.begin() as connection:  # and back, as the earlier code reads them
        command.downgrade(alembic_config(connection), "0017")
    with engine.connect() as connection:
        assert [r[0] for r in connection.execute(text("SELECT query FROM search_log ORDER BY id"))] == [
            "王磊", "王磊（第2页）", "第三页（第3页）"]
    engine.dispose()


def test_a_search_answered_late_still_leaves_its_log_line_and_its_redis_writes(make_app, config):
    """A handler past the deadline is recorded by the late answer (a redis-py pipeline there):
    its search-log line and the writes it asked to go before the reply are not lost."""
    import time

    from handlers.context import Context
    from tests.loopback import LoopbackWeChat, running
    from tests.wechat import post, reply_content, text_xml
    from wechat_bot.conversation.table import RoutingTable, keyword
    from wechat_bot.webhook.deadline import HOLDING_REPLY

    def slow_search(ctx: Context) -> str:
        user = ctx.user.id
        time.sleep(1.0)
        ctx.search_log(SearchRecord(wechat_user_id=user, searched_at=ctx.now, channel="bot",
                                    query="王磊", hits=3, page=1))
        ctx.redis_writes.set(ctx.settings.directory.key_prefix + "late-mark", "1", ex=60)
        return "为您找到以下校友（第 1 页）：…"

    stand_in = LoopbackWeChat(config.wechat.app_id, config.wechat.app_secret)
    with running(stand_in) as base_url:
        app = make_app(routes=RoutingTable(routes=(keyword("慢找", to=slow_search),),
                                           fallback=slow_search),
                       wechat={"api_base_url": base_url, "reply_deadline_seconds": 0.5})
        runtime = app.extensions["alumni_bot"]
        answer = post(app.test_client(), config.wechat.token, text_xml("o-late", "慢找"))
        assert reply_content(answer.get_data(as_text=True)) == HOLDING_REPLY
        deadline = time.monotonic() + 5
        while not stand_in.sent and time.monotonic() < deadline:
            time.sleep(0.05)
    assert stand_in.sent and "为您找到" in stand_in.sent[0]["text"]["content"]
    assert runtime.store.get(runtime.config.features.directory.key_prefix + "late-mark") == "1"
    runtime.search_log.flush()
    assert [(q, page, hits) for _, _, q, page, hits in _logged(runtime)] == [("王磊", 1, 3)]
