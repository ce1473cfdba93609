"""CPU per webhook message, in process, for two checkouts side by side.

    python benchmarks/webhook_cpu.py BASELINE_CHECKOUT [CHECKOUT] [--rounds 5] [--alumni 20000]

No servers and no wrk: each side runs in its own Python process with the checkout first on
sys.path, calls the WSGI app directly (Flask's test client) on a SQLite file and the in-process
store, and reports the process CPU per message for a few kinds of message, the best of several
batches. The sides alternate for --rounds rounds and the medians are compared, so a refactor can be
checked for a slowdown on a shared machine (CPU time moves far less with the neighbours' load than
wall time does). A baseline checkout is made with `git worktree add /tmp/base <commit>`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "gh_benchmark0001"
SEARCHERS = 60

# What alumni send most: the help, a search by a bound alumnus, their own profile, a menu click.
KINDS = ("帮助", "查找 张伟", "我的", "click HELP")


def _signed(token: str) -> dict:
    timestamp, nonce = str(int(time.time())), "n0nce"
    digest = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": digest, "timestamp": timestamp, "nonce": nonce, "openid": "o"}


def _xml(openid: str, text: str, msg_id: int) -> str:
    head = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime>")
    if text.startswith("click "):
        return (head + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>"
                f"<EventKey><![CDATA[{text[6:]}]]></EventKey></xml>")
    return (head + f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>")


def _prepare(folder: Path, alumni: int) -> list[tuple[str, str]]:
    """A migrated SQLite file with a synthetic roster, made once per checkout; (name, id) to bind."""
    from wechat_bot.cli import main

    roster = folder / "roster.csv"
    if not (folder / "alumni.db").exists():
        main.main(["init-db"], standalone_mode=False)
        main.main(["gen-roster", str(alumni), str(roster)], standalone_mode=False)
        main.main(["import-roster", str(roster)], standalone_mode=False)
    with roster.open(encoding="utf-8-sig") as rows:
        reader = csv.DictReader(rows)
        columns = reader.fieldnames or []
        name = next(c for c in columns if c in ("姓名", "name"))
        student_id = next(c for c in columns if c in ("学号", "student_id"))
        return [(row[name], row[student_id]) for row, _ in zip(reader, range(SEARCHERS))]


def _worker(folder: Path, alumni: int, batch: int, batches: int) -> dict[str, float]:
    os.environ["ALUMNI_BOT_DATABASE_URL"] = f"sqlite:///{folder / 'alumni.db'}"
    os.environ["ALUMNI_BOT_REDIS_URL"] = "memory://"
    people = _prepare(folder, alumni)

    from wechat_bot import create_app
    from wechat_bot.config import load_config

    config = load_config(environ=dict(os.environ))
    app = create_app(config)
    client = app.test_client()
    token = config.wechat.token
    ids = itertools.count(int(time.time()) * 1_000_000)

    def send(openid: str, text: str) -> str:
        response = client.post("/wechat", query_string=_signed(token), content_type="text/xml",
                               data=_xml(openid, text, next(ids)))
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    searchers = [f"o-searcher-{n}" for n in range(len(people))]
    for openid, (name, student_id) in zip(searchers, people):
        answer = send(openid, f"绑定 {name} {student_id}")
        assert "绑定成功" in answer or "无需重复绑定" in answer, answer  # bound in an earlier round
    visitors = [f"o-visitor-{n}" for n in range(500)]
    senders = {"帮助": visitors, "查找 张伟": searchers, "我的": searchers, "click HELP": visitors}
    results = {}
    for kind in KINDS:
        who = itertools.cycle(senders[kind])
        for _ in range(20):  # warm caches and connections
            send(next(who), kind)
        best = float("inf")
        for _ in range(batches):
            started = time.process_time()
            for _ in range(batch):
                send(next(who), kind)
            best = min(best, (time.process_time() - started) / batch)
        results[kind] = best * 1e6
    return results


def _run_side(checkout: Path, folder: Path, args) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder),
               "--alumni", str(args.alumni), "--batch", str(args.batch),
               "--batches", str(args.batches)]
    done = subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{checkout}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", type=Path, nargs="?")
    parser.add_argument("checkout", type=Path, nargs="?", default=ROOT)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--alumni", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=200, help="messages per batch")
    parser.add_argument("--batches", type=int, default=5, help="batches per kind; the best counts")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, args.alumni, args.batch, args.batches)))
        return
    if args.baseline is None:
        parser.error("name the baseline checkout (git worktree add /tmp/base <commit>)")
    sides = {"baseline": args.baseline.resolve(), "this": args.checkout.resolve()}
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory() as scratch:
        folders = {side: Path(scratch) / side for side in sides}
        for folder in folders.values():
            folder.mkdir()
        for number in range(args.rounds):
            for side, checkout in sides.items():
                runs[side].append(_run_side(checkout, folders[side], args))
            print(f"round {number + 1}/{args.rounds} done", file=sys.stderr)
    print(f"\nCPU µs per message, in process, medians of {args.rounds} rounds (best of "
          f"{args.batches} batches of {args.batch}); {args.alumni} alumni on SQLite, memory://\n")
    print("| message | baseline µs | this µs | this / baseline (lowest–highest round) |")
    print("| --- | ---: | ---: | ---: |")
    for kind in KINDS:
        base = [run[kind] for run in runs["baseline"]]
        this = [run[kind] for run in runs["this"]]
        ratios = [t / b for t, b in zip(this, base)]
        print(f"| {kind} | {statistics.median(base):.0f} | {statistics.median(this):.0f} | "
              f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")


if __name__ == "__main__":
    main()
