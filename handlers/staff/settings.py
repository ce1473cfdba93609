"""The admin page's settings: the `[admin]` section, as wechat_bot.config reads it.

`config.admin` is this object (a field of handlers.settings.Settings); the admin door and
`create-admin` read it, so the password rule is the same on the page and in the shell. `problems()`
is the section's own check, which wechat_bot.config runs at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AdminSettings:
    # A session unused this long is logged out (the next click goes to the login form).
    idle_timeout_minutes: int = 30
    # Wrong passwords allowed for one username within the window before it is locked ...
    login_failures_allowed: int = 5
    login_failure_window_seconds: int = 900
    # ... and for how long it stays locked.
    login_lockout_seconds: int = 900
    password_min_length: int = 10
    # Rows per page in the admin's lists (the audit log, accounts).
    page_size: int = 50
    # Not an [admin] key: the app's Redis prefix + "admin:", filled in by wechat_bot.config.
    key_prefix: str = field(default="ab:admin:", metadata={"derived": True})

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        for key in ("idle_timeout_minutes", "login_failures_allowed", "login_failure_window_seconds",
                    "login_lockout_seconds", "page_size"):
            if getattr(self, key) < 1:
                yield key, "必须是正整数"
        if self.password_min_length < 8:
            yield "password_min_length", "至少 8 个字符"
