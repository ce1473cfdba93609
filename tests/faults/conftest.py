"""The fault tests' shared fixture: a redis-server of the test's own, killed at the end."""

from __future__ import annotations

import pytest

from tests.redis_server import RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.kill()
