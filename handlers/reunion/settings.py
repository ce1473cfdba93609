"""The reunion feature's settings: the `[reunion]` section, as wechat_bot.config reads it.

`Config.reunion` is this object, and the bot (`ctx.settings.reunion`), the API and the jobs all read
that one instance. Validation (one line naming the key) stays with the rest of the file's, in
wechat_bot.config.
"""

from __future__ import annotations

import datetime as dt
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
