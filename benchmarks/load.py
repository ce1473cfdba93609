"""Load test (issue 25): two instances of `alumni-bot serve --workers 2` behind a round-robin
"load balancer", on PostgreSQL + Redis, taking a mix of webhook traffic at a rising open-loop rate.

What runs: a database of its own (--database, default bench_load, made afresh, dropped after
unless --keep-db) with a synthetic roster (gen-roster + import-roster), --openids bound alumni
plus the day's anniversary classes as bookers, a few open events and today's event with its
registrants (benchmarks/load_mix.py says what each kind of message is); a Redis db and key prefix
of its own (--redis, default db 11; only the run's keys are deleted after). Both instances share
the prefix, as one deployment's instances do (dedup and limits hold across them).

The traffic is open-loop: request i of a step starts at start + i/rate whether or not the earlier
ones were answered (asyncio + aiohttp, one process), and its latency counts from that scheduled
instant, so queueing anywhere (including in the generator) is in it. Alternate requests go to the
two instances. Each step holds a rate for --step-seconds; then the rate rises by --rate-step.
Reported per step: offered and achieved rate (right replies per second until the step's last reply),
p50/p95/p99, errors (non-200, no answer within WeChat's 5 s, wrong replies), and what it cost
(benchmarks/load_watch.py). Then the highest step held (p99 < 1 s, no errors), what saturated first,
and the effects checked against the replies. Run by hand (not in the test suite):

    python benchmarks/load.py [--steps 8] [--step-seconds 30] [--start-rate 20] [--rate-step 20]
                              [--alumni 20000] [--openids 5000] [--mix help=25,search=30,...]
                              [--database URL] [--redis URL] [--keep-db]
    python benchmarks/load.py --quick      # ~1 minute: a small roster, 3 short steps

Needs the bench extra (`pip install -e '.[bench]'`: aiohttp).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from benchmarks.api import ensure_roster, remove_keys
from benchmarks.load_mix import DEFAULT_MIX, Mix, World, check_effects, outcome, parse_mix, seed
from benchmarks.webhook import TOKEN, free_port, signed_query, start, stop, wait_up

WECHAT_WAITS = 5.0      # WeChat gives up on a reply after 5 s (and retries): later is an error
TARGET_P99 = 1.0
INSTANCES = 2


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--step-seconds", type=float, default=30)
    parser.add_argument("--start-rate", type=float, default=20, help="requests per second of step 1")
    parser.add_argument("--rate-step", type=float, default=20, help="added to the rate each step")
    parser.add_argument("--alumni", type=int, default=20_000, help="roster size")
    parser.add_argument("--openids", type=int, default=5000, help="bound alumni sending (and as many bookers at most)")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"shares by kind (default {DEFAULT_MIX})")
    parser.add_argument("--events", type=int, default=4, help="events open for sign-up")
    parser.add_argument("--seats", type=int, default=1000, help="seats of each")
    parser.add_argument("--capacity", type=int, default=300,
                        help="people the reunion day takes (small enough to fill: the refusals are checked too)")
    parser.add_argument("--workers", type=int, default=2, help="per instance")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--keep-db", action="store_true", help="keep the database after the run")
    parser.add_argument("--quick", action="store_true",
                        help="validate in about a minute: 3000 alumni, 500 openids, 3 steps of 8 s from 10/s "
                             "(overrides those options)")
    parser.add_argument("--stop-after-failing", type=int, default=2,
                        help="stop after this many steps in a row that fail the target (spare the shared machine)")
    args = parser.parse_args(argv)
    if args.quick:
        args.alumni, args.openids, args.steps, args.step_seconds = 3000, 500, 3, 8
        args.start_rate, args.rate_step = 10, 10
    args.shares = parse_mix(args.mix)   # ValueError names the bad part
    if args.steps < 1 or args.step_seconds <= 0 or args.start_rate <= 0 or args.rate_step < 0:
        parser.error("--steps, --step-seconds and --start-rate must be positive, --rate-step >= 0")
    return args


# ---- the database and the servers ---------------------------------------------------------------

def fresh_database(url: str) -> None:
    """Drop and create the run's database: each run's effects are checked from zero."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def serve(env: dict, work: Path, workers: int) -> tuple[list[subprocess.Popen], list[int]]:
    """INSTANCES servers, `alumni-bot serve` with its default threads."""
    bin_dir = Path(sys.executable).parent
    ports = [free_port() for _ in range(INSTANCES)]
    servers = [start([bin_dir / "alumni-bot", "serve", "--host", "127.0.0.1", "--port", str(port),
                      "--workers", str(workers)], env, work) for port in ports]
    for port in ports:
        wait_up(f"http://127.0.0.1:{port}/healthz")
    return servers, ports


# ---- the open loop ------------------------------------------------------------------------------

@dataclass
class Result:
    kind: str
    latency: float          # from the scheduled start, seconds
    status: int             # 0: no answer (timeout or connection error)
    outcome: str | None     # the right outcome, None when the reply was wrong
    reply: str


async def send(session, port: int, message, due: float) -> Result:
    import aiohttp

    url = f"http://127.0.0.1:{port}/wechat?{signed_query(TOKEN, message.openid)}"
    loop = asyncio.get_running_loop()
    try:
        async with session.post(url, data=message.body, headers={"Content-Type": "text/xml"}) as response:
            reply = await response.text()
            status = response.status
    except (TimeoutError, aiohttp.ClientError) as error:
        return Result(message.kind, loop.time() - due, 0, None, f"{type(error).__name__}")
    right = outcome(message.kind, reply) if status == 200 else None
    return Result(message.kind, loop.time() - due, status, right, reply)


async def run_step(rate: float, seconds: float, mix: Mix, ports: list[int]) -> tuple[list[Result], dict]:
    """Start int(rate * seconds) requests on schedule; wait for the last answer (or its timeout)."""
    import aiohttp

    loop = asyncio.get_running_loop()
    timeout = aiohttp.ClientTimeout(total=WECHAT_WAITS)
    lags = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        began = loop.time()
        tasks = []
        for i in range(int(rate * seconds)):
            due = began + i / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            lags.append(loop.time() - due)
            tasks.append(asyncio.create_task(send(session, ports[i % len(ports)], mix.next(), due)))
        results = await asyncio.gather(*tasks)
        elapsed = loop.time() - began
    lags.sort()
    return results, {"elapsed": elapsed, "lag_p99": lags[int(0.99 * (len(lags) - 1))] if lags else 0,
                     "lag_max": lags[-1] if lags else 0}


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def summarize(rate: float, seconds: float, results: list[Result], timing: dict, cost: dict) -> dict:
    latencies = sorted(r.latency for r in results)
    right = [r for r in results if r.outcome]
    wrong = collections.Counter(
        "timeout" if r.status == 0 and r.latency >= WECHAT_WAITS - 0.05 else
        "no answer" if r.status == 0 else f"HTTP {r.status}" if r.status != 200 else
        "late (holding reply)" if "正在为您处理" in r.reply else f"wrong {r.kind}" for r in results if not r.outcome)
    by_kind = collections.defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r.latency)
    kinds = {kind: (percentile(sorted(v), 0.5), percentile(sorted(v), 0.99)) for kind, v in by_kind.items()}
    return {"offered": rate, "sent": len(results), "kinds": kinds, "achieved": len(right) / timing["elapsed"],
            "p50": percentile(latencies, 0.50), "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99), "errors": dict(wrong), "seconds": seconds,
            "samples": [r.reply[:200] for r in results if not r.outcome and r.status == 200][:3],
            **timing, **cost}


def held(step: dict) -> bool:
    return step["p99"] < TARGET_P99 and not step["errors"]


# ---- the report ---------------------------------------------------------------------------------

def print_step(n: int, s: dict) -> None:
    errors = ", ".join(f"{k} {v}" for k, v in s["errors"].items()) or "0"
    waits = ", ".join(f"{k} {v:.0%}" for k, v in s["pg_waits"].items()) or "-"
    print(f"| {n} | {s['offered']:.0f} | {s['achieved']:.1f} | {s['p50'] * 1000:.0f} | {s['p95'] * 1000:.0f} | "
          f"{s['p99'] * 1000:.0f} | {errors} | {s['web_cpu']:.0%} | {s['pg_run_cpu']:.0%} ({s['pg_all_cpu']:.0%}) | "
          f"{s['redis_cpu']:.0%} | {s['generator_cpu']:.0%} | {s['machine_busy']:.0%} | {s['pg_active']:.1f}: "
          f"{waits} | {s['redis_ops']:.0f} ({s['redis_clients']}) | {s['lag_p99'] * 1000:.0f} |", flush=True)
    print("    p50/p99 ms by kind: " + ", ".join(f"{k} {a * 1000:.0f}/{b * 1000:.0f}" for k, (a, b) in s["kinds"].items())
          + "".join(f"\n    waiting on a lock ({n} samples): {q}" for q, n in s["pg_lock_queries"]))
    for sample in s["samples"]:
        print(f"    wrong reply: {sample!r}")


HEADER = ("| step | offered/s | achieved/s | p50 ms | p95 ms | p99 ms | errors | web CPU | PG CPU run (all) | "
          "Redis CPU | generator CPU | machine busy | PG active: waits | Redis ops/s (clients) | start lag p99 ms |\n"
          "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")


def verdict(steps: list[dict]) -> str:
    """The highest step held, and at the first step missed, which resource gave out: PostgreSQL
    when its active backends mostly wait on locks, else the CPU when the machine is saturated,
    else Redis when it nears a core (it is single-threaded)."""
    best = max((s for s in steps if held(s)), key=lambda s: s["offered"], default=None)
    line = (f"highest rate held (p99 < {TARGET_P99:.0f} s, no errors): "
            + (f"{best['offered']:.0f}/s" if best else "none"))
    s = next((s for s in steps if not held(s)), None)
    if s is None:
        return line + " (every step held: raise --steps or --rate-step to find the edge)"
    locks = sum(v for k, v in s["pg_waits"].items() if k.startswith("Lock:"))
    first = ("PostgreSQL: its backends queue on a row lock" if s["pg_active"] >= 1 and locks > 0.5 else
             "CPU: the machine's cores are saturated" if s["machine_busy"] > 0.9 else
             "Redis: near a core" if s["redis_cpu"] > 0.8 else "unclear (see the table)")
    return line + (f"; first step missed at {s['offered']:.0f}/s: {first} (web workers {s['web_cpu']:.0%} "
                   f"of a core of {os.cpu_count() * 100}%, the run's PostgreSQL backends {s['pg_run_cpu']:.0%} "
                   f"with {s['pg_active']:.1f} active, {locks:.0%} of them waiting on locks, Redis "
                   f"{s['redis_cpu']:.0%}, machine {s['machine_busy']:.0%} busy)")


def reply_text(xml: str) -> str:
    found = re.search(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", xml, re.DOTALL)
    return found.group(1) if found else xml


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> None:
    args = options(argv)
    run = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {**os.environ, "ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_DATABASE_URL": args.database,
           "ALUMNI_BOT_REDIS_URL": args.redis, "ALUMNI_BOT_REDIS_KEY_PREFIX": f"bench-load-{run}:",
           "ALUMNI_BOT_WECHAT_TOKEN": TOKEN, "ALUMNI_BOT_APP_SECRET_KEY": "bench-load",
           # A late answer's push fails at once instead of waiting on a host out of reach.
           "ALUMNI_BOT_WECHAT_API_BASE_URL": "http://127.0.0.1:9",
           "ALUMNI_BOT_REUNION_DAILY_CAPACITY_PEOPLE": str(args.capacity)}
    planned = sum((args.start_rate + n * args.rate_step) * args.step_seconds for n in range(args.steps))
    servers = []
    print(f"load before: {uptime()}", flush=True)
    try:
        fresh_database(args.database)
        alumni = ensure_roster(env, args.alumni, work)
        world: World = seed(env, run, openids=args.openids, events=args.events, seats=args.seats,
                            scanners=max(1, min(args.openids, int(planned * args.shares.get("checkin", 0)) + 1)))
        print(f"{alumni} alumni, {len(world.alumni)} bound senders, {len(world.bookers)} bookers for "
              f"{world.day}, {len(world.events)} events of {args.seats} seats, {len(world.scanners)} "
              f"registered for today's; {INSTANCES} instances x {args.workers} workers", flush=True)
        servers, ports = serve(env, work, args.workers)
        from benchmarks.load_watch import Watch

        watch = Watch(args.database, args.redis, [s.pid for s in servers])
        mix = Mix(world, args.shares)
        steps, failing = [], 0
        outcomes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        examples: dict[tuple[str, str], str] = {}
        unanswered: collections.Counter = collections.Counter()
        print(HEADER)
        for n in range(args.steps):
            rate = args.start_rate + n * args.rate_step
            watch.start()
            results, timing = asyncio.run(run_step(rate, args.step_seconds, mix, ports))
            step = summarize(rate, args.step_seconds, results, timing, watch.stop())
            for r in results:
                if r.outcome:
                    outcomes[r.kind][r.outcome] += 1
                    examples.setdefault((r.kind, r.outcome), reply_text(r.reply))
                else:
                    unanswered[r.kind] += 1
            steps.append(step)
            print_step(n + 1, step)
            failing = 0 if held(step) else failing + 1
            if failing >= args.stop_after_failing:
                print(f"stopped: {failing} steps in a row missed the target")
                break
        watch.close()
        print(verdict(steps))
        print("outcomes: " + "; ".join(f"{k}: " + ", ".join(f"{o} {c}" for o, c in v.items())
                                       for k, v in outcomes.items()))
        for (kind, name), text in examples.items():
            print(f"  e.g. {kind} {name}: {text[:70]!r}")
        lines, ok = check_effects(env, world, outcomes, unanswered)
        print("effects after the run:\n  " + "\n  ".join(lines) + ("\n  all right" if ok else "\n  WRONG"))
    finally:
        for server in servers:
            stop(server)
        print(f"load after: {uptime()}")
        remove_keys(env)
        if not args.keep_db:
            drop_database(args.database)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
