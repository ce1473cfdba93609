"""CPU and SQL statements per 报名 message, in process, on PostgreSQL: what a sign-up costs.

    python benchmarks/events_cpu.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                    [--alumni 600] [--seats 200] [--profile 报名座位,报名候补] [--top 30]

No server: the WSGI app is called directly (Flask's test client) with the handler run inline (not
in the deadline's pool, so cProfile sees it), on a fresh PostgreSQL schema seeded as
benchmarks/events.py seeds it (bound alumni, one open marathon), with the in-process store. Every
alumnus sends 帮助 (the floor), then 报名 <编号> one after another: the first `--seats` get a seat
(报名座位), the rest join the waitlist (报名候补). Reported per kind: the process CPU per message
and the SQL statements (round trips) per message; `EVENTS_CPU_SQL=1` prints the first message's
statements. The database's own CPU is not counted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from benchmarks.events import TOKEN, seed
from benchmarks.webhook_cpu import _signed, _xml

STATEMENTS = [0]
SHOW_SQL = [False]


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, *_args) -> None:
    STATEMENTS[0] += 1
    if SHOW_SQL[0]:
        print("   SQL:", " ".join(statement.split())[:160])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--alumni", type=int, default=600)
    parser.add_argument("--seats", type=int, default=200)
    parser.add_argument("--profile", default="", help="kinds to profile: 帮助, 报名座位, 报名候补")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()

    from models.db import make_engine

    schema = f"bench_ecpu_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.database)
    with admin.begin() as db:
        db.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{args.database}{'&' if '?' in args.database else '?'}options=-csearch_path%3D{schema}"
    os.environ.update({"ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_DATABASE_URL": url,
                       "ALUMNI_BOT_REDIS_URL": "memory://", "ALUMNI_BOT_WECHAT_TOKEN": TOKEN,
                       "ALUMNI_BOT_APP_SECRET_KEY": "bench"})
    runtime = None
    try:
        from wechat_bot import create_app
        from wechat_bot.cli import main as cli
        from wechat_bot.config import load_config

        cli.main(["init-db"], standalone_mode=False)
        number, openids = seed(url, args.alumni, args.seats)
        app = create_app(load_config(environ=dict(os.environ)))
        runtime = app.extensions["alumni_bot"]
        runtime.deadline.run = lambda work, on_late: work()   # inline: one thread to profile
        client = app.test_client()
        ids = itertools.count(int(time.time()) * 1_000_000)

        def send(openid: str, content: str) -> str:
            response = client.post("/wechat", query_string=_signed(TOKEN), content_type="text/xml",
                                   data=_xml(openid, content, next(ids)))
            assert response.status_code == 200, response.status_code
            return response.get_data(as_text=True)

        send("o-bench-warm", "帮助")
        kinds = [("帮助", [(o, "帮助") for o in openids]),
                 ("报名座位", [(o, f"报名 {number}") for o in openids[:args.seats]]),
                 ("报名候补", [(o, f"报名 {number}") for o in openids[args.seats:]])]
        wanted = set(args.profile.split(","))
        profiles = {}
        print(f"in process on PostgreSQL ({args.alumni} alumni, {args.seats} seats), handler inline\n")
        print("| message | sent | CPU µs per message | SQL statements per message |")
        print("| --- | ---: | ---: | ---: |")
        for kind, messages in kinds:
            profiler = cProfile.Profile(time.process_time) if kind in wanted else None
            STATEMENTS[0] = 0
            started = time.process_time()
            if profiler:
                profiler.enable()
            SHOW_SQL[0] = bool(os.environ.get("EVENTS_CPU_SQL"))
            if SHOW_SQL[0]:
                print(f"-- {kind}: first message")
            replies = [send(*messages[0])]
            SHOW_SQL[0] = False
            replies += [send(openid, content) for openid, content in messages[1:]]
            if profiler:
                profiler.disable()
            cpu = (time.process_time() - started) / len(messages)
            print(f"| {kind} | {len(messages)} | {cpu * 1e6:.0f} | {STATEMENTS[0] / len(messages):.1f} |")
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
                profiles[kind] = out.getvalue()
            if os.environ.get("EVENTS_CPU_SHOW"):
                print(replies[0][:600], "\n...\n", replies[-1][:600])
        for kind, profiled in profiles.items():
            print(f"\n--- {kind} ---\n{profiled}")
    finally:
        if runtime is not None:
            runtime.close()
        with admin.begin() as db:
            db.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
