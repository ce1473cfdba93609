"""No overbooking, ever: 200 bookings and joins fired at once at a day with room for 10 classes,
with real threads (and on PostgreSQL real processes), each on its own Session of the real database.

What fits is confirmed and nothing more: the day's and slots' counters equal the places the
holding bookings hold, never above capacity, and every refusal says the day is full.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import time

import pytest
from sqlalchemy import func, select

from handlers.reunion.booking import Needs, book, join
from handlers.settings import Settings
from models.reunion import (
    HOLDING,
    ReunionBooking,
    ReunionDay,
    ReunionMember,
    ReunionSlot,
    ReunionVenue,
)
from tests.conftest import TEST_DATABASE_URL
from tests.reunion.concurrency import Attempt, Outcome, process_main, run_threads
from tests.reunion.support import NOW, VISIT_DAY, add_classmate

TEN = 10   # every class brings ten


def settings_with(**reunion) -> Settings:
    base = Settings()
    return dataclasses.replace(base, reunion=dataclasses.replace(base.reunion, **reunion))


# A day with room for exactly 10 classes of ten: 100 people, two slots of 50.
ROOM_FOR_TEN = settings_with(daily_capacity_people=100, entry_slots=["09:00-10:00", "14:00-15:00"],
                             slot_capacity_people=50, tour_groups=100, lunch_capacity=1000)


def seed(runtime, settings: Settings, *, new_classes: int, booked_classes: int, joiners_each: int,
         pre_joined: int = 0):
    """Bound alumni: `new_classes` contacts of classes with no booking, and `booked_classes`
    classes already booked (ten places held, the contact plus `pre_joined` members) with
    `joiners_each` classmates not yet joined. Returns (contact ids, {booking id: [joiner ids]})."""
    contacts, joiners = [], {}
    with runtime.sessions.begin() as session:
        for i in range(new_classes):
            contacts.append(add_classmate(session, f"o-c{i}", f"C{i}", "联系人", college=f"新{i}学院").id)
        for j in range(booked_classes):
            college = f"已{j}学院"
            contact = add_classmate(session, f"o-b{j}", f"B{j}", "预约人", college=college)
            booking = book(session, contact, VISIT_DAY, TEN, Needs(tour=True, lunch=True), now=NOW,
                           settings=settings, channel="bot").booking
            for k in range(pre_joined):
                member = add_classmate(session, f"o-p{j}-{k}", f"P{j}-{k}", "同学", college=college)
                join(session, member, booking.id, [], now=NOW, settings=settings)
            joiners[booking.id] = [add_classmate(session, f"o-j{j}-{k}", f"J{j}-{k}", "同学",
                                                 college=college).id for k in range(joiners_each)]
    return contacts, joiners


def attempts_for(contacts, joiners) -> list[Attempt]:
    books = [Attempt("book", a, day=VISIT_DAY, people=TEN, needs=Needs(tour=True, lunch=True))
             for a in contacts]
    joins = [Attempt("join", a, booking_id=b) for b, ids in joiners.items() for a in ids]
    mixed = []
    while books or joins:   # interleaved, so joins and bookings start side by side
        for source in (books, books, books, joins):
            if source:
                mixed.append(source.pop())
    return mixed


def in_processes(url: str, settings: Settings, attempts: list[Attempt], processes: int = 4,
                 connections: int = 7) -> list[Outcome]:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(processes), ctx.Queue()
    shares = [attempts[i::processes] for i in range(processes)]
    workers = [ctx.Process(target=process_main, args=(url, settings, share, NOW, start, results, connections))
               for share in shares]
    for w in workers:
        w.start()
    outcomes = [o for _ in workers for o in results.get(timeout=120)]
    for w in workers:
        w.join(timeout=30)
    return outcomes


def state(runtime):
    with runtime.sessions() as session:
        day = session.scalar(select(ReunionDay).where(ReunionDay.day == VISIT_DAY))
        holding = list(session.scalars(select(ReunionBooking).where(ReunionBooking.status.in_(HOLDING))))
        slots = {s.id: (s.booked, s.capacity) for s in session.scalars(select(ReunionSlot))}
        headcounts = dict(session.execute(select(ReunionMember.booking_id, func.sum(ReunionMember.party))
                                          .group_by(ReunionMember.booking_id)).all())
        venues = [v.booking_id for v in session.scalars(select(ReunionVenue)) if v.booking_id is not None]
        return day, holding, slots, headcounts, venues


def assert_nothing_overbooked(runtime):
    day, holding, slots, headcounts, _ = state(runtime)
    assert day.people_booked == sum(b.people for b in holding) <= day.people_capacity
    assert day.lunch_booked == sum(b.people for b in holding if b.lunch) <= day.lunch_capacity
    assert day.tour_booked == sum(1 for b in holding if b.tour) <= day.tour_capacity
    for slot_id, (booked, capacity) in slots.items():
        assert booked == sum(b.people for b in holding if b.slot_id == slot_id) <= capacity
    for b in holding:
        assert headcounts[b.id] <= b.people   # every member has a place
    return day, holding, headcounts


def url_of(runtime) -> str:
    return runtime.config.database.url


def fire(runtime, settings, attempts, how: str) -> tuple[list[Outcome], float]:
    started = time.perf_counter()
    if how == "threads":
        outcomes = run_threads(url_of(runtime), settings, attempts, NOW)
    else:
        outcomes = in_processes(url_of(runtime), settings, attempts)
    elapsed = time.perf_counter() - started
    assert len(outcomes) == len(attempts)
    assert [o.error for o in outcomes if o.error] == []
    return outcomes, elapsed


HOW = ["threads"] + (["processes"] if TEST_DATABASE_URL else [])


@pytest.mark.parametrize("how", HOW)
def test_200_bookings_and_joins_at_once_confirm_exactly_the_ten_classes_that_fit(runtime, how):
    # Two classes booked already (ten places, the contact alone): 80 places left for 8 more.
    # 182 new classes book ten each; 18 classmates join the two (they fill held places).
    contacts, joiners = seed(runtime, ROOM_FOR_TEN, new_classes=182, booked_classes=2, joiners_each=9)
    attempts = attempts_for(contacts, joiners)
    assert len(attempts) == 200
    outcomes, elapsed = fire(runtime, ROOM_FOR_TEN, attempts, how)
    day, holding, headcounts = assert_nothing_overbooked(runtime)
    assert len(holding) == 10 and day.people_booked == 100
    booked = [o for o in outcomes if o.ok and o.attempt.kind == "book"]
    assert len(booked) == 8
    assert all(o.ok for o in outcomes if o.attempt.kind == "join")
    assert sorted(headcounts[b] for b in joiners) == [10, 10]
    refusals = [o.reason for o in outcomes if not o.ok]
    assert len(refusals) == 174
    assert all("已约满" in r for r in refusals), {r for r in refusals if "已约满" not in r}
    print(f"\n{how}: 200 attempts in {elapsed:.2f}s, 10 classes confirmed, 174 refused as full")


@pytest.mark.parametrize("how", HOW)
def test_joins_that_grow_a_booking_race_new_classes_for_the_last_places(runtime, how):
    # One slot of 100; two classes hold ten places each, all taken by members already. Each of
    # 50 joins needs one more place, each of 150 new classes ten: whoever comes first gets them.
    settings = settings_with(daily_capacity_people=100, entry_slots=["09:00-10:00"],
                             slot_capacity_people=100, tour_groups=100, lunch_capacity=1000)
    contacts, joiners = seed(runtime, settings, new_classes=150, booked_classes=2, joiners_each=25,
                             pre_joined=9)
    outcomes, _ = fire(runtime, settings, attempts_for(contacts, joiners), how)
    day, holding, headcounts = assert_nothing_overbooked(runtime)
    grown = sum(1 for o in outcomes if o.ok and o.attempt.kind == "join")
    new = sum(1 for o in outcomes if o.ok and o.attempt.kind == "book")
    assert day.people_booked == 20 + grown + TEN * new
    assert all(headcounts[b.id] == b.people for b in holding if b.id in joiners)
    refused_joins = [o.reason for o in outcomes if not o.ok and o.attempt.kind == "join"]
    refused_books = [o.reason for o in outcomes if not o.ok and o.attempt.kind == "book"]
    if refused_joins:   # one place was too many: the day is full to the last place
        assert day.people_booked == day.people_capacity
        assert all("还可接待 0 人，加入需要增加 1 人" in r for r in refused_joins)
    assert refused_books and day.people_capacity - day.people_booked < TEN
    assert all("已约满" in r or "还可接待" in r for r in refused_books)


@pytest.mark.parametrize("how", HOW)
def test_venues_tours_lunches_and_lodging_go_to_exactly_as_many_classes_as_they_hold(runtime, how):
    # 20 classes at once, each wanting a venue, a tour, lunch and 5 rooms, with the defaults'
    # rule (a need that does not fit is left out): 3 venues, 4 tours, 55 lunches, 25 rooms.
    settings = settings_with(daily_capacity_people=1000, slot_capacity_people=1000, tour_groups=4,
                             lunch_capacity=55, lodging_capacity=25,
                             venues=["甲厅:40", "乙厅:30", "丙厅:200", "小间:8"])
    contacts, _ = seed(runtime, settings, new_classes=20, booked_classes=0, joiners_each=0)
    wanted = Needs(venue_size=TEN, tour=True, lunch=True, lodging=5)
    attempts = [Attempt("book", a, day=VISIT_DAY, people=TEN, needs=wanted, optional=True) for a in contacts]
    outcomes, _ = fire(runtime, settings, attempts, how)
    assert all(o.ok for o in outcomes)
    day, holding, _ = assert_nothing_overbooked(runtime)
    _, _, _, _, venues = state(runtime)
    assert len(holding) == 20
    assert len(venues) == len(set(venues)) == 3 == sum(1 for b in holding if b.venue_size)
    assert sum(1 for b in holding if b.tour) == 4 == day.tour_booked
    assert sum(1 for b in holding if b.lunch) == 5 and day.lunch_booked == 50
    assert sum(1 for b in holding if b.lodging) == 5 and day.lodging_booked == 25


@pytest.mark.parametrize("how", HOW)
def test_classmates_booking_their_class_at_once_make_one_booking(runtime, how):
    # 20 classmates of one class book at once (on two different days): the unique class_key keeps
    # one; the others are told its number, and nothing they took stays taken.
    with runtime.sessions.begin() as session:
        ids = [add_classmate(session, f"o-s{i}", f"S{i}", "同班").id for i in range(20)]
    days = [VISIT_DAY, VISIT_DAY + dt.timedelta(days=1)]
    attempts = [Attempt("book", a, day=days[i % 2], people=TEN, needs=Needs(tour=True, lunch=True))
                for i, a in enumerate(ids)]
    outcomes, _ = fire(runtime, ROOM_FOR_TEN, attempts, how)
    assert sum(o.ok for o in outcomes) == 1
    with runtime.sessions() as session:
        [booking] = session.scalars(select(ReunionBooking)).all()
        rows = {d.day: d for d in session.scalars(select(ReunionDay))}
    assert all(f"编号 {booking.id}" in o.reason for o in outcomes if not o.ok)
    assert sum(d.people_booked for d in rows.values()) == TEN and sum(d.tour_booked for d in rows.values()) == 1


@pytest.mark.parametrize("how", HOW)
def test_joins_a_cancel_and_a_decline_of_one_booking_at_once_never_deadlock_or_leak(runtime, how):
    # A full booking (ten places, ten people) takes 40 growing joins, its contact's cancel and a
    # staff decline at once, beside 60 new classes. The booking changes once (cancelled or
    # declined), what it held goes back exactly once, and no request dies of a deadlock.
    settings = settings_with(daily_capacity_people=100, entry_slots=["09:00-10:00"],
                             slot_capacity_people=100, tour_groups=100, lunch_capacity=1000)
    contacts, joiners = seed(runtime, settings, new_classes=60, booked_classes=1, joiners_each=40,
                             pre_joined=9)
    [booking_id] = joiners
    with runtime.sessions() as session:
        contact = session.scalar(select(ReunionBooking.contact_alumnus_id))
    attempts = attempts_for(contacts, joiners)
    attempts[len(attempts) // 3:len(attempts) // 3] = [Attempt("cancel", contact, booking_id=booking_id)]
    attempts[len(attempts) // 2:len(attempts) // 2] = [Attempt("decline", contact, booking_id=booking_id)]
    outcomes, _ = fire(runtime, settings, attempts, how)
    ended = [o for o in outcomes if o.attempt.kind in ("cancel", "decline") and o.ok]
    assert len(ended) == 1
    day, holding, _ = assert_nothing_overbooked(runtime)
    assert booking_id not in {b.id for b in holding}
    assert day.people_booked == TEN * sum(1 for o in outcomes if o.ok and o.attempt.kind == "book")
