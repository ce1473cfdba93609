"""Check-in at an event's door: the printed QR code, the alumnus's own code, walk-in seats.

Three ways in, one record (Registration.checked_in_at, set once):

- The event's parametric QR code (PROTOCOL.md section 8): a permanent code (QR_LIMIT_STR_SCENE,
  WeChat keeps at most 100,000 of them; scene_str `checkin:<id>`, 1–64 characters), made through
  the one WeChat client when staff ask for it on the admin page 签到二维码 (`create_qr`), its
  ticket and URL stored on the event. A follower scanning it sends SCAN with EventKey
  `checkin:<id>`; a new follower subscribes with `qrscene_checkin:<id>` (the router runs the
  welcome, then `on_scan`).
- The registrant's own code (`活动签到码 <编号>`: a QR image of `EV1.<registration>.<event>.<mac>`,
  signed by handlers.signed_codes under a key derived for this purpose), typed or scanned by staff
  on the admin page 活动签到 (`staff_check_in`), which picks the event: another event's code is
  refused there. The code names no day; the day is checked at scan time, as is the registration's
  state.
- A walk-in: a follower who scans without a registration is told so and, when the event is open
  to them and seats are left, offered one: `现场报名 <编号>` takes a seat with one guarded UPDATE
  on Event.seats_taken (never check-then-insert) and checks them in (channel "walk-in").

Only a confirmed registration checks in, by one guarded `UPDATE … WHERE checked_in_at IS NULL`:
of two scans at once one records, the other reads the first's time and says when. Only on the
event's day(s) in the school's timezone, and never for a cancelled event (the reason is given).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers import signed_codes
from handlers.context import Context, Image, Reply
from handlers.events import checkin_texts as texts
from handlers.events.audience import may_join
from handlers.settings import Settings
from models import Alumnus
from models.event import Event, EventStatus, Registration, RegistrationStatus

log = logging.getLogger(__name__)

SCENE_PREFIX = "checkin:"
QR_ACTION = "QR_LIMIT_STR_SCENE"
WALK_IN = "walk-in"
BY_SCAN = "scan"
VERSION = "EV1"
MAX_ID = 2**31 - 1
_CODE = re.compile(r"^EV1\.(\d{1,12})\.(\d{1,12})\.([A-Z2-7]{16})$")
# Walk-ins take seats only while the event takes sign-ups (closed: no more, cancelled: none).
WALK_IN_STATUSES = (EventStatus.OPEN,)


def scene(event_id: int) -> str:
    return f"{SCENE_PREFIX}{event_id}"


def checkin_key(pass_key: bytes) -> bytes:
    """The check-in codes' key: derived one-way from the door's signing key (ctx.pass_key, which
    the admin page derives the same way from the app's secret_key), for this purpose alone."""
    return signed_codes.subkey(pass_key, b"alumni-bot/events-checkin/v1")


def issue_code(key: bytes, registration: Registration) -> str:
    return signed_codes.sign(key, VERSION, str(registration.id), str(registration.event_id))


@dataclass(frozen=True)
class CodeClaim:
    registration_id: int
    event_id: int


def read_code(key: bytes, code: str) -> CodeClaim | None:
    """What a genuine code names, or None for anything else (garbled, forged, another key's)."""
    found = _CODE.match(signed_codes.normalize(code))
    if found is None:
        return None
    registration_text, event_text, mac = found.groups()
    registration_id, event_id = int(registration_text), int(event_text)
    if registration_id > MAX_ID or event_id > MAX_ID:
        return None
    if not signed_codes.genuine(key, mac, VERSION, registration_text, event_text):
        return None
    return CodeClaim(registration_id, event_id)


# ---- the day and the event ----------------------------------------------------------------------

def zone_of(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def is_today(event: Event, now: dt.datetime, settings: Settings) -> bool:
    zone = zone_of(settings)
    today = now.astimezone(zone).date()
    return event.starts_at.astimezone(zone).date() <= today <= event.ends_at.astimezone(zone).date()


def _event_refusal(event: Event | None, now: dt.datetime, settings: Settings) -> str | None:
    """Why nobody checks in to `event` now, or None."""
    if event is None or event.status is EventStatus.DRAFT:
        return texts.UNKNOWN_EVENT
    if event.status is EventStatus.CANCELLED:
        return texts.event_cancelled(event)
    if not is_today(event, now, settings):
        return texts.not_today(event, zone_of(settings), now.astimezone(zone_of(settings)).date())
    return None


def _number(args: str) -> int | None:
    text = (args or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


# ---- recording a check-in ------------------------------------------------------------------------

def check_in(session: Session, registration: Registration, now: dt.datetime, by: str) -> bool:
    """Record the check-in once: True if this call recorded it, False if it was already there."""
    done = session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_(None),
               Registration.status == RegistrationStatus.CONFIRMED)
        .values(checked_in_at=now, checked_in_by=by, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(registration)
    return bool(done)


def _registration(session: Session, event_id: int, user_id: int) -> Registration | None:
    return session.scalar(select(Registration).where(Registration.event_id == event_id,
                                                     Registration.wechat_user_id == user_id))


def _answer_registrant(session: Session, event: Event, registration: Registration, now: dt.datetime,
                       settings: Settings) -> str:
    zone = zone_of(settings)
    status = registration.status
    if status is RegistrationStatus.CONFIRMED:
        if check_in(session, registration, now, BY_SCAN):
            return texts.welcome(event, registration, zone)
        return texts.already(event, registration.checked_in_at, zone)
    if status is RegistrationStatus.WAITLISTED:
        return texts.waitlisted(event, _position(session, registration))
    if status is RegistrationStatus.OFFERED:
        return texts.offered(event, registration.offer_expires_at, zone)
    return texts.cancelled_registration(event, event.seats_left, _walk_in_open(event))


def _position(session: Session, registration: Registration) -> int | None:
    if registration.position is None:
        return None
    ahead = session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == registration.event_id,
               Registration.status == RegistrationStatus.WAITLISTED,
               Registration.position < registration.position))
    return (ahead or 0) + 1


def _walk_in_open(event: Event) -> bool:
    return event.status in WALK_IN_STATUSES and event.seats_left > 0


def on_scan(ctx: Context) -> str:
    """SCAN / subscribe with the scene checkin:<id>: check a registrant in, or offer a walk-in."""
    event_id = _number(ctx.args)
    event = ctx.session.get(Event, event_id) if event_id else None
    refusal = _event_refusal(event, ctx.now, ctx.settings)
    if refusal:
        return refusal
    user = ctx.user
    registration = _registration(ctx.session, event.id, user.id)
    if registration is not None:
        return _answer_registrant(ctx.session, event, registration, ctx.now, ctx.settings)
    if event.status not in WALK_IN_STATUSES:
        return texts.not_registered_closed(event)
    if not may_join(ctx.session, event, user.id):
        return texts.NOT_BOUND if event.audience == "bound" else texts.not_in_audience(event)
    if event.seats_left <= 0:
        return texts.not_registered_full(event)
    return texts.not_registered(event, event.seats_left)


def walk_in_command(ctx: Context) -> str:
    """现场报名 <编号>: a seat left at the door, taken and checked in at once."""
    event_id = _number(ctx.args)
    if event_id is None:
        return texts.ASK_NUMBER.format(word=texts.WALK_IN_WORD)
    session, now = ctx.session, ctx.now
    event = session.get(Event, event_id)
    refusal = _event_refusal(event, now, ctx.settings)
    if refusal:
        return refusal
    user = ctx.user
    registration = _registration(session, event.id, user.id)
    if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
        return _answer_registrant(session, event, registration, now, ctx.settings)
    if event.status not in WALK_IN_STATUSES:
        return texts.not_registered_closed(event)
    if not may_join(session, event, user.id):
        return texts.NOT_BOUND if event.audience == "bound" else texts.not_in_audience(event)
    zone = zone_of(ctx.settings)
    alumnus_id = session.scalar(select(Alumnus.id).where(Alumnus.wechat_user_id == user.id).limit(1))
    nested = session.begin_nested()
    try:
        if registration is None:
            registration = Registration(
                event_id=event.id, wechat_user_id=user.id, alumnus_id=alumnus_id,
                status=RegistrationStatus.CONFIRMED, guests=0, answers={}, position=None,
                channel=WALK_IN, created_at=now, updated_at=now, confirmed_at=now,
                checked_in_at=now, checked_in_by=WALK_IN)
            session.add(registration)
            session.flush()
        else:
            revived = session.execute(
                update(Registration)
                .where(Registration.id == registration.id,
                       Registration.status == RegistrationStatus.CANCELLED)
                .values(status=RegistrationStatus.CONFIRMED, guests=0, position=None, channel=WALK_IN,
                        updated_at=now, confirmed_at=now, cancelled_at=None, offered_at=None,
                        offer_expires_at=None, checked_in_at=now, checked_in_by=WALK_IN)
                .execution_options(synchronize_session=False)).rowcount
            if not revived:   # changed meanwhile: answer what it is now
                nested.rollback()
                session.refresh(registration)
                return _answer_registrant(session, event, registration, now, ctx.settings)
        taken = session.execute(
            update(Event)
            .where(Event.id == event.id, Event.status.in_(WALK_IN_STATUSES),
                   Event.seats_taken + 1 <= Event.seats)
            .values(seats_taken=Event.seats_taken + 1)
            .execution_options(synchronize_session=False)).rowcount
        if not taken:
            nested.rollback()
            session.refresh(event)
            return texts.not_registered_full(event)
        nested.commit()
    except IntegrityError:
        # The same follower's other message registered them a moment ago.
        nested.rollback()
        registration = _registration(session, event.id, user.id)
        return _answer_registrant(session, event, registration, now, ctx.settings)
    session.refresh(event)
    return texts.walk_in_done(event, zone)


def my_code_command(ctx: Context) -> Reply | str:
    """活动签到码 <编号>: the registrant's own code as a QR image for staff to scan at the door."""
    event_id = _number(ctx.args)
    if event_id is None:
        return texts.ASK_NUMBER.format(word=texts.MY_CODE_WORD)
    event = ctx.session.get(Event, event_id)
    if event is None or event.status is EventStatus.DRAFT:
        return texts.UNKNOWN_EVENT
    if event.status is EventStatus.CANCELLED:
        return texts.event_cancelled(event)
    registration = _registration(ctx.session, event.id, ctx.user.id)
    if registration is None:
        return texts.code_no_registration(event.id)
    if registration.status is not RegistrationStatus.CONFIRMED:
        return texts.code_not_confirmed(event)
    code = issue_code(checkin_key(ctx.pass_key), registration)
    if ctx.upload_image is None:
        return texts.CODE_AS_TEXT.format(code=code)
    try:
        media_id = ctx.upload_image(signed_codes.qr_png(code), f"event-{event.id}-{registration.id}.png")
    except Exception:
        log.exception("活动签到码图片上传失败（报名 %s）", registration.id)
        return texts.CODE_AS_TEXT.format(code=code)
    return Image(media_id)


# ---- staff at the door ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffResult:
    """The scanner page's answer; the field names are the reunion scanner's, so its script shows it."""

    ok: bool
    headline: str
    detail: str = ""
    repeat: bool = False
    registration_id: int | None = None
    event_id: int | None = None
    name: str | None = None
    class_label: str | None = None
    party: int | None = None
    companions: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {key: (list(v) if isinstance(v := getattr(self, key), tuple) else v)
                for key in self.__dataclass_fields__}


def who(session: Session, registration: Registration) -> tuple[str, str]:
    """The registrant's name and a line to check them by (class, or how they signed up)."""
    alumnus = session.get(Alumnus, registration.alumnus_id) if registration.alumnus_id else None
    if alumnus is None:
        alumnus = session.scalar(select(Alumnus).where(
            Alumnus.wechat_user_id == registration.wechat_user_id).limit(1))
    if alumnus is not None:
        college = f"{alumnus.college} " if alumnus.college else ""
        return alumnus.name, f"{college}{alumnus.graduation_year} 届"
    return f"报名 {registration.id}", "未绑定校友身份"


def staff_check_in(session: Session, code: str, event_id: int | None, now: dt.datetime, staff: str, *,
                   key: bytes, settings: Settings) -> StaffResult:
    """Check a registrant's code in at the chosen event. The caller commits."""
    if not event_id:
        return StaffResult(False, texts.REFUSED, texts.NO_EVENT)
    event = session.get(Event, event_id)
    if event is None:
        return StaffResult(False, texts.REFUSED, texts.EVENT_GONE)
    claim = read_code(key, code)
    if claim is None:
        return StaffResult(False, texts.REFUSED, texts.FORGED, event_id=event.id)
    if claim.event_id != event.id:
        return StaffResult(False, texts.REFUSED, texts.other_event(claim.event_id), event_id=event.id)
    registration = session.get(Registration, claim.registration_id)
    if registration is None or registration.event_id != event.id:
        return StaffResult(False, texts.REFUSED, texts.FORGED, event_id=event.id)
    name, label = who(session, registration)
    found = dict(registration_id=registration.id, event_id=event.id, name=name, class_label=label,
                 party=registration.seats)
    if event.status is EventStatus.CANCELLED:
        return StaffResult(False, texts.REFUSED, texts.STAFF_CANCELLED, **found)
    if not is_today(event, now, settings):
        return StaffResult(False, texts.REFUSED, texts.STAFF_NOT_TODAY, **found)
    if registration.status is not RegistrationStatus.CONFIRMED:
        return StaffResult(False, texts.REFUSED, texts.STAFF_STATE[registration.status.value], **found)
    if check_in(session, registration, now, staff):
        return StaffResult(True, texts.CHECKED_IN, **found)
    return StaffResult(True, texts.ALREADY, texts.staff_already(registration.checked_in_at,
                                                                 zone_of(settings),
                                                                 registration.checked_in_by),
                       repeat=True, **found)


# ---- the printed QR code -------------------------------------------------------------------------

def create_qr(event: Event, client, now: dt.datetime) -> Event:
    """Ask WeChat (through the one client) for the event's permanent check-in code, once; the
    ticket and URL are stored on the event. The caller commits. Raises what the client raises."""
    if event.qr_ticket:
        return event
    answer = client.qrcode.create({"action_name": QR_ACTION,
                                   "action_info": {"scene": {"scene_str": scene(event.id)}}})
    event.qr_ticket, event.qr_url, event.updated_at = answer["ticket"], answer.get("url"), now
    return event


def qr_image_url(api_base_url: str, ticket: str) -> str:
    """Where the image of a ticket is: showqrcode, URL-encoded ticket (PROTOCOL.md section 8).
    WeChat serves it on mp.weixin.qq.com; a sandbox or proxy at api_base_url serves it there."""
    base = api_base_url.rstrip("/")
    if base in ("https://api.weixin.qq.com", "http://api.weixin.qq.com"):
        base = "https://mp.weixin.qq.com"
    return f"{base}/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"
