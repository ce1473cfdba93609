"""Roster import at scale: 1,000,000 synthetic rows into SQLite and PostgreSQL, three times over.

    python benchmarks/import_roster.py [--rows 1000000] [--sqlite PATH] [--postgres URL]

Per database, on a fresh schema: the first import (an empty roster), the same file again (every
row unchanged), and a copy with 1% of the rows changed. Each import runs in a child process of
its own, so its peak RSS is its own. The roster is written once with write_synthetic_roster and
kept in /tmp for the next run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from sqlalchemy import make_url, text

from models.db import make_engine

PG_SCHEMA = "bench_import"


def child(url: str, path: str) -> None:
    """One import, timed; prints its report as JSON."""
    from handlers.directory.roster_import import import_roster

    started = time.perf_counter()
    report = import_roster(make_engine(url), path)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "read": report.read, "inserted": report.inserted, "updated": report.updated,
        "unchanged": report.unchanged, "rejected": report.rejected_count,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))  # fmt: skip


def in_schema(url: str, schema: str) -> str:
    """The URL with `schema` first on the search_path, keeping any options it already has."""
    parsed = make_url(url)
    options = f"{parsed.query.get('options', '')} -csearch_path={schema}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def fresh_database(url: str) -> str:
    """An empty, migrated database at `url`; returns the URL to import into."""
    from wechat_bot.migrate import upgrade

    if url.startswith("postgresql"):
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        admin.dispose()
        url = in_schema(url, PG_SCHEMA)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def rosters(rows: int) -> tuple[Path, Path]:
    """The synthetic roster, and a copy with every hundredth row's city changed."""
    from wechat_bot.synthetic.roster import write_synthetic_roster

    roster = Path(f"/tmp/alumni-bench-roster-{rows}.csv")
    changed = Path(f"/tmp/alumni-bench-roster-{rows}-changed.csv")
    if not roster.exists():
        print(f"writing {roster} …", file=sys.stderr)
        write_synthetic_roster(rows, roster)
    if not changed.exists():
        with open(roster, encoding="utf-8", newline="") as src, \
             open(changed, "w", encoding="utf-8", newline="") as out:  # fmt: skip
            reader, writer = csv.reader(src), csv.writer(out)
            writer.writerow(next(reader))
            for n, row in enumerate(reader):
                if n % 100 == 0:
                    row[11] = "拉萨" if row[11] != "拉萨" else "西宁"  # 所在城市
                writer.writerow(row)
    return roster, changed


def run(url: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", url, str(path)], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite", default="/tmp/alumni-bench-import.db")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    roster, changed = rosters(args.rows)
    print(f"{args.rows} rows, {roster.stat().st_size / 1e6:.0f} MB CSV; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")  # fmt: skip
    print("| database | run | seconds | inserted | updated | unchanged | peak RSS MB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    targets = [("SQLite", f"sqlite:///{args.sqlite}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    for label, url in targets:
        url = fresh_database(url)
        for run_name, path in (("first import", roster), ("same file again", roster),
                               ("1% of rows changed", changed)):  # fmt: skip
            r = run(url, path)
            print(
                f"| {label} | {run_name} | {r['seconds']:.1f} | {r['inserted']} | "
                f"{r['updated']} | {r['unchanged']} | {r['peak_rss_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
