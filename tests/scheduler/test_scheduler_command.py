"""`alumni-bot scheduler` as an operator runs it: several processes, one leads, SIGKILL of the
leader hands the jobs to another, SIGTERM stops cleanly and hands the lock over."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from tests.scheduler.support import REDIS_URL, Process, leader_pid, wait_for

LEASE, RENEW = 1.5, 0.3
LEADING = "成为调度器主节点"


def _command(database_url: str, prefix: str, tmp_path: Path) -> Process:
    script = Path(sys.executable).with_name("alumni-bot")
    return Process([str(script), "scheduler"], env={
        "ALUMNI_BOT_CONFIG": str(_config(tmp_path)),
        "ALUMNI_BOT_DATABASE_URL": database_url,
        "ALUMNI_BOT_REDIS_URL": REDIS_URL,
        "ALUMNI_BOT_REDIS_KEY_PREFIX": prefix,
        "ALUMNI_BOT_SCHEDULER_LEADER_LEASE_SECONDS": str(LEASE),
        "ALUMNI_BOT_SCHEDULER_LEADER_RENEW_SECONDS": str(RENEW),
        "ALUMNI_BOT_WECHAT_API_BASE_URL": "http://127.0.0.1:9",  # nothing listens: no real call
    })


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "scheduler.toml"
    path.write_text("[app]\nschool_name = \"调度测试大学\"\n", encoding="utf-8")
    return path


def test_scheduler_processes_elect_one_leader_fail_over_and_stop_on_sigterm(
        shared_redis, database_url, tmp_path):
    store, prefix = shared_redis
    lock = f"{prefix}scheduler:leader"
    first, second = _command(database_url, prefix, tmp_path), _command(database_url, prefix, tmp_path)
    procs = {first.pid: first, second.pid: second}
    try:
        leader = procs[wait_for(lambda: leader_pid(store, lock), 30)]
        follower = second if leader is first else first
        wait_for(lambda: leader.first(LEADING), 10)
        wait_for(lambda: follower.first("调度器已启动"), 30)
        assert follower.first(LEADING) is None  # two processes, one leader
        assert "deliver-pushes" in leader.output() and "clean-up" in leader.output()
        killed_at = time.time()
        leader.kill()
        took_over = wait_for(lambda: follower.first(LEADING), LEASE + RENEW + 3)
        assert took_over - killed_at <= LEASE + RENEW + 1, follower.output()
        follower.popen.send_signal(signal.SIGTERM)
        assert follower.popen.wait(15) == 0, follower.output()
    finally:
        for process in procs.values():
            process.kill()
    assert "调度器已停止" in follower.output()
    assert store.get(lock) is None
