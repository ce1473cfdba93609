"""Fixtures for the admin page's tests (the app, client and runtime come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from models import StaffRole
from tests.admin.support import add_account, login


@pytest.fixture
def admin_client(app, runtime):
    """A test client logged in as the admin `boss`."""
    add_account(runtime, "boss", StaffRole.ADMIN)
    client = app.test_client()
    assert login(client, "boss").status_code == 302
    return client
