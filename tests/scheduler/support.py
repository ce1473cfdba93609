"""Helpers for the tests in tests/scheduler/ (constants, builders, stand-ins); the fixtures that use
them are in conftest.py."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

REDIS_URL = "redis://127.0.0.1:6379/0"


ROOT = Path(__file__).resolve().parents[2]


class Process:
    """A child process whose output lines are collected with the time they arrived."""

    def __init__(self, args: list[str], env: dict | None = None) -> None:
        self.lines: list[tuple[float, str]] = []
        self.popen = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})},
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            self.lines.append((time.time(), line.rstrip("\n")))

    @property
    def pid(self) -> int:
        return self.popen.pid

    def first(self, needle: str, after: float = 0.0) -> float | None:
        return next((at for at, line in list(self.lines) if needle in line and at >= after), None)

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(10)


def wait_for(condition, timeout: float, step: float = 0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s")


def leader_pid(store, key: str) -> int | None:
    holder = store.get(key)
    return int(holder.split(":")[1]) if holder else None
