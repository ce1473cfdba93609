"""The events feature's settings: the `[events]` section, as wechat_bot.config reads it.

`Config.events` is this object, and the bot (`ctx.settings.events`), the API, the admin page and
the jobs all read that one instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# The association's kinds of event (the seed's); staff may type another.
KINDS = ("校园马拉松", "羽毛球友谊赛", "企业家论坛", "校友午餐沙龙", "地区校友见面会", "迎新校友活动",
         "校友报告会", "年会")


@dataclass(frozen=True)
class EventSettings:
    # A seat freed from a full event is offered to the first in line, who has this long to take it
    # (确认 <编号>) before it passes to the next.
    claim_hours: float = 12
    # Reminders before an event starts, in hours (each sent once to every confirmed registrant).
    reminder_hours: list[float] = field(default_factory=lambda: [24, 2])
    # How many events 活动 lists at once.
    list_size: int = 8

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        if self.claim_hours <= 0:
            yield "claim_hours", "必须大于 0（小时）"
        if any(h <= 0 for h in self.reminder_hours):
            yield "reminder_hours", "每项必须大于 0（小时），例如 [24, 2]"
        if not 1 <= self.list_size <= 20:
            yield "list_size", "必须在 1 到 20 之间"
