"""What WeChat tells the account after a send: TEMPLATESENDJOBFINISH for each template message,
MASSSENDJOBFINISH for each mass send, posted to the app's /wechat through the relay (signed, in
the configured message mode) like any event.

WeChat sends them seconds after it answered the API call, so they go from a thread of their
own after `report_delay_ms`, never inside the call's answer: the app must find its delivery
row by the msgid it has recorded by then. The `_faults` settings switch them off (`reports`)
or make a template report a refusal (`template_report`); see wechat_bot/sandbox/faults.py.
A report still waiting when the app shuts down is dropped, as WeChat gives up on a server that
is gone.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from wechat_bot.config import Config
from wechat_bot.sandbox.relay import deliver, modes_for

log = logging.getLogger(__name__)

# WeChat's mass reports come from its mass-send assistant, not from a follower.
MASS_ASSISTANT = "o-sandbox-mass-send-assistant"


class Reports:
    def __init__(self, config: Config) -> None:
        self._config = config
        # Threads start on first use, so a forking server forks before any exists.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sandbox-report")
        self._closing = threading.Event()

    def template_sent(self, settings: dict, openid: str, msgid: int, sent_at: float) -> None:
        """After a template message was accepted (not a repeated client_msg_id) at `sent_at`
        (the sandbox's clock)."""
        if settings.get("reports", True):
            self._later(settings, openid, {
                "MsgType": "event", "Event": "TEMPLATESENDJOBFINISH", "MsgID": msgid,
                "Status": settings.get("template_report", "success")}, sent_at)

    def mass_sent(self, settings: dict, job: dict, sent_at: float) -> None:
        """After a mass send was accepted: WeChat's counts of it (FilterCount is how many were
        left to send after filtering, about SentCount + ErrorCount)."""
        if not settings.get("reports", True):
            return
        total, dropped = job["total"], job["filter"]
        failed = job["sent"] == 0 and job["error"] > 0
        self._later(settings, MASS_ASSISTANT, {
            "MsgType": "event", "Event": "MASSSENDJOBFINISH", "MsgID": job["msg_id"],
            "Status": "sendfail" if failed else "sendsuccess", "TotalCount": total,
            "FilterCount": total - dropped, "SentCount": job["sent"],
            "ErrorCount": job["error"]}, sent_at)

    def close(self) -> None:
        self._closing.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _later(self, settings: dict, openid: str, fields: dict, sent_at: float) -> None:
        delay = settings.get("report_delay_ms", 1000) / 1000
        # The report is dated when WeChat finished the job, on the clock the send was made by
        # (the app settles a report it cannot place by msgid by this time).
        created = int(sent_at + delay)
        try:
            self._pool.submit(self._post, fields, openid, time.monotonic() + delay, created)
        except RuntimeError:  # shutting down
            pass

    def _post(self, fields: dict, openid: str, due: float, created: int) -> None:
        if self._closing.wait(max(0.0, due - time.monotonic())):
            return
        try:
            reply = deliver(fields, openid, self._config, modes_for(self._config)[0], created)
        except Exception:
            log.exception("沙盒未能推送 %s 回报", fields["Event"])
            return
        if reply.notices or reply.entries:
            log.warning("应用对 %s 回报作了回复：%s %s", fields["Event"],
                        reply.notices, reply.entries)
