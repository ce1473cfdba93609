"""Dates for the booking tests that go through the real doors, which read the wall clock: the
visit is the first Saturday a class may book from today, the class the one whose 10th
anniversary falls in that day's year."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def visit_day() -> dt.date:
    day = local_today() + dt.timedelta(days=8)   # booking_lead_days is 7
    while day.isoweekday() != 6:
        day += dt.timedelta(days=1)
    return day


VISIT = visit_day()
YEAR = VISIT.year - 10
