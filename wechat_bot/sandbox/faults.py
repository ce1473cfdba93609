"""Faults on request, so the app's retry and back-off paths can be exercised before WeChat does it.

Set through POST /sandbox/api/_faults (JSON) and kept in Redis, so every worker misbehaves alike:
`latency_ms` added to each call, `busy_rate` the fraction answered `-1 system error`, `quota_rate`
the fraction answered `45009` (daily quota used up), `paths` limiting them to some endpoints
(e.g. ["message/custom/send"]; empty = every endpoint). `cgi-bin/clear_quota` lifts the quota fault,
as it resets the real quota.

The same settings say how WeChat reports on sends afterwards (`wechat_bot.sandbox.reports`):
`reports` false stops them (benchmarks/push.py, which must not measure them too),
`report_delay_ms` is how long after the send they come, `template_report` is the status a
template message's report carries ("failed:user block" to watch a refusal). `paths` does not
limit these. DELETE puts everything back: reports on, one second later, "success".
"""

from __future__ import annotations

import random
import time

from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import SandboxStore

MAX_LATENCY_MS = 30_000
MAX_REPORT_DELAY_MS = 60_000
REPORT_DELAY_MS = 1000  # WeChat's reports come seconds after the send's answer
TEMPLATE_REPORTS = ("success", "failed:user block", "failed: system failed")


class Faults:
    def __init__(self, store: SandboxStore) -> None:
        self._store = store
        self._random = random.SystemRandom()

    def _key(self) -> str:
        return self._store.key("faults")

    def get(self) -> dict:
        raw = self._store.redis.hgetall(self._key())
        return {
            "latency_ms": int(raw.get("latency_ms") or 0),
            "busy_rate": float(raw.get("busy_rate") or 0),
            "quota_rate": float(raw.get("quota_rate") or 0),
            "paths": [p for p in (raw.get("paths") or "").split(",") if p],
            "reports": raw.get("reports", "1") == "1",
            "report_delay_ms": int(raw.get("report_delay_ms") or REPORT_DELAY_MS),
            "template_report": raw.get("template_report") or TEMPLATE_REPORTS[0],
        }

    def set(self, values: dict) -> dict:
        """Merge `values` into the current faults; ValueError names a bad one."""
        current = self.get()
        for name in current:
            if name in values:
                current[name] = values[name]
        latency, busy, quota, paths = (
            current["latency_ms"],
            current["busy_rate"],
            current["quota_rate"],
            current["paths"],
        )
        if (
            isinstance(latency, bool)
            or not isinstance(latency, int)
            or not 0 <= latency <= MAX_LATENCY_MS
        ):
            raise ValueError(f"latency_ms must be an integer from 0 to {MAX_LATENCY_MS}")
        for name, rate in (("busy_rate", busy), ("quota_rate", quota)):
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
                raise ValueError(f"{name} must be a number from 0 to 1")
        if not isinstance(paths, list) or not all(
            isinstance(p, str) and "," not in p for p in paths
        ):
            raise ValueError("paths must be a list of endpoint paths such as message/custom/send")
        _check_reports(current)
        self._store.redis.hset(
            self._key(),
            mapping={
                "latency_ms": latency,
                "busy_rate": busy,
                "quota_rate": quota,
                "paths": ",".join(paths),
                "reports": "1" if current["reports"] else "0",
                "report_delay_ms": current["report_delay_ms"],
                "template_report": current["template_report"],
            },
        )
        return self.get()

    def clear(self) -> None:
        self._store.redis.delete(self._key())

    def clear_quota(self) -> None:
        self._store.redis.hset(self._key(), "quota_rate", 0)

    def apply(self, path: str) -> dict:
        """Before an endpoint answers: wait, then maybe refuse as WeChat does when it is unwell.
        Answers the settings read, so the endpoint needs no second read for the reports."""
        faults = self.get()
        # "message/custom/send" and "cgi-bin/message/custom/send" both name that endpoint.
        if faults["paths"] and not {path, path.removeprefix("cgi-bin/")} & set(faults["paths"]):
            return faults
        if faults["latency_ms"]:
            time.sleep(faults["latency_ms"] / 1000)
        if faults["busy_rate"] and self._random.random() < faults["busy_rate"]:
            raise ApiError(-1)
        if faults["quota_rate"] and self._random.random() < faults["quota_rate"]:
            raise ApiError(45009)
        return faults


def _check_reports(current: dict) -> None:
    reports, delay = current["reports"], current["report_delay_ms"]
    if reports is not True and reports is not False:
        raise ValueError("reports must be true or false")
    if (isinstance(delay, bool) or not isinstance(delay, int)
            or not 0 <= delay <= MAX_REPORT_DELAY_MS):
        raise ValueError(f"report_delay_ms must be an integer from 0 to {MAX_REPORT_DELAY_MS}")
    if current["template_report"] not in TEMPLATE_REPORTS:
        raise ValueError(f"template_report must be one of {', '.join(TEMPLATE_REPORTS)}")
