"""A log that a request queues in Redis and a background flusher writes to the database in batches.

For records nobody waits for (the message log, the search log): a request pays one RPUSH (or a
command on a pipeline it sends anyway) instead of an INSERT and a commit that waits for the disk.
The list lives in Redis, so what a worker had queued when it stopped is written by the next one.
A crash between taking a batch and committing it loses that batch of log lines; a batch the
database refuses goes back to the head of the list for the next round.

While the database stays down the list is capped at `cap` records: every push trims it in the
same round trip (LTRIM, nothing to do while the list is short), so the oldest records are the
ones dropped. The newest are kept because they are what staff look at first once the database is
back (who searched, who wrote in the last hours), and a trim on the push keeps the queue within
the cap without asking Redis for its length or blocking the request. The flusher says so once per
outage, with a warning, when it finds the list full.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
BATCH = 500
# About a day of a busy account's messages; a few hundred bytes each in Redis.
CAP = 200_000
T = TypeVar("T")


class LogQueue(Generic[T]):
    """Records of one kind: `dump`/`load` turn one into JSON and back, `write(session, records)`
    stores a batch (flushing, not committing) and answers how many went in."""

    def __init__(self, store, key: str, sessions: sessionmaker[Session], *,
                 write: Callable[[Session, list[T]], int], dump: Callable[[T], dict],
                 load: Callable[[dict], T], name: str,
                 upstream: Callable[[], None] | None = None, cap: int = CAP) -> None:
        self._store = store
        self.cap = cap
        self._upstream = upstream  # sends records still waiting in memory (writebehind.py) to Redis
        self._key = key
        self._sessions = sessions
        self._write = write
        self._dump = dump
        self._load = load
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._failing = self._full = False  # an outage is logged once, not every second

    def push(self, record: T, pipe=None) -> None:
        """Queue `record`, on `pipe` if given (the caller executes it)."""
        raw = json.dumps(self._dump(record), ensure_ascii=False, separators=(",", ":"))
        if pipe is None:
            with self._store.pipeline(transaction=False) as own:
                self._queue(raw, own)
                own.execute()
        else:
            self._queue(raw, pipe)
        self._ensure_flusher()

    def _queue(self, raw: str, pipe) -> None:
        pipe.rpush(self._key, raw)
        pipe.ltrim(self._key, -self.cap, -1)  # the oldest go, past the cap (the database is down)

    def waiting(self) -> int:
        """How many records wait in Redis."""
        return self._store.llen(self._key)

    def write_now(self, record: T) -> None:
        """Write one record straight to the database, for when Redis (the queue) is down."""
        with self._sessions.begin() as session:
            self._write(session, [record])

    def flush(self) -> int:
        """Write everything queued so far; returns how many records went in."""
        if self._upstream is not None:
            self._upstream()
        written = 0
        while True:
            raw = self._store.lpop(self._key, BATCH)
            if not raw:
                return written
            try:
                records = [self._load(json.loads(item)) for item in raw]
                with self._sessions.begin() as session:
                    written += self._write(session, records)
            except Exception:
                # Keep them for the next round, within the cap (pushes went on meanwhile).
                with self._store.pipeline(transaction=False) as pipe:
                    pipe.lpush(self._key, *reversed(raw))
                    pipe.ltrim(self._key, -self.cap, -1)
                    pipe.execute()
                raise

    def _ensure_flusher(self) -> None:
        # Started on first use, inside the worker process (never before gunicorn forks).
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"{self._name}-flusher",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.flush_round()

    def flush_round(self) -> None:
        """One round of the background flusher: write what waits, or say (once per outage) that
        the database refuses it and, once the list is full, that the oldest records are dropped."""
        try:
            self.flush()
        except Exception:
            if not self._failing:
                log.exception("写入%s失败；每秒重试一次", self._name)
            self._failing = True
            if not self._full and self._is_full():
                log.warning("%s积压已达上限 %d 条：数据库恢复前，最早的记录被丢弃",
                            self._name, self.cap)
                self._full = True
        else:
            if self._failing:
                log.info("写入%s已恢复", self._name)
            self._failing = self._full = False

    def _is_full(self) -> bool:
        try:
            return self.waiting() >= self.cap
        except Exception:
            return False  # Redis is down too: nothing is queued there now

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except Exception:
            log.exception("退出时写入%s失败", self._name)
