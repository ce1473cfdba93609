"""Secrets never reach the logs: what `alumni-bot serve` writes when WeChat fails a login, and what
any logger writes when a message or a traceback carries a configured secret."""

from __future__ import annotations

import io
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.loopback import running

ROOT = Path(__file__).resolve().parents[1]
# The format `alumni-bot` logs with (wechat_bot/cli.py).
CLI_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _secrets() -> dict[str, str]:
    return {
        "APP_SECRET_KEY": f"sk-{secrets.token_hex(16)}",
        "WECHAT_TOKEN": f"tok{secrets.token_hex(8)}",
        "WECHAT_APP_SECRET": f"oa-{secrets.token_hex(16)}",
        "WECHAT_ENCODING_AES_KEY": secrets.token_hex(22)[:43],
        "MINIPROGRAM_APP_SECRET": f"mp-{secrets.token_hex(16)}",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def internal_error(environ, start_response):
    """A WeChat that answers every call with 500 and closes the connection."""
    start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/html"), ("Connection", "close")])
    return [b"<h1>500</h1>"]


def _serve(config, tmp_path, api_base_url: str, configured: dict[str, str]):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALUMNI_BOT_")}
    env.update({f"ALUMNI_BOT_{k}": v for k, v in {
        "DATABASE_URL": config.database.url, "REDIS_URL": config.redis.url,
        "REDIS_KEY_PREFIX": config.redis.key_prefix, "WECHAT_API_BASE_URL": api_base_url,
        "WECHAT_REQUEST_TIMEOUT_SECONDS": "3", **configured}.items()})
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  (the child writes it until it stops)
    process = subprocess.Popen(
        [sys.executable, "-m", "wechat_bot", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--threads", "2"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/healthz", timeout=1)
            return process, url
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError((tmp_path / "serve.log").read_text()) from None
            time.sleep(0.2)


def _stop(process) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_login_that_wechat_fails_or_cannot_take_logs_no_secret(config, tmp_path):
    configured = _secrets()
    code = f"wxcode{secrets.token_hex(8)}"
    with running(internal_error) as base_url:
        process, url = _serve(config, tmp_path, base_url, configured)
        try:
            refused = requests.post(f"{url}/api/v1/auth/login", json={"code": code}, timeout=20)
        except BaseException:
            _stop(process)
            raise
    try:  # nothing listens at base_url any more: a connection error
        unreachable = requests.post(f"{url}/api/v1/auth/login", json={"code": code}, timeout=20)
    finally:
        _stop(process)
    written = (tmp_path / "serve.log").read_text()
    assert refused.status_code == unreachable.status_code == 503
    assert "jscode2session 调用失败：微信接口出错（HTTP 500）" in written
    assert "jscode2session 无法连接\nTraceback" in written and "Connection refused" in written
    for name, value in {**configured, "js_code": code}.items():
        assert value not in written, name
    assert "/sns/jscode2session?appid=" in written and "secret=***" in written  # URLs, redacted


def test_configured_secrets_are_masked_in_any_logger_message_and_traceback(make_app):
    configured = _secrets()
    make_app(app={"secret_key": configured["APP_SECRET_KEY"]},
             wechat={"token": configured["WECHAT_TOKEN"], "app_secret": configured["WECHAT_APP_SECRET"],
                     "encoding_aes_key": configured["WECHAT_ENCODING_AES_KEY"]},
             miniprogram={"app_secret": configured["MINIPROGRAM_APP_SECRET"]})
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter(CLI_FORMAT))
    library = logging.getLogger("a.library.added.later")  # a logger and handler of its own
    library.addHandler(handler)
    library.propagate = False
    try:
        try:
            raise RuntimeError(f"signing with {configured['WECHAT_TOKEN']} failed for "
                               f"{configured['APP_SECRET_KEY']}")
        except RuntimeError:
            library.exception("call %s failed: %s",
                              "https://api.example/x?access_token=AT123&session_key=SK456",
                              {"secret": configured["WECHAT_APP_SECRET"],
                               "encoding_aes_key": configured["WECHAT_ENCODING_AES_KEY"]})
        library.error("mini-program secret %s, header Authorization: Bearer eyJ.abc.def",
                      configured["MINIPROGRAM_APP_SECRET"])
        library.warning("jscode2session answered errcode=40029 for js_code=%s", "c0de0c0de")
    finally:
        library.removeHandler(handler)
    text = written.getvalue()
    assert "RuntimeError: signing with *** failed for ***" in text
    assert "access_token=***&session_key=***" in text and "Bearer ***" in text
    assert "errcode=40029 for js_code=***" in text  # what helps, kept
    for name, value in {**configured, "token": "AT123", "session_key": "SK456", "jwt": "eyJ.abc",
                        "js_code": "c0de0c0de"}.items():
        assert value not in text, name
