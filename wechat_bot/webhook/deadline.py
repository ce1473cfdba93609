"""The 5-second rule: run a handler under a deadline; when it overruns, answer later.

WeChat drops a passive reply after 5 seconds and retries. The webhook therefore waits about four
seconds; if the work is not done by then the alumnus gets a holding reply at once, and the real
answer goes out as a customer-service message when the work finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from telemetry.requests import in_current_request

log = logging.getLogger(__name__)
T = TypeVar("T")

HOLDING_REPLY = "正在为您处理，请稍候，结果稍后发送给您。"


class Overran(Exception):
    """The work is still running; its result will be handed to the late callback."""


class DeadlineRunner:
    def __init__(self, seconds: float, workers: int = 32) -> None:
        self.seconds = seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handler")

    def run(self, work: Callable[[], T], on_late: Callable[[Future[T]], None]) -> T:
        """The work's result within the deadline, else Overran (and `on_late` runs when done)."""
        # The handler's thread and the late callback log as part of this request.
        future = self._pool.submit(in_current_request(work))
        try:
            return future.result(timeout=self.seconds)
        except FutureTimeout:
            future.add_done_callback(in_current_request(_guarded(on_late)))
            raise Overran() from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def _guarded(callback: Callable[[Future], None]) -> Callable[[Future], None]:
    def run(future: Future) -> None:
        try:
            callback(future)
        except Exception:
            log.exception("超过回复时限后发送回答失败")

    return run
