"""Helpers for the push tests: users in known states, a scripted sender, a limiter that never
waits, and the app on a live server with the sandbox for the tests that need real HTTP.

The helpers themselves are in support.py; tests import them from there."""

from __future__ import annotations

import pytest

import models.push  # noqa: F401  (the outbox tables, so every test's truncation includes them)
from tests.push.support import LiveApp


@pytest.fixture
def sessions(runtime):
    return runtime.sessions


@pytest.fixture
def live_factory(config):
    started: list[LiveApp] = []

    def start(base=None, **sections) -> LiveApp:
        started.append(LiveApp(base or config, **sections))
        return started[-1]

    yield start
    for live in started:
        live.close()
