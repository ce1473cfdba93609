"""The anniversary rule the reunion feature builds on."""

import datetime as dt

import pytest

from handlers.reunion.policy import anniversary_this_year, next_anniversary

YEARS = (10, 20, 30, 40, 50, 60)
TODAY = dt.date(2026, 5, 1)


@pytest.mark.parametrize("graduated,expected", [(2016, 10), (2006, 20), (1966, 60), (2017, None),
                                                (2026, None), (1956, None)])
def test_anniversary_this_year(graduated, expected):
    assert anniversary_this_year(graduated, TODAY, YEARS) == expected


def test_the_year_counts_not_the_day():
    assert anniversary_this_year(2016, dt.date(2026, 1, 1), YEARS) == 10
    assert anniversary_this_year(2016, dt.date(2026, 12, 31), YEARS) == 10


def test_configured_years_decide():
    assert anniversary_this_year(2021, TODAY, [5, 10]) == 5
    assert anniversary_this_year(2016, TODAY, [5, 15]) is None


def test_next_anniversary():
    assert next_anniversary(2017, TODAY, YEARS) == (2027, 10)
    assert next_anniversary(2016, TODAY, YEARS) == (2036, 20)
    assert next_anniversary(1950, TODAY, YEARS) is None
