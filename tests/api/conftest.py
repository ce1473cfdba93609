"""Fixtures of the API's tests: a live server, a small roster. (The directory's limits and
lockouts live under each test's own Redis prefix: config.py derives their keys from it.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api import LiveApi, seed_roster


@pytest.fixture
def live(config) -> Iterator[LiveApi]:
    server = LiveApi(config)
    yield server
    server.close()


@pytest.fixture
def roster(live) -> dict[str, int]:
    return seed_roster(live.runtime)
