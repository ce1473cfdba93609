"""Real worker processes against the sandbox: kill -9 in the middle of a run sends nobody a
message twice (and, on the template channel, loses nobody); two processes together keep to
`push.rate_per_second`.

They share the test's database (a SQLite file, or PostgreSQL) and need a real Redis, which the
sandbox and the rate limiter live in: ALUMNI_BOT_TEST_REDIS_URL, else 127.0.0.1:6379; without one
they are skipped (memory:// is one process's own).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from models.push import Delivery
from models.wechat_user import WechatUser
from scheduler.outbox import queue_push
from scheduler.ratelimit import LEASE_SECONDS
from tests.push.support import LiveApp
from wechat_bot.commands.push import push_status

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ALUMNI_BOT_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
TEMPLATE = {"template_id": "alumni-sandbox-tpl-notice",
            "template_data": ["thing1={text}", "thing2={account}", "time3={time}"]}


def _redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_reachable(), reason=f"needs a real Redis at {REDIS_URL}")


class Workers:
    """Start and kill `python -m tests.push.worker` processes for one live app."""

    def __init__(self, live: LiveApp, tmp_path: Path, **push) -> None:
        config = live.config
        settings = {
            "DATABASE_URL": config.database.url, "REDIS_URL": config.redis.url,
            "REDIS_KEY_PREFIX": config.redis.key_prefix,
            "WECHAT_API_BASE_URL": config.wechat.api_base_url,
            "WECHAT_REQUEST_TIMEOUT_SECONDS": "0.5", "PUSH_LEASE_SECONDS": "1",
            **{f"PUSH_{k.upper()}": ",".join(v) if isinstance(v, list) else str(v)
               for k, v in push.items()},
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALUMNI_BOT_")}
        self.env = {**env, **{f"ALUMNI_BOT_{k}": v for k, v in settings.items()},
                    "PYTHONPATH": str(ROOT)}
        self.tmp_path = tmp_path
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, batch: int = 100) -> subprocess.Popen:
        """A worker process, imported and waiting; `go` lets it run."""
        with open(self.tmp_path / f"{name}.log", "w") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.push.worker", name], cwd=self.tmp_path,
                env={**self.env, "PUSH_WORKER_BATCH": str(batch)}, stdin=subprocess.PIPE,
                stdout=log, stderr=subprocess.STDOUT, text=True)
        self.running.append(process)
        return process

    def go(self, *processes: subprocess.Popen) -> None:
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def live_redis(config, tmp_path):
    started = []

    def start(**push) -> tuple[LiveApp, Workers]:
        live = LiveApp(config.replace(redis={"url": REDIS_URL}), push=push)
        workers = Workers(live, tmp_path, **push)
        started.append((live, workers))
        return live, workers

    yield start
    for live, workers in started:
        workers.stop_all()
        live.close()


def _audience(live: LiveApp, count: int) -> list[str]:
    with live.runtime.sessions.begin() as session:
        users = [live.follower(session, f"校友{i}") for i in range(count)]
        queue_push(session, text="校庆日直播今晚八点开始", audience="openids:" +
                   ",".join(u.openid for u in users), kind="broadcast", now=datetime.now(UTC))
    return [u.openid for u in users]


def _arrivals(live: LiveApp, openids: list[str]) -> dict[str, int]:
    return {o: len(live.arrived(o)) for o in openids}


def _wait(condition, timeout: float, what: str, tmp_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("*.log"))
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.02)


def _statuses(live: LiveApp) -> dict[str, int]:
    with live.runtime.sessions() as session:
        return dict(session.execute(select(Delivery.status, func.count())
                                    .group_by(Delivery.status)).all())


def _finished(live: LiveApp, count: int) -> bool:
    statuses = _statuses(live)
    return sum(statuses.get(s, 0) for s in ("sent", "failed", "unknown", "unreachable")) == count


def _kill_mid_run(live, workers, openids, tmp_path, kills):
    """Start a worker and kill -9 it in the middle of a call (a row says `sending`, WeChat is
    slow to answer) after some arrivals, `kills` times; then let a last worker finish."""
    processes = [workers.start(f"worker{number}") for number in range(len(kills))]
    last = workers.start("last")
    for number, (process, after) in enumerate(zip(processes, kills)):
        workers.go(process)
        def killable(after=after, name=f"worker{number}"):
            return sum(_arrivals(live, openids).values()) >= after and _in_flight(live, name)

        _wait(killable, 20, f"{after} arrivals and a call in flight", tmp_path)
        workers.kill(process)
    workers.go(last)
    _wait(lambda: _finished(live, len(openids)), 30, "every row finished", tmp_path)


def _status_by_openid(live) -> dict[str, str]:
    with live.runtime.sessions() as session:
        rows = session.execute(select(WechatUser.openid, Delivery.status)
                               .join(Delivery, Delivery.wechat_user_id == WechatUser.id))
        return dict(rows.all())


def _in_flight(live, worker: str) -> bool:
    with live.runtime.sessions() as session:
        return bool(session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status == "sending", Delivery.claimed_by == worker)))


def _attempts(live) -> list[int]:
    with live.runtime.sessions() as session:
        return list(session.scalars(select(Delivery.attempts)))


def test_kill_9_mid_run_neither_duplicates_nor_loses_a_template_message(live_redis, tmp_path):
    live, workers = live_redis(rate_per_second=1000, **TEMPLATE)
    openids = _audience(live, 20)
    # No reports: an interrupted row must be put right by the resend alone, not by WeChat's word.
    live.sandbox.faults.set({"latency_ms": 60, "paths": ["message/template/send"],
                             "reports": False})
    _kill_mid_run(live, workers, openids, tmp_path, kills=[4, 10])
    assert _arrivals(live, openids) == {o: 1 for o in openids}  # each exactly once
    assert _statuses(live) == {"sent": 20}
    # The two calls cut off by kill -9 were made again with the same client_msg_id, and the
    # sandbox (as WeChat) answered them with the first message instead of a second one.
    assert sorted(_attempts(live))[-3:] == [1, 2, 2]


def _sending_by(live, worker: str) -> int:
    with live.runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status == "sending", Delivery.claimed_by == worker))


def test_kill_9_in_the_middle_of_a_group_resends_each_row_once_with_its_own_key(
        live_redis, tmp_path):
    # A lease of 6 s with 0.5 s calls: template rows go in groups of 5, marked in one commit.
    live, workers = live_redis(rate_per_second=1000, lease_seconds=6, **TEMPLATE)
    assert live.runtime.config.push.lease_seconds == 6
    openids = _audience(live, 20)
    live.sandbox.faults.set({"latency_ms": 60, "paths": ["message/template/send"],
                             "reports": False})
    first, last = workers.start("first"), workers.start("last")
    workers.go(first)
    _wait(lambda: sum(_arrivals(live, openids).values()) >= 3 and _sending_by(live, "first") >= 2,
          20, "3 arrivals and a group in flight", tmp_path)
    workers.kill(first)
    left = _sending_by(live, "first")  # called, in the call, or not called yet: nobody knows
    workers.go(last)
    _wait(lambda: _finished(live, len(openids)), 30, "every row finished", tmp_path)
    assert left >= 2
    assert _arrivals(live, openids) == {o: 1 for o in openids}  # each exactly once
    assert _statuses(live) == {"sent": 20}
    # Every row the kill left `sending` was marked once more and resent with the same
    # client_msg_id; the sandbox answered those that had arrived with the first message.
    assert sorted(_attempts(live)) == [1] * (20 - left) + [2] * left


def test_a_row_found_after_the_key_window_is_not_resent_and_wechats_report_settles_it(
        live_redis, tmp_path):
    live, workers = live_redis(rate_per_second=1000, **TEMPLATE)
    openids = _audience(live, 6)
    # WeChat is slow to answer, and its report of each send comes 6 s later: after the takeover.
    live.sandbox.faults.set({"latency_ms": 300, "paths": ["message/template/send"],
                             "report_delay_ms": 6000})
    first, last = workers.start("first"), workers.start("last")
    workers.go(first)
    _wait(lambda: sum(_arrivals(live, openids).values()) >= 2 and _in_flight(live, "first"),
          20, "2 arrivals and a call in flight", tmp_path)
    time.sleep(0.05)  # the request is on its way to WeChat, its answer not back yet
    workers.kill(first)
    (cut_off,) = [o for o, status in _status_by_openid(live).items() if status == "sending"]
    _wait(lambda: len(live.arrived(cut_off)) == 1, 5, "the interrupted call to arrive", tmp_path)
    # Nobody takes the crashed worker's rows over for 11 minutes: past client_msg_id's 10.
    live.sandbox.store.shift_clock(11 * 60)
    workers.go(last)
    _wait(lambda: _finished(live, len(openids)), 30, "every row finished", tmp_path)
    assert _status_by_openid(live)[cut_off] == "unknown"  # never resent blindly
    (push_id,) = _push_ids(live)
    status = live.app.test_cli_runner().invoke(push_status, [str(push_id)]).output.splitlines()
    assert "不确定是否送达：1（可能已送达，不会自动重发；模板消息等待微信回报）" in status
    _wait(lambda: _status_by_openid(live)[cut_off] == "sent", 20, "WeChat's report", tmp_path)
    assert _arrivals(live, openids) == {o: 1 for o in openids}  # a resend would be a second
    with live.runtime.sessions() as session:
        row = session.scalars(select(Delivery).join(WechatUser).where(
            WechatUser.openid == cut_off)).one()
    assert (row.attempts, row.report, row.msgid) == (
        1, "success", str(live.arrived(cut_off)[0]["msgid"]))


def _push_ids(live) -> list[int]:
    with live.runtime.sessions() as session:
        return list(session.scalars(select(Delivery.push_id).distinct()))


def test_kill_9_mid_run_never_repeats_a_customer_service_message(live_redis, tmp_path):
    live, workers = live_redis(rate_per_second=1000)
    openids = _audience(live, 20)
    live.sandbox.faults.set({"latency_ms": 60, "paths": ["message/custom/send"]})
    _kill_mid_run(live, workers, openids, tmp_path, kills=[4, 10])
    arrivals = _arrivals(live, openids)
    status = _status_by_openid(live)
    assert max(arrivals.values()) == 1  # nobody twice
    assert all(arrivals[o] == 1 for o in openids if status[o] == "sent")  # sent means arrived
    # The two calls in flight at the kills are `unknown` (待核实), never resent: production
    # WeChat has no way to ask whether they arrived (here, one may have, or not yet).
    assert sorted(status.values()).count("unknown") == 2
    assert set(status.values()) == {"sent", "unknown"}
    assert max(_attempts(live)) == 1


def _two_workers_at(live_redis, tmp_path, rate: int, count: int, batch: int) -> list[float]:
    live, workers = live_redis(rate_per_second=rate, **TEMPLATE)
    openids = _audience(live, count)
    workers.go(*[workers.start(name, batch=batch) for name in ("a", "b")])
    _wait(lambda: _finished(live, len(openids)), 30, "every row finished", tmp_path)
    times = sorted(e["at"] for o in openids for e in live.arrived(o))
    assert len(times) == count
    with live.runtime.sessions() as session:
        # Both workers took rows. (A row can also end with no claimant: on a busy machine a
        # lease may lapse mid-send, and the row released by reconcile_stale is then settled by
        # the send's own answer; what was sent is counted above, once.)
        assert {"a", "b"} <= set(session.scalars(select(Delivery.claimed_by).distinct()))
    return times


def _busiest_second(times: list[float]) -> int:
    return max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))


def test_two_workers_together_keep_to_the_rate(live_redis, tmp_path):
    rate = 20
    times = _two_workers_at(live_redis, tmp_path, rate, 40, batch=5)
    # In any one-second window: at most the rate, plus one for the bucket's burst of one and
    # one for the jitter between a request's start (which the limiter paces) and its arrival.
    assert _busiest_second(times) <= rate + 2
    elapsed = times[-1] - times[0]
    assert elapsed >= (40 - 1) / rate - 0.2
    assert elapsed <= (40 - 1) / rate * 1.5  # the two share the rate, they do not crawl


def test_two_workers_taking_leases_of_slots_keep_to_the_rate(live_redis, tmp_path):
    # (A rate two workers reach even on a busy machine, against the test's werkzeug server.)
    rate, count = 60, 120  # each Redis call leases 3 slots (LEASE_SECONDS of the rate)
    times = _two_workers_at(live_redis, tmp_path, rate, count, batch=25)
    # A leased slot is spent within LEASE_SECONDS of its time or thrown away: at most that much
    # of the rate on top, plus the burst and the arrival jitter as above.
    assert _busiest_second(times) <= rate * (1 + LEASE_SECONDS) + 2
    elapsed = times[-1] - times[0]
    assert elapsed >= (count - 1) / rate - 0.2
    assert elapsed <= (count - 1) / rate * 1.5
