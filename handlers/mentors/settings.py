"""The mentors' settings: the `[mentors]` section, as wechat_bot.config reads it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class MentorSettings:
    # Requests one alumnus may have waiting for an answer at once; more are refused until one is
    # answered or withdrawn (撤回请求).
    max_open_requests: int = 3
    # The most requests a month a mentor may choose to take (each mentor sets their own cap,
    # from 1 to this).
    max_monthly_cap: int = 10

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        if not 1 <= self.max_open_requests <= 20:
            yield "max_open_requests", "必须在 1 到 20 之间"
        if not 1 <= self.max_monthly_cap <= 100:
            yield "max_monthly_cap", "必须在 1 到 100 之间"
