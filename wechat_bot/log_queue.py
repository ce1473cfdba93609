"""A log that a request queues in Redis and a background flusher writes to the database in batches.

For records nobody waits for (the message log, the search log): a request pays one RPUSH (or a
command on a pipeline it sends anyway) instead of an INSERT and a commit that waits for the disk.
The list lives in Redis, so what a worker had queued when it stopped is written by the next one.
A crash between taking a batch and committing it loses that batch of log lines; a batch the
database refuses goes back to the head of the list for the next round.
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
T = TypeVar("T")


class LogQueue(Generic[T]):
    """Records of one kind: `dump`/`load` turn one into JSON and back, `write(session, records)`
    stores a batch (flushing, not committing) and answers how many went in."""

    def __init__(self, store, key: str, sessions: sessionmaker[Session], *,
                 write: Callable[[Session, list[T]], int], dump: Callable[[T], dict],
                 load: Callable[[dict], T], name: str,
                 upstream: Callable[[], None] | None = None) -> None:
        self._store = store
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

    def push(self, record: T, pipe=None) -> None:
        """Queue `record`, on `pipe` if given (the caller executes it)."""
        raw = json.dumps(self._dump(record), ensure_ascii=False, separators=(",", ":"))
        (pipe if pipe is not None else self._store).rpush(self._key, raw)
        self._ensure_flusher()

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
                self._store.lpush(self._key, *reversed(raw))  # keep them for the next round
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
        failing = False  # an outage is logged once, with its traceback, not every second
        while not self._stop.wait(1.0):
            try:
                self.flush()
            except Exception:
                if not failing:
                    log.exception("写入%s失败；每秒重试一次", self._name)
                failing = True
            else:
                if failing:
                    log.info("写入%s已恢复", self._name)
                failing = False

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except Exception:
            log.exception("退出时写入%s失败", self._name)
