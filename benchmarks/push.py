"""Push delivery throughput: deliver_due worker processes vs a bare loop of the same HTTP calls.

The sandbox's stand-in WeChat API runs under `alumni-bot serve` (gunicorn, 2 workers, 8 threads,
no added latency). The bare loop is one process posting the same customer-service or template JSON
with a requests.Session, one call after another, checking each errcode. Ours is the outbox: a push
queued to N sandbox followers, then 1 or 2 worker processes running deliver_due (claim, mark
`sending` and commit, call, record and commit, the Redis rate limit) until every row is finished,
in batches of 50 (half the scheduler's), after a warm-up push of 50 rows per worker.
Run by hand:

    python benchmarks/push.py [--count 1000] [--rounds 3] [--rate 60] [--latency-ms 20]
                              [--latency-count 400] [--database URL] [--redis URL]

Needs a real Redis (default 127.0.0.1:6379/15): the server's workers, the sandbox and the delivery
processes share it. Prints deliveries per second, medians of alternating rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.webhook import free_port, start, stop, wait_up
from scheduler.jobs import JobSettings

TEMPLATE = {"PUSH_TEMPLATE_ID": "alumni-sandbox-tpl-notice",
            "PUSH_TEMPLATE_DATA": "thing1={text},thing2={account},time3={time}"}
TEXT = "校友会通知：秋季返校日报名开始"
# Rows per claim: half the scheduler's `delivery_batch`, so two workers still share a run of a
# few hundred rows evenly (a batch's own work, ~4 ms, is then 0.08 ms a row instead of 0.04).
BATCH = JobSettings.delivery_batch // 2
WARM_UP = 50  # deliveries before the clock starts, on each side (and for each worker)
JSON = {"Content-Type": "application/json"}


def worker(worker_id: str) -> None:
    """One delivery process (what the scheduler's delivery job runs), driven by lines on stdin:
    each `run` delivers until nothing is due, then answers `idle`. The first run is a warm-up
    push, so the measured one sees a worker in its steady state (statements compiled, the
    connections open), as a scheduler that has been up for days is."""
    from models.db import make_engine, make_session_factory
    from scheduler.delivery import deliver_due
    from wechat_bot.config import load_config
    from wechat_bot.push_sender import build_limiter, build_sender
    from wechat_bot.store import Keys, connect_store

    config = load_config()
    store, keys = connect_store(config.redis.url), Keys(config.redis.key_prefix)
    sessions = make_session_factory(make_engine(config.database.url))
    sender, limiter = build_sender(config, store, keys), build_limiter(config, store, keys)
    print("ready", flush=True)
    dump = os.environ.get("BENCH_WORKER_PROFILE")  # cProfile every run after the warm-up
    profiler = None
    for _line in sys.stdin:
        while deliver_due(sessions, sender, limiter, now=datetime.now(UTC), batch=BATCH,
                          worker_id=worker_id).claimed:
            pass
        if profiler:
            profiler.disable()
            profiler.dump_stats(f"{dump}.{worker_id}.{os.getpid()}")
        elif dump:
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
        print("idle", flush=True)


class Bench:
    def __init__(self, env: dict) -> None:
        from wechat_bot import create_app
        from wechat_bot.config import load_config

        self.env = env
        self.config = load_config(environ=env)
        self.app = create_app(self.config)  # the sandbox's state lives in the shared Redis
        self.runtime = self.app.extensions["alumni_bot"]
        self.sandbox = self.app.extensions["sandbox"]

    def followers(self, count: int) -> list[str]:
        from models.wechat_user import WechatUser

        now = datetime.now(UTC)
        openids = []
        with self.runtime.sessions.begin() as session:
            for number in range(count):
                person = self.sandbox.people.add(f"校友{number}")
                self.sandbox.people.follow(person.openid)
                self.sandbox.allowance.open(person.openid, "message")
                user = WechatUser(openid=person.openid, subscribed=True, created_at=now)
                user.record_interaction(now, is_message=True)
                session.add(user)
                openids.append(person.openid)
        return openids

    def bare_loop(self, openids: list[str], channel: str) -> tuple[float, float]:
        from wechat_bot.wechat_client import _session_for

        token = self.runtime.wechat.access_token
        base = self.config.wechat.api_base_url
        http = _session_for(base)  # the same HTTP session the WeChat client sends on
        warm_up, openids = openids[:WARM_UP], openids[WARM_UP:]
        # A fresh client_msg_id per call of every run: a repeated one is answered from the
        # stand-in's dedup record without sending anything, which is far less work for it.
        run = f"bare-{uuid.uuid4().hex[:12]}"
        started = cpu = 0.0
        for number, openid in enumerate(warm_up + openids):
            if number == len(warm_up):  # the connection is open: the clock starts
                started, cpu = time.perf_counter(), time.process_time()
            if channel == "custom":
                url = f"{base}/cgi-bin/message/custom/send"
                body = {"touser": openid, "msgtype": "text", "text": {"content": TEXT}}
            else:
                url = f"{base}/cgi-bin/message/template/send"
                body = {"touser": openid, "template_id": TEMPLATE["PUSH_TEMPLATE_ID"],
                        "client_msg_id": f"{run}-{number}",
                        "data": {"thing1": {"value": TEXT[:20]}, "thing2": {"value": "示例大学校友会"},
                                 "time3": {"value": "2026-12-01 10:00"}}}
            answer = http.post(f"{url}?access_token={token}", data=_json(body),
                               headers=JSON, timeout=5).json()
            assert answer.get("errcode") == 0, answer
        cpu_ms = (time.process_time() - cpu) / len(openids) * 1000
        return len(openids) / (time.perf_counter() - started), cpu_ms

    def outbox(self, openids: list[str], channel: str, workers: int,
               rate: float) -> tuple[float, float]:
        from sqlalchemy import func, select

        from models.push import Delivery
        from scheduler.outbox import queue_push

        env = {**self.env, "ALUMNI_BOT_PUSH_RATE_PER_SECOND": str(rate)}
        if channel == "template":
            env.update({f"ALUMNI_BOT_{k}": v for k, v in TEMPLATE.items()})
        processes = [subprocess.Popen([sys.executable, __file__, "--worker", f"w{n}"], env=env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                     for n in range(workers)]

        def run(openids: list[str]):
            with self.runtime.sessions.begin() as session:
                push = queue_push(session, text=TEXT, audience="openids:" + ",".join(openids),
                                  kind="broadcast", now=datetime.now(UTC))
            started = datetime.now(UTC)
            for process in processes:
                process.stdin.write("run\n")
                process.stdin.flush()
            return push, started

        def idle() -> None:
            for process in processes:
                assert process.stdout.readline().strip() == "idle"

        try:
            for process in processes:
                assert process.stdout.readline().strip() == "ready"
            run(openids[:WARM_UP * workers])
            idle()
            openids = openids[WARM_UP * workers:]
            cpu = sum(_cpu_seconds(p.pid) for p in processes)
            push, started = run(openids)
            mine = Delivery.push_id == push.id
            finished = select(func.count()).select_from(Delivery).where(
                mine, Delivery.status.in_(("sent", "failed", "unknown")))
            while True:  # seldom, so the watching costs the workers nothing to speak of
                with self.runtime.sessions() as session:
                    if session.scalar(finished) == len(openids):
                        break
                time.sleep(0.2)
            cpu_ms = (sum(_cpu_seconds(p.pid) for p in processes) - cpu) / len(openids) * 1000
            idle()
            with self.runtime.sessions() as session:  # the last answer's own time, not ours
                last = session.scalar(select(func.max(Delivery.finished_at)).where(mine))
                sent = session.scalar(select(func.count()).select_from(Delivery).where(
                    mine, Delivery.status == "sent"))
            elapsed = (last - started).total_seconds()
            assert sent == len(openids), f"only {sent} of {len(openids)} sent"
            return len(openids) / elapsed, cpu_ms
        finally:
            for process in processes:
                process.kill()
                process.wait()


def profile(bench: Bench, args) -> None:
    """In-process CPU per delivery: one `deliver_due` loop in this process (the worker's code,
    the same sandbox server), beside the bare loop, per channel; `--profile-top N` adds cProfile's
    top functions by own time. The figure to judge a change of the delivery path by: it does not
    move with the machine's load as the rates do."""
    import cProfile
    import pstats

    from models.db import make_engine, make_session_factory
    from scheduler.delivery import deliver_due
    from scheduler.outbox import queue_push
    from wechat_bot.config import load_config
    from wechat_bot.push_sender import build_limiter, build_sender
    from wechat_bot.store import Keys, connect_store

    bench.sandbox.faults.set({"reports": False})  # WeChat's receipts would load the same server
    for channel in args.channels:
        env = {**bench.env, "ALUMNI_BOT_PUSH_RATE_PER_SECOND": str(UNLIMITED)}
        if channel == "template":
            env.update({f"ALUMNI_BOT_{k}": v for k, v in TEMPLATE.items()})
        config = load_config(environ=env)
        store, keys = connect_store(config.redis.url), Keys(config.redis.key_prefix)
        sessions = make_session_factory(make_engine(config.database.url))
        sender, limiter = build_sender(config, store, keys), build_limiter(config, store, keys)
        sender.client.access_token  # noqa: B018
        bare_rate, bare_cpu = bench.bare_loop(bench.followers(args.count + WARM_UP), channel)
        openids = bench.followers(args.count)
        with bench.runtime.sessions.begin() as session:
            queue_push(session, text=TEXT, audience="openids:" + ",".join(openids),
                       kind="broadcast", now=datetime.now(UTC))
        profiler = cProfile.Profile(time.process_time) if args.profile_top else None
        done, started, cpu = 0, time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        while done < len(openids):
            stats = deliver_due(sessions, sender, limiter, now=datetime.now(UTC), batch=BATCH,
                                worker_id="profile")
            assert stats.claimed and stats.sent == stats.claimed, stats
            done += stats.sent
        if profiler:
            profiler.disable()
        cpu_ms = (time.process_time() - cpu) / done * 1000
        rate = done / (time.perf_counter() - started)
        print(f"{channel:10} bare loop {bare_cpu:.3f} ms CPU/call, {bare_rate:.0f}/s; deliver_due "
              f"{cpu_ms:.3f} ms CPU/delivery ({cpu_ms - bare_cpu:+.3f}), {rate:.0f}/s"
              f"{' under cProfile' if profiler else ''}")
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(args.profile_sort)
            stats.print_stats(args.profile_top)
            if args.profile_callers:
                stats.print_callers(args.profile_callers)
        store.close()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc), to leave out its start-up."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _json(body: dict) -> bytes:
    import json

    return json.dumps(body, ensure_ascii=False).encode("utf-8")  # as wechatpy posts it


UNLIMITED = 100_000.0


def report(bench: Bench, args, title: str, latency_ms: int, count: int) -> None:
    """One table: both channels, the bare loop, 1 and 2 workers, 2 workers at the rate."""
    bench.sandbox.faults.set({"latency_ms": latency_ms, "reports": False,
                              "paths": ["message/custom/send", "message/template/send"]})
    results = {}
    for channel in args.channels:
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in ("bare", "one", "two",
                                                                       "capped")}
        for _ in range(args.rounds):  # alternate, so a noisy moment hurts every side alike
            runs["bare"].append(bench.bare_loop(bench.followers(count + WARM_UP), channel))
            for key, workers, rate in (("one", 1, UNLIMITED), ("two", 2, UNLIMITED),
                                       ("capped", 2, args.rate)):
                runs[key].append(bench.outbox(bench.followers(count + WARM_UP * workers),
                                              channel, workers, rate))
        results[channel] = {key: (statistics.median(r for r, _ in values),
                                  statistics.median(c for _, c in values))
                            for key, values in runs.items()}
        # Each round's own ratios: its sides ran back to back, so a slow minute of the machine
        # moves both; the median and range of these say more than a ratio of medians.
        results[channel]["ratio"] = _spread([one[0] / bare[0] for bare, one
                                             in zip(runs["bare"], runs["one"])])
        results[channel]["scaling"] = _spread([two[0] / one[0] for one, two
                                               in zip(runs["one"], runs["two"])])
    print(f"\n{title}: deliveries/s (CPU ms per delivery), medians of {args.rounds} "
          f"alternating rounds of {count}; ratios: median (lowest–highest) of the rounds' own; "
          f"load average now {os.getloadavg()[0]:.1f}")
    print(f"{'channel':10}{'bare loop':>16}{'1 worker':>16}{'ratio':>19}{'2 workers':>16}"
          f"{'scaling':>19}{f'2 @ {args.rate:g}/s':>12}")
    for channel, r in results.items():
        cells = {k: f"{v[0]:.0f} ({v[1]:.2f})" for k, v in r.items() if k in runs}
        print(f"{channel:10}{cells['bare']:>16}{cells['one']:>16}{r['ratio']:>19}"
              f"{cells['two']:>16}{r['scaling']:>19}{r['capped'][0]:>12.1f}")
    bench.sandbox.faults.clear()


def _spread(ratios: list[float]) -> str:
    return (f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}–{max(ratios):.2f})"
            if len(ratios) > 1 else f"{ratios[0]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000, help="deliveries per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=60.0,
                        help="push.rate_per_second for the capped two-worker runs")
    parser.add_argument("--latency-ms", type=int, default=20,
                        help="latency the sandbox adds to each send in the second table")
    parser.add_argument("--latency-count", type=int, default=400,
                        help="deliveries per run in the second table")
    parser.add_argument("--database", default=None, help="default: a SQLite file in a temp folder")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--channels", nargs="+", default=["custom", "template"],
                        choices=["custom", "template"])
    parser.add_argument("--no-latency-table", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="only the in-process CPU per delivery (one deliver_due loop here)")
    parser.add_argument("--profile-top", type=int, default=0,
                        help="with --profile: cProfile's top N functions by own time")
    parser.add_argument("--profile-sort", default="tottime", help="cumtime, tottime, …")
    parser.add_argument("--profile-callers", default="", help="print the callers of this regex")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)

    work = Path(tempfile.mkdtemp(prefix="bench-push-"))
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ALUMNI_BOT_")},
           "ALUMNI_BOT_CONFIG": "", "PYTHONPATH": str(HERE.parent),
           "ALUMNI_BOT_DATABASE_URL": args.database or f"sqlite:///{work}/bench.db",
           "ALUMNI_BOT_REDIS_URL": args.redis,
           "ALUMNI_BOT_REDIS_KEY_PREFIX": f"benchpush{os.getpid()}:",
           "ALUMNI_BOT_SANDBOX_ENABLED": "true",
           # `serve` refuses the demo token and secret key
           "ALUMNI_BOT_WECHAT_TOKEN": "bench-token", "ALUMNI_BOT_APP_SECRET_KEY": "bench-secret",
           "ALUMNI_BOT_APP_BASE_URL": f"http://127.0.0.1:{port}",
           "ALUMNI_BOT_WECHAT_API_BASE_URL": f"http://127.0.0.1:{port}/sandbox/api"}
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "alumni-bot", "init-db"], env=env, check=True, capture_output=True)
    server = start([str(bin_dir / "alumni-bot"), "serve", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", "2", "--threads", "8"], env, work)
    try:
        wait_up(f"http://127.0.0.1:{port}/healthz")
        bench = Bench(env)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
        if args.profile:
            profile(bench, args)
            return
        report(bench, args, "no added latency", 0, args.count)
        if not args.no_latency_table:
            report(bench, args, f"{args.latency_ms} ms added to each send (WeChat is that far away)",
                   args.latency_ms, args.latency_count)
        bench.runtime.close()
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)
        _forget_keys(args.redis, env["ALUMNI_BOT_REDIS_KEY_PREFIX"])


def _forget_keys(url: str, prefix: str) -> None:
    """The sandbox keeps what it was sent without a TTL: a run would leave ~100,000 keys behind."""
    from wechat_bot.store import connect_store

    store = connect_store(url)
    batch = []
    for key in store.scan_iter(match=f"{prefix}*", count=1000):
        batch.append(key)
        if len(batch) == 1000:
            store.delete(*batch)
            batch.clear()
    if batch:
        store.delete(*batch)


if __name__ == "__main__":
    main()
