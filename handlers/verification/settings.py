"""Manual verification's settings: the `[verification]` section, as wechat_bot.config reads it.

`config.verification` is this object (a field of handlers.settings.Settings), read by the bot, the
API and the admin page alike. `problems()` is the section's own check, run at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class VerificationSettings:
    # Failed 绑定 attempts (within the directory's bind_failure_window_seconds, counted by both
    # doors) after which manual review is offered; a binding lock always opens it too.
    offer_after_failures: int = 3
    # How many roster records the queue page shows per request.
    max_candidates: int = 20

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        for key in ("offer_after_failures", "max_candidates"):
            if getattr(self, key) < 1:
                yield key, "必须是正整数"
