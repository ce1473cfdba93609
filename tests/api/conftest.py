"""Fixtures of the API's tests: per-test directory keys, a live server, a small roster."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

import wechat_bot.runtime
from tests.api import LiveApi, seed_roster


@pytest.fixture(autouse=True)
def directory_keys_per_test(monkeypatch):
    """The directory's limits and lockouts under each test's own Redis prefix (a shared Redis)."""
    original = wechat_bot.runtime.feature_settings

    def feature_settings(config):
        settings = original(config)
        directory = dataclasses.replace(settings.directory,
                                        key_prefix=f"{config.redis.key_prefix}directory:")
        return dataclasses.replace(settings, directory=directory)

    monkeypatch.setattr(wechat_bot.runtime, "feature_settings", feature_settings)


@pytest.fixture
def live(config) -> Iterator[LiveApi]:
    server = LiveApi(config)
    yield server
    server.close()


@pytest.fixture
def roster(live) -> dict[str, int]:
    return seed_roster(live.runtime)
