"""Creating and editing an event (the admin page's form): every field checked, Chinese errors per
field, nothing written unless all are right.

The form hands in an `EventDraft` (typed values; times already in UTC). `problems` answers
{field: message} for what is wrong, reading the event as it is now (seats may not drop below those
taken); `create` / `update` write a draft that has none. Lowering the seats is one guarded UPDATE
(`WHERE seats_taken <= new`), so a sign-up landing between the check and the write cannot leave the
event over-full: the change is refused with the same message instead.

A liaison's events are always their chapter's: the organiser is their chapter and the audience
its members, whatever the form says (the page does not offer them a choice). Staff pick any
audience; an event for one chapter's members is organised by that chapter (its liaison may manage
it), any other by the association (`chapter_id` None).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.events import admin_texts as texts
from handlers.staff.scope import Scope
from models import Chapter
from models.event import Event, EventStatus

MAX_QUESTIONS = 5
MAX_QUESTION = 60
MAX_GUESTS = 10
MAX_SEATS = 100_000
YEARS = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


class Refused(Exception):
    """The change may not be written; str() is the Chinese reason (keyed by field in `field`)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class EventDraft:
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    seats: int
    description: str | None = None
    picture_url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    signup_opens_at: dt.datetime | None = None
    signup_closes_at: dt.datetime | None = None
    audience_kind: str = "bound"          # all / bound / chapter / year / college / keep
    audience_chapter_id: int | None = None
    audience_years: str | None = None     # "2010" or "2010-2015"
    audience_college: str | None = None
    max_guests: int = 0
    ask_shirt_size: bool = False
    questions: list[str] = field(default_factory=list)


def questions_of(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def problems(session: Session, draft: EventDraft, event: Event | None, scope: Scope) -> dict[str, str]:
    """{form field: Chinese message} for each thing wrong with the draft (empty: it may be saved)."""
    found: dict[str, str] = {}
    if not draft.kind.strip():
        found["kind"] = texts.KIND_NEEDED
    if draft.ends_at <= draft.starts_at:
        found["ends_at"] = texts.ENDS_BEFORE_START
    if draft.signup_opens_at and draft.signup_closes_at and draft.signup_closes_at <= draft.signup_opens_at:
        found["signup_closes_at"] = texts.SIGNUP_CLOSES_BEFORE_OPENS
    elif draft.signup_closes_at and draft.signup_closes_at > draft.starts_at:
        found["signup_closes_at"] = texts.SIGNUP_CLOSES_AFTER_START
    if (draft.latitude is None) != (draft.longitude is None):
        found["longitude" if draft.longitude is None else "latitude"] = texts.COORDINATES_PAIR
    if draft.latitude is not None and not -90 <= draft.latitude <= 90:
        found["latitude"] = texts.LATITUDE_RANGE
    if draft.longitude is not None and not -180 <= draft.longitude <= 180:
        found["longitude"] = texts.LONGITUDE_RANGE
    url = (draft.picture_url or "").strip()
    if url and (not url.startswith(("https://", "http://")) or " " in url):
        found["picture_url"] = texts.PICTURE_URL
    if event is not None and draft.seats < event.seats_taken:
        found["seats"] = texts.SEATS_BELOW_TAKEN.format(taken=event.seats_taken)
    if len(draft.questions) > MAX_QUESTIONS:
        found["questions"] = texts.QUESTIONS_TOO_MANY.format(limit=MAX_QUESTIONS)
    elif any(len(q) > MAX_QUESTION for q in draft.questions):
        found["questions"] = texts.QUESTION_TOO_LONG.format(limit=MAX_QUESTION)
    if scope.everything:
        _audience_problems(session, draft, found)
    return found


def _audience_problems(session: Session, draft: EventDraft, found: dict[str, str]) -> None:
    kind = draft.audience_kind
    if kind == "chapter":
        if draft.audience_chapter_id is None:
            found["audience_chapter"] = texts.CHAPTER_NEEDED
        elif session.get(Chapter, draft.audience_chapter_id) is None:
            found["audience_chapter"] = texts.CHAPTER_UNKNOWN
    elif kind == "year":
        match = YEARS.match((draft.audience_years or "").replace(" ", ""))
        if not draft.audience_years:
            found["audience_years"] = texts.YEARS_NEEDED
        elif not match or (match.group(2) and int(match.group(2)) < int(match.group(1))):
            found["audience_years"] = texts.YEARS_BAD
    elif kind == "college" and not (draft.audience_college or "").strip():
        found["audience_college"] = texts.COLLEGE_NEEDED


def audience_of(session: Session, draft: EventDraft, scope: Scope,
                event: Event | None) -> tuple[str, int | None]:
    """(the audience string, the organising chapter) the draft stands for."""
    if not scope.everything:
        return f"chapter:{scope.chapter_name}", scope.chapter_id
    kind = draft.audience_kind
    if kind == "keep" and event is not None:
        return event.audience, event.chapter_id
    if kind == "chapter":
        chapter = session.get(Chapter, draft.audience_chapter_id)
        return f"chapter:{chapter.name}", chapter.id
    if kind == "year":
        return f"year:{draft.audience_years.replace(' ', '')}", None
    if kind == "college":
        return f"college:{draft.audience_college.strip()}", None
    return ("all" if kind == "all" else "bound"), None


def draft_of(session: Session, event: Event) -> EventDraft:
    """The event as the form shows it (for editing)."""
    kind, chapter_id, years, college = "keep", None, None, None
    audience = event.audience
    if audience in ("all", "bound"):
        kind = audience
    elif "&" not in audience:
        prefix, _, value = audience.partition(":")
        if prefix == "chapter":
            chapter_id = session.scalar(select(Chapter.id).where(Chapter.name == value))
            kind = "chapter" if chapter_id is not None else "keep"
        elif prefix == "year":
            kind, years = "year", value
        elif prefix == "college":
            kind, college = "college", value
    return EventDraft(title=event.title, kind=event.kind, starts_at=event.starts_at,
                      ends_at=event.ends_at, place=event.place, seats=event.seats,
                      description=event.description, picture_url=event.picture_url,
                      latitude=event.latitude, longitude=event.longitude,
                      signup_opens_at=event.signup_opens_at, signup_closes_at=event.signup_closes_at,
                      audience_kind=kind, audience_chapter_id=chapter_id, audience_years=years,
                      audience_college=college, max_guests=event.max_guests,
                      ask_shirt_size=event.ask_shirt_size, questions=list(event.questions or []))


def _values(session: Session, draft: EventDraft, scope: Scope, event: Event | None) -> dict:
    audience, chapter_id = audience_of(session, draft, scope, event)
    return dict(title=draft.title.strip(), kind=draft.kind.strip(),
                description=(draft.description or "").strip() or None,
                picture_url=(draft.picture_url or "").strip() or None,
                starts_at=draft.starts_at, ends_at=draft.ends_at, place=draft.place.strip(),
                latitude=draft.latitude, longitude=draft.longitude,
                signup_opens_at=draft.signup_opens_at, signup_closes_at=draft.signup_closes_at,
                audience=audience, chapter_id=chapter_id, max_guests=draft.max_guests,
                ask_shirt_size=draft.ask_shirt_size, questions=list(draft.questions))


def create(session: Session, draft: EventDraft, *, scope: Scope, actor: str,
           now: dt.datetime) -> Event:
    """A new event, as a draft (staff open it when it is ready). Call after `problems`."""
    event = Event(**_values(session, draft, scope, None), seats=draft.seats, seats_taken=0,
                  waitlist_next=1, status=EventStatus.DRAFT, created_by=actor, created_at=now,
                  updated_at=now)
    session.add(event)
    session.flush()
    return event


def update_event(session: Session, event: Event, draft: EventDraft, *, scope: Scope,
                 now: dt.datetime) -> None:
    """Write the draft over the event. The seats change only if no more are taken than the new
    number, in the same UPDATE; a cancelled event is not edited."""
    values = _values(session, draft, scope, event)
    result = session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken <= draft.seats,
               Event.status != EventStatus.CANCELLED)
        .values(**values, seats=draft.seats, updated_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(event)
    if result.rowcount != 1:
        if event.status is EventStatus.CANCELLED:
            raise Refused(texts.WRONG_STATE.format(id=event.id, status=texts.STATUS_NAMES[event.status],
                                                   action=texts.ACTIONS["edit"]))
        raise Refused(texts.SEATS_BELOW_TAKEN.format(taken=event.seats_taken), "seats")
