"""The scheduler within one process: only the leader runs jobs, a lost lease pauses them, a new
leader keeps the job table's pending run times, and the job table follows the code."""

from __future__ import annotations

import time

import pytest
import redis
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.app import JobSpec, LeaderSettings, SchedulerApp
from tests.scheduler.support import wait_for

FAST = LeaderSettings(lease_seconds=1.0, renew_seconds=0.2, misfire_grace_seconds=60)


def record(runs: list) -> None:
    runs.append(time.monotonic())


def nightly(runs: list) -> None:
    runs.append("nightly")


@pytest.fixture
def build(runtime, database_url):
    started = []

    def make(jobs, runs=None, settings=FAST) -> SchedulerApp:
        app = SchedulerApp(engine=runtime.engine, store=runtime.store,
                           lock_key=runtime.keys("scheduler", "leader"), jobs=jobs,
                           context=[] if runs is None else runs, settings=settings,
                           timezone="Asia/Shanghai")
        started.append(app)
        return app

    yield make
    for app in started:
        app.stop()


def probe(seconds=0.1):
    return JobSpec("probe", record, IntervalTrigger(seconds=seconds), "probe")


def test_only_the_leader_runs_jobs_and_the_follower_waits_paused(build):
    runs_a, runs_b = [], []
    a, b = build([probe()], runs_a), build([probe()], runs_b)
    a.start()
    wait_for(lambda: a.leading, 3)
    b.start()
    wait_for(lambda: len(runs_a) >= 3, 3)
    assert not b.leading and b.scheduler.state == STATE_PAUSED
    assert runs_b == []


def test_a_lost_lease_pauses_the_jobs(build, runtime):
    runs = []
    app = build([probe()], runs)
    app.start()
    wait_for(lambda: len(runs) >= 2, 3)
    runtime.store.set(app.lock.key, "another-process", px=5000)  # our lease expired, taken
    wait_for(lambda: not app.leading, 2)
    assert app.scheduler.state == STATE_PAUSED
    count = len(runs)
    time.sleep(0.4)
    assert len(runs) == count


def test_a_leader_cut_off_from_redis_stops_running_jobs_before_its_lease_ends(build, monkeypatch):
    runs = []
    app = build([probe(0.05)], runs)
    app.start()
    wait_for(lambda: len(runs) >= 2, 3)

    def unreachable():
        raise redis.ConnectionError("down")

    monkeypatch.setattr(app.lock, "refresh", unreachable)
    cut_off = time.monotonic()
    wait_for(lambda: not app.leading, 2)
    # The last run started while at least one renewal interval of the lease was left.
    assert runs[-1] < cut_off + FAST.lease_seconds - FAST.renew_seconds + 0.1
    assert app.scheduler.state == STATE_PAUSED


def test_a_new_leader_keeps_pending_run_times_and_replaces_changed_or_removed_jobs(build):
    nightly_job = JobSpec("nightly", nightly, CronTrigger(hour=3, minute=30,
                                                          timezone="Asia/Shanghai"), "nightly")
    first = build([nightly_job, probe(60)])
    first.start()
    wait_for(lambda: first.leading, 3)
    pending = first.scheduler.get_job("probe").next_run_time
    first.stop()

    time.sleep(0.05)
    second = build([nightly_job, probe(60)])
    second.start()
    wait_for(lambda: second.leading, 3)
    assert second.scheduler.get_job("probe").next_run_time == pending  # not restarted
    second.stop()

    third = build([probe(30)])  # the nightly job is gone from the code; probe's interval changed
    third.start()
    wait_for(lambda: third.leading, 3)
    assert [job.id for job in third.scheduler.get_jobs()] == ["probe"]
    assert str(third.scheduler.get_job("probe").trigger) == "interval[0:00:30]"
    assert third.scheduler.state == STATE_RUNNING


def test_a_clean_stop_hands_the_lock_over_at_once(build, runtime):
    a, b = build([probe(60)]), build([probe(60)])
    a.start()
    wait_for(lambda: a.leading, 3)
    b.start()
    a.stop()
    assert runtime.store.get(a.lock.key) in (None, b.identity)
    wait_for(lambda: b.leading, 1)  # within one renewal interval, not a whole lease
