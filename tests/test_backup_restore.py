"""A backup restores into a database the app runs on (docs/deployment.md, "Backups"): a database
filled through the app's own doors (a binding, a reunion booking, an event registration, a push)
is dumped with `pg_dump -Fc`, restored with `pg_restore` into a fresh database, and the app built
on the copy is at the schema head, shows the alumnus their booking and sign-up, counts the push,
and answers a message. PostgreSQL only; the databases it creates are dropped."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import make_url, text

from models.db import make_engine
from tests.conftest import TEST_DATABASE_URL, _close
from tests.events.support import add_event
from tests.reunion.booking_support import VISIT, YEAR
from tests.roster import add_alumnus
from tests.wechat import say
from wechat_bot import create_app
from wechat_bot.cli import db_current
from wechat_bot.commands.push import broadcast, push_status
from wechat_bot.migrate import head_revision, upgrade

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql") or shutil.which("pg_dump") is None
    or shutil.which("pg_restore") is None,
    reason="a backup is PostgreSQL's pg_dump / pg_restore (ALUMNI_BOT_TEST_DATABASE_URL)")

OPENID = "o-backup"


@pytest.fixture
def databases():
    """Make fresh databases on the test server by name; drop them all at the end."""
    server = make_engine(TEST_DATABASE_URL).execution_options(isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"alumni_backup_{uuid.uuid4().hex[:10]}"
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    with server.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump / pg_restore take it (no +psycopg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _app(config, url: str):
    app = create_app(config.replace(database={"url": url}))
    app.config["TESTING"] = True
    return app


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_a_pg_dump_restores_into_a_database_the_app_runs_on(config, databases, tmp_path):
    source_url = databases()
    engine = make_engine(source_url)
    upgrade(engine)
    engine.dispose()
    token = config.wechat.token
    source = _app(config, source_url)
    runtime = source.extensions["alumni_bot"]
    try:
        with runtime.sessions.begin() as session:
            add_alumnus(session, "2016010001", "赵敏", YEAR)
            event_id = add_event(session, "校友返校日午餐", now=dt.datetime.now(dt.UTC)).id
        client = source.test_client()
        assert say(client, token, OPENID, "绑定 赵敏 2016010001").startswith("绑定成功")
        booked = say(client, token, OPENID, f"预约返校 {VISIT} 12")
        booking_id = re.search(r"编号 (\d+)", booked)[1]
        assert "报名成功" in say(client, token, OPENID, f"报名 {event_id}")
        queued = source.test_cli_runner().invoke(broadcast, ["--text", "校友会通知：返校日安排",
                                                             "--audience", "bound"])
        assert queued.exit_code == 0, queued.output
        push_id = re.search(r"\d+", queued.output)[0]
        before = source.test_cli_runner().invoke(push_status, [push_id]).output
    finally:
        _close(source)  # every session closed, the write-behind flushed, before the dump

    dump = tmp_path / "alumni.dump"
    _run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), _libpq(source_url)])
    restored_url = databases()
    _run(["pg_restore", "--no-owner", "--exit-on-error", "-d", _libpq(restored_url), str(dump)])

    restored = _app(config, restored_url)
    try:
        current = restored.test_cli_runner().invoke(db_current, []).output
        assert f"当前 {head_revision()}，最新 {head_revision()}" in current
        client = restored.test_client()
        mine = say(client, token, OPENID, "我的预约")
        assert f"编号 {booking_id}" in mine and "预约 12 人" in mine
        assert "校友返校日午餐" in say(client, token, OPENID, "我的活动")
        assert "赵敏" in say(client, token, OPENID, "我的")
        assert restored.test_cli_runner().invoke(push_status, [push_id]).output == before
        assert "可用指令" in say(client, token, "o-someone-new", "帮助")
    finally:
        _close(restored)
