"""Signing up for an event, cancelling, taking an offered seat: one rule for the bot and the API.

Seats are taken only by a guarded UPDATE on the event (`seats_taken + n <= seats` and the event
open), rowcount checked; a waitlist position only from the event's own counter
(`waitlist_next = waitlist_next + 1 RETURNING waitlist_next`). One registration per user and
event is the unique pair: of two sign-ups of one user at once the second insert does nothing (ON
CONFLICT DO NOTHING) and is told "already registered". Never check-then-insert. The event row is
the last write: everything else comes first (the claim, the line counted for the reply). A burst
of sign-ups to one event is served one at a time on that row, so the lock's span is the burst's
pace: when the door lets it (`commit=True`, the bot and the API), a new sign-up's last step on
PostgreSQL is one statement sent with the COMMIT in one round trip (handlers.events.settle), and
the lock lasts only while PostgreSQL runs them; otherwise (a revived registration, SQLite) the
event's guarded UPDATE and then the registration's.

Lock order, so PostgreSQL never deadlocks: a sign-up takes its registration row (the insert, or
the revival of a cancelled one) and then the event row; a cancel, a confirm and the lapse of an
offer take the event row first (a no-op UPDATE), then the registration's status, then whoever is
offered the freed seats (handlers.events.waitlist). A sign-up's new row is invisible to the
others until it commits, so they never wait for it while it waits for the event.

Operations flush and never commit (the request boundary commits), but for `sign_up(commit=True)`,
whose last step is the request's commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached

from handlers.events import audience as audiences
from handlers.events import texts, waitlist
from handlers.events.settle import settle_and_commit
from handlers.notices import Notify
from handlers.settings import Settings
from models import Alumnus, WechatUser
from models.event import HOLDING_SEATS, Event, EventStatus, Registration, RegistrationStatus

LISTED = (EventStatus.OPEN, EventStatus.CLOSED, EventStatus.CANCELLED)  # what an alumnus may look up


class SignupRefused(Exception):
    """A refusal the alumnus reads: `reason` in Chinese, `code` for the API's status."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Extras:
    """What the event asks besides the seat: +1 guests, a T-shirt size, answers to its questions."""

    guests: int = 0
    shirt_size: str | None = None
    answers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SignedUp:
    registration: Registration
    event: Event
    waitlisted: bool
    place_in_line: int | None = None    # 1 = next to be offered a seat


# --- reading ---------------------------------------------------------------------------------------

def zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def get_event(session: Session, event_id: int) -> Event:
    """An event an alumnus may look at (not a draft), or SignupRefused not_found."""
    event = session.get(Event, event_id) if 0 < event_id < 2**31 else None
    if event is None or event.status not in LISTED:
        raise SignupRefused("not_found", texts.R_NOT_FOUND.format(number=event_id))
    return event


def questions(event: Event) -> list[str]:
    """The event's further questions as text (staff may store strings or {"text": …})."""
    out = []
    for q in event.questions or []:
        if isinstance(q, dict):
            q = q.get("text") or q.get("question") or ""
        if str(q).strip():
            out.append(str(q).strip())
    return out


def asks_anything(event: Event) -> bool:
    return event.max_guests > 0 or event.ask_shirt_size or bool(questions(event))


def registration_of(session: Session, event_id: int, user_id: int) -> Registration | None:
    return session.scalar(_REGISTRATION_OF, {"event_id": event_id, "user_id": user_id})


_REGISTRATION_OF = select(Registration).where(Registration.event_id == bindparam("event_id"),
                                              Registration.wechat_user_id == bindparam("user_id"))
_ALUMNUS_OF = (select(Alumnus.id).where(Alumnus.wechat_user_id == bindparam("user_id"))
               .order_by(Alumnus.id).limit(1))


def place_in_line(session: Session, registration: Registration) -> int | None:
    """1 for the first waiting, …: how many wait at or before this one (None: not waiting)."""
    if registration.status is not RegistrationStatus.WAITLISTED or registration.position is None:
        return None
    return session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.position <= registration.position))


def signup_open(event: Event, now: dt.datetime, settings: Settings) -> tuple[str, str] | None:
    """(code, reason) why nobody may sign up now, or None: status, start and window."""
    title = event.title
    if event.status is EventStatus.CANCELLED:
        reason = f"原因：{event.cancel_reason}" if event.cancel_reason else ""
        return "cancelled", texts.R_CANCELLED.format(title=title, reason=reason)
    if event.status is not EventStatus.OPEN:
        return "closed", texts.R_CLOSED.format(title=title)
    if now >= _aware(event.starts_at):
        return "started", texts.R_STARTED.format(title=title)
    if event.signup_opens_at is not None and now < _aware(event.signup_opens_at):
        return "not_yet", texts.R_NOT_YET.format(title=title, opens=texts.when(_aware(event.signup_opens_at),
                                                                                zone(settings)))
    if event.signup_closes_at is not None and now >= _aware(event.signup_closes_at):
        return "window_over", texts.R_WINDOW_OVER.format(
            title=title, closes=texts.when(_aware(event.signup_closes_at), zone(settings)))
    return None


def check_signup(session: Session, event: Event, user: WechatUser, *, now: dt.datetime,
                 settings: Settings) -> Registration | None:
    """Every refusal that needs nothing typed: what the bot checks before its dialog asks.
    Returns the user's cancelled registration (revived by a sign-up), if any."""
    closed = signup_open(event, now, settings)
    if closed is not None:
        raise SignupRefused(*closed)
    if not audiences.may_join(session, event, user.id):
        label = audiences.label(session, event.audience)
        bound = session.scalar(_ALUMNUS_OF, {"user_id": user.id})
        template = texts.R_AUDIENCE if bound is not None else texts.R_AUDIENCE_UNBOUND
        raise SignupRefused("not_in_audience", template.format(title=event.title, audience=label))
    existing = registration_of(session, event.id, user.id)
    if existing is not None and existing.status is not RegistrationStatus.CANCELLED:
        raise _already(event, existing)
    return existing


def check_extras(event: Event, extras: Extras) -> Extras:
    """The extras cleaned, or SignupRefused bad_input."""
    if extras.guests and event.max_guests <= 0:
        raise SignupRefused("bad_input", texts.R_NO_GUESTS.format(title=event.title))
    if not 0 <= extras.guests <= event.max_guests:
        raise SignupRefused("bad_input", texts.R_GUESTS.format(max=event.max_guests))
    shirt = None
    if event.ask_shirt_size:
        shirt = (extras.shirt_size or "").strip().upper()
        if shirt not in texts.SHIRT_SIZES:
            raise SignupRefused("bad_input", texts.R_SHIRT.format(sizes=" / ".join(texts.SHIRT_SIZES)))
    answers = {}
    for q in questions(event):
        a = (extras.answers.get(q) or "").strip()
        if not a:
            raise SignupRefused("bad_input", texts.R_ANSWER.format(question=q))
        if len(a) > texts.ANSWER_CHARS:
            raise SignupRefused("bad_input", texts.R_ANSWER_LONG.format(max=texts.ANSWER_CHARS))
        answers[q] = a
    return Extras(guests=extras.guests, shirt_size=shirt, answers=answers)


# --- sign up ---------------------------------------------------------------------------------------

def sign_up(session: Session, user: WechatUser, event_id: int, extras: Extras = Extras(), *,
            now: dt.datetime, settings: Settings, channel: str,
            checked: tuple[Event, Registration | None] | None = None, commit: bool = False) -> SignedUp:
    """A seat when one is left (guests included), else the end of the waitlist. Raises SignupRefused.
    `checked`: the event and check_signup's answer, when the caller has just checked (the bot's
    报名 in one message), so as not to read and check all again. `commit`: the door lets the
    sign-up commit the request (its last step; on PostgreSQL in the same round trip as the commit,
    handlers.events.settle), so the event's row is not held while the door finishes."""
    if checked is None:
        event = get_event(session, event_id)
        existing = check_signup(session, event, user, now=now, settings=settings)
    else:
        event, existing = checked
    extras = check_extras(event, extras)
    alumnus_id = session.scalar(_ALUMNUS_OF, {"user_id": user.id})
    answers: dict[str, Any] = {}
    if extras.shirt_size:
        answers["shirt_size"] = extras.shirt_size
    if extras.answers:
        answers["questions"] = extras.answers
    seats = 1 + extras.guests
    # When the event already looks full, the line is counted now, before any lock: the place in
    # line is then the waiting counted + the positions handed out since + 1 (exact unless one of
    # those since left the line in the meantime; 我的活动 counts exactly).
    looked_full = event.seats_taken + seats > event.seats
    line = session.execute(_LINE, {"event_id": event.id}).one() if looked_full else None
    # No savepoint (on SQLite its RELEASE would commit the claim alone): the insert does nothing
    # on a conflict, and a refusal further down undoes the claim itself.
    registration = _claim_row(session, existing, event.id, user.id, alumnus_id, extras.guests,
                              answers, channel=channel, now=now)
    if registration is None:
        # The same user signing up twice at once: the unique (event, user) kept the other one.
        raise _already(event, registration_of(session, event.id, user.id))
    # The event row is the last write before the request commits: the seats or the waitlist
    # position, then (statement by statement) this user's row's outcome.
    if commit and existing is None and _dialect(session, driver=True) == "postgresql+psycopg":
        settled = settle_and_commit(session, event_id=event.id, registration_id=registration.id,
                                    party=seats, now=now)
        if settled is None:     # staff closed or cancelled it meanwhile; the claim is gone
            session.expunge(registration)
            session.expire(event)
            raise _closed(event, now, settings)
        seated, position = settled.seated, settled.position
    else:
        seated, position, line = _settle(session, event, registration, existing, seats, looked_full, line,
                                         now=now, settings=settings)
        if commit:
            session.commit()
    if seated:
        _loaded(registration, status=RegistrationStatus.CONFIRMED, position=None, confirmed_at=now)
        place = None
    else:
        _loaded(registration, status=RegistrationStatus.WAITLISTED, position=float(position))
        if line is not None:
            place = line.waiting + (position - line.next) + 1
        else:   # it filled up between our read and our turn (rare), and is committed: count
            place = place_in_line(session, registration)
    if existing is not None:     # a cancelled row revived: its other columns read again if asked
        session.expire(registration, ["alumnus_id", "guests", "answers", "channel", "updated_at",
                                      "offered_at", "offer_expires_at", "cancelled_at",
                                      "checked_in_at", "checked_in_by"])
    # The counters changed under us: read again only if someone asks (the API does, the bot not).
    session.expire(event, ["seats_taken", "waitlist_next"])
    return SignedUp(registration, event, not seated, place)


def _settle(session: Session, event: Event, registration: Registration, existing: Registration | None,
            seats: int, looked_full: bool, line, *, now: dt.datetime, settings: Settings):
    """The seats or a waitlist position, statement by statement: (seated, position, line). A
    refused UPDATE leaves the row free unless it had to wait for another's commit; then it stays
    ours, so what follows it is one statement."""
    params = {"event": event.id, "party": seats, "registration_id": registration.id, "now": now}
    position = None
    seated = not looked_full and _take_seats(session, params)
    if not seated:
        if line is None:   # it filled up between our read and our turn (rare: at the boundary only)
            line = session.execute(_LINE, {"event_id": event.id}).one()
        position = _join_line(session, params, if_full=True)
        if position is None and looked_full:
            seated = _take_seats(session, params)   # seats came free meanwhile, nobody waiting
        if position is None and not seated:
            position = _join_line(session, params, if_full=False)
        if position is None and not seated:     # staff closed or cancelled it meanwhile
            _unclaim(session, registration, existing)
            session.expire(event)
            raise _closed(event, now, settings)
    return seated, position, line


def _closed(event: Event, now: dt.datetime, settings: Settings) -> SignupRefused:
    return SignupRefused(*(signup_open(event, now, settings)
                           or ("closed", texts.R_CLOSED.format(title=event.title))))


def _take_seats(session: Session, params: dict[str, Any]) -> bool:
    """The party's seats if they fit (guarded), and this registration confirmed."""
    if session.execute(_TAKE_SEATS, params).rowcount != 1:
        return False
    session.execute(_SET_CONFIRMED, params)
    return True


def _join_line(session: Session, params: dict[str, Any], *, if_full: bool) -> int | None:
    """The next waitlist position from the event's counter (only while the party does not fit,
    with `if_full`), and this registration waiting at it; None when refused."""
    position = session.scalar(_JOIN_LINE_IF_FULL if if_full else _JOIN_LINE, params)
    if position is None:
        return None
    session.execute(_SET_WAITING, {**params, "position": float(position - 1)})
    return position - 1


def _dialect(session: Session, *, driver: bool = False) -> str:
    dialect = session.get_bind().dialect
    return f"{dialect.name}+{dialect.driver}" if driver else dialect.name


# Built once, with bind parameters: building a statement costs more than running it.
_TAKE_SEATS = (update(Event)
               .where(Event.id == bindparam("event"), Event.status == EventStatus.OPEN,
                      Event.seats_taken + bindparam("party", type_=Integer) <= Event.seats)
               .values(seats_taken=Event.seats_taken + bindparam("party", type_=Integer))
               .execution_options(synchronize_session=False))
_NEXT_IN_LINE = (update(Event).where(Event.id == bindparam("event"), Event.status == EventStatus.OPEN)
                 .values(waitlist_next=Event.waitlist_next + 1).execution_options(synchronize_session=False))
# Only while the party does not fit: when the event already looked full, this is tried first.
_NEXT_IN_LINE_IF_FULL = _NEXT_IN_LINE.where(Event.seats_taken + bindparam("party", type_=Integer) > Event.seats)
_JOIN_LINE = _NEXT_IN_LINE.returning(Event.waitlist_next)
_JOIN_LINE_IF_FULL = _NEXT_IN_LINE_IF_FULL.returning(Event.waitlist_next)
_LINE = select(
    select(func.count()).select_from(Registration)
    .where(Registration.event_id == bindparam("event_id"),
           Registration.status == RegistrationStatus.WAITLISTED,
           # not our own claim, not yet in line when this is read after it
           Registration.position.is_not(None)).scalar_subquery().label("waiting"),
    Event.waitlist_next.label("next"),
).where(Event.id == bindparam("event_id"))
_SET_WAITING = (update(Registration).where(Registration.id == bindparam("registration_id"))
                .values(status=RegistrationStatus.WAITLISTED, position=bindparam("position"))
                .execution_options(synchronize_session=False))
_SET_CONFIRMED = (update(Registration).where(Registration.id == bindparam("registration_id"))
                  .values(status=RegistrationStatus.CONFIRMED, position=None,
                          confirmed_at=bindparam("now", type_=Registration.__table__.c.confirmed_at.type))
                  .execution_options(synchronize_session=False))


def _loaded(row: Registration, **values) -> None:
    """What the database now holds, set on the loaded row without a read (nor a write at flush)."""
    for key, value in values.items():
        set_committed_value(row, key, value)


def _unclaim(session: Session, registration: Registration, existing: Registration | None) -> None:
    """Undo _claim_row when the event turned out closed: the new row goes, a revived one is
    cancelled again as it was."""
    if existing is None:
        session.execute(delete(Registration).where(Registration.id == registration.id)
                        .execution_options(synchronize_session=False))
        session.expunge(registration)
        return
    session.execute(update(Registration).where(Registration.id == existing.id).values(
        status=RegistrationStatus.CANCELLED, alumnus_id=existing.alumnus_id, guests=existing.guests,
        answers=existing.answers, channel=existing.channel, updated_at=existing.updated_at,
        confirmed_at=existing.confirmed_at, offered_at=existing.offered_at,
        offer_expires_at=existing.offer_expires_at, cancelled_at=existing.cancelled_at,
        checked_in_at=existing.checked_in_at, checked_in_by=existing.checked_in_by,
        position=existing.position).execution_options(synchronize_session=False))


def _claim_row(session: Session, existing: Registration | None, event_id: int, user_id: int,
               alumnus_id: int | None, guests: int, answers: dict[str, Any], *, channel: str,
               now: dt.datetime) -> Registration | None:
    """This user's registration row, locked: a new one, or their cancelled one revived (guarded).
    None when another sign-up of theirs got there first."""
    values = dict(alumnus_id=alumnus_id, guests=guests, answers=answers, channel=channel,
                  updated_at=now, confirmed_at=None, offered_at=None, offer_expires_at=None,
                  cancelled_at=None, checked_in_at=None, checked_in_by=None, position=None)
    if existing is None:
        values.update(event_id=event_id, wechat_user_id=user_id, created_at=now,
                      status=RegistrationStatus.WAITLISTED)
        new_id = session.scalar(_insert_once(session), values)
        if new_id is None:
            return None
        row = Registration(id=new_id, **values)
        make_transient_to_detached(row)
        session.add(row)       # persistent as inserted, without reading it back
        return row
    revived = session.execute(
        update(Registration).where(Registration.id == existing.id,
                                   Registration.status == RegistrationStatus.CANCELLED)
        .values(status=RegistrationStatus.WAITLISTED, **values)
        .execution_options(synchronize_session=False))
    if revived.rowcount != 1:     # signed up again meanwhile, from another door
        return None
    return existing


_INSERTS: dict[str, Any] = {}


def _insert_once(session: Session):
    """INSERT … ON CONFLICT (event, user) DO NOTHING RETURNING id, built once per dialect."""
    name = _dialect(session)
    if name not in _INSERTS:
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        _INSERTS[name] = (insert(Registration)
                          .on_conflict_do_nothing(index_elements=["event_id", "wechat_user_id"])
                          .returning(Registration.id))
    return _INSERTS[name]


def _already(event: Event, existing: Registration | None) -> SignupRefused:
    status = texts.STATUS_NAMES.get(existing.status.value, "") if existing else ""
    return SignupRefused("already_registered", texts.R_ALREADY.format(title=event.title, status=status,
                                                                      number=event.id))


# --- cancel ----------------------------------------------------------------------------------------

def cancel(session: Session, user: WechatUser, event_id: int, *, now: dt.datetime, settings: Settings,
           notify: Notify | None) -> tuple[Registration, bool]:
    """Cancel the user's registration (or leave the waitlist, or turn down an offer): the seats go
    back and are offered to the first in line. Returns (registration, whether it held seats)."""
    event = get_event(session, event_id)
    registration = registration_of(session, event.id, user.id)
    if registration is None:
        raise SignupRefused("not_registered", texts.R_NOT_REGISTERED.format(title=event.title))
    if registration.status is RegistrationStatus.CANCELLED:
        raise SignupRefused("already_cancelled", texts.R_ALREADY_CANCELLED.format(title=event.title))
    if now >= _aware(event.starts_at):
        raise SignupRefused("started", texts.R_CANCEL_STARTED.format(title=event.title))
    with session.begin_nested():
        waitlist.lock_event(session, event.id)
        held = end_registration(session, registration.id, now=now)
        if held is None:
            raise SignupRefused("already_cancelled", texts.R_ALREADY_CANCELLED.format(title=event.title))
        if held:
            waitlist.offer_freed(session, event.id, now=now, settings=settings, notify=notify)
    session.refresh(registration)
    session.expire(event)
    return registration, bool(held)


def end_registration(session: Session, registration_id: int, *, now: dt.datetime,
                     only: tuple[RegistrationStatus, ...] | None = None, extra=()) -> int | None:
    """Move a live registration to cancelled, once (guarded), and give back the seats it held.
    Returns the seats given back (0 for a waiting one), None when it was no longer live. The
    caller holds the event row (waitlist.lock_event)."""
    statuses = only or (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED, RegistrationStatus.WAITLISTED)
    row = session.execute(select(Registration.status, Registration.guests, Registration.event_id)
                          .where(Registration.id == registration_id)).one()
    changed = session.execute(
        update(Registration).where(Registration.id == registration_id, Registration.status == row.status,
                                   Registration.status.in_(statuses), *extra)
        .values(status=RegistrationStatus.CANCELLED, cancelled_at=now, updated_at=now, position=None)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        return None
    if row.status not in HOLDING_SEATS:
        return 0
    seats = 1 + row.guests
    session.execute(update(Event).where(Event.id == row.event_id)
                    .values(seats_taken=Event.seats_taken - seats)
                    .execution_options(synchronize_session=False))
    return seats


# --- 确认 ------------------------------------------------------------------------------------------

def confirm(session: Session, user: WechatUser, event_id: int, *, now: dt.datetime,
            settings: Settings) -> Registration:
    """Take the seat offered from the waitlist, within the claim window."""
    event = get_event(session, event_id)
    registration = registration_of(session, event.id, user.id)
    if registration is None:
        raise SignupRefused("not_registered", texts.R_NOT_REGISTERED.format(title=event.title))
    if registration.status is not RegistrationStatus.OFFERED:
        status = f"（当前：{texts.STATUS_NAMES[registration.status.value]}）"
        code = "already_registered" if registration.status is RegistrationStatus.CONFIRMED else "no_offer"
        raise SignupRefused(code, texts.R_NO_OFFER.format(title=event.title, status=status))
    expires = _aware(registration.offer_expires_at)
    if event.status is EventStatus.CANCELLED:
        raise SignupRefused("cancelled", texts.R_CANCELLED.format(title=event.title, reason=""))
    taken = session.execute(
        update(Registration).where(Registration.id == registration.id,
                                   Registration.status == RegistrationStatus.OFFERED,
                                   Registration.offer_expires_at > now)
        .values(status=RegistrationStatus.CONFIRMED, confirmed_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise SignupRefused("offer_lapsed", texts.R_OFFER_LAPSED.format(
            title=event.title, expires=texts.when(expires, zone(settings))))
    session.refresh(registration)
    return registration


# --- 我的活动 --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mine:
    registration: Registration
    event: Event
    place_in_line: int | None


def my_registrations(session: Session, user: WechatUser, *, now: dt.datetime) -> list[Mine]:
    """The user's live registrations, soonest event first; those of past events left out."""
    rows = session.execute(
        select(Registration, Event).join(Event, Event.id == Registration.event_id)
        .where(Registration.wechat_user_id == user.id,
               Registration.status != RegistrationStatus.CANCELLED,
               Event.status.in_((EventStatus.OPEN, EventStatus.CLOSED)),
               Event.ends_at > now)
        .order_by(Event.starts_at, Event.id)).all()
    return [Mine(r, e, place_in_line(session, r)) for r, e in rows]


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
