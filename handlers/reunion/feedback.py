"""After the visit: the thank-you with its one question, and the answers (返校评价).

The thank-you: once a booking is marked visited (handlers.reunion.lifecycle, staff's action), a
scan (scheduler.jobs `reunion-thanks`) sends each bound member one push, with the class photo link
when staff added one, and how to answer. A ReunionNotice row (kind "thanks") makes it once; only
visits of the last THANKS_WITHIN are thanked (a visit marked long after the day, or an old one
when the job first starts, gets no late thanks), and only in the daytime (local QUIET_BEFORE to
QUIET_FROM), so a booking marked visited at night is thanked the next morning.

The answer: a score of 1-5 and an optional line, from a member of a visited booking (bound to the
member's record). One per member (unique member_id): a second answer replaces the first, and the
reply says so; the latest opinion is the one staff read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.chapters.discovery import MAX_ID
from handlers.context import Context
from handlers.dialog import Dialog, step
from handlers.notices import Notice, ScheduledNotices
from handlers.reunion import notice_texts as texts
from handlers.reunion.reminders import (
    BookingNotice,
    bound_member_users,
    mark_sent,
    users_audience,
    who,
)
from handlers.settings import Settings
from models.alumnus import Alumnus
from models.reunion import (
    BookingStatus,
    ReunionBooking,
    ReunionDay,
    ReunionFeedback,
    ReunionMember,
    ReunionNotice,
)
from models.wechat_user import WechatUser

THANKS = "thanks"
THANKS_WITHIN = dt.timedelta(days=7)
QUIET_BEFORE = dt.time(9, 0)
QUIET_FROM = dt.time(21, 0)
SCAN_EVERY = dt.timedelta(minutes=15)
CREATED_BY = "reunion:thanks"
TEXT_LIMIT = 200


# --- the thank-you ----------------------------------------------------------------------------

def thanks_due(session: Session, now: dt.datetime, settings: Settings) -> list[BookingNotice]:
    local = now.astimezone(ZoneInfo(settings.timezone))
    if not QUIET_BEFORE <= local.time() < QUIET_FROM:
        return []
    since = (local - THANKS_WITHIN).date()
    thanked = select(ReunionNotice.id).where(ReunionNotice.booking_id == ReunionBooking.id,
                                             ReunionNotice.kind == THANKS)
    bookings = session.scalars(
        select(ReunionBooking).join(ReunionDay, ReunionDay.id == ReunionBooking.day_id)
        .where(ReunionBooking.status == BookingStatus.VISITED, ReunionDay.day >= since,
               ReunionDay.day <= local.date(), ~thanked.exists())
        .order_by(ReunionBooking.id))
    due = []
    for booking in bookings:
        users = bound_member_users(session, booking.id)
        if not users:
            continue
        text = texts.THANKS.format(who=who(booking), day=texts.day_label(booking.day.day),
                                   booking_id=booking.id)
        if booking.photo_url:
            text += "\n" + texts.THANKS_PHOTO.format(photo_url=booking.photo_url)
        due.append(BookingNotice(booking.id, THANKS, Notice(
            text=text, audience=users_audience(users), kind="notification",
            created_by=CREATED_BY, url=booking.photo_url or None)))
    return due


REUNION_THANKS = ScheduledNotices(
    describe=lambda settings: (f"每 {int(SCAN_EVERY.total_seconds() // 60)} 分钟查看已返校的班级，"
                               f"{QUIET_BEFORE:%H:%M}-{QUIET_FROM:%H:%M} 间发送感谢与评价邀请（各一次）"),
    schedule=SCAN_EVERY,
    due=thanks_due,
    mark=mark_sent,
)


# --- the answers ------------------------------------------------------------------------------

class Outcome(StrEnum):
    SAVED = "saved"
    UPDATED = "updated"
    NO_SUCH_BOOKING = "no_such_booking"
    NOT_MEMBER = "not_member"
    NOT_VISITED = "not_visited"


class BadFeedback(ValueError):
    """A score or line the rule refuses; str() is the Chinese reply."""


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    booking_id: int
    score: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.SAVED, Outcome.UPDATED)

    def message(self) -> str:
        return {
            Outcome.SAVED: texts.FEEDBACK_SAVED, Outcome.UPDATED: texts.FEEDBACK_UPDATED,
            Outcome.NO_SUCH_BOOKING: texts.FEEDBACK_NO_BOOKING,
            Outcome.NOT_MEMBER: texts.FEEDBACK_NOT_MEMBER,
            Outcome.NOT_VISITED: texts.FEEDBACK_NOT_VISITED,
        }[self.outcome].format(booking_id=self.booking_id, score=self.score)


def check_score(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise BadFeedback(texts.FEEDBACK_BAD_SCORE)
    return score


def check_text(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    if len(text) > TEXT_LIMIT:
        raise BadFeedback(texts.FEEDBACK_TOO_LONG.format(limit=TEXT_LIMIT))
    return text or None


def member_of(session: Session, user: WechatUser, booking_id: int) -> ReunionMember | None:
    """The user's place on the booking, through the roster record they are bound to."""
    return session.scalar(select(ReunionMember).join(Alumnus, Alumnus.id == ReunionMember.alumnus_id)
                          .where(ReunionMember.booking_id == booking_id,
                                 Alumnus.wechat_user_id == user.id).limit(1))


def give_feedback(session: Session, user: WechatUser, booking_id: int, score: object,
                  text: str | None, *, now: dt.datetime) -> Answer:
    """Record the member's answer (BadFeedback for a bad score or too long a line)."""
    score = check_score(score)
    text = check_text(text)
    booking = session.get(ReunionBooking, booking_id) if 0 < booking_id <= MAX_ID else None
    if booking is None:
        return Answer(Outcome.NO_SUCH_BOOKING, booking_id)
    member = member_of(session, user, booking_id)
    if member is None:
        return Answer(Outcome.NOT_MEMBER, booking_id)
    if booking.status is not BookingStatus.VISITED:
        return Answer(Outcome.NOT_VISITED, booking_id)
    try:  # the unique member_id decides between two answers at once, not a look beforehand
        with session.begin_nested():
            session.add(ReunionFeedback(booking_id=booking_id, member_id=member.id, score=score,
                                        text=text, created_at=now))
        return Answer(Outcome.SAVED, booking_id, score)
    except IntegrityError:
        session.execute(update(ReunionFeedback).where(ReunionFeedback.member_id == member.id)
                        .values(score=score, text=text, created_at=now))
        return Answer(Outcome.UPDATED, booking_id, score)


def latest_visit(session: Session, user: WechatUser) -> ReunionBooking | None:
    """The user's most recent visited booking (for 返校评价 without a number)."""
    return session.scalar(
        select(ReunionBooking).join(ReunionMember, ReunionMember.booking_id == ReunionBooking.id)
        .join(Alumnus, Alumnus.id == ReunionMember.alumnus_id)
        .join(ReunionDay, ReunionDay.id == ReunionBooking.day_id)
        .where(Alumnus.wechat_user_id == user.id, ReunionBooking.status == BookingStatus.VISITED)
        .order_by(ReunionDay.day.desc(), ReunionBooking.id.desc()).limit(1))


# --- the bot: 返校评价 [编号 分数 一句话] --------------------------------------------------------

class FeedbackStep(StrEnum):   # the values are what Redis keeps: never rename one
    SCORE = "score"


KEYWORD = "返校评价"
# 12 5 很好 / 12，5分，很好: the booking number, then the score and the line.
NUMBER_FIRST = re.compile(r"^#?(\d+)[\s,，、:：]+(.*)$", re.S)
# 5 很好 / 5分，很好 / 十分满意 (no digits: refused as a score)
SCORE_AND_TEXT = re.compile(r"^(\d+(?:\.\d+)?|\S+?)\s*分?[\s,，、。.!！:：;；]*(.*)$", re.S)


def _score(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def _said(ctx: Context) -> str:
    """What follows the keyword as the alumnus typed it: the router's arguments are normalized
    (punctuation becomes spaces), and the line is theirs to keep as written."""
    raw = (ctx.message.text or "").strip()
    if raw.startswith(KEYWORD):
        return raw.removeprefix(KEYWORD).lstrip(" ,，:：")
    return raw if ctx.dialog.active else ctx.args.strip()


def _bound(ctx: Context) -> bool:
    return ctx.session.scalar(select(Alumnus.id).where(Alumnus.wechat_user_id == ctx.user.id)
                              .limit(1)) is not None


def feedback_command(ctx: Context) -> str:
    """`返校评价 12 5 很好` answers at once; `返校评价` alone asks about the latest visit."""
    if not _bound(ctx):
        return texts.FEEDBACK_NOT_BOUND
    args = _said(ctx)
    if not args:
        booking = latest_visit(ctx.session, ctx.user)
        if booking is None:
            return texts.FEEDBACK_NOTHING
        ctx.dialog.start(FEEDBACK_DIALOG, FeedbackStep.SCORE, booking_id=booking.id)
        return texts.FEEDBACK_ASK.format(day=texts.day_label(booking.day.day), booking_id=booking.id)
    found = NUMBER_FIRST.match(args)
    scored = SCORE_AND_TEXT.match(found[2]) if found else None
    if scored is None:
        return texts.FEEDBACK_USAGE
    return _answer(ctx, int(found[1]), scored[1], scored[2])


def score_step(ctx: Context) -> str:
    found = SCORE_AND_TEXT.match(_said(ctx))
    if found is None:
        return texts.FEEDBACK_BAD_SCORE
    return _answer(ctx, int(ctx.dialog.data["booking_id"]), found[1], found[2])


def _answer(ctx: Context, booking_id: int, raw_score: str, line: str) -> str:
    score = _score(raw_score)
    try:
        answer = give_feedback(ctx.session, ctx.user, booking_id, score, line, now=ctx.now)
    except BadFeedback as bad:
        return str(bad)   # in the dialog: the question stays open for another try
    if ctx.dialog.active:
        ctx.dialog.end()
    return answer.message()


FEEDBACK_DIALOG = Dialog("reunion-feedback", {FeedbackStep.SCORE: step(score_step)})
