"""The Redis rate limit and lockout: sliding windows, time handed in, atomic under concurrency."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from handlers.limits import Lockout, RateLimit

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def prefix(runtime):
    return runtime.keys("limits-test") + ":"  # under the test's prefix, so it is cleaned up


@pytest.fixture
def limit(runtime, prefix):
    return RateLimit(runtime.store, prefix)


@pytest.fixture
def lockout(runtime, prefix):
    return Lockout(runtime.store, prefix, failures_allowed=5, window_seconds=3600, lockout_seconds=3600)


def test_rate_limit_allows_up_to_the_limit_then_says_when_to_come_back(limit):
    for i in range(3):
        decision = limit.allow("u1", 3, 3600, T0 + timedelta(minutes=i * 10))
        assert decision.allowed and decision.remaining == 2 - i
    refused = limit.allow("u1", 3, 3600, T0 + timedelta(minutes=30))
    assert not refused.allowed
    assert refused.retry_after == 30 * 60  # when the first attempt leaves the hour


def test_rate_limit_window_slides(limit):
    for i in range(3):
        limit.allow("u1", 3, 3600, T0 + timedelta(minutes=i * 10))
    assert not limit.allow("u1", 3, 3600, T0 + timedelta(minutes=59)).allowed
    assert limit.allow("u1", 3, 3600, T0 + timedelta(minutes=60, seconds=1)).allowed
    assert not limit.allow("u1", 3, 3600, T0 + timedelta(minutes=60, seconds=2)).allowed


def test_refused_attempts_do_not_extend_the_wait(limit):
    limit.allow("u1", 1, 3600, T0)
    for minute in range(1, 60, 5):
        assert not limit.allow("u1", 1, 3600, T0 + timedelta(minutes=minute)).allowed
    assert limit.allow("u1", 1, 3600, T0 + timedelta(hours=1, seconds=1)).allowed


def test_released_attempt_is_given_back(limit):
    first = limit.allow("u1", 1, 3600, T0)
    limit.release("u1", first)
    assert limit.allow("u1", 1, 3600, T0).allowed


def test_keys_are_counted_apart_under_the_given_prefix(limit, runtime, prefix):
    assert limit.allow("u1", 1, 3600, T0).allowed
    assert limit.allow("u2", 1, 3600, T0).allowed
    assert not limit.allow("u1", 1, 3600, T0).allowed
    keys = set(runtime.store.scan_iter(match=f"{prefix}*"))
    assert keys == {f"{prefix}u1", f"{prefix}u2"}
    assert 0 < runtime.store.ttl(f"{prefix}u1") <= 3600


def test_concurrent_attempts_never_exceed_the_limit(limit):
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda i: limit.allow("busy", 30, 3600, T0), range(60)))
    assert sum(d.allowed for d in decisions) == 30


def fail(lockout, key, at):
    """One wrong answer, as binding makes it: counted first, then judged."""
    attempt = lockout.attempt(key, at)
    return lockout.failed(key, at) if attempt.allowed else attempt


def test_lockout_locks_on_the_fifth_failure_for_an_hour(lockout, runtime):
    for i in range(4):
        decision = fail(lockout, "7", T0 + timedelta(minutes=i))
        assert decision.allowed and decision.remaining == 4 - i
    assert lockout.check("7", T0 + timedelta(minutes=5)).allowed
    fifth = fail(lockout, "7", T0 + timedelta(minutes=10))
    assert not fifth.allowed and fifth.retry_after == 3600
    later = lockout.check("7", T0 + timedelta(minutes=40))
    assert not later.allowed and later.retry_after == 30 * 60
    assert 3500 < runtime.store.ttl(lockout.lock_key("7")) <= 3600
    assert lockout.check("7", T0 + timedelta(minutes=70, seconds=1)).allowed


def test_lockout_forgets_failures_older_than_the_window(lockout):
    for i in range(4):
        fail(lockout, "7", T0 + timedelta(minutes=i))
    assert fail(lockout, "7", T0 + timedelta(minutes=61)).allowed
    assert lockout.check("7", T0 + timedelta(minutes=62)).remaining == 3


def test_lockout_is_per_key_and_cleared_by_success(lockout):
    for _ in range(4):
        fail(lockout, "7", T0)
    lockout.succeeded("7")
    assert fail(lockout, "7", T0).allowed
    for _ in range(5):
        fail(lockout, "8", T0)
    assert not lockout.check("8", T0).allowed
    assert lockout.check("7", T0).allowed


def test_lock_ends_when_its_key_expires(lockout, runtime):
    for _ in range(5):
        fail(lockout, "7", T0)
    assert not lockout.check("7", T0).allowed
    runtime.store.delete(lockout.lock_key("7"))
    assert lockout.check("7", T0).allowed


def test_attempts_count_before_they_are_judged_and_an_unjudged_one_is_given_back(lockout):
    pending = [lockout.attempt("7", T0) for _ in range(5)]
    assert [a.remaining for a in pending] == [4, 3, 2, 1, 0]
    sixth = lockout.attempt("7", T0)
    assert not sixth.allowed and sixth.retry_after == 3600
    lockout.release("7", pending[0])
    assert lockout.attempt("7", T0).allowed


def test_failures_judged_after_the_lock_say_locked_until_it_ends(lockout):
    for _ in range(5):
        lockout.attempt("7", T0)
    assert lockout.failed("7", T0).retry_after == 3600
    late = lockout.failed("7", T0 + timedelta(minutes=1))
    assert not late.allowed and late.retry_after == 59 * 60


def test_concurrent_attempts_never_exceed_the_failures_allowed(lockout):
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda i: lockout.attempt("busy", T0), range(50)))
    assert sum(d.allowed for d in decisions) == 5
