"""The API tests' live server, for the consents API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api import LiveApi


@pytest.fixture
def live(config) -> Iterator[LiveApi]:
    server = LiveApi(config)
    yield server
    server.close()
