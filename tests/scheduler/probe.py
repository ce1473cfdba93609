"""A scheduler process for the failover tests: scheduler.app with one probe job, a short lease.

    python -m tests.scheduler.probe DATABASE_URL REDIS_URL PREFIX LEASE RENEW INTERVAL

Each run of the probe job appends "pid time" to the Redis list PREFIX + "runs"; the process prints
LEADING / FOLLOWING on leadership changes and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time


def record_run(context: dict) -> None:
    context["store"].rpush(context["key"], f"{os.getpid()} {time.time():.6f}")


def main() -> None:
    import redis
    from apscheduler.triggers.interval import IntervalTrigger

    from models.db import make_engine
    from scheduler.app import JobSpec, LeaderSettings, SchedulerApp
    from tests.scheduler.probe import record_run as job  # by its importable name, not __main__

    database_url, redis_url, prefix, lease, renew, interval = sys.argv[1:]
    store = redis.Redis.from_url(redis_url, decode_responses=True)
    app = SchedulerApp(
        engine=make_engine(database_url), store=store, lock_key=f"{prefix}scheduler:leader",
        jobs=[JobSpec("probe", job, IntervalTrigger(seconds=float(interval)), "probe")],
        context={"store": store, "key": f"{prefix}runs"},
        settings=LeaderSettings(float(lease), float(renew), 60),
        on_leadership=lambda leading: print("LEADING" if leading else "FOLLOWING", flush=True))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    app.start()
    print("STARTED", app.identity, flush=True)
    while not stop.wait(0.1):
        pass
    app.stop()
    print("STOPPED", flush=True)


if __name__ == "__main__":
    main()
