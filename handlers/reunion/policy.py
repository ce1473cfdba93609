"""The reunion rules every door shares: which years are a class's anniversaries (秩年).

A class that graduated in `graduation_year` celebrates its n-th anniversary in the calendar year
`graduation_year + n`; it is a reunion year when n is one of `anniversary_years` (config
`reunion.anniversary_years`, default 10, 20 … 60: handlers.reunion.settings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def anniversary_this_year(graduation_year: int, today: dt.date, years: Iterable[int]) -> int | None:
    """The anniversary the class celebrates in today's year (10 for 2016 in 2026), or None."""
    elapsed = today.year - graduation_year
    return elapsed if elapsed in set(years) else None


def next_anniversary(graduation_year: int, today: dt.date, years: Iterable[int]) -> tuple[int, int] | None:
    """(calendar year, n) of the class's next anniversary after today's year, or None if past all."""
    elapsed = today.year - graduation_year
    later = sorted(n for n in set(years) if n > elapsed)
    return (graduation_year + later[0], later[0]) if later else None
