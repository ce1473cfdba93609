"""What the webhook counts per message: its latency by kind and route, its reply by route.

The kind is WeChat's MsgType, bounded to the types WeChat sends, so a label can never be made up
by a client; a route is a handler of the routing table (or answer.RETRY, answer.FAILED).
"""

from __future__ import annotations

from telemetry import metrics

KINDS = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link", "event",
                   "file", "miniprogrampage"})


def record_answer(kind: str, route: str, reply: str, seconds: float) -> None:
    metrics.WEBHOOK_SECONDS.labels(kind if kind in KINDS else "other", route).observe(seconds)
    metrics.WEBHOOK_REPLIES.labels(route, reply).inc()
