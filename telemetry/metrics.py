"""alumni-bot's Prometheus metrics, each defined once here (docs/observability.md lists them).

A process chooses where its metrics live before it first records one: in memory (the default;
`alumni-bot scheduler`, which serves its own), or in gunicorn's shared directory (`use_directory`,
called in each web worker), so `/metrics` adds up every worker's files. The metrics are built on
first use in the mode chosen, not at import: prometheus_client fixes its mode when it is
imported, and by then the app's modules (and so this one) are loaded in gunicorn's master.

Recording costs a few microseconds (a lock and a float written to memory, or to an mmap'ed
file); the webhook records two or three per message.
"""

from __future__ import annotations

import os
import threading

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds: most answers take a few ms; WeChat gives up at 5 s and the deadline is about 4.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 10.0)

_NAMES = frozenset({
    "WEBHOOK_SECONDS", "WEBHOOK_REPLIES", "DEADLINE_FALLBACKS", "SEARCH_SECONDS", "DELIVERIES",
    "SCHEDULER_LEADER", "LEADERSHIP_TAKEN", "LEASE_RENEWALS", "LEASE_LOSSES", "LEASE_ERRORS",
})
_lock = threading.Lock()
_state: dict = {"directory": None, "built": False}


def use_directory(directory: str | None) -> None:
    """Keep this process's metrics in `directory` (shared by gunicorn's workers), or in memory
    (None). Only before the first metric is recorded."""
    with _lock:
        if _state["built"] and directory != _state["directory"]:
            raise RuntimeError("metrics already recorded in another mode")
        _state["directory"] = directory
        if directory:
            os.environ[MULTIPROCESS_ENV] = directory  # where prometheus_client writes its files


def directory() -> str | None:
    """The shared directory this process's metrics are written to, or None (in memory)."""
    return _state["directory"]


def __getattr__(name: str):
    if name in _NAMES:
        _build()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build() -> None:
    from prometheus_client import Counter, Gauge, Histogram, values

    with _lock:
        if _state["built"]:
            return
        chosen = values.MultiProcessValue() if _state["directory"] else values.MutexValue
        default, values.ValueClass = values.ValueClass, chosen
        try:
            globals().update(
                WEBHOOK_SECONDS=Histogram(
                    "alumni_bot_webhook_seconds",
                    "Time to answer one WeChat message, by message kind and route (handler)",
                    ["kind", "route"], buckets=LATENCY_BUCKETS),
                WEBHOOK_REPLIES=Counter(
                    "alumni_bot_webhook_replies",
                    "Replies to WeChat messages, by route and reply type",
                    ["route", "reply"]),
                DEADLINE_FALLBACKS=Counter(
                    "alumni_bot_deadline_fallbacks",
                    "Handlers past the reply deadline: holding replies and what became of the "
                    "late answer", ["outcome"]),
                SEARCH_SECONDS=Histogram(
                    "alumni_bot_search_seconds", "Time to answer a directory search, by door",
                    ["door"], buckets=LATENCY_BUCKETS),
                DELIVERIES=Counter(
                    "alumni_bot_deliveries",
                    "Delivery attempts' results, by result and WeChat errcode class",
                    ["result", "errcode_class"]),
                SCHEDULER_LEADER=Gauge(
                    "alumni_bot_scheduler_leader",
                    "1 while this scheduler process holds the leader lease, else 0",
                    ["identity"], multiprocess_mode="liveall"),
                LEADERSHIP_TAKEN=Counter(
                    "alumni_bot_scheduler_leadership_acquired",
                    "Times this scheduler process became the leader"),
                LEASE_RENEWALS=Counter(
                    "alumni_bot_scheduler_lease_renewals", "Leader lease renewals that held"),
                LEASE_LOSSES=Counter(
                    "alumni_bot_scheduler_lease_losses",
                    "Times a leading scheduler lost its lease (another took it, or Redis was "
                    "away past the lease)"),
                LEASE_ERRORS=Counter(
                    "alumni_bot_scheduler_lease_errors",
                    "Leader lease refreshes that failed because Redis did not answer"),
            )
            _state["built"] = True
        finally:
            values.ValueClass = default


def errcode_class(errcode: int | None) -> str:
    """A WeChat errcode's class for a label: "43xxx" (43004 unsubscribed), "45xxx" (limits,
    windows), "40xxx" (bad request or credential), "-1" (busy), "none" (no errcode: a timeout,
    a refused connection, retries spent)."""
    if errcode is None:
        return "none"
    if errcode < 0:
        return "-1"
    return f"{errcode // 1000}xxx" if errcode >= 10000 else "other"
