"""A redis-server of the test's own (not the machine's shared one), to kill, restart or fail over."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server on a port of its own, to kill and start again on the same port.

    `args` go after the port options: `--replicaof 127.0.0.1 PORT`, or a sentinel's config file
    followed by `--sentinel` (a sentinel answers PING like a server)."""

    def __init__(self, *args: str, config_file: str | None = None) -> None:
        self.binary = shutil.which("redis-server") or pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.config_file = config_file
        self.args = args
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        first = [self.config_file] if self.config_file else []
        self.process = subprocess.Popen(
            [self.binary, *first, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", *self.args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        give_up = time.monotonic() + 10
        while True:
            try:
                probe.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > give_up:
                    raise
                time.sleep(0.05)
            finally:
                probe.close()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
