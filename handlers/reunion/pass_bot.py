"""`我的返校码`: the joined alumnus's pass as a QR image, or a text saying when it will be usable.

The image carries a day code (handlers.reunion.passes: the bot cannot redraw a picture every
minute). Handlers do not call WeChat: the door hands in `ctx.upload_image` (bytes, file name →
a temporary media_id) and the signing key `ctx.pass_key`, as it hands in `notify`.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Context, Image, Reply
from handlers.reunion import pass_texts as texts
from handlers.reunion.calendar import local_today
from handlers.reunion.passes import issue_day_code
from handlers.reunion.scanning import ADMITTING
from handlers.signed_codes import qr_png
from models import Alumnus
from models.reunion import BookingStatus, ReunionBooking, ReunionDay, ReunionMember

log = logging.getLogger(__name__)

# Bookings that no longer hold issue no pass at all.
GONE = (BookingStatus.CANCELLED, BookingStatus.DECLINED)


def memberships(session: Session, user_id: int) -> list[ReunionMember]:
    """The user's places on bookings that still hold, by visit day."""
    return list(session.scalars(
        select(ReunionMember).join(ReunionBooking).join(ReunionDay, ReunionBooking.day_id == ReunionDay.id)
        .where(ReunionMember.wechat_user_id == user_id, ReunionBooking.status.not_in(GONE))
        .order_by(ReunionDay.day)))


def pick(members: list[ReunionMember], today: dt.date) -> ReunionMember | None:
    """Today's visit first, then the next one, then the last one past."""
    for member in members:
        if member.booking.day.day >= today:
            return member
    return members[-1] if members else None


def my_pass(ctx: Context) -> Reply | str:
    user = ctx.user
    bound = ctx.session.scalar(select(Alumnus.id).where(Alumnus.wechat_user_id == user.id).limit(1))
    member = pick(memberships(ctx.session, user.id), local_today(ctx.now, ctx.settings))
    if member is None:
        return texts.NO_BOOKING if bound else texts.NOT_BOUND
    booking = member.booking
    day, today = booking.day.day, local_today(ctx.now, ctx.settings)
    if day > today:
        return texts.before_day(day, booking.id)
    if day < today:
        return texts.day_over(day)
    if member.pass_revoked_at is not None:
        return texts.REVOKED_BOT
    if booking.status not in ADMITTING:
        return texts.not_admitted(day, booking.id, booking.status, booking.reason)
    issued = issue_day_code(ctx.pass_key, member.id, day, ZoneInfo(ctx.settings.timezone))
    if ctx.upload_image is None:
        return texts.as_text(issued.code, day)
    try:
        media_id = ctx.upload_image(qr_png(issued.code), f"pass-{member.id}.png")
    except Exception:
        # WeChat refused or is unreachable: the code as text still gets them in (typed fallback).
        log.exception("返校码图片上传失败（成员 %s）", member.id)
        return texts.as_text(issued.code, day)
    return Image(media_id)
