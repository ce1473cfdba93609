"""Redis writes the answer does not wait for: they ride on the next message's round trip.

After a reply the webhook still stores it (for WeChat's retries) and queues the message-log line.
Nothing reads either for seconds: a retry comes five seconds after a silent first attempt, the log
is written to the database each second. So instead of a second round trip per message, those
writes wait here and go in front of the next message's claim; when no message follows, a timer
sends them within `delay` seconds.

While Redis is down the webhook adds nothing here (it answers without Redis), and what was
waiting stays, up to `MAX_WAITING` commands, the oldest dropped beyond; it goes with the first
round trip that works again.

A worker killed -9 loses what waits here (at most `delay` seconds of stored replies and log lines:
a retry of such a message then gets an empty answer, never a second handling, because its claim
was written before the handler ran).
"""

from __future__ import annotations

import logging
import threading

from wechat_bot.store import CommandBatch, RoundTrips

log = logging.getLogger(__name__)
# About ten thousand messages' stored replies and log lines.
MAX_WAITING = 20_000


class WriteBehind(CommandBatch):
    def __init__(self, lanes: RoundTrips, delay: float = 0.05) -> None:
        super().__init__()
        self._lanes = lanes
        self._delay = delay
        self._lock = threading.Lock()
        self._due = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def _add(self, command: tuple) -> None:
        with self._lock:
            self.commands.append(command)
            first = len(self.commands) == 1
        if first:
            self._ensure_timer()
            self._due.set()

    def send_with(self, batch: CommandBatch) -> list:
        """Send `batch` in one round trip with everything waiting here in front; `batch`'s answers."""
        waiting = self._take()
        try:
            answers = self._lanes.execute(waiting + batch.commands)
        except Exception:
            self._put_back(waiting)
            raise
        _log_failures(waiting, answers[:len(waiting)])
        return answers[len(waiting):]

    def flush(self) -> None:
        self.send_with(CommandBatch())

    def close(self) -> None:
        self._stopping.set()
        self._due.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except Exception:
            log.exception("关闭时保存回复和消息日志失败")

    def _take(self) -> list[tuple]:
        with self._lock:
            waiting, self.commands = self.commands, []
        return waiting

    def _put_back(self, waiting: list[tuple]) -> None:
        with self._lock:
            self.commands[:0] = waiting
            dropped = len(self.commands) - MAX_WAITING
            if dropped > 0:
                del self.commands[:dropped]
        if dropped > 0:
            log.warning("Redis 不可用：丢弃了 %d 条待写入的回复和消息日志", dropped)

    def _ensure_timer(self) -> None:
        # Started on first use, inside the worker process (never before gunicorn forks).
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="write-behind", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        failing = False  # an outage is logged once, with its traceback, not every second
        while True:
            self._due.wait()
            self._due.clear()
            # Messages arriving meanwhile take the writes along; this sends what is left.
            if self._stopping.wait(self._delay):
                return
            try:
                self.flush()
            except Exception:
                if not failing:
                    log.exception("保存回复和消息日志失败，每秒重试一次")
                failing = True
                self._due.set()
                if self._stopping.wait(1.0):
                    return
            else:
                if failing:
                    log.info("保存回复和消息日志已恢复")
                failing = False


def _log_failures(commands: list[tuple], answers: list) -> None:
    for command, answer in zip(commands, answers, strict=True):
        if isinstance(answer, Exception):
            log.error("Redis 拒绝了 %s %s：%s", command[0], command[1], answer)
