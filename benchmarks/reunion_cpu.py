"""CPU and SQL statements per reunion message, in process, on PostgreSQL: what a booking costs.

    python benchmarks/reunion_cpu.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                     [--profile 返校] [--top 30]

No server: the WSGI app is called directly (Flask's test client) with the handler run inline (not
in the deadline's pool, so cProfile sees it), on a fresh PostgreSQL schema seeded as
benchmarks/reunion.py seeds it (100 classes of 5, 40 booked, a day for 500), with the in-process
store. Each kind of message the burst sends is sent by its senders in turn, in the burst's mix:
帮助 (the floor), 返校, 我的预约, 加入返校 <编号> and the companion's name, 预约返校 <day> 10 (the
first ~30 book, the rest are refused as full). Reported per kind: the process CPU per message and
the SQL statements (round trips) per message. The database's own CPU is not counted: on the 2-core
machine it competes with the bot's workers, which is why round trips are reported beside it.
`--profile KIND` prints cProfile's top functions for that kind.
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

from benchmarks.reunion import CAPACITY, TOKEN, seed, visit_day
from benchmarks.webhook_cpu import _signed, _xml

STATEMENTS = [0]


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, *_args) -> None:
    STATEMENTS[0] += 1
    if SHOW_SQL[0]:
        print("   SQL:", " ".join(statement.split())[:160])


SHOW_SQL = [False]
READ_ONLY = ("帮助", "取消预约", "返校", "我的预约")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--profile", help="kinds to profile, comma-separated: 帮助, 返校, 我的预约, 加入返校, 李娜, 预约返校")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the read-only kinds; the best counts")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--only", default="", help="a regex the profile's lines must match, e.g. handlers/")
    args = parser.parse_args()

    from models.db import make_engine

    schema = f"bench_rcpu_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.database)
    with admin.begin() as db:
        db.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{args.database}{'&' if '?' in args.database else '?'}options=-csearch_path%3D{schema}"
    os.environ.update({"ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_DATABASE_URL": url,
                       "ALUMNI_BOT_REDIS_URL": "memory://", "ALUMNI_BOT_WECHAT_TOKEN": TOKEN,
                       "ALUMNI_BOT_APP_SECRET_KEY": "bench",
                       "ALUMNI_BOT_REUNION_DAILY_CAPACITY_PEOPLE": str(CAPACITY)})
    runtime = None
    try:
        from wechat_bot import create_app
        from wechat_bot.cli import main as cli
        from wechat_bot.config import load_config

        cli.main(["init-db"], standalone_mode=False)
        day = visit_day()
        scripts = seed(url, day, classes=100, per_class=5, booked=40)
        config = load_config(environ=dict(os.environ))
        app = create_app(config)
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
        send("o-bench-warm", "返校")
        joins = [s for s in scripts if s[1].startswith("加入返校")]
        kinds = [
            ("帮助", [(s[0], "帮助") for s in scripts]),
            # A reunion command answered without the database (its usage): what any handler's
            # message costs beyond 帮助 (the handler pool, the user's interaction, the store).
            ("取消预约", [(s[0], "取消预约") for s in scripts]),
            ("返校", [(s[0], "返校") for s in scripts if s[1] == "返校"]),
            ("我的预约", [(s[0], "我的预约") for s in scripts if s[1] == "我的预约"]),
            ("加入返校", [(s[0], s[1]) for s in joins]),
            ("李娜", [(s[0], s[2]) for s in joins]),
            ("预约返校", [(s[0], s[1]) for s in scripts if s[1].startswith("预约返校")]),
        ]
        wanted = set((args.profile or "").split(","))
        profiles = {}
        print(f"in process on PostgreSQL ({len(scripts)} alumni, day {day} for {CAPACITY}), handler inline\n")
        print("| message | sent | CPU µs per message | SQL statements per message |")
        print("| --- | ---: | ---: | ---: |")
        for kind, messages in kinds:
            profiler = cProfile.Profile(time.process_time) if kind in wanted else None  # CPU, not waits
            STATEMENTS[0] = 0
            started = time.process_time()
            if profiler:
                profiler.enable()
            SHOW_SQL[0] = bool(os.environ.get("REUNION_CPU_SQL"))
            if SHOW_SQL[0]:
                print(f"-- {kind}: first message")
            replies = [send(*messages[0])]
            SHOW_SQL[0] = False
            replies += [send(openid, content) for openid, content in messages[1:]]
            if profiler:
                profiler.disable()
            cpu = (time.process_time() - started) / len(messages)
            statements = STATEMENTS[0] / len(messages)
            if kind in READ_ONLY and not profiler:
                # These change nothing: the best of a few rounds, less of the neighbours' noise.
                for _ in range(args.rounds - 1):
                    started = time.process_time()
                    for openid, content in messages:
                        send(openid, content)
                    cpu = min(cpu, (time.process_time() - started) / len(messages))
            print(f"| {kind} | {len(messages)} | {cpu * 1e6:.0f} | {statements:.1f} |")
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(*([args.only] if args.only else []), args.top)
                profiles[kind] = out.getvalue()
            if os.environ.get("REUNION_CPU_SHOW"):
                print(replies[0][:600], "\n...\n", replies[-1][:600])
        for kind, profiled in profiles.items():
            print(f"\n--- {kind} ---\n{profiled}")
    finally:
        if runtime is not None:
            runtime.close()   # its connections first, or dropping the schema waits on them
        with admin.begin() as db:
            db.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
