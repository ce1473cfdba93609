"""`serve` refuses what only `demo` may use (SPEC 3): the published demo token and secret key, and
the sandbox facing WeChat's real API. Run as an operator runs it: the real command, in a process."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from wechat_bot.config import DEMO_SECRET_KEY, DEMO_TOKEN

OWN = {"ALUMNI_BOT_WECHAT_TOKEN": "our-own-token", "ALUMNI_BOT_APP_SECRET_KEY": "our-own-secret-key"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path, **env) -> subprocess.CompletedProcess:
    """`alumni-bot serve`; a refusal ends it at once, a server that starts is stopped (TimeoutExpired)."""
    environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ALUMNI_BOT_CONFIG": "",
               "ALUMNI_BOT_DATABASE_URL": f"sqlite:///{tmp_path}/guard.db", **env}
    return subprocess.run(
        [sys.executable, "-m", "wechat_bot", "serve", "--host", "127.0.0.1", "--port", str(_free_port()),
         "--workers", "1"],
        cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=30, check=False)


def _one_line(process: subprocess.CompletedProcess) -> str:
    assert process.returncode != 0
    assert "Traceback" not in process.stderr
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, process.stderr
    return lines[0]


def test_serve_refuses_the_demo_token(tmp_path):
    line = _one_line(_serve(tmp_path, ALUMNI_BOT_APP_SECRET_KEY="our-own-secret-key"))
    assert "wechat.token" in line and "演示" in line and DEMO_TOKEN in line


def test_serve_refuses_the_demo_secret_key(tmp_path):
    line = _one_line(_serve(tmp_path, ALUMNI_BOT_WECHAT_TOKEN="our-own-token"))
    assert "app.secret_key" in line and "演示" in line and DEMO_SECRET_KEY not in line


@pytest.mark.parametrize("api", ["https://api.weixin.qq.com", "https://sh.api.weixin.qq.com/",
                                 "https://API2.WEIXIN.QQ.COM"])
def test_serve_refuses_the_sandbox_facing_wechats_real_api(tmp_path, api):
    line = _one_line(_serve(tmp_path, **OWN, ALUMNI_BOT_SANDBOX_ENABLED="true",
                            ALUMNI_BOT_WECHAT_API_BASE_URL=api))
    assert "sandbox" in line and "api_base_url" in line


class _Running:
    """A command that serves HTTP, stopped (TERM, then KILL) when the test is done."""

    def __init__(self, args: list[str], tmp_path, env: dict) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ALUMNI_BOT_CONFIG": "", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wechat_bot", *args, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=tmp_path, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True)

    def wait_healthy(self, seconds: float = 60) -> None:
        give_up = time.monotonic() + seconds
        while time.monotonic() < give_up:
            assert self.process.poll() is None, self.process.stderr.read()
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError("did not come up")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def test_serve_starts_with_its_own_token_secret_key_and_a_sandbox_of_its_own(tmp_path):
    server = _Running(["serve", "--workers", "1"], tmp_path, {
        **OWN, "ALUMNI_BOT_DATABASE_URL": f"sqlite:///{tmp_path}/own.db", "ALUMNI_BOT_SANDBOX_ENABLED": "true",
        "ALUMNI_BOT_WECHAT_API_BASE_URL": "http://127.0.0.1:9/sandbox/api"})
    try:
        server.wait_healthy()
    finally:
        server.stop()


def test_demo_still_runs_with_the_demo_defaults_and_its_chat_page_answers(tmp_path):
    demo = _Running(["demo", "--alumni", "0", "--database", f"sqlite:///{tmp_path}/demo.db"], tmp_path, {})
    try:
        demo.wait_healthy()
        people = requests.get(f"{demo.url}/sandbox/_/state", timeout=10).json()["people"]
        openid = people[0]["openid"]
        send = f"{demo.url}/sandbox/_/send"
        requests.post(send, json={"openid": openid, "action": "subscribe"}, timeout=30)
        answer = requests.post(send, json={"openid": openid, "action": "text", "content": "帮助"},
                               timeout=30).json()
        replies = [e for e in answer["entries"] if e["origin"] == "reply"]
        assert replies and "可用指令" in replies[0]["content"]
    finally:
        demo.stop()
