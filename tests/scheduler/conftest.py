"""Fixtures and helpers for the multi-process scheduler tests: the real Redis at 127.0.0.1:6379
(a unique key prefix each test; the tests skip only when it is unreachable), the test's database
without a job table left by an earlier test, and child processes whose output is collected.

The helpers themselves are in support.py; tests import them from there."""

from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import inspect, text

from models.db import make_engine
from tests.scheduler.support import REDIS_URL


@pytest.fixture
def shared_redis():
    store = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=2)
    try:
        store.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"sched{uuid.uuid4().hex[:10]}:"
    yield store, prefix
    for key in store.scan_iter(match=f"{prefix}*"):
        store.delete(key)


@pytest.fixture
def database_url(config):
    """The test's database, without a job table left by an earlier test (PostgreSQL keeps it)."""
    engine = make_engine(config.database.url)
    if inspect(engine).has_table("apscheduler_jobs"):
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM apscheduler_jobs"))
    engine.dispose()
    return config.database.url
