"""The broadcast composer's recipient count at scale: `GET /admin/broadcasts/count` (count and
channel mix, as the composer asks while staff choose) against the same work called directly
(`scheduler.mix.channel_mix`, and `count_recipients` alone), for a year, a college, a city, a
chapter and a combination, on PostgreSQL.

    python benchmarks/admin_broadcast.py [--database URL] [--alumni 1000000] [--runs 40]

The endpoint goes through the whole admin door in process (Flask's test client: login session,
role guard, scope, the form, JSON), so the ratio is the door's cost. The first run builds the
roster (gen-roster + import-roster, as benchmarks/lookup.py) in its own schema, binds a share of
the alumni to followers (`--bound`, default 0.3), puts 300 of them in a chapter and opts 10% of
the followers out of 活动 (every measured count honours that category).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from benchmarks.lookup import in_schema, prepare

PG_SCHEMA = "bench_broadcast"
CHAPTER = "基准校友会"


def bind_share(engine, share: float) -> None:
    """Bind every n-th alumnus to a follower of its own, once (set-based: seconds, not hours)."""
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM wechat_user")).scalar():
            return
        every = max(1, round(1 / share))
        print(f"binding every {every}th alumnus to a follower …", file=sys.stderr)
        conn.execute(text(
            "INSERT INTO wechat_user (id, openid, subscribed, created_at, last_message_at) "
            "SELECT id, 'bench-' || id, true, now(), "
            "CASE WHEN id % 7 = 0 THEN now() ELSE NULL END FROM alumnus WHERE id % :n = 0"),
            {"n": every})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('wechat_user', 'id'), "
                          "(SELECT max(id) FROM wechat_user))"))
        conn.execute(text("UPDATE alumnus SET wechat_user_id = id, bound_at = now() "
                          "WHERE id % :n = 0"), {"n": every})
        conn.execute(text(
            "INSERT INTO push_opt_out (wechat_user_id, category, opted_out, changed_at, channel) "
            "SELECT id, 'events', true, now(), 'bot' FROM wechat_user WHERE id % 10 = 0"))
        from sqlalchemy.orm import Session

        from models.chapter import Chapter, ChapterKind

        now = datetime.now(UTC)
        with Session(bind=conn) as session:  # the ORM fills the chapter's defaults
            session.add(Chapter(name=CHAPTER, kind=ChapterKind.INDUSTRY, created_at=now,
                                updated_at=now))
            session.flush()
        conn.execute(text(
            "INSERT INTO chapter_member (chapter_id, wechat_user_id, joined_at, channel) "
            "SELECT (SELECT c.id FROM chapter c WHERE c.name = :name), w.id, now(), 'bot' "
            "FROM wechat_user w ORDER BY w.id LIMIT 300"), {"name": CHAPTER})
    # As autovacuum would leave them after the bulk load: statistics, and the visibility map that
    # lets a count read the index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("alumnus", "wechat_user", "push_opt_out", "chapter_member"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def segments(engine) -> dict[str, dict[str, str]]:
    """A year, the largest college, the largest city, the chapter, and year AND college."""
    with engine.connect() as conn:
        year = conn.execute(text("SELECT graduation_year FROM alumnus GROUP BY 1 "
                                 "ORDER BY count(*) DESC LIMIT 1")).scalar()
        college = conn.execute(text("SELECT college FROM alumnus WHERE college IS NOT NULL "
                                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")).scalar()
        city = conn.execute(text("SELECT city FROM alumnus WHERE city IS NOT NULL "
                                 "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")).scalar()
    base = {"target": "segment", "category": "events", "kind": "text"}
    return {
        "year": {**base, "years": str(year)},
        "college": {**base, "college": college},
        "city": {**base, "city": city},
        "chapter": {**base, "chapter": CHAPTER},
        "year+college": {**base, "years": str(year), "college": college},
    }


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_broadcast")
    parser.add_argument("--alumni", type=int, default=1_000_000)
    parser.add_argument("--bound", type=float, default=0.3)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    import benchmarks.lookup as lookup

    lookup.PG_SCHEMA = PG_SCHEMA  # our own schema, not the lookup benchmark's
    engine = prepare(args.database, args.alumni, 0.0)
    bind_share(engine, args.bound)

    from models import StaffRole
    from scheduler.audiences import AND
    from scheduler.mix import channel_mix
    from scheduler.outbox import count_recipients
    from tests.admin.support import add_account, login
    from wechat_bot import create_app
    from wechat_bot.config import load_config

    config = load_config(environ={}).replace(
        database={"url": in_schema(args.database, PG_SCHEMA)}, redis={"url": "memory://"})
    app = create_app(config)
    runtime = app.extensions["alumni_bot"]
    try:
        add_account(runtime, "bench", StaffRole.STAFF)
    except Exception:
        pass
    client = app.test_client()
    assert login(client, "bench").status_code == 302
    print(f"{args.alumni:,} alumni, {args.bound:.0%} bound, PostgreSQL; p95 of {args.runs} runs "
          f"(ms), category 活动 (10% opted out)")
    print(f"{'segment':<14}{'recipients':>11}{'endpoint':>10}{'channel_mix':>13}{'count':>8}"
          f"{'ratio':>7}")
    for name, query in segments(engine).items():
        parts = [f"year:{query['years']}"] if "years" in query else []
        parts += [f"{k}:{query[k]}" for k in ("college", "city", "chapter") if k in query]
        spec = AND.join(parts)
        endpoint, direct, counted = [], [], []
        answer = None
        for _ in range(args.runs):
            started = time.perf_counter()
            answer = client.get("/admin/broadcasts/count", query_string=query).json
            endpoint.append(time.perf_counter() - started)
            with runtime.sessions() as session:
                started = time.perf_counter()
                channel_mix(session, spec, "events", template=False, subscribe_template=None,
                            now=datetime.now(UTC))
                direct.append(time.perf_counter() - started)
                started = time.perf_counter()
                count_recipients(session, spec, "events")
                counted.append(time.perf_counter() - started)
        assert "count" in answer, answer
        print(f"{name:<14}{answer['count']:>11,}{p95(endpoint):>10.1f}{p95(direct):>13.1f}"
              f"{p95(counted):>8.1f}{p95(endpoint) / p95(direct):>7.2f}")
    runtime.close()


if __name__ == "__main__":
    main()
