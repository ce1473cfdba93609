"""The admin page at 1,000,000 alumni on PostgreSQL: each part's page, side by side with the same
service called directly.

    python benchmarks/admin.py [--database URL] [--alumni 1000000] [--samples 200] [--part NAME]

A *part* is one page of the admin (`PARTS`); it builds its *cases*, each with two *sides* run on
the same inputs, interleaved sample by sample so the shared machine's drift hits both alike:

- `page`: the real thing through Flask's test client, logged in through the form: the session
  cookie, the login and role check, the scope, the service, the template;
- `direct`: the same service function called with a session, nothing else.

Part `alumni search` (issue 20 item 4): GET /admin/alumni/?q=… as an admin (every record) and as a
college account (one college), against `handlers.staff.alumni.search_for_staff`, i.e. the bot's
lookup engine as a StaffViewer. Another part (the broadcast recipient count) plugs in the same way:
a function `(bench) -> list[Case]` added to PARTS.

The database (default: database `alumni_admin_bench` on the local PostgreSQL, made if missing) is
built on the first run as benchmarks/api.py builds its own: `gen-roster` + `import-roster`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from sqlalchemy import func, select, text

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/alumni_admin_bench"
PASSWORD = "bench-password-1"
CHAPTER, CHAPTER_MEMBERS = "基准测试分会", 300
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Case:
    """One kind of request, run on both sides with the same inputs."""

    part: str
    name: str
    inputs: list
    page: Callable[[object], object]     # through the admin page
    direct: Callable[[object], object]   # the same service, called directly


@dataclass
class Bench:
    """What a part builds its cases from: the app, logged-in clients per role, sessions."""

    app: object
    runtime: object
    clients: dict[str, object]   # username -> logged-in test client
    scopes: dict[str, object]    # username -> handlers.staff.scope.Scope
    rng: random.Random
    samples: int


# --- the parts ---

def alumni_search(bench: Bench) -> list[Case]:
    from handlers.directory.lookup import SearchFilters
    from handlers.directory.search_keys import name_search_keys
    from handlers.staff.alumni import search_for_staff
    from models import Alumnus

    with bench.runtime.sessions() as session:
        top = session.scalar(select(func.max(Alumnus.id)))
        ids = bench.rng.sample(range(1, top + 1), bench.samples)
        people = session.execute(select(Alumnus.name, Alumnus.graduation_year, Alumnus.college,
                                        Alumnus.city, Alumnus.search_pinyin,
                                        Alumnus.search_initials).where(Alumnus.id.in_(ids))).all()
    bench.rng.shuffle(people)
    kinds: dict[str, list[dict]] = {
        "name": [{"q": p.name} for p in people],
        "name prefix (surname)": [{"q": p.name[:1]} for p in people],
        "pinyin": [{"q": p.search_pinyin} for p in people],
        "pinyin prefix (surname)": [{"q": name_search_keys(p.name[:1])[0]} for p in people],
        "initials": [{"q": p.search_initials} for p in people],
        "name + year": [{"q": f"{p.name} {p.graduation_year}"} for p in people],
        "initials + city": [{"q": f"{p.search_initials} {p.city or '北京'}"} for p in people],
        "filters: year + college": [{"year": str(p.graduation_year), "college": p.college}
                                    for p in people],
        "filters: city, page 5": [{"city": p.city or "北京", "page": "5"} for p in people],
    }
    cases = []
    for username, label in (("bench-admin", "admin"), ("bench-dean", "college"),
                            ("bench-liaison", "liaison")):
        client, scope = bench.clients[username], bench.scopes[username]

        def page(args, client=client):
            answer = client.get("/admin/alumni/?" + urlencode(args))
            assert answer.status_code == 200 and 'id="alumni-results"' in answer.text, answer.text[:300]

        def direct(args, scope=scope):
            with bench.runtime.sessions() as session:
                filters = SearchFilters(year=int(args["year"]) if "year" in args else None,
                                        college=args.get("college"), city=args.get("city"))
                search_for_staff(session, scope, args.get("q", ""), filters=filters,
                                 page=int(args.get("page", 1)), per_page=20)

        for kind, inputs in kinds.items():
            if label != "admin" and "college" in kind:
                continue  # a college's own filter is its scope; a chapter's, empty pages
            cases.append(Case("alumni search", f"{label}: {kind}", inputs, page, direct))
    return cases


PARTS: dict[str, Callable[[Bench], list[Case]]] = {
    "alumni search": alumni_search,
}


# --- the run ---

def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(case: Case) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"page": [], "direct": []}
    for value in case.inputs[:5]:  # warm both sides: statement caches, templates
        case.page(value)
        case.direct(value)
    for i, value in enumerate(case.inputs):
        sides = (("page", case.page), ("direct", case.direct))
        for side, call in (sides if i % 2 else sides[::-1]):
            started = time.perf_counter()
            call(value)
            timings[side].append(time.perf_counter() - started)
    return timings


def prepare(database: str, alumni: int):
    """The benchmark database with at least `alumni` records, two staff accounts, an app."""
    from api import ensure_database  # benchmarks/api.py: CREATE DATABASE if missing

    from handlers.staff.accounts import check_place, create_account, set_password
    from handlers.staff.scope import Scope
    from models import Alumnus, StaffAccount, StaffRole
    from wechat_bot import create_app
    from wechat_bot.config import load_config
    from wechat_bot.migrate import upgrade

    ensure_database(database)
    config = load_config(environ={}).replace(database={"url": database},
                                             redis={"url": "memory://", "key_prefix": "bench:"})
    app = create_app(config)
    runtime = app.extensions["alumni_bot"]
    upgrade(runtime.engine)
    with runtime.sessions() as session:
        have = session.scalar(select(func.count()).select_from(Alumnus))
    if have < alumni:
        build_roster(database, alumni, have)
    with runtime.engine.begin() as connection:
        connection.execute(text("ANALYZE alumnus"))
    scopes = {}
    with runtime.sessions.begin() as session:
        college = session.scalar(select(Alumnus.college).where(Alumnus.id == 1))
        ensure_chapter(session)
        for username, role, college_of, chapter in (
                ("bench-admin", StaffRole.ADMIN, None, None),
                ("bench-dean", StaffRole.COLLEGE, college, None),
                ("bench-liaison", StaffRole.LIAISON, None, CHAPTER)):
            account = session.scalar(select(StaffAccount).where(StaffAccount.username == username))
            if account is None:
                account = create_account(session, username, PASSWORD, role,
                                         check_place(session, role, college_of, chapter),
                                         settings=config.admin, now=datetime.now(UTC))
            else:
                set_password(account, PASSWORD, settings=config.admin, now=datetime.now(UTC))
            scopes[username] = Scope.of(account)
    clients = {}
    for username in scopes:
        client = app.test_client()
        token = CSRF.search(client.get("/admin/login").text).group(1)
        answer = client.post("/admin/login", data={"username": username, "password": PASSWORD,
                                                   "csrf_token": token})
        assert answer.status_code == 302, f"login as {username} failed"
        clients[username] = client
    return app, runtime, clients, scopes, college, have


def ensure_chapter(session) -> None:
    """A chapter of CHAPTER_MEMBERS bound alumni, spread over the roster (a liaison's scope)."""
    from models import Alumnus, Chapter, ChapterMember, WechatUser

    if session.scalar(select(Chapter.id).where(Chapter.name == CHAPTER)) is not None:
        return
    now = datetime.now(UTC)
    chapter = Chapter(name=CHAPTER, kind="industry", created_at=now, updated_at=now)
    session.add(chapter)
    top = session.scalar(select(func.max(Alumnus.id)))
    for number, alumnus_id in enumerate(random.Random(11).sample(range(1, top + 1),
                                                                 CHAPTER_MEMBERS)):
        user = WechatUser(openid=f"bench-admin-member-{number}", subscribed=True, created_at=now)
        session.add(user)
        session.flush()
        record = session.get(Alumnus, alumnus_id)
        record.wechat_user_id, record.bound_at = user.id, now
        session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=user.id, joined_at=now))
    session.flush()


def build_roster(database: str, alumni: int, have: int) -> None:
    import subprocess

    if have:
        sys.exit(f"{database}: {have} alumni, fewer than {alumni}: drop it and run again")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "ALUMNI_BOT_DATABASE_URL": database}
    csv = Path(tempfile.gettempdir()) / f"alumni-admin-roster-{alumni}.csv"
    print(f"building the roster: {alumni} alumni …", file=sys.stderr, flush=True)
    if not csv.exists():
        subprocess.run([bin_dir / "alumni-bot", "gen-roster", str(alumni), csv], env=env, check=True)
    subprocess.run([bin_dir / "alumni-bot", "import-roster", csv], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--alumni", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200, help="inputs per case")
    parser.add_argument("--part", choices=sorted(PARTS), action="append",
                        help="only this part (repeatable); default: every part")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    app, runtime, clients, scopes, college, have = prepare(args.database, args.alumni)
    bench = Bench(app, runtime, clients, scopes, random.Random(args.seed), args.samples)
    print(f"\n{runtime.engine.dialect.name}, {have:,} alumni, {args.samples} inputs per case; "
          f"college account: {college}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs\n")
    print("| part | case | page p50 ms | page p95 ms | direct p50 ms | direct p95 ms "
          "| p95 page / direct |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    worst = 0.0
    for part in args.part or list(PARTS):
        for case in PARTS[part](bench):
            timings = run(case)
            page95, direct95 = (percentile(timings[s], 95) * 1000 for s in ("page", "direct"))
            worst = max(worst, page95)
            print(f"| {case.part} | {case.name} | "
                  f"{statistics.median(timings['page']) * 1000:.1f} | {page95:.1f} | "
                  f"{statistics.median(timings['direct']) * 1000:.1f} | {direct95:.1f} | "
                  f"{page95 / direct95:.2f}× |", flush=True)
    print(f"\nworst page p95: {worst:.1f} ms (target: under 300 ms)")
    runtime.close()


if __name__ == "__main__":
    main()
