"""The load test's world and traffic (benchmarks/load.py): who is bound, what is open, what each
kind of message says, what a right answer to it contains, and whether the effects add up after.

- help: `帮助` from any bound alumnus;
- search: `查找 <word>` with words drawn from the roster (webhook.sample_words), each bound alumnus
  in turn, so none nears the 30-an-hour limit;
- book: `预约返校 <day> <2..10>` for one open Saturday, from alumni of that year's anniversary
  classes, each once: the first contact of a class books, the others are told its number, and
  once the day is full everyone is told so;
- signup: `报名 <编号>` to one of a few open events, each (alumnus, event) once; past the seats
  the line grows;
- checkin: a SCAN of the printed QR code (scene `checkin:<id>`, SPEC 5) of today's event, each of
  its pre-registered alumni once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from benchmarks.events import open_event
from benchmarks.reunion import check as check_day
from benchmarks.reunion import visit_day
from benchmarks.webhook import bind_searchers, make_public, sample_words, scan_xml, text_xml

KINDS = ("help", "search", "book", "signup", "checkin")
DEFAULT_MIX = "help=25,search=30,book=10,signup=20,checkin=15"
SCENE = "checkin:{}"
PUBLIC_SHARE = 0.2    # as benchmarks/webhook.py: every fifth record findable by all alumni
# What a right reply contains, by kind: (outcome, pattern), the first that matches names it.
# Anything else (the holding reply 正在为您处理, a refusal, an apology) is a wrong reply.
RIGHT = {
    "help": [("help", re.compile("预约返校 YYYY-MM-DD 人数"))],
    "search": [("found", re.compile("为您找到以下校友")), ("none", re.compile("没有找到符合条件的校友"))],
    "book": [("booked", re.compile(r"预约已提交，编号 \d+")),
             ("class booked", re.compile(r"已有返校预约（编号 \d+|您已在本班的返校预约中（编号 \d+")),
             ("day full", re.compile(r"已约满|还可接待 \d+ 人|时段已满"))],
    "signup": [("confirmed", re.compile("报名成功")), ("waitlisted", re.compile(r"进入候补，排在第 \d+ 位"))],
    "checkin": [("checked in", re.compile("签到成功")), ("already", re.compile("签到过"))],
}


def parse_mix(text: str) -> dict[str, float]:
    """`help=25,search=30,...` -> shares summing to 1; a kind left out is not sent."""
    shares = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        if kind.strip() not in KINDS:
            raise ValueError(f"--mix: unknown kind {kind.strip()!r} (kinds: {', '.join(KINDS)})")
        try:
            shares[kind.strip()] = float(weight)
        except ValueError:
            raise ValueError(f"--mix: {part!r} needs a number, as help=25") from None
    total = sum(shares.values())
    if total <= 0 or any(w < 0 for w in shares.values()):
        raise ValueError("--mix: weights must be >= 0 and not all 0")
    return {k: w / total for k, w in shares.items() if w}


@dataclass
class World:
    alumni: list[str]            # bound openids: help, search, signup
    bookers: list[str]           # bound to alumni of the day's anniversary classes
    scanners: list[str]          # registered (confirmed) for today's event
    day: dt.date
    events: list[int]            # open for sign-up
    checkin_event: int
    words: list[str]
    user_ids: list[int] = field(default_factory=list)


def seed(env: dict, run: str, *, openids: int, scanners: int, events: int, seats: int) -> World:
    """Bind `openids` alumni (and the anniversary classes' alumni as bookers), open the events, and
    register `scanners` of the alumni for today's event. Every fifth record is made public."""
    from wechat_bot.config import load_config

    years = load_config(environ=env).features.reunion.anniversary_years
    day = visit_day()
    make_public(env, PUBLIC_SHARE)
    ids, alumni = bind_searchers(env, openids, run)
    booker_ids, bookers = bind_searchers(env, openids, f"{run}b", years=[day.year - y for y in years])
    now = dt.datetime.now(dt.UTC)
    event_ids, checkin_event = _open_events(env, alumni, ids, events, seats, scanners, now)
    return World(alumni=alumni, bookers=bookers, scanners=alumni[:scanners], day=day, events=event_ids,
                 checkin_event=checkin_event, words=sample_words(env), user_ids=ids + booker_ids)


def _open_events(env: dict, alumni: list[str], user_ids: list[int], count: int, seats: int,
                 scanners: int, now: dt.datetime) -> tuple[list[int], int]:
    from sqlalchemy import insert, select

    from models import Alumnus
    from models.db import make_engine, make_session_factory
    from models.event import Event, Registration, RegistrationStatus

    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with make_session_factory(engine).begin() as session:
        opened = [open_event(session, f"校友活动 {n + 1}", now + dt.timedelta(days=20 + n), seats, now=now)
                  for n in range(count)]
        # Today's, begun an hour ago: check-in is allowed on the event's day(s) only.
        today = open_event(session, "校友返校日论坛", now - dt.timedelta(hours=1), scanners, now=now, hours=12)
        who = dict(session.execute(select(Alumnus.wechat_user_id, Alumnus.id)
                                   .where(Alumnus.wechat_user_id.in_(user_ids[:scanners]))).all())
        session.execute(insert(Registration), [
            {"event_id": today, "wechat_user_id": u, "alumnus_id": who.get(u), "guests": 0, "answers": {},
             "status": RegistrationStatus.CONFIRMED, "channel": "bench", "created_at": now,
             "updated_at": now, "confirmed_at": now} for u in user_ids[:scanners]])
        session.get(Event, today).seats_taken = scanners
    engine.dispose()
    return opened, today


@dataclass(frozen=True)
class Message:
    kind: str
    openid: str
    body: bytes


class Mix:
    """The traffic, drawn in a fixed order (seeded) so runs compare: each kind's senders in turn."""

    def __init__(self, world: World, shares: dict[str, float], seed: int = 25) -> None:
        self.world = world
        self.random = random.Random(seed)
        self.kinds, self.weights = list(shares), list(shares.values())
        self.msg_ids = itertools.count(int(time.time() * 1000) * 1000)
        self.turns = {kind: itertools.count() for kind in KINDS}

    def _turn(self, kind: str) -> int:
        return next(self.turns[kind])

    def next(self) -> Message:
        kind = self.random.choices(self.kinds, self.weights)[0]
        w, n = self.world, self._turn(kind)
        if kind == "checkin":
            openid = w.scanners[n % len(w.scanners)]
            return Message(kind, openid, scan_xml(openid, SCENE.format(w.checkin_event), int(time.time())))
        if kind == "help":
            openid, content = w.alumni[self.random.randrange(len(w.alumni))], "帮助"
        elif kind == "search":
            openid, content = w.alumni[n % len(w.alumni)], f"查找 {w.words[n % len(w.words)]}"
        elif kind == "book":
            openid, content = w.bookers[n % len(w.bookers)], f"预约返校 {w.day:%Y-%m-%d} {2 + n % 9}"
        else:  # signup: every alumnus to the first event, then every alumnus to the second, ...
            openid = w.alumni[n % len(w.alumni)]
            content = f"报名 {w.events[(n // len(w.alumni)) % len(w.events)]}"
        return Message(kind, openid, text_xml(openid, content, next(self.msg_ids), int(time.time())))


def outcome(kind: str, reply: str) -> str | None:
    """The right outcome the reply names, or None when the reply is wrong."""
    return next((name for name, pattern in RIGHT[kind] if pattern.search(reply)), None)


def check_effects(env: dict, world: World, outcomes: dict[str, dict[str, int]],
                  unanswered: dict[str, int]) -> tuple[list[str], bool]:
    """The database against the replies: no day overbooked, one booking per 预约已提交, each
    sign-up once with the seats never oversold, each check-in once. A message that got no right
    reply (late, timed out) may or may not have taken effect, so it widens the allowed range."""
    from sqlalchemy import func, select

    from models.db import make_engine
    from models.event import Event, Registration, RegistrationStatus
    from models.reunion import HOLDING, ReunionBooking

    engine = make_engine(env["ALUMNI_BOT_DATABASE_URL"])
    with engine.connect() as db:
        bookings = db.scalar(select(func.count()).where(ReunionBooking.status.in_(HOLDING)))
        regs = db.execute(select(Registration.event_id, Registration.status, func.count(),
                                 func.count(Registration.wechat_user_id.distinct()))
                          .where(Registration.event_id.in_(world.events))
                          .group_by(Registration.event_id, Registration.status)).all()
        seats = db.execute(select(Event.id, Event.seats, Event.seats_taken)
                           .where(Event.id.in_(world.events))).all()
        checked = db.scalar(select(func.count()).where(Registration.event_id == world.checkin_event,
                                                       Registration.checked_in_at.is_not(None)))
    engine.dispose()

    def within(name: str, have: int, replied: int, kind: str) -> tuple[str, bool]:
        most = replied + unanswered.get(kind, 0)
        ok = replied <= have <= most
        return f"{name}: {have} in the database, {replied} replies said so" + (
            f" (+ up to {unanswered[kind]} unanswered)" if unanswered.get(kind) else "") + (
            "" if ok else " MISMATCH"), ok

    lines, good = [], True
    day_line = check_day(env["ALUMNI_BOT_DATABASE_URL"], world.day)
    lines.append(f"reunion {world.day}: {day_line}")
    good &= "zero overbooking" in day_line
    for name, have, replied, kind in (
            ("bookings", bookings, outcomes.get("book", {}).get("booked", 0), "book"),
            ("sign-ups", sum(r[2] for r in regs),
             sum(outcomes.get("signup", {}).get(k, 0) for k in ("confirmed", "waitlisted")), "signup"),
            ("check-ins", checked, outcomes.get("checkin", {}).get("checked in", 0), "checkin")):
        line, ok = within(name, have, replied, kind)
        lines.append(line)
        good &= ok
    twice = sum(r[2] - r[3] for r in regs)
    confirmed = {r[0]: r[2] for r in regs if r[1] == RegistrationStatus.CONFIRMED}
    oversold = [f"event {i}: {taken} of {n} seats, {confirmed.get(i, 0)} confirmed" for i, n, taken in seats
                if taken > n or taken != confirmed.get(i, 0)]
    lines.append(f"sign-ups twice for one event: {twice}; events oversold or miscounted: "
                 f"{'; '.join(oversold) or 'none'}")
    good &= not twice and not oversold
    return lines, good
