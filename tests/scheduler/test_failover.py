"""Several scheduler processes on one database and one Redis: one leads, a job fires once per
schedule, and when the leader is killed (SIGKILL) a follower takes over within the lease.

Real processes (tests/scheduler/probe.py: scheduler.app with a probe job) and the real Redis at
127.0.0.1:6379; short leases through the settings keep it quick.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from itertools import pairwise

from tests.scheduler.support import REDIS_URL, Process, leader_pid, wait_for

LEASE, RENEW, INTERVAL = 1.5, 0.3, 0.2


def runs(store, key: str) -> list[tuple[int, float]]:
    return [(int(pid), float(at)) for pid, at in (r.split() for r in store.lrange(key, 0, -1))]


def ran_by(store, key: str) -> set[int]:
    return {pid for pid, _ in runs(store, key)}


def test_three_schedulers_fire_each_run_once_and_a_follower_takes_over_after_sigkill(
        shared_redis, database_url):
    store, prefix = shared_redis
    lock, runs_key = f"{prefix}scheduler:leader", f"{prefix}runs"
    argv = [sys.executable, "-m", "tests.scheduler.probe", database_url, REDIS_URL, prefix,
            str(LEASE), str(RENEW), str(INTERVAL)]
    procs = {p.pid: p for p in (Process(argv) for _ in range(3))}
    leaders, kills, failovers = [], [], []
    try:
        wait_for(lambda: all(p.first("STARTED") for p in procs.values()), 30)
        leaders.append(wait_for(lambda: leader_pid(store, lock), 10))
        for _round in range(2):
            leader = procs[leaders[-1]]
            wait_for(lambda leader=leader: leader.pid in ran_by(store, runs_key), 5)
            time.sleep(1.2)  # the leader runs the job a few times; the followers wait
            kills.append(time.time())
            leader.kill()
            new = procs[wait_for(lambda leader=leader: leader_pid(store, lock) not in
                                 (None, leader.pid) and leader_pid(store, lock), LEASE + RENEW + 2)]
            failovers.append(wait_for(lambda new=new: new.first("LEADING"), 2) - kills[-1])
            leaders.append(new.pid)
        wait_for(lambda: leaders[-1] in ran_by(store, runs_key), 5)
        time.sleep(0.6)
        recorded = runs(store, runs_key)
    finally:
        for process in procs.values():
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        for process in procs.values():
            try:
                process.popen.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    print(f"takeover after SIGKILL: {', '.join(f'{f:.2f} s' for f in failovers)} "
          f"(lease {LEASE} s, renewal every {RENEW} s)")
    assert all(f <= LEASE + RENEW + 0.5 for f in failovers), failovers
    # Every run came from the process leading at that moment: never a follower, never two.
    for pid, at in recorded:
        expected = leaders[0] if at < kills[0] else leaders[1] if at < kills[1] else leaders[2]
        assert pid == expected, (pid, at, leaders, kills)
    assert {pid for pid, _ in recorded} == set(leaders)
    # At the schedule's pace: once per interval, plus at most one catch-up run per takeover.
    span = recorded[-1][1] - recorded[0][1]
    assert len(recorded) <= span / INTERVAL + 1 + len(kills), recorded
    # Never two processes running it at one moment (a new leader's catch-up run may follow its own
    # first scheduled run closely; that is one process, counted above).
    ordered = sorted(recorded, key=lambda run: run[1])
    assert all(b_at - a_at > 0.01 for (a_pid, a_at), (b_pid, b_at) in pairwise(ordered) if a_pid != b_pid)
    survivor = procs[leaders[-1]]
    assert survivor.popen.returncode == 0 and survivor.first("STOPPED"), survivor.output()
    assert store.get(lock) is None  # a clean stop hands the lock over at once
