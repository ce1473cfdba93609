"""Real servers for the fault tests, each ours to stop and start: a redis-server, a throwaway
PostgreSQL cluster, and `alumni-bot serve` / `alumni-bot scheduler` processes. Every wait has a
deadline; a missing binary skips the test with the reason. The machine's own PostgreSQL (5432)
and Redis (6379) are never touched: each server here listens on a free port of its own.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.redis_server import free_port
from tests.wechat import signed_query

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TOKEN = "fault-test-token"  # not the demo token: `serve` refuses that one
SECRET_KEY = "fault-test-secret-key-0123456789abcdef"


def wait_until(condition, timeout: float, what: str, step: float = 0.05):
    """`condition()`'s first truthy value within `timeout` seconds, else a failure naming `what`."""
    give_up = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > give_up:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(step)


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed")
    return path


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory on a free port (initdb, pg_ctl),
    run as the `postgres` user when we are root (initdb refuses root)."""

    def __init__(self) -> None:
        for tool in ("initdb", "pg_ctl"):
            if not (PG_BIN / tool).exists():
                pytest.skip(f"{PG_BIN / tool} is not installed")
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="alumni-faults-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._user = None
        if os.geteuid() == 0:
            try:
                self._user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user for initdb")
            os.chown(self.directory, self._user.pw_uid, self._user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8", timeout=60)

    def _run(self, tool: str, *args: str, timeout: float) -> None:
        command = [str(PG_BIN / tool), *args]
        if self._user is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, timeout=timeout, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT, cwd=self.directory)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-o", options,
                  "-w", "-t", "30", "start", timeout=40)

    def stop(self) -> None:
        """Fast shutdown: sessions are cut, as when an operator or a failover stops the server."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop", timeout=40)

    def remove(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop",
                      timeout=40)
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.directory, ignore_errors=True)


def app_environment(database_url: str, redis_url: str, key_prefix: str, **settings: str) -> dict:
    """The environment of a served instance or scheduler: this process's, without our own
    settings (the test's are the only ones), plus `settings` as ALUMNI_BOT_<KEY>."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ALUMNI_BOT_")}
    values = {"DATABASE_URL": database_url, "REDIS_URL": redis_url,
              "REDIS_KEY_PREFIX": key_prefix, "WECHAT_TOKEN": TOKEN, "APP_SECRET_KEY": SECRET_KEY,
              **settings}
    return {**base, **{f"ALUMNI_BOT_{k}": v for k, v in values.items()}, "PYTHONPATH": str(ROOT)}


class Child:
    """An `alumni-bot` command as a child process; its output goes to a file in `folder`."""

    def __init__(self, args: list[str], env: dict, folder: Path, name: str) -> None:
        self.log_path = folder / f"{name}.log"
        with open(self.log_path, "w") as log:  # the child keeps its own copy of the handle
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "wechat_bot", *args], cwd=folder, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def running(self) -> bool:
        """True while it runs; a failure with its output once it has exited."""
        if self.popen.poll() is not None:
            raise AssertionError(f"{self.log_path.name} exited:\n{self.output()[-3000:]}")
        return True

    @staticmethod
    def kill_process(pid: int) -> None:
        """SIGKILL one process (a gunicorn worker, a scheduler), as the OOM killer would."""
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """TERM, then KILL what is left of its process group (gunicorn's workers too)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Served(Child):
    """`alumni-bot serve` (gunicorn, one worker) on a free port: the app as production runs it."""

    def __init__(self, env: dict, folder: Path, name: str = "web", threads: int = 4,
                 wait: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = name
        super().__init__(["serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
                          "--threads", str(threads)], env, folder, name)
        if wait:
            try:
                self.wait_ready()
            except BaseException:
                self.stop()  # nobody else holds it yet to stop it
                raise

    def wait_ready(self) -> None:
        # Booting a worker imports the whole app: seconds on a busy machine.
        wait_until(self._answers, 60, f"{self.name} serving ({self.log_path})", step=0.1)

    def _answers(self) -> bool:
        self.running()
        try:
            requests.get(f"{self.url}/healthz", timeout=5)
            return True
        except (requests.ConnectionError, requests.Timeout):
            return False

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (the children of its master)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(f"{self.url}{path}", timeout=kwargs.pop("timeout", 10), **kwargs)

    def post(self, xml: str, timeout: float = 10) -> requests.Response:
        """A message as WeChat's servers send it: signed, plain XML."""
        return requests.post(f"{self.url}/wechat", params=signed_query(TOKEN), data=xml.encode(),
                             headers={"Content-Type": "text/xml"}, timeout=timeout)


def migrate(database_url: str) -> None:
    from models.db import make_engine
    from wechat_bot.migrate import upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
