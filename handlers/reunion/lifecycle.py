"""A booking's life after it is made: the college's programme, staff's decision, the day's outcome.

    pending ──confirm──▶ confirmed ──approve──▶ approved ──▶ visited / no_show (on or after the day)
       └──────────────approve────────────────────┘
    pending / confirmed / approved ──decline (a reason)──▶ declined (places released)

Each transition is one guarded UPDATE (`WHERE status IN (allowed)`): two staff pressing at once,
or a decline racing the contact's cancel, change the booking once and the other is refused with
the status it found. A decline releases every place exactly as a cancel does (capacity.release)
and clears `class_key`, so the class may book again. Each change is stamped (who, when, why) and
notifies the contact and every joined member through `notify`, in the same transaction: these
notices are about the reader's own booking, so they carry no consent category and always go.

The functions flush and never commit; a refusal (`Refused`, a Chinese message) writes nothing.
Who may act is checked here too (the door checks it first): the programme by the booking's
college or staff; every decision by staff (`Scope.everything`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from handlers.notices import Notify
from handlers.reunion import lifecycle_texts as texts
from handlers.reunion.calendar import local_today
from handlers.reunion.capacity import release
from handlers.settings import Settings
from handlers.staff.scope import Scope
from models.reunion import BookingStatus, ReunionBooking, ReunionMember

MAX_PROGRAMME = 500
MAX_REASON = 200
MAX_URL = 500
S = BookingStatus


class Refused(Exception):
    """A transition that may not happen now; str() is the Chinese reason for staff."""


def _move(session: Session, booking: ReunionBooking, allowed: tuple[BookingStatus, ...],
          action: str, **values) -> BookingStatus:
    """Set `values` if the booking is still in `allowed`; the status it had. Refused otherwise."""
    before = booking.status
    result = session.execute(
        update(ReunionBooking)
        .where(ReunionBooking.id == booking.id, ReunionBooking.status.in_(allowed))
        .values(**values).execution_options(synchronize_session=False))
    session.refresh(booking)
    if result.rowcount != 1:
        raise Refused(texts.WRONG_STATE.format(id=booking.id, status=texts.STATUS_NAMES[booking.status],
                                               action=texts.ACTIONS[action]))
    return before


def _staff(scope: Scope, action: str) -> None:
    if not scope.everything:
        raise Refused(texts.STAFF_ONLY.format(action=texts.ACTIONS[action]))


def audience(booking: ReunionBooking) -> list[int]:
    """The WeChat users told about the booking: the contact and every joined member, once each."""
    users = [booking.contact_user_id] + [m.wechat_user_id for m in booking.members]
    return sorted({u for u in users if u is not None})


def _tell(session: Session, booking: ReunionBooking, text: str, now: dt.datetime,
          notify: Notify, event: str) -> None:
    users = audience(booking)
    if users:
        notify(session, users, text, now, created_by=f"reunion:{event}")


def _facts(booking: ReunionBooking) -> tuple:
    return booking.id, booking.day.day, booking.graduation_year, booking.college


def confirm_programme(session: Session, booking: ReunionBooking, programme: str, *, scope: Scope,
                      actor: str, now: dt.datetime, notify: Notify) -> None:
    """The college's programme for the day: pending → confirmed; later it may be amended
    (confirmed or approved keep their status). By the booking's college or staff."""
    if not scope.everything and (scope.college is None or scope.college != booking.college):
        raise Refused(texts.NOT_YOUR_COLLEGE)
    programme = " ".join(programme.split())
    if not programme:
        raise Refused(texts.PROGRAMME_EMPTY)
    if len(programme) > MAX_PROGRAMME:
        raise Refused(texts.PROGRAMME_TOO_LONG.format(limit=MAX_PROGRAMME))
    allowed = (S.PENDING, S.CONFIRMED, S.APPROVED)
    current = booking.status
    status = S.CONFIRMED if current is S.PENDING else current
    # The status in the WHERE is the one read: a decision landing in between refuses this.
    before = _move(session, booking, (current,) if current in allowed else allowed, "confirm",
                   status=status, programme=programme, programme_by=actor, programme_at=now,
                   updated_at=now)
    _tell(session, booking, texts.programme_confirmed(*_facts(booking), programme,
                                                       amended=before is not S.PENDING),
          now, notify, "programme")


def approve(session: Session, booking: ReunionBooking, *, scope: Scope, actor: str,
            now: dt.datetime, notify: Notify) -> None:
    _staff(scope, "approve")
    _move(session, booking, (S.PENDING, S.CONFIRMED), "approve", status=S.APPROVED,
          decided_by=actor, decided_at=now, reason=None, updated_at=now)
    _tell(session, booking, texts.approved(*_facts(booking), booking.slot.label, booking.programme),
          now, notify, "approved")


def decline(session: Session, booking: ReunionBooking, reason: str, *, scope: Scope, actor: str,
            now: dt.datetime, notify: Notify) -> None:
    """Not this visit: the reason is told to the class; every place goes back, the class may
    book again."""
    _staff(scope, "decline")
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused(texts.REASON_EMPTY)
    if len(reason) > MAX_REASON:
        raise Refused(texts.REASON_TOO_LONG.format(limit=MAX_REASON))
    _move(session, booking, (S.PENDING, S.CONFIRMED, S.APPROVED), "decline", status=S.DECLINED,
          decided_by=actor, decided_at=now, reason=reason, class_key=None, updated_at=now)
    release(session, booking)
    _tell(session, booking, texts.declined(*_facts(booking), reason), now, notify, "declined")


def _outcome(session, booking, status: BookingStatus, other: BookingStatus, action: str, text_of,
             scope: Scope, now: dt.datetime, settings: Settings, notify: Notify) -> None:
    _staff(scope, action)
    if local_today(now, settings) < booking.day.day:
        raise Refused(texts.BEFORE_THE_DAY.format(day=texts.day_text(booking.day.day)))
    # From approved; or a correction of the other outcome (registered by mistake).
    _move(session, booking, (S.APPROVED, other), action, status=status, updated_at=now)
    _tell(session, booking, text_of(*_facts(booking)), now, notify, action)


def mark_visited(session: Session, booking: ReunionBooking, *, scope: Scope, now: dt.datetime,
                 settings: Settings, notify: Notify) -> None:
    _outcome(session, booking, S.VISITED, S.NO_SHOW, "visited", texts.visited, scope, now,
             settings, notify)


def mark_no_show(session: Session, booking: ReunionBooking, *, scope: Scope, now: dt.datetime,
                 settings: Settings, notify: Notify) -> None:
    _outcome(session, booking, S.NO_SHOW, S.VISITED, "no_show", texts.no_show, scope, now,
             settings, notify)


def set_photo(session: Session, booking: ReunionBooking, url: str, *, scope: Scope,
              now: dt.datetime, notify: Notify) -> None:
    """The class photo's link, sent to everyone who came (the contact and the members)."""
    _staff(scope, "photo")
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > MAX_URL or " " in url:
        raise Refused(texts.PHOTO_BAD_URL)
    if booking.status is not S.VISITED:
        raise Refused(texts.PHOTO_NOT_VISITED)
    _move(session, booking, (S.VISITED,), "photo", photo_url=url, updated_at=now)
    _tell(session, booking, texts.photo(*_facts(booking), url), now, notify, "photo")



def revoke_pass(session: Session, booking: ReunionBooking, member_id: int, *, scope: Scope,
                now: dt.datetime, notify: Notify) -> ReunionMember:
    """Stop one member's pass (a phone lost, a pass passed on): every scanner refuses it from now,
    naming when. Told to that member only. Refused if it is already stopped."""
    _staff(scope, "revoke")
    member = session.get(ReunionMember, member_id)
    if member is None or member.booking_id != booking.id:
        raise Refused(texts.NO_SUCH_MEMBER.format(id=booking.id))
    stopped = session.execute(
        update(ReunionMember).where(ReunionMember.id == member_id,
                                    ReunionMember.pass_revoked_at.is_(None))
        .values(pass_revoked_at=now).execution_options(synchronize_session=False))
    session.refresh(member)
    if stopped.rowcount != 1:
        from models import Alumnus

        name = session.get(Alumnus, member.alumnus_id).name
        raise Refused(texts.PASS_ALREADY_REVOKED.format(
            name=name, at=f"{member.pass_revoked_at:%Y-%m-%d %H:%M} UTC"))
    if member.wechat_user_id is not None:
        notify(session, [member.wechat_user_id], texts.pass_revoked(*_facts(booking)), now,
               created_by="reunion:pass_revoked")
    return member
