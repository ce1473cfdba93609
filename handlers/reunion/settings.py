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
    # "college": a class is college + graduation year; "school": the whole year is one class.
    class_scope: str = "college"
    # A day's entry time slots (HH:MM-HH:MM), each holding up to slot_capacity_people.
    entry_slots: list[str] = field(default_factory=lambda: [
        "09:00-10:00", "10:00-11:00", "14:00-15:00", "15:00-16:00"])
    slot_capacity_people: int = 150
    # A day's other quotas, as staff may change them per day in the admin page.
    lodging_capacity: int = 60
    lodging_unit: str = "间"            # 间 (guest-house rooms) or 床位 (dorm beds)
    tour_groups: int = 8                # campus-tour groups with a guide
    lunch_capacity: int = 400           # free canteen meals
    dinner_capacity: int = 300
    # Named venues for a class's gathering, "名称:座位数"; each holds one class a day.
    venues: list[str] = field(default_factory=lambda: [
        "逸夫楼报告厅:200", "图书馆学术报告厅:120", "主楼会议室:60", "校友之家活动室:40"])
    entry_gate: str = "学校正门"        # where visiting classes come in: named in the 1-day reminder
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
        if self.class_scope not in ("college", "school"):
            yield "class_scope", "只能是 college（学院 + 届）或 school（全校同届）"
        try:
            slots = self.slots()
        except ValueError:
            yield "entry_slots", "每项写成 HH:MM-HH:MM，例如 \"09:00-10:00\""
        else:
            if not slots:
                yield "entry_slots", "至少要有一个入校时段"
        if self.slot_capacity_people <= 0:
            yield "slot_capacity_people", "必须大于 0"
        for key in ("lodging_capacity", "tour_groups", "lunch_capacity", "dinner_capacity"):
            if getattr(self, key) < 0:
                yield key, "不能为负数"
        try:
            self.venue_list()
        except ValueError:
            yield "venues", "每项写成 \"名称:座位数\"，例如 \"逸夫楼报告厅:200\""

    def slots(self) -> list[tuple[dt.time, dt.time]]:
        """The entry slots as (start, end) times; ValueError on a malformed one."""
        parsed = []
        for text in self.entry_slots:
            start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
            if end <= start:
                raise ValueError(text)
            parsed.append((start, end))
        return sorted(parsed)

    def venue_list(self) -> list[tuple[str, int]]:
        """The named venues as (name, seats); ValueError on a malformed one."""
        venues = []
        for text in self.venues:
            name, _, seats = text.replace("：", ":").rpartition(":")
            if not name.strip() or int(seats) <= 0:
                raise ValueError(text)
            venues.append((name.strip(), int(seats)))
        return venues
