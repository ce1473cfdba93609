"""Fixtures for the sandbox's tests: an app with the sandbox on, a client speaking to the stand-in
API, and a live threaded server for the tests that need real HTTP (the relay, the browser).

The helpers themselves are in support.py; tests import them from there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.support import Api, LiveServer, build_app, close_app, with_sandbox


@pytest.fixture
def sandbox_app(config):
    app = build_app(with_sandbox(config))
    yield app
    close_app(app)


@pytest.fixture
def api(sandbox_app) -> Api:
    return Api(sandbox_app)


@pytest.fixture
def live_server_factory(config) -> Iterator:
    """Start a live server with wechat settings (e.g. encoding_aes_key), [push] settings or routes
    of the test's own."""
    servers: list[LiveServer] = []

    def start(routes=None, push=None, **wechat) -> LiveServer:
        servers.append(LiveServer(config.replace(push=push) if push else config, routes, **wechat))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def live_server(live_server_factory) -> LiveServer:
    return live_server_factory()
