"""What the load costs, per step of benchmarks/load.py: CPU of the web workers, of PostgreSQL's
backends serving the run's database (and of all of PostgreSQL, the neighbours' sessions too), of
Redis and of the load generator itself, from /proc; the whole machine's busy share from /proc/stat;
what PostgreSQL's active backends wait on (pg_stat_activity, sampled every 0.2 s); Redis INFO.

The machine is shared: PostgreSQL's and Redis's totals include other people's work, which is why
the run's own backends are told apart (by database) and the machine's busy share is given.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.reunion import proc_ticks

HZ = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.2


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def redis_pid(port: int) -> int | None:
    """The redis-server listening on `port` (others may run on other ports)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if cmdline.startswith("redis-server") and f":{port}" in cmdline:
                return int(entry.name)
    return None


class Watch:
    """One step's resource use: `start()`, then `stop()` returns the figures."""

    def __init__(self, database_url: str, redis_url: str, servers: list[int]) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from wechat_bot.store import connect_store

        self.servers = servers
        url = make_url(database_url)
        self.database = url.database
        self.pg = create_engine(url, pool_size=1, isolation_level="AUTOCOMMIT")
        self.redis = connect_store(redis_url)
        self.redis_pid = redis_pid(int(self.redis.connection_pool.connection_kwargs.get("port", 6379)))

    def start(self) -> None:
        self.waits: collections.Counter = collections.Counter()
        self.lock_queries: collections.Counter = collections.Counter()
        self.samples = 0
        self.backends: set[int] = set()
        self.before = (proc_ticks(), machine_busy(), self._redis_info(), time.monotonic(), os.times())
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        """What the run's database's backends are doing; CPU means active and waiting on nothing."""
        from sqlalchemy import text

        query = text("SELECT pid, state, wait_event_type, wait_event, query FROM pg_stat_activity "
                     "WHERE datname = :db AND pid <> pg_backend_pid()")
        with self.pg.connect() as db:
            while not self.stopping.wait(SAMPLE_SECONDS):
                self.samples += 1
                for pid, state, kind, event, query_text in db.execute(query, {"db": self.database}):
                    self.backends.add(pid)
                    if state == "active":
                        self.waits[f"{kind}:{event}" if event else "CPU"] += 1
                    if kind == "Lock":   # which statement waits on a lock names the hot row
                        self.lock_queries[" ".join(query_text.split())[:70]] += 1

    def _redis_info(self) -> dict:
        info = self.redis.info()
        return {"commands": info["total_commands_processed"], "clients": info["connected_clients"],
                "cpu": info["used_cpu_sys"] + info["used_cpu_user"]}

    def stop(self) -> dict:
        self.stopping.set()
        self.thread.join(timeout=5)
        ticks0, busy0, redis0, t0, own0 = self.before
        ticks, busy, redis, t1, own = proc_ticks(), machine_busy(), self._redis_info(), time.monotonic(), os.times()
        seconds = t1 - t0

        def share(pids) -> float:   # CPU as a share of one core over the step
            spent = sum(ticks[p][2] - (ticks0[p][2] if p in ticks0 and ticks0[p][1] == ticks[p][1] else 0)
                        for p in pids if p in ticks)
            return spent / HZ / seconds

        def under(pid: int, roots: set[int]) -> bool:
            while pid in ticks and pid not in roots and pid > 1:
                pid = ticks[pid][0]
            return pid in roots

        roots = set(self.servers)
        active = sum(self.waits.values())
        return {
            "web_cpu": share(p for p in ticks if under(p, roots)),
            "pg_run_cpu": share(self.backends),
            "pg_all_cpu": share(p for p, (_, name, _) in ticks.items() if name.startswith("postgres")),
            "redis_cpu": (redis["cpu"] - redis0["cpu"]) / seconds,
            "generator_cpu": (own.user + own.system - own0.user - own0.system) / seconds,
            "machine_busy": (busy[0] - busy0[0]) / max(1, busy[1] - busy0[1]),
            "pg_active": active / max(1, self.samples),
            "pg_waits": {k: v / active for k, v in self.waits.most_common(4)} if active else {},
            "pg_lock_queries": self.lock_queries.most_common(2),
            "redis_ops": (redis["commands"] - redis0["commands"]) / seconds,
            "redis_clients": redis["clients"],
        }

    def close(self) -> None:
        self.pg.dispose()
        self.redis.close()
