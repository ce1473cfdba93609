"""Webhook throughput and latency: the full bot vs a bare Flask + wechatpy echo, side by side.

Both run under the same gunicorn settings (`alumni-bot serve --workers 2`: gthread, 8 threads) and
are driven by the same wrk load (16 connections, a `帮助` text message with a fresh MsgId each time,
so the bot's dedup never short-cuts the work). Run by hand:

    python benchmarks/webhook.py [--seconds 20] [--connections 16] [--database URL] [--redis URL]

Needs wrk (apt-get install wrk) and, for `--workers 2`, a real Redis (default 127.0.0.1:6379/15).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from wechat_bot.webhook.crypto import signature

TOKEN = "bench-token"
# MsgIds must never repeat, within a run or across runs against the same Redis: wrk's Lua has an
# unseeded math.random, and its threads count alike, so each id is the run's own number, the
# thread's number and the thread's counter.
LUA = r"""
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

counter = 0
request = function()
  counter = counter + 1
  local id = string.format("RUN_ID%d%09d", tid, counter)
  local body = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-"
    .. (counter % 500) .. "]]></FromUserName><CreateTime>1700000000</CreateTime>"
    .. "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[帮助]]></Content><MsgId>" .. id
    .. "</MsgId></xml>"
  return wrk.format("POST", nil, {["Content-Type"] = "text/xml"}, body)
end
"""


def signed_query() -> str:
    """Signed now: the bot refuses a timestamp older than wechat.timestamp_tolerance_seconds (300 s),
    so each wrk run gets its own (and --seconds must stay under that)."""
    stamp = str(int(time.time()))
    return f"signature={signature(TOKEN, stamp, 'n')}&timestamp={stamp}&nonce=n&openid=o"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers (the echo app has no page at /)
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


def run_wrk(url: str, seconds: int, connections: int, script: Path) -> dict:
    script.write_text(LUA.replace("RUN_ID", str(random.randrange(100_000, 999_999))), encoding="utf-8")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"), "non2xx": int(errors.group(1)) if errors else 0}


def start(cmd: list[str], env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", default=None, help="default: a SQLite file in a temp folder")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate echo and bot this many times; medians are reported")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    script = work / "help.lua"
    env = {**os.environ,
           "ALUMNI_BOT_CONFIG": "",
           "ALUMNI_BOT_DATABASE_URL": args.database or f"sqlite:///{work}/bench.db",
           "ALUMNI_BOT_REDIS_URL": args.redis,
           "ALUMNI_BOT_REDIS_KEY_PREFIX": f"bench{os.getpid()}:",
           "ALUMNI_BOT_WECHAT_TOKEN": TOKEN,
           "ALUMNI_BOT_APP_SECRET_KEY": "bench"}
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "alumni-bot", "init-db"], env=env, check=True, capture_output=True)

    bot_port, echo_port = free_port(), free_port()
    claim_port = free_port()
    echo = [bin_dir / "gunicorn", "-w", "2", "-k", "gthread", "--threads", "8", "echo_app:app", "-b"]
    servers = {
        "echo": ([*echo, f"127.0.0.1:{echo_port}"], echo_port, HERE, env),
        "echo+claim": ([*echo, f"127.0.0.1:{claim_port}"], claim_port, HERE,
                       {**env, "ECHO_CLAIM_REDIS_URL": args.redis}),
        "bot": ([bin_dir / "alumni-bot", "serve", "--host", "127.0.0.1", "--port", str(bot_port),
                 "--workers", "2", "--threads", "8"], bot_port, work, env),
    }
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    for _ in range(args.rounds):  # alternate, so a noisy moment hurts both sides alike
        for name, (cmd, port, cwd, side_env) in servers.items():
            process = start([str(c) for c in cmd], side_env, cwd)
            try:
                wait_up(f"http://127.0.0.1:{port}/healthz" if name == "bot" else f"http://127.0.0.1:{port}/")
                url = f"http://127.0.0.1:{port}/wechat?"
                run_wrk(url + signed_query(), 3, args.connections, script)  # warm up
                runs[name].append(run_wrk(url + signed_query(), args.seconds, args.connections, script))
            finally:
                stop(process)
    results = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}

    echo, bot = results["echo"], results["bot"]
    print(f"medians of {args.rounds} alternating runs of {args.seconds} s, {args.connections} connections")
    print(f"{'':12}{'msg/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}{'x echo':>10}")
    for name, r in results.items():
        print(f"{name:12}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['non2xx']:>10}"
              f"{r['rps'] / echo['rps']:>10.2f}")
    print(f"ratio bot/echo: {bot['rps'] / echo['rps']:.2f}x  (target >= 0.8x; p99 target < 50 ms)")
    print(f"ratio bot/echo+claim: {bot['rps'] / results['echo+claim']['rps']:.2f}x")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
