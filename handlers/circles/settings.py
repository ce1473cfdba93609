"""The circles' settings: the `[circles]` section, as wechat_bot.config reads it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CircleSettings:
    # Notices (圈通知) one circle may send in any 24 hours, whoever of its admins posts them.
    notices_per_day: int = 3
    # The longest notice, in characters (a customer-service text holds 2,048 bytes).
    notice_max_chars: int = 300
    # Proposals one alumnus may have waiting for staff at once.
    pending_proposals: int = 2
    # Members 圈成员 lists in one reply (a WeChat text reply is cut at 2,048 bytes).
    members_shown: int = 30

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        if not 1 <= self.notices_per_day <= 100:
            yield "notices_per_day", "必须在 1 到 100 之间"
        if not 10 <= self.notice_max_chars <= 600:
            yield "notice_max_chars", "必须在 10 到 600 之间"
        if not 1 <= self.pending_proposals <= 20:
            yield "pending_proposals", "必须在 1 到 20 之间"
        if not 1 <= self.members_shown <= 50:
            yield "members_shown", "必须在 1 到 50 之间"
