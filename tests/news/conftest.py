"""The admin client of tests/admin, for the library page and announcements; a live API server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.admin.conftest import admin_client  # noqa: F401
from tests.api import LiveApi


@pytest.fixture
def live(config) -> Iterator[LiveApi]:
    server = LiveApi(config)
    yield server
    server.close()
