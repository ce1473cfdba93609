"""The queue between the webhook and the message log: Redis now, the database in batches.

A crash between taking a batch and committing it loses that batch of log lines (never a reply,
a booking or a registration, which handlers write in their own transaction).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from handlers.interactions import Inbound, record_inbound
from wechat_bot.store import Keys

log = logging.getLogger(__name__)
BATCH = 500


class InboundQueue:
    def __init__(self, store, keys: Keys, sessions: sessionmaker[Session],
                 upstream: Callable[[], None] | None = None) -> None:
        self._store = store
        self._upstream = upstream  # sends records still waiting in memory (writebehind.py) to Redis
        self._key = keys("inbound")
        self._sessions = sessions
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def push(self, record: Inbound, pipe=None) -> None:
        (pipe if pipe is not None else self._store).rpush(self._key, _dump(record))
        self._ensure_flusher()

    def flush(self) -> int:
        """Write everything queued so far; returns how many records went in."""
        if self._upstream is not None:
            self._upstream()
        written = 0
        while True:
            raw = self._store.lpop(self._key, BATCH)
            if not raw:
                return written
            records = [_load(item) for item in raw]
            try:
                with self._sessions.begin() as session:
                    written += record_inbound(session, records)
            except Exception:
                self._store.lpush(self._key, *reversed(raw))  # keep them for the next round
                raise

    def _ensure_flusher(self) -> None:
        # Started on first use, inside the worker process (never before gunicorn forks).
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inbound-flusher", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.flush()
            except Exception:
                log.exception("writing the message log failed; will retry")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except Exception:
            log.exception("writing the message log at shutdown failed")


def _dump(record: Inbound) -> str:
    data = record.__dict__ | {"at": record.at.isoformat()}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _load(raw: str) -> Inbound:
    data = json.loads(raw)
    data["at"] = datetime.fromisoformat(data["at"])
    return Inbound(**data)
