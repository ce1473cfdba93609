"""The shared token bucket and the day's stopped channels (two processes: test_processes.py)."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.ratelimit import RateLimiter, next_quota_reset


def _limiter(runtime, rate, **kwargs):
    waits = []
    limiter = RateLimiter(runtime.store, runtime.keys("push", ""), rate, sleep=waits.append,
                          **kwargs)
    return limiter, waits


def _slots(limiter, count):
    """When each acquire's slot is, from the first call: the time asked plus the wait told."""
    started = time.monotonic()
    return [time.monotonic() - started + limiter.acquire() for _ in range(count)]


def test_sends_are_spaced_one_over_the_rate_apart(runtime):
    limiter, waits = _limiter(runtime, 20)
    slots = _slots(limiter, 11)
    # No one sleeps here, so each caller is given the slot after the one before.
    assert slots[0] == pytest.approx(0, abs=0.03)
    assert slots[-1] == pytest.approx(0.5, abs=0.03)
    assert all(b - a == pytest.approx(0.05, abs=0.03) for a, b in itertools.pairwise(slots))
    assert len(waits) == 10


def test_two_limiters_on_one_key_share_the_rate(runtime):
    first, _ = _limiter(runtime, 10)
    second, _ = _limiter(runtime, 10)
    started = time.monotonic()
    slots = [time.monotonic() - started + limiter.acquire()
             for _ in range(5) for limiter in (first, second)]
    assert slots[-1] == pytest.approx(0.9, abs=0.03)  # ten sends: 0.9 s, not 0.4 s


def test_a_burst_lets_that_many_through_at_once(runtime):
    limiter, _ = _limiter(runtime, 10, burst=3)
    assert [limiter.acquire() > 0 for _ in range(4)] == [False, False, False, True]


def test_results_are_written_before_a_noticeable_wait(runtime):
    limiter, _ = _limiter(runtime, 5)
    calls = []
    limiter.acquire(on_wait=lambda: calls.append("first"))
    limiter.acquire(on_wait=lambda: calls.append("second"))
    assert calls == ["second"]


def test_a_lease_charges_the_shared_bucket_for_all_its_slots_at_once(runtime):
    first, _ = _limiter(runtime, 200)  # 50 ms of the rate: a lease of ten slots, 5 ms apart
    second, _ = _limiter(runtime, 200)
    assert first.lease == 10
    first.acquire()
    # The other process's first slot comes after all ten of the first one's.
    assert second.acquire() == pytest.approx(0.05, abs=0.01)
    assert [first.acquire() for _ in range(9)] == pytest.approx(
        [0.005 * n for n in range(1, 10)], abs=0.01)
    assert first.acquire() == pytest.approx(0.10, abs=0.01)  # a new lease, after the second's


def test_leases_of_two_processes_keep_every_send_one_over_the_rate_apart(runtime):
    first, _ = _limiter(runtime, 400)  # leases of twenty
    second, _ = _limiter(runtime, 400)
    started = time.monotonic()
    slots = sorted(time.monotonic() - started + limiter.acquire()
                   for _ in range(50) for limiter in (first, second))
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    # Overlapping leases would put half the sends next to another; the odd short gap is this
    # test's own timing when the machine is busy (a slot measured late, the next one on time).
    assert sum(gap < 0.5 / 400 for gap in gaps) <= 2
    assert slots[-1] >= 99 / 400 - 0.002  # a hundred sends: never sooner than the rate allows


def test_a_leased_slot_not_spent_in_time_is_thrown_away_never_spent_late(runtime):
    first = RateLimiter(runtime.store, runtime.keys("push", ""), 200)
    second, _ = _limiter(runtime, 200)
    first.acquire()  # ten slots over the next 50 ms …
    time.sleep(0.2)  # … all long past
    first.acquire()  # so this one takes a new lease instead of a stale slot
    assert second.acquire() == pytest.approx(0.05, abs=0.015)


def test_a_stopped_channel_is_stopped_for_everyone_until_it_reopens(runtime):
    limiter, _ = _limiter(runtime, 10)
    other, _ = _limiter(runtime, 10)
    now = datetime.now(UTC)
    until = now + timedelta(hours=3)
    limiter.pause("template", until, now)
    assert other.paused_until("template") == until
    assert other.paused_until("custom") is None
    assert other.paused_channels(["custom", "template"]) == {"custom": None, "template": until}
    other.resume("template")
    assert limiter.paused_until("template") is None


def test_the_quota_day_ends_at_midnight_in_beijing():
    shanghai = ZoneInfo("Asia/Shanghai")
    late = datetime(2026, 12, 1, 15, 59, tzinfo=UTC)  # 23:59 in Beijing
    assert next_quota_reset(late, shanghai) == datetime(2026, 12, 2, tzinfo=shanghai)
    assert next_quota_reset(late + timedelta(minutes=2), shanghai) == datetime(2026, 12, 3,
                                                                               tzinfo=shanghai)


def test_threads_sharing_one_limiter_each_get_their_own_slots(runtime):
    limiter, _ = _limiter(runtime, 400)  # the scheduler's delivery jobs share one limiter
    started = time.monotonic()
    slots, errors = [], []

    def take():
        try:
            for _ in range(25):
                slots.append(time.monotonic() - started + limiter.acquire())
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(slots) == 100
    assert max(slots) >= 99 / 400 - 0.002  # no slot handed out twice
