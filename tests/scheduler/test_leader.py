"""The leader lock: one holder, a lease that only its holder can extend or release."""

import fakeredis
import pytest

from scheduler.leader import LeaderLock
from wechat_bot.config import ConfigError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _locks(lease=10.0):
    store = fakeredis.FakeRedis(decode_responses=True)
    clock = Clock()
    a = LeaderLock(store, "t:leader", lease_seconds=lease, identity="a", clock=clock)
    b = LeaderLock(store, "t:leader", lease_seconds=lease, identity="b", clock=clock)
    return store, clock, a, b


def test_only_one_process_holds_the_lease():
    store, _, a, b = _locks()
    assert a.refresh() is True
    assert b.refresh() is False
    assert a.holds() and not b.holds()
    assert a.holder() == b.holder() == "a"
    assert 9000 < store.pttl("t:leader") <= 10000


def test_renewal_extends_only_a_lease_that_is_still_ours():
    store, _, a, b = _locks()
    a.acquire()
    store.delete("t:leader")  # the lease ran out ...
    assert b.acquire()        # ... and b took it
    assert a.renew() is False and not a.holds()
    assert store.get("t:leader") == "b"
    assert a.refresh() is False


def test_release_gives_up_only_our_own_lease():
    store, _, a, b = _locks()
    a.acquire()
    assert b.release() is False and store.get("t:leader") == "a"
    assert a.release() is True and store.get("t:leader") is None
    assert b.refresh() is True


def test_holds_answers_from_the_local_deadline_with_a_margin():
    _, clock, a, _ = _locks(lease=10.0)
    a.acquire()
    clock.now += 6
    assert a.holds(margin=3) is True
    assert a.holds(margin=5) is False  # less than one renewal interval left: stop running jobs
    clock.now += 5
    assert a.holds() is False


def test_a_holder_whose_local_deadline_passed_renews_its_own_key():
    store, clock, a, _ = _locks(lease=10.0)
    a.acquire()
    clock.now += 20  # a paused process: our clock says expired, Redis still names us
    assert a.refresh() is True and a.holds()
    assert store.get("t:leader") == "a"


def test_the_scheduler_settings_refuse_a_takeover_slower_than_a_minute(config):
    assert config.scheduler.leader_lease_seconds + config.scheduler.leader_renew_seconds <= 60
    with pytest.raises(ConfigError, match=r"scheduler\.leader_lease_seconds"):
        config.replace(scheduler={"leader_lease_seconds": 55.0, "leader_renew_seconds": 10.0})
    with pytest.raises(ConfigError, match=r"scheduler\.leader_renew_seconds"):
        config.replace(scheduler={"leader_lease_seconds": 10.0, "leader_renew_seconds": 6.0})
    with pytest.raises(ConfigError, match=r"scheduler\.anniversary_outreach_date"):
        config.replace(scheduler={"anniversary_outreach_date": "02-29"})
