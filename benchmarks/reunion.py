"""秩年返校 under load: 500 alumni booking and joining through the webhook at once, on PostgreSQL.

Starts `alumni-bot serve --workers 2 --threads 8` on a fresh PostgreSQL schema, seeds 100 classes
of 5 bound alumni (40 classes already booked, 5 places and the contact alone), then every alumnus
at once, one thread each, sends what they would: the contacts of the 60 other classes
`预约返校 <day> 10`, the classmates of the booked classes `加入返校 <编号>` then a companion's name
(so each join grows its booking by 2 places), the other classmates `返校`, the booked classes'
contacts `我的预约`. The day holds 500 of
the ~960 places asked for. Then the same 500 senders send `帮助` at once, the floor any reply
costs, in the same run. Reported: requests/s and p50/p99 of each burst, and the day's counters
checked against the bookings (zero overbooking). Run by hand:

    python benchmarks/reunion.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                 [--redis redis://127.0.0.1:6379/13]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from sqlalchemy import func, select, text

from benchmarks.webhook import free_port, signed_query, start, stop, text_xml, wait_up

TOKEN = "bench-reunion-token"
CAPACITY = 500
MSG_IDS = itertools.count(int(time.time() * 1000))


def visit_day() -> dt.date:
    day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=8)
    while day.isoweekday() != 6:
        day += dt.timedelta(days=1)
    return day


def seed(url: str, day: dt.date, classes: int, per_class: int, booked: int) -> list[list[str]]:
    """The roster, the bound users, the booked classes; each alumnus's messages, in order."""
    from handlers.directory.names import name_key
    from handlers.reunion.booking import Needs, book
    from models import Alumnus, WechatUser
    from models.db import make_engine, make_session_factory
    from wechat_bot.config import load_config

    settings = load_config(environ={**os.environ}).features
    now = dt.datetime.now(dt.UTC)
    engine = make_engine(url)
    scripts = []
    with make_session_factory(engine).begin() as session:
        for c in range(classes):
            college = f"第{c}学院"
            members = []
            for k in range(per_class):
                user = WechatUser(openid=f"o-bench-{c}-{k}", subscribed=True, created_at=now)
                session.add(user)
                session.flush()
                record = Alumnus(student_id=f"B{c:03d}{k}", name=f"校友{c}{k}", graduation_year=day.year - 10,
                                 college=college, degree="本科", name_key=name_key(f"校友{c}{k}"),
                                 search_pinyin="", search_initials="", imported_at=now,
                                 wechat_user_id=user.id, bound_at=now)
                session.add(record)
                session.flush()
                members.append((user.openid, record))
            if c < booked:
                number = book(session, members[0][1], day, 5, Needs(lunch=True), now=now, settings=settings,
                              channel="bot").booking.id
                scripts.append([members[0][0], "我的预约"])
                scripts += [[openid, f"加入返校 {number}", "李娜"] for openid, _ in members[1:]]
            else:
                scripts.append([members[0][0], f"预约返校 {day:%Y-%m-%d} 10"])
                scripts += [[openid, "返校"] for openid, _ in members[1:]]
    engine.dispose()
    return scripts


def say(port: int, openid: str, content: str) -> tuple[float, str]:
    body = text_xml(openid, content, next(MSG_IDS), int(time.time()))
    request = urllib.request.Request(f"http://127.0.0.1:{port}/wechat?{signed_query(TOKEN, openid)}", data=body,
                                     headers={"Content-Type": "text/xml"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as answer:
        reply = answer.read().decode()
    return time.perf_counter() - started, reply


def burst(port: int, scripts: list[list[str]]) -> tuple[list[float], list[str], float]:
    """Every sender at once (a barrier), each sending its messages one after another."""
    latencies: list[float] = []
    replies: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(scripts))

    def sender(script: list[str]) -> None:
        openid, *messages = script
        barrier.wait()
        for message in messages:
            try:
                took, reply = say(port, openid, message)
            except Exception as error:   # counted, not fatal: the run reports it
                took, reply = 30.0, f"ERROR {error}"
            with lock:
                latencies.append(took)
                replies.append(reply)

    threads = [threading.Thread(target=sender, args=(s,)) for s in scripts]
    for t in threads:
        t.start()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return latencies, replies, time.perf_counter() - started


def proc_ticks() -> dict[int, tuple[int, str, int]]:
    """Every process's (parent, name, CPU ticks so far), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            found[int(entry.name)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def cpu_split(before: dict, after: dict, server: int) -> tuple[float, float]:
    """CPU seconds the bot's processes (the server and its workers) and PostgreSQL's used between
    two /proc snapshots. PostgreSQL's includes the other sessions' queries on a shared machine."""
    def bot(pid: int) -> bool:
        while pid in after and pid != server:
            pid = after[pid][0]
        return pid == server

    spent = {"bot": 0, "postgres": 0}
    for pid, (_, name, ticks) in after.items():
        side = "bot" if bot(pid) else "postgres" if name.startswith("postgres") else None
        if side:
            spent[side] += ticks - (before[pid][2] if pid in before and before[pid][1] == name else 0)
    hz = os.sysconf("SC_CLK_TCK")
    return spent["bot"] / hz, spent["postgres"] / hz


def report(name: str, latencies: list[float], elapsed: float, cpu: tuple[float, float]) -> None:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    n = len(latencies)
    print(f"{name:10}{n:>8}{n / elapsed:>10.0f}{p(0.5):>10.0f}{p(0.99):>10.0f}"
          f"{statistics.mean(latencies) * 1000:>10.0f}{cpu[0] / n * 1000:>10.1f}{cpu[1] / n * 1000:>10.1f}")


def check(url: str, day: dt.date) -> str:
    from models.db import make_engine
    from models.reunion import HOLDING, ReunionBooking, ReunionDay, ReunionMember, ReunionSlot

    engine = make_engine(url)
    with engine.connect() as db:
        row = db.execute(select(ReunionDay).where(ReunionDay.day == day)).one()
        holding = db.execute(select(ReunionBooking.id, ReunionBooking.people, ReunionBooking.slot_id,
                                    ReunionBooking.lunch).where(ReunionBooking.status.in_(HOLDING))).all()
        slots = db.execute(select(ReunionSlot.id, ReunionSlot.booked, ReunionSlot.capacity)).all()
        heads = dict(db.execute(select(ReunionMember.booking_id, func.sum(ReunionMember.party))
                                .group_by(ReunionMember.booking_id)).all())
    engine.dispose()
    held = sum(b.people for b in holding)
    problems = []
    if row.people_booked != held or held > row.people_capacity:
        problems.append(f"day {row.people_booked} vs held {held} of {row.people_capacity}")
    if row.lunch_booked != sum(b.people for b in holding if b.lunch):
        problems.append("lunch counter differs")
    for s in slots:
        if s.booked != sum(b.people for b in holding if b.slot_id == s.id) or s.booked > s.capacity:
            problems.append(f"slot {s.id}: {s.booked} of {s.capacity}")
    problems += [f"booking {b.id}: {heads[b.id]} people on {b.people} places" for b in holding
                 if heads.get(b.id, 0) > b.people]
    return (f"{len(holding)} bookings hold {held} of {row.people_capacity} places; "
            + ("zero overbooking" if not problems else "OVERBOOKED: " + "; ".join(problems)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--only", help="every alumnus sends this one message instead (e.g. 返校): "
                        "one kind's own rate, to tell the handlers' CPU from the day's row lock")
    args = parser.parse_args()

    from models.db import make_engine

    schema = f"bench_reunion_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.database)
    with admin.begin() as db:
        db.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{args.database}{'&' if '?' in args.database else '?'}options=-csearch_path%3D{schema}"
    work = Path(tempfile.mkdtemp(prefix="bench-reunion-"))
    env = {**os.environ, "ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_DATABASE_URL": url,
           "ALUMNI_BOT_REDIS_URL": args.redis, "ALUMNI_BOT_REDIS_KEY_PREFIX": f"{schema}:",
           "ALUMNI_BOT_WECHAT_TOKEN": TOKEN, "ALUMNI_BOT_APP_SECRET_KEY": "bench",
           "ALUMNI_BOT_REUNION_DAILY_CAPACITY_PEOPLE": str(CAPACITY)}
    os.environ.update({k: v for k, v in env.items() if k.startswith("ALUMNI_BOT_REUNION_")})
    bin_dir = Path(sys.executable).parent
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    server = None
    try:
        subprocess.run([bin_dir / "alumni-bot", "init-db"], env=env, check=True, capture_output=True)
        day = visit_day()
        scripts = seed(url, day, classes=100, per_class=5, booked=40)
        if args.only:
            scripts = [[s[0], args.only] for s in scripts]
        port = free_port()
        server = start([str(bin_dir / "alumni-bot"), "serve", "--host", "127.0.0.1", "--port", str(port),
                        "--workers", "2", "--threads", "8"], env, work)
        wait_up(f"http://127.0.0.1:{port}/healthz")
        say(port, "o-bench-warm", "帮助")
        before = proc_ticks()
        latencies, replies, elapsed = burst(port, scripts)
        cpu = cpu_split(before, proc_ticks(), server.pid)
        outcomes = {"booked": sum("预约已提交" in r for r in replies),
                    "joined": sum("已加入编号" in r for r in replies),
                    "refused (full)": sum("已约满" in r or "您预约了" in r or "名额不够" in r for r in replies),
                    "late or error": sum(r in ("", "success") or r.startswith("ERROR") for r in replies)}
        before = proc_ticks()
        help_latencies, _, help_elapsed = burst(port, [[s[0], "帮助"] for s in scripts])
        help_cpu = cpu_split(before, proc_ticks(), server.pid)
        print(f"{len(scripts)} alumni at once on PostgreSQL, day {day} for {CAPACITY} people, "
              f"server: 2 workers x 8 threads")
        print(f"{'':10}{'requests':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}"
              f"{'bot CPU':>10}{'PG CPU':>10}  (ms per request)")
        report(args.only or "reunion", latencies, elapsed, cpu)
        report("帮助", help_latencies, help_elapsed, help_cpu)
        print(f"load average before the run: {load}")
        print("outcomes:", ", ".join(f"{k} {v}" for k, v in outcomes.items()))
        print(check(url, day))
    finally:
        if server is not None:
            stop(server)
        with admin.begin() as db:
            db.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
