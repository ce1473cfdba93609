"""The first hour with `alumni-bot demo`, as a newcomer meets it (issue 18): a real demo process
in an empty folder, driven over HTTP and with the staff commands run in that folder."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

READY = "按 Ctrl+C 退出。"
WELCOME_EXAMPLE = "绑定 张伟 2012010101"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_env() -> dict[str, str]:
    """No configuration from the environment: the newcomer has none."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ALUMNI_BOT_")}


class Demo:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = folder / f"demo-{time.monotonic_ns()}.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "wechat_bot", "demo", "--port", str(port), "--alumni", "400"],
                cwd=folder, env=_clean_env(), stdout=out, stderr=subprocess.STDOUT)
        self._wait(lambda: READY in self.output(), 90, "the demo to start")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def _wait(self, done, seconds: float, what: str):
        give_up = time.monotonic() + seconds
        while time.monotonic() < give_up:
            result = done()
            if result:
                return result
            if self.process.poll() is not None:
                raise AssertionError(f"the demo stopped:\n{self.output()}")
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}:\n{self.output()[-3000:]}")

    def state(self) -> dict:
        return requests.get(f"{self.url}/sandbox/_/state", timeout=10).json()

    def send(self, openid: str, **body) -> list[str]:
        answer = requests.post(f"{self.url}/sandbox/_/send", json={"openid": openid, **body},
                               timeout=30).json()
        return [e["content"] for e in answer["entries"] if e["origin"] == "reply"]

    def conversation(self, openid: str) -> list[str]:
        answer = requests.get(f"{self.url}/sandbox/_/conversation", params={"openid": openid},
                              timeout=10).json()
        # A text's content, or each value of a template card (the demo broadcasts through its
        # 校友会通知 template).
        return [text for e in answer["entries"]
                for text in ([e["content"]] if "content" in e else [v for _, v in e.get("rows", [])])]

    def staff(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "wechat_bot", *args], cwd=self.folder,
                              env=_clean_env(), capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path


def _login(demo: Demo, openid: str) -> dict:
    code = requests.post(f"{demo.url}/sandbox/_/miniprogram/code", json={"openid": openid},
                         timeout=10).json()["code"]
    return requests.post(f"{demo.url}/api/v1/auth/login", json={"code": code}, timeout=10).json()


def _admin_login(demo: Demo, password: str) -> requests.Response:
    """Through the admin's login form, as a browser: the page (its CSRF token), then the POST."""
    browser = requests.Session()
    page = browser.get(f"{demo.url}/admin/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return browser.post(f"{demo.url}/admin/login", timeout=10, data={
        "username": "admin", "password": password, "csrf_token": token})


def test_a_newcomer_binds_with_a_printed_identity_and_staff_commands_find_the_demo(folder):
    demo = Demo(folder, _free_port())
    try:
        banner = demo.output()
        assert WELCOME_EXAMPLE in banner and "在本目录运行 alumni-bot broadcast" in banner
        assert f"{demo.url}/admin/" in banner
        admin_password = re.search(r"用户名 admin  密码 (\S+)", banner).group(1)
        dashboard = _admin_login(demo, admin_password)
        assert dashboard.url == f"{demo.url}/admin/" and "已绑定校友" in dashboard.text
        assert (folder / "config.toml").is_file()
        state = demo._wait(lambda: (s := demo.state())["menu_source"] == "menu/create" and s,
                           30, "the menu to be published")
        assert next(i["command"] for i in state["identities"]) == WELCOME_EXAMPLE
        openid = state["people"][0]["openid"]
        welcome = demo.send(openid, action="subscribe")[0]
        assert WELCOME_EXAMPLE in welcome
        assert demo.send(openid, action="text", content=WELCOME_EXAMPLE)[0].startswith("绑定成功")

        # the mini-program: the same person, bound there too, once the unionid is linked
        demo._wait(lambda: _login(demo, openid)["bound"], 30, "the mini-program login to be bound")

        # staff commands run in the demo's folder, with no environment, reach its database
        dry = demo.staff("sync-menu", "--dry-run")
        assert dry.returncode == 0 and "线上菜单与 menus/ 一致" in dry.stdout, dry.stdout + dry.stderr
        queued = demo.staff("broadcast", "--text", "演示广播：欢迎回家", "--audience", "bound")
        assert queued.returncode == 0 and "已排队" in queued.stdout, queued.stdout + queued.stderr
        demo._wait(lambda: "演示广播：欢迎回家" in demo.conversation(openid), 30, "the push")

        # the demo's chapters have members
        token = _login(demo, openid)["token"]
        chapters = requests.get(f"{demo.url}/api/v1/chapters", params={"city": "上海"},
                                headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        assert chapters["items"][0]["members"] > 0
    finally:
        demo.stop()

    # a restart resumes where it was: still following, the chat kept, still bound
    again = Demo(folder, demo.port)
    try:
        assert "恢复了沙盒的关注" in again.output()
        assert "用户名 admin（密码在第一次启动时显示过" in again.output()
        assert "已绑定校友" in _admin_login(again, admin_password).text  # the first one still works
        person = next(p for p in again.state()["people"] if p["openid"] == openid)
        assert person["subscribed"] is True
        assert "演示广播：欢迎回家" in again.conversation(openid)
        assert again.send(openid, action="text", content="我的")[0].startswith("张伟校友，您的资料")
    finally:
        again.stop()


def test_a_port_already_in_use_is_one_line_before_anything_starts(folder):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.run([sys.executable, "-m", "wechat_bot", "demo", "--port", str(port)],
                                 cwd=folder, env=_clean_env(), capture_output=True, text=True,
                                 timeout=60)
    assert process.returncode == 1
    assert process.stderr.strip() == (f"端口 {port} 已被其他程序占用：请换一个端口，"
                                      f"例如 alumni-bot demo --port {port + 1}")
    assert "演示已启动" not in process.stdout and not (folder / "alumni-demo.db").exists()
