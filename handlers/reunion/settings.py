"""The reunion feature's settings: the `[reunion]` section, as wechat_bot.config reads it.

`Config.reunion` is this object, and the bot (`ctx.settings.reunion`), the API and the jobs all read
that one instance. `problems()` is the section's own check: wechat_bot.config turns each into the
one line naming the key that stops start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReunionSettings:
    # A class's n-th year after graduation is a reunion year (秩年) when n is listed here.
    anniversary_years: list[int] = field(default_factory=lambda: [10, 20, 30, 40, 50, 60])
    open_weekdays: list[int] = field(default_factory=lambda: [6, 7])  # ISO: campus receives visits
    season_start: dt.date | None = None
    season_end: dt.date | None = None
    daily_capacity_people: int = 500
    booking_lead_days: int = 7
    # MM-DD, local: from this day on the yearly invitation goes out (handlers.reunion.outreach).
    # Not a [reunion] key: the file keeps it as scheduler.anniversary_outreach_date, and
    # wechat_bot.config copies it here once, after reading the file.
    anniversary_outreach_date: str = field(default="03-01", metadata={"derived": True})

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        if not self.anniversary_years or any(y <= 0 for y in self.anniversary_years):
            yield "anniversary_years", "必须是正整数列表，例如 [10, 20, 30]"
        if any(d not in range(1, 8) for d in self.open_weekdays):
            yield "open_weekdays", "星期用 1（周一）到 7（周日）表示"
        if self.season_start and self.season_end and self.season_start > self.season_end:
            yield "season_end", "不能早于 season_start"
        if self.daily_capacity_people <= 0:
            yield "daily_capacity_people", "必须大于 0"
        if self.booking_lead_days < 0:
            yield "booking_lead_days", "不能为负数"
