"""Directory search at scale: `search_alumni` p50/p95 per query kind on a 1,000,000-row roster,
side by side with the plain indexed SQL lookup of an exact name on the same database.

    python benchmarks/lookup.py [--database URL] [--rows 1000000] [--queries 300] [--explain]

The database is built once and kept (SQLite: /tmp/alumni-bench-lookup.db; PostgreSQL: schema
`bench_lookup` of the URL's database): migrated, the synthetic roster imported, and a share of the
records made public (default 20%, `--public-share`), as a directory whose members have chosen.
Each query comes from a real record, searched by a viewer bound to one other random record, as a
real searcher is: classmates-only records of other classes stay invisible to them.

--explain prints the query plan of every statement one search of each kind runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from sqlalchemy import event, make_url, text

from handlers.directory.lookup import Viewer, search_alumni
from handlers.directory.names import name_key
from handlers.directory.search_keys import name_search_keys
from models.db import make_engine, make_session_factory

SQLITE_PATH = "/tmp/alumni-bench-lookup.db"
PG_SCHEMA = "bench_lookup"
BASELINE = ("SELECT id, name, degree, graduation_year, college, major, city, employer "
            "FROM alumnus WHERE name_key = :key LIMIT 10")  # fmt: skip


def in_schema(url: str, schema: str) -> str:
    """The URL with `schema` first on the search_path, keeping any options it already has."""
    parsed = make_url(url)
    options = f"{parsed.query.get('options', '')} -csearch_path={schema}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def prepare(url: str, rows: int, public_share: float):
    """The benchmark database, built on first use; returns an engine on it."""
    from wechat_bot.migrate import upgrade

    if url.startswith("postgresql"):
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}"))
        admin.dispose()
        url = in_schema(url, PG_SCHEMA)
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        present = conn.execute(text("SELECT count(*) FROM alumnus")).scalar_one()
    if present < rows:
        if present:
            sys.exit(f"{url}: {present} alumni, fewer than {rows}: drop it and run again")
        roster = Path(f"/tmp/alumni-bench-roster-{rows}.csv")
        if not roster.exists():
            from wechat_bot.synthetic.roster import write_synthetic_roster

            print(f"writing {roster} …", file=sys.stderr)
            write_synthetic_roster(rows, roster)
        from handlers.directory.roster_import import import_roster

        print(f"importing {rows} rows …", file=sys.stderr)
        started = time.perf_counter()
        report = import_roster(engine, roster)
        print(f"  {report.inserted} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    modulus = round(1 / public_share) if public_share else 0
    with engine.begin() as conn:
        public = conn.execute(
            text("SELECT count(*) FROM alumnus WHERE privacy = 'public'")
        ).scalar()
        wanted = conn.execute(
            text("SELECT count(*) FROM alumnus WHERE id % :m = 0"), {"m": modulus or rows + 1}
        ).scalar()
        if public != (wanted if modulus else 0):
            print(f"making every {modulus or 'no'}th record public …", file=sys.stderr)
            conn.execute(text("UPDATE alumnus SET privacy = 'classmates' WHERE privacy = 'public'"))
            if modulus:
                conn.execute(
                    text("UPDATE alumnus SET privacy = 'public' WHERE id % :m = 0"), {"m": modulus}
                )
            conn.execute(text("ANALYZE alumnus"))
    return engine


def query_sets(engine, count: int, seed: int = 7) -> tuple[dict[str, list[str]], list[Viewer]]:
    """Queries drawn from real records, per kind; and viewers bound to other random records."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        top = conn.execute(text("SELECT max(id) FROM alumnus")).scalar_one()
        ids = rng.sample(range(1, top + 1), count * 2)
        records = conn.execute(
            text("SELECT id, name, graduation_year, college, major, city, employer, "
                 "search_pinyin, search_initials FROM alumnus WHERE id IN "
                 f"({', '.join(map(str, ids))})")).all()  # fmt: skip
    rng.shuffle(records)
    people, viewers = records[:count], records[count:]
    kinds: dict[str, list[str]] = {k: [] for k in (
        "name", "name prefix", "pinyin", "pinyin prefix", "initials", "name + year",
        "pinyin + city", "initials + college", "year", "college", "city")}  # fmt: skip
    for r in people:
        surname_pinyin = name_search_keys(r.name[: 2 if len(r.name) > 3 else 1])[0]
        kinds["name"].append(r.name)
        kinds["name prefix"].append(r.name[:2] if len(r.name) > 2 else r.name[:1])
        kinds["pinyin"].append(r.search_pinyin)
        kinds["pinyin prefix"].append(surname_pinyin)
        kinds["initials"].append(r.search_initials)
        kinds["name + year"].append(f"{r.name} {r.graduation_year}")
        kinds["pinyin + city"].append(f"{r.search_pinyin} {r.city or r.graduation_year}")
        kinds["initials + college"].append(f"{r.search_initials} {r.college}")
        kinds["year"].append(str(r.graduation_year))
        kinds["college"].append(r.college)
        kinds["city"].append(r.city or "北京")
    seen = [Viewer(wechat_user_id=v.id, classes=frozenset({(v.college, v.graduation_year)}))
            for v in viewers]  # fmt: skip
    return kinds, seen


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(engine, kinds, viewers) -> tuple[list[float], dict[str, tuple[list[float], int]]]:
    sessions = make_session_factory(engine)
    with sessions() as session:
        for query, viewer in zip(kinds["name"][:50], viewers, strict=False):  # warm up
            search_alumni(session, viewer, query)
            session.rollback()
        baseline = []
        for query in kinds["name"]:
            started = time.perf_counter()
            session.execute(text(BASELINE), {"key": name_key(query)}).all()
            baseline.append(time.perf_counter() - started)
            session.rollback()
        results = {}
        for kind, queries in kinds.items():
            samples, empty = [], 0
            for query, viewer in zip(queries, viewers, strict=True):
                started = time.perf_counter()
                page = search_alumni(session, viewer, query)
                samples.append(time.perf_counter() - started)
                empty += not page.hits
                session.rollback()
            results[kind] = (samples, empty)
    return baseline, results


def explain(engine, kinds, viewer) -> None:
    """The plan of every statement one search of each kind runs."""
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    sessions = make_session_factory(engine)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    for kind, queries in kinds.items():
        with sessions() as session:
            captured.clear()
            event.listen(engine, "before_cursor_execute", capture)
            search_alumni(session, viewer, queries[0])
            event.remove(engine, "before_cursor_execute", capture)
            print(f"\n### {kind}: {queries[0]!r} — {len(captured)} statements")
            raw = session.connection().connection.driver_connection
            for statement, parameters in captured:
                cursor = raw.cursor()
                if "set_config(" in statement:  # the search's planner settings: apply them too
                    cursor.execute(statement, parameters)
                    continue
                cursor.execute(prefix + statement, parameters)
                plan = [" ".join(str(c) for c in row[-1:]) for row in cursor.fetchall()]
                cursor.close()
                print("  " + statement.split(" FROM ")[-1][:150].replace("\n", " "))
                print("    " + "\n    ".join(plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=f"sqlite:///{SQLITE_PATH}")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300, help="per kind")
    parser.add_argument("--public-share", type=float, default=0.2)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    engine = prepare(args.database, args.rows, args.public_share)
    kinds, viewers = query_sets(engine, args.queries)
    if args.explain:
        explain(engine, kinds, viewers[0])
        return
    baseline, results = measure(engine, kinds, viewers)
    base95 = percentile(baseline, 95) * 1000
    print(
        f"\n{engine.dialect.name}, {args.rows} alumni, {args.public_share:.0%} public, "
        f"{args.queries} queries per kind; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(
        f"baseline (plain SQL, exact name_key, LIMIT 10): p50 "
        f"{percentile(baseline, 50) * 1000:.2f} ms, p95 {base95:.2f} ms\n"
    )
    print("| query kind | p50 ms | p95 ms | p99 ms | p95 / baseline p95 | no hits |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind, (samples, empty) in results.items():
        p95 = percentile(samples, 95) * 1000
        print(
            f"| {kind} | {statistics.median(samples) * 1000:.2f} | {p95:.2f} | "
            f"{percentile(samples, 99) * 1000:.2f} | {p95 / base95:.1f}× | "
            f"{empty}/{len(samples)} |"
        )


if __name__ == "__main__":
    main()
