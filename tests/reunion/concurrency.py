"""Firing booking and join attempts at once: threads in this process, or spawned processes each
with threads of their own. Every attempt has its own Session (its own connection) on the real
database; all start together behind a barrier. Kept apart from the tests so a spawned process
imports only this module and the code under test."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from handlers.reunion import lifecycle
from handlers.reunion.booking import BookingRefused, Needs, book, cancel, join
from handlers.reunion.lifecycle import Refused
from handlers.settings import Settings
from handlers.staff.scope import Scope
from models import Alumnus, WechatUser
from models.db import make_engine
from models.reunion import ReunionBooking
from models.staff import StaffRole

NO_NEEDS = Needs()


@dataclass(frozen=True)
class Attempt:
    kind: str              # "book", "join", "cancel" (the contact) or "decline" (staff)
    alumnus_id: int
    day: dt.date | None = None
    people: int = 0
    needs: Needs = NO_NEEDS
    optional: bool = False
    booking_id: int = 0
    companions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    ok: bool
    reason: str = ""
    error: str = ""        # anything but a refusal: a deadlock, a lock timeout (must never happen)


def run_one(sessions, settings: Settings, attempt: Attempt, now: dt.datetime) -> Outcome:
    try:
        with sessions.begin() as session:
            alumnus = session.get(Alumnus, attempt.alumnus_id)
            if attempt.kind == "book":
                book(session, alumnus, attempt.day, attempt.people, attempt.needs, now=now,
                     settings=settings, channel="api", optional=attempt.optional)
            elif attempt.kind == "join":
                join(session, alumnus, attempt.booking_id, list(attempt.companions), now=now,
                     settings=settings)
            elif attempt.kind == "cancel":
                cancel(session, session.get(WechatUser, alumnus.wechat_user_id), attempt.booking_id,
                       now=now, settings=settings)
            else:
                lifecycle.decline(session, session.get(ReunionBooking, attempt.booking_id), "名额调整",
                                  scope=Scope(StaffRole.STAFF), actor="staff", now=now,
                                  notify=lambda *args, **kwargs: None)
        return Outcome(attempt, True)
    except (BookingRefused, Refused) as refused:
        return Outcome(attempt, False, reason=str(refused))
    except Exception as error:   # reported, and the test fails on it
        return Outcome(attempt, False, error=f"{type(error).__name__}: {error}")


# PostgreSQL's max_connections (100) is shared with other test runs: threads beyond this many
# wait for a pooled connection, while this many are inside the database at once.
PG_CONNECTIONS = 30


def run_threads(url: str, settings: Settings, attempts: list[Attempt], now: dt.datetime,
                start=None, connections: int | None = None) -> list[Outcome]:
    """All `attempts` at once, one thread and one Session each; `start` (a process barrier)
    lines this process up with the others first."""
    if connections is None:
        connections = len(attempts) if url.startswith("sqlite") else min(len(attempts), PG_CONNECTIONS)
    engine = make_engine(url, pool_size=connections, max_overflow=0, pool_timeout=120)
    sessions = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(len(attempts))
    outcomes: list[Outcome | None] = [None] * len(attempts)

    def worker(i: int) -> None:
        barrier.wait()
        outcomes[i] = run_one(sessions, settings, attempts[i], now)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(attempts))]
    if start is not None:
        start.wait()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    return [o for o in outcomes if o is not None]


def process_main(url: str, settings: Settings, attempts: list[Attempt], now: dt.datetime, start,
                 results, connections: int) -> None:
    """A spawned process's entry: its share of the attempts, on threads, when all are ready."""
    results.put(run_threads(url, settings, attempts, now, start, connections))
