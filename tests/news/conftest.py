"""The admin client of tests/admin, for the news tests' library page and announcements."""

from tests.admin.conftest import admin_client  # noqa: F401
