"""Fixtures: a fresh database and store per test, on SQLite + in-process Redis by default, or on
PostgreSQL and Redis when ALUMNI_BOT_TEST_DATABASE_URL / ALUMNI_BOT_TEST_REDIS_URL are set (CI)."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import text

from models import Base
from models.db import make_engine
from wechat_bot import create_app
from wechat_bot.config import load_config
from wechat_bot.migrate import upgrade

TEST_DATABASE_URL = os.environ.get("ALUMNI_BOT_TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("ALUMNI_BOT_TEST_REDIS_URL")


def _with_search_path(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run: a SQLite file to copy, or a fresh PostgreSQL schema to truncate."""
    if TEST_DATABASE_URL:
        schema = f"test_{uuid.uuid4().hex[:10]}"
        admin = make_engine(TEST_DATABASE_URL)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = _with_search_path(TEST_DATABASE_URL, schema)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield {"url": url}
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "alumni.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield {"path": path}


def fresh_database_url(template: dict, tmp_path) -> str:
    if "url" in template:
        engine = make_engine(template["url"])
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template["url"]
    path = tmp_path / "alumni.db"
    shutil.copyfile(template["path"], path)
    return f"sqlite:///{path}"


@pytest.fixture
def config(database_template, tmp_path):
    """Demo defaults on a fresh database and a store no other test sees."""
    return load_config(environ={}).replace(
        database={"url": fresh_database_url(database_template, tmp_path)},
        redis={"url": TEST_REDIS_URL or "memory://", "key_prefix": f"t{uuid.uuid4().hex[:12]}:"},
    )


@pytest.fixture
def app(config):
    app = create_app(config)
    app.config["TESTING"] = True
    yield app
    _close(app)


def _close(app) -> None:
    runtime = app.extensions["alumni_bot"]
    try:
        runtime.close()
    except Exception:
        pass  # a test that broke Redis or the database on purpose
    _forget_keys(runtime)


def _forget_keys(runtime) -> None:
    if TEST_REDIS_URL and runtime.config.redis.url == TEST_REDIS_URL:
        for key in runtime.store.scan_iter(match=f"{runtime.keys.prefix}*", count=500):
            runtime.store.delete(key)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runtime(app):
    return app.extensions["alumni_bot"]


@pytest.fixture
def make_app(config):
    """Build an app with changed settings or a routing table of the test's own."""
    built = []

    def build(routes=None, **sections):
        app = create_app(config.replace(**sections) if sections else config, routes=routes)
        app.config["TESTING"] = True
        built.append(app)
        return app

    yield build
    for app in built:
        _close(app)
