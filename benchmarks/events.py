"""校友活动 under load: a marathon opening, 2,000 alumni sending 报名 <编号> through the webhook at
once for 500 seats, on PostgreSQL + Redis.

Starts `alumni-bot serve --workers 2 --threads 8` on a fresh PostgreSQL schema, seeds 2,000 bound
alumni and one open 校园马拉松 with 500 seats (no guests, no questions: 报名 completes in one
message), then every alumnus at once, one thread each, sends `报名 <编号>`. Then the same 2,000
send `帮助` at once, the floor any reply costs, in the same run. Reported: requests/s and p50/p99
of each burst, the replies (报名成功 / 进入候补), and the event checked against its registrations:
exactly 500 confirmed, 1,500 waitlisted at positions 1..1,500 (no gap, none twice: arrival order) each reply naming its own, the seat counter equal to
the confirmed seats. Run by hand:

    python benchmarks/events.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                [--redis redis://127.0.0.1:6379/14] [--alumni 2000] [--seats 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from sqlalchemy import func, select, text

from benchmarks.webhook import free_port, signed_query, start, stop, text_xml, wait_up

TOKEN = "bench-events-token"
MSG_IDS = itertools.count(int(time.time() * 1000))


def seed(url: str, alumni: int, seats: int) -> tuple[int, list[str]]:
    """The bound alumni and the open marathon; its number and the senders' openids."""
    from handlers.directory.names import name_key
    from models import Alumnus, WechatUser
    from models.db import make_engine, make_session_factory

    now = dt.datetime.now(dt.UTC)
    engine = make_engine(url)
    openids = []
    with make_session_factory(engine).begin() as session:
        for n in range(alumni):
            user = WechatUser(openid=f"o-bench-ev-{n}", subscribed=True, created_at=now)
            session.add(user)
            session.flush()
            session.add(Alumnus(student_id=f"E{n:06d}", name=f"跑者{n}", graduation_year=2000 + n % 25,
                                college=f"第{n % 20}学院", degree="本科", name_key=name_key(f"跑者{n}"),
                                search_pinyin="", search_initials="", imported_at=now,
                                wechat_user_id=user.id, bound_at=now))
            openids.append(user.openid)
        number = open_event(session, "2026 校友校园马拉松", now + dt.timedelta(days=20), seats, now=now)
    engine.dispose()
    return number, openids


def open_event(session, title: str, starts: dt.datetime, seats: int, *, now: dt.datetime,
               hours: float = 4) -> int:
    """An open event for bound alumni, no guests and no questions (报名 completes in one
    message); its number."""
    from models.event import Event, EventStatus

    event = Event(title=title, kind="校园马拉松", place="东操场", starts_at=starts,
                  ends_at=starts + dt.timedelta(hours=hours), seats=seats, seats_taken=0,
                  waitlist_next=1, audience="bound", status=EventStatus.OPEN,
                  created_by="bench", created_at=now, updated_at=now)
    session.add(event)
    session.flush()
    return event.id


def say(port: int, openid: str, content: str) -> tuple[float, str]:
    body = text_xml(openid, content, next(MSG_IDS), int(time.time()))
    request = urllib.request.Request(f"http://127.0.0.1:{port}/wechat?{signed_query(TOKEN, openid)}", data=body,
                                     headers={"Content-Type": "text/xml"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as answer:
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
                took, reply = 60.0, f"ERROR {error}"
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


class LockWatch:
    """What the server's backends do during a burst: pg_stat_activity every 0.2 s, only the
    connections named for this run (application_name), since the database is shared."""

    def __init__(self, database: str, name: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(database, pool_size=1, isolation_level="AUTOCOMMIT")
        self.name = name
        self.waits: dict[str, int] = {}
        self.samples = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> LockWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.engine.dispose()

    def _sample(self) -> None:
        query = text("SELECT wait_event_type, wait_event FROM pg_stat_activity "
                     "WHERE application_name = :name AND state = 'active'")
        with self.engine.connect() as db:
            while not self.stopping.wait(0.2):
                self.samples += 1
                for kind, event in db.execute(query, {"name": self.name}):
                    key = f"{kind}:{event}" if event else "CPU"
                    self.waits[key] = self.waits.get(key, 0) + 1

    def line(self) -> str:
        """Mean active backends, and the share of them by what they waited on."""
        active = sum(self.waits.values())
        shares = ", ".join(f"{k} {v / active:.0%}" for k, v in
                           sorted(self.waits.items(), key=lambda kv: -kv[1])[:3]) if active else "-"
        locked = sum(v for k, v in self.waits.items() if k.startswith("Lock:"))
        return (f"PG during 报名: {active / max(self.samples, 1):.1f} active backends "
                f"({locked / max(self.samples, 1):.1f} waiting on a lock); {shares}")


def report(name: str, latencies: list[float], elapsed: float) -> None:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    print(f"{name:10}{len(latencies):>8}{len(latencies) / elapsed:>10.0f}{p(0.5):>10.0f}{p(0.99):>10.0f}"
          f"{statistics.mean(latencies) * 1000:>10.0f}")


def told_places(replies: list[str]) -> dict[str, int]:
    """openid -> the place in line its 进入候补 reply named (排在第 N 位)."""
    out = {}
    for reply in replies:
        who = re.search(r"<ToUserName><!\[CDATA\[(.*?)\]\]>", reply)
        place = re.search(r"排在第 (\d+) 位", reply)
        if who and place:
            out[who.group(1)] = int(place.group(1))
    return out


def check(url: str, event_id: int, seats: int, alumni: int, told: dict[str, int]) -> tuple[str, bool]:
    """The counters against the registrations, and the line in arrival order: the positions are
    1..N with no gap (handed out under the event's row lock, which a sign-up holds until it
    commits, so in the order the sign-ups committed), and every 进入候补 reply named its own
    position (nobody left the line during the burst, so place in line = position)."""
    from models import WechatUser
    from models.db import make_engine
    from models.event import Event, Registration, RegistrationStatus

    engine = make_engine(url)
    with engine.connect() as db:
        event = db.execute(select(Event.seats_taken, Event.waitlist_next).where(Event.id == event_id)).one()
        by_status = dict(db.execute(select(Registration.status, func.count())
                                    .where(Registration.event_id == event_id)
                                    .group_by(Registration.status)).all())
        positions = db.execute(select(func.count(Registration.position),
                                      func.count(Registration.position.distinct()),
                                      func.min(Registration.position), func.max(Registration.position))
                               .where(Registration.event_id == event_id,
                                      Registration.status == RegistrationStatus.WAITLISTED)).one()
        held = dict(db.execute(select(WechatUser.openid, Registration.position)
                               .join(WechatUser, WechatUser.id == Registration.wechat_user_id)
                               .where(Registration.event_id == event_id,
                                      Registration.status == RegistrationStatus.WAITLISTED)).all())
    engine.dispose()
    mismatched = sum(held.get(openid) != float(place) for openid, place in told.items())
    confirmed = by_status.get(RegistrationStatus.CONFIRMED, 0)
    waitlisted = by_status.get(RegistrationStatus.WAITLISTED, 0)
    ok = (confirmed == seats == event.seats_taken and waitlisted == alumni - seats
          and positions[0] == positions[1] == waitlisted
          and (waitlisted == 0 or (positions[2] == 1 and positions[3] == waitlisted)) and mismatched == 0)
    line = (f"{confirmed} confirmed (seat counter {event.seats_taken} of {seats}), {waitlisted} waitlisted "
            f"at {positions[1]} distinct positions {positions[2]:g}..{positions[3]:g}; "
            f"{len(told)} 进入候补 replies, {mismatched} naming a place other than their position; "
            + ("exact" if ok else "WRONG"))
    return line, ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--alumni", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=500)
    args = parser.parse_args()

    from models.db import make_engine

    schema = f"bench_events_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.database)
    with admin.begin() as db:
        db.execute(text(f"CREATE SCHEMA {schema}"))
    url = (f"{args.database}{'&' if '?' in args.database else '?'}options=-csearch_path%3D{schema}"
           f"&application_name={schema}")
    work = Path(tempfile.mkdtemp(prefix="bench-events-"))
    env = {**os.environ, "ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_DATABASE_URL": url,
           "ALUMNI_BOT_REDIS_URL": args.redis, "ALUMNI_BOT_REDIS_KEY_PREFIX": f"{schema}:",
           "ALUMNI_BOT_WECHAT_TOKEN": TOKEN, "ALUMNI_BOT_APP_SECRET_KEY": "bench"}
    bin_dir = Path(sys.executable).parent
    server = None
    try:
        subprocess.run([bin_dir / "alumni-bot", "init-db"], env=env, check=True, capture_output=True)
        event_id, openids = seed(url, args.alumni, args.seats)
        port = free_port()
        server = start([str(bin_dir / "alumni-bot"), "serve", "--host", "127.0.0.1", "--port", str(port),
                        "--workers", "2", "--threads", "8"], env, work)
        wait_up(f"http://127.0.0.1:{port}/healthz")
        say(port, "o-bench-warm", "帮助")
        with LockWatch(args.database, schema) as watch:
            latencies, replies, elapsed = burst(port, [[o, f"报名 {event_id}"] for o in openids])
        outcomes = {"报名成功": sum("报名成功" in r for r in replies),
                    "进入候补": sum("进入候补" in r for r in replies),
                    "late (answered by push)": sum(r in ("", "success") for r in replies),
                    "client timeout or error": sum(r.startswith("ERROR") for r in replies)}
        outcomes["other"] = len(replies) - sum(outcomes.values())
        others = [r for r in replies if not any(m in r for m in ("报名成功", "进入候补", "ERROR"))
                  and r not in ("", "success")]
        help_latencies, _, help_elapsed = burst(port, [[o, "帮助"] for o in openids])
        print(f"{len(openids)} alumni at once on PostgreSQL, one event of {args.seats} seats, "
              f"server: 2 workers x 8 threads")
        print(f"{'':10}{'requests':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
        report("报名", latencies, elapsed)
        report("帮助", help_latencies, help_elapsed)
        print(watch.line())
        print("replies:", ", ".join(f"{k} {v}" for k, v in outcomes.items()))
        for sample in others[:3]:
            print("other reply:", sample[:300])
        line, ok = check(url, event_id, args.seats, args.alumni, told_places(replies))
        print(line)
        if not ok:
            sys.exit(1)
    finally:
        if server is not None:
            stop(server)
        with admin.begin() as db:
            db.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
