"""Seats hold under concurrency: 200 sign-ups fired at once, with real threads, each on its own
Session of the real database (SQLite here; PostgreSQL with ALUMNI_BOT_TEST_DATABASE_URL), at an
event with 20 seats. Exactly 20 are confirmed, the other 180 are on the waitlist with the distinct
positions 1..180, each told the place it holds, and the event's counters say the same; parties with
guests at once never take more seats than there are. Then cancels and sign-ups at once never
overbook either, one user's double sign-up at once keeps one registration, and a sign-up that finds
the event closed at its last step leaves nothing behind."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from handlers.events.signup import Extras, SignupRefused, cancel, sign_up
from handlers.settings import Settings
from models import WechatUser
from models.db import make_engine
from models.event import HOLDING_SEATS, Event, EventStatus, Registration, RegistrationStatus
from tests.events.support import NOW, add_event
from tests.reunion.support import add_classmate

SETTINGS = Settings()
PG_CONNECTIONS = 30   # PostgreSQL's max_connections is shared with other test runs


@dataclass(frozen=True)
class Outcome:
    user_id: int
    kind: str
    ok: bool
    waitlisted: bool = False
    place: int | None = None   # the place in line the reply named
    error: str = ""      # anything but a refusal (a deadlock, a lock timeout): must never happen


def fire(url: str, attempts: list[tuple[str, int]], event_id: int, guests: dict[int, int] | None = None
         ) -> list[Outcome]:
    """Every (kind, user id) at once: one thread and one Session each, behind a barrier."""
    connections = len(attempts) if url.startswith("sqlite") else min(len(attempts), PG_CONNECTIONS)
    engine = make_engine(url, pool_size=connections, max_overflow=0, pool_timeout=120)
    sessions = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(len(attempts))
    outcomes: list[Outcome | None] = [None] * len(attempts)

    def worker(i: int) -> None:
        kind, user_id = attempts[i]
        barrier.wait()
        try:
            with sessions() as session:
                user = session.get(WechatUser, user_id)
                if kind == "signup":   # as the doors do: the sign-up commits the request
                    extras = Extras(guests=(guests or {}).get(user_id, 0))
                    done = sign_up(session, user, event_id, extras, now=NOW, settings=SETTINGS, channel="api",
                                   commit=True)
                    outcomes[i] = Outcome(user_id, kind, True, done.waitlisted, done.place_in_line)
                else:
                    cancel(session, user, event_id, now=NOW, settings=SETTINGS, notify=None)
                    session.commit()
                    outcomes[i] = Outcome(user_id, kind, True)
        except SignupRefused:
            outcomes[i] = Outcome(user_id, kind, False)
        except Exception as error:   # reported; the test fails on it
            outcomes[i] = Outcome(user_id, kind, False, error=f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(attempts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    return [o for o in outcomes if o is not None]


def seed(runtime, alumni: int, seats: int) -> tuple[int, list[int]]:
    with runtime.sessions.begin() as session:
        users = [add_classmate(session, f"o-e{i}", f"E{i:04d}", "校友", year=2010).wechat_user_id
                 for i in range(alumni)]
        return add_event(session, "校园马拉松", seats=seats).id, users


def url_of(runtime) -> str:
    return runtime.config.database.url   # the test's own database (its own schema on PostgreSQL)


def counted(runtime, event_id: int):
    with runtime.sessions() as session:
        event = session.get(Event, event_id)
        rows = list(session.scalars(select(Registration).where(Registration.event_id == event_id)))
        holding = sum(r.seats for r in rows if r.status in HOLDING_SEATS)
        return event, rows, holding


def test_two_hundred_sign_ups_at_once_for_twenty_seats_confirm_exactly_twenty(runtime):
    event_id, users = seed(runtime, 200, 20)
    outcomes = fire(url_of(runtime), [("signup", u) for u in users], event_id)
    assert [o.error for o in outcomes if o.error] == []
    assert len(outcomes) == 200 and all(o.ok for o in outcomes)
    assert sum(not o.waitlisted for o in outcomes) == 20
    event, rows, holding = counted(runtime, event_id)
    confirmed = [r for r in rows if r.status is RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status is RegistrationStatus.WAITLISTED]
    assert len(confirmed) == 20 and len(waiting) == 180
    assert sorted(r.position for r in waiting) == [float(p) for p in range(1, 181)]
    assert event.seats_taken == holding == 20 and event.waitlist_next == 181
    assert all(r.position is None for r in confirmed)
    # Nobody left the line, so the place each reply named is the position it holds: the line is
    # in the order the sign-ups got the event's counter, with no gap and none told twice.
    held = {r.wechat_user_id: r.position for r in waiting}
    assert {o.user_id: float(o.place) for o in outcomes if o.waitlisted} == held


def test_parties_with_guests_at_once_never_take_more_seats_than_there_are(runtime):
    event_id, users = seed(runtime, 60, 20)
    with runtime.sessions.begin() as session:
        session.get(Event, event_id).max_guests = 2
    guests = {u: i % 3 for i, u in enumerate(users)}   # parties of 1, 2 and 3
    outcomes = fire(url_of(runtime), [("signup", u) for u in users], event_id, guests)
    assert [o.error for o in outcomes if o.error] == []
    assert len(outcomes) == 60 and all(o.ok for o in outcomes)
    event, rows, holding = counted(runtime, event_id)
    confirmed = [r for r in rows if r.status is RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status is RegistrationStatus.WAITLISTED]
    assert event.seats_taken == holding == sum(1 + guests[r.wechat_user_id] for r in confirmed) <= 20
    assert {o.user_id for o in outcomes if not o.waitlisted} == {r.wechat_user_id for r in confirmed}
    assert sorted(r.position for r in waiting) == [float(p) for p in range(1, len(waiting) + 1)]
    held = {r.wechat_user_id: r.position for r in waiting}
    assert {o.user_id: float(o.place) for o in outcomes if o.waitlisted} == held


def test_cancels_and_sign_ups_at_once_never_overbook_and_offer_each_freed_seat_once(runtime):
    event_id, users = seed(runtime, 120, 20)
    seated, newcomers = users[:60], users[60:]
    fire(url_of(runtime), [("signup", u) for u in seated], event_id)
    _, rows, _ = counted(runtime, event_id)
    confirmed = [r.wechat_user_id for r in rows if r.status is RegistrationStatus.CONFIRMED]
    first_ten = {r.wechat_user_id for r in rows if r.position is not None and r.position <= 10}
    # Ten of the seated cancel while sixty newcomers sign up, and five cancel twice.
    attempts = [("cancel", u) for u in confirmed[:10]] + [("cancel", u) for u in confirmed[:5]] \
        + [("signup", u) for u in newcomers]
    outcomes = fire(url_of(runtime), attempts, event_id)
    assert [o.error for o in outcomes if o.error] == []
    assert sum(o.ok for o in outcomes if o.kind == "cancel") == 10
    event, rows, holding = counted(runtime, event_id)
    assert event.seats_taken == holding == 20
    offered = [r for r in rows if r.status is RegistrationStatus.OFFERED]
    # The seats went to the first ten of the line, not to a newcomer.
    assert {r.wechat_user_id for r in offered} == first_ten
    with runtime.sessions() as session:
        waiting = session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED))
    assert waiting == 120 - 10 - 10 - 10   # all but the seated, the offered and the cancelled
    newcomer_waiting = [r for r in rows if r.wechat_user_id in newcomers]
    assert all(r.status is RegistrationStatus.WAITLISTED for r in newcomer_waiting)


def test_one_user_signing_up_ten_times_at_once_keeps_one_registration(runtime):
    event_id, users = seed(runtime, 1, 5)
    outcomes = fire(url_of(runtime), [("signup", users[0])] * 10, event_id)
    assert [o.error for o in outcomes if o.error] == []
    assert sum(o.ok for o in outcomes) == 1
    event, rows, holding = counted(runtime, event_id)
    assert len(rows) == 1 and event.seats_taken == holding == 1


def test_a_sign_up_finding_the_event_closed_meanwhile_is_refused_and_leaves_no_registration(runtime):
    event_id, users = seed(runtime, 1, 5)
    with runtime.sessions() as session:
        user = session.get(WechatUser, users[0])
        event = session.get(Event, event_id)        # read while open, as the bot's check does
        with runtime.sessions.begin() as staff:     # staff close it before the sign-up's last step
            staff.get(Event, event_id).status = EventStatus.CLOSED
        with pytest.raises(SignupRefused) as refused:
            sign_up(session, user, event_id, now=NOW, settings=SETTINGS, channel="api",
                    checked=(event, None), commit=True)
        session.rollback()
    assert refused.value.code == "closed" and "停止报名" in refused.value.reason
    event, rows, holding = counted(runtime, event_id)
    assert rows == [] and event.seats_taken == holding == 0 and event.waitlist_next == 1
