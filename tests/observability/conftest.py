"""Fixtures for the observability tests: the process's log in JSON captured, a WeChat stand-in
whose first customer-service send answers "system busy", and /metrics read as Prometheus does."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.loopback import LoopbackWeChat, running
from wechat_bot.config import LoggingSection
from wechat_bot.observability.logs import configure_logging


class JsonLog:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        """Every line written so far, each parsed (a line that is not JSON fails the test)."""
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def with_message(self, part: str) -> list[dict]:
        return [line for line in self.lines() if part in line["message"]]


@pytest.fixture
def json_log():
    """The process's log as `[logging] format = "json"`, level DEBUG, into a buffer."""
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = configure_logging(LoggingSection(format="json", level="DEBUG"), stream=stream)
    yield JsonLog(stream)
    root.removeHandler(handler)
    root.setLevel(level)


class BusyOnceWeChat(LoopbackWeChat):
    """Answers the first customer-service send with -1 (system busy: retried later)."""

    busy_once = True

    def wsgi(self, environ, start_response):
        if environ.get("PATH_INFO") == "/cgi-bin/message/custom/send" and self.busy_once:
            self.busy_once = False
            return self._json({"errcode": -1, "errmsg": "system error"})(environ, start_response)
        return super().wsgi(environ, start_response)


@pytest.fixture
def wechat_stand_in(config):
    stand_in = LoopbackWeChat(config.wechat.app_id, config.wechat.app_secret)
    with running(stand_in) as base_url:
        yield stand_in, base_url


@pytest.fixture
def busy_once_wechat(config):
    stand_in = BusyOnceWeChat(config.wechat.app_id, config.wechat.app_secret)
    with running(stand_in) as base_url:
        yield stand_in, base_url


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    """GET /metrics as Prometheus reads it: {(sample name, sorted labels): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    return samples(response.get_data(as_text=True))


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def wait_until(condition, seconds: float = 5.0) -> bool:
    done = threading.Event()
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        done.wait(0.05)
    return condition()
