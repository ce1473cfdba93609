"""A delivery worker as its own process, for the multi-process tests (kill -9, shared rate):
`python -m tests.push.worker WORKER_ID`, configured entirely by ALUMNI_BOT_* variables.

It runs deliver_due in a loop, as the scheduler's delivery job does, until killed, on the
sandbox's clock (so a test moves time for the worker and the stand-in WeChat alike).
PUSH_WORKER_BATCH sets the batch size. It prints `ready` once imported and configured, then
waits for a line on stdin before it starts, so a test can start processes ahead of time.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime

from models.db import make_engine, make_session_factory
from scheduler.delivery import deliver_due
from wechat_bot.config import load_config
from wechat_bot.push_sender import build_limiter, build_sender
from wechat_bot.sandbox.state import SandboxStore
from wechat_bot.store import Keys, connect_store


def main(worker_id: str) -> None:
    config = load_config()
    store = connect_store(config.redis.url)
    keys = Keys(config.redis.key_prefix)
    sessions = make_session_factory(make_engine(config.database.url))
    sender = build_sender(config, store, keys)
    limiter = build_limiter(config, store, keys)
    clock = SandboxStore(store, keys)
    batch = int(os.environ.get("PUSH_WORKER_BATCH", "100"))
    print("ready", flush=True)
    sys.stdin.readline()
    while True:
        stats = deliver_due(sessions, sender, limiter, now=datetime.fromtimestamp(clock.now(), UTC),
                            batch=batch, worker_id=worker_id)
        if stats.claimed or stats.reconciled:
            print(stats, flush=True)
        else:
            time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1])
