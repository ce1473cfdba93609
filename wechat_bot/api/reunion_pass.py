"""GET /reunions/bookings/{id}/pass: the signed-in alumnus's pass for a booking they joined.

The API's pass is a minute code (handlers.reunion.passes): the mini-program shows it as a QR and
asks again at `refresh_at`; a scanner takes it until `expires_at` (the end of the next minute),
so a screenshot passed on is refused a minute later. Before or after the visit day there is no
code, only the message saying when it will be usable. The pass exists once the member has joined;
whether the gate admits it (`admitted`) follows the booking's status, with the reason.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy import select

from handlers.chapters.discovery import MAX_ID
from handlers.reunion import pass_texts as texts
from handlers.reunion.calendar import local_today
from handlers.reunion.pass_bot import GONE
from handlers.reunion.passes import issue_minute_code, pass_key
from handlers.reunion.scanning import ADMITTING
from models.reunion import ReunionMember
from wechat_bot.api.context import current_user, now, settings
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_pass", __name__)


class PassOut(BaseModel):
    booking_id: int
    member_id: int
    day: dt.date = Field(description="返校日")
    status: str = Field(description="预约状态：pending / confirmed / approved / visited / no_show")
    admitted: bool = Field(description="当前状态下扫码能否入校、用餐（预约已获批）")
    code: str | None = Field(description="返校码（每分钟更新），展示为二维码；不在返校当天时为 null")
    refresh_at: dt.datetime | None = Field(description="到此时刻请重新获取返校码")
    expires_at: dt.datetime | None = Field(description="扫码端在此时刻后不再接受这个返校码")
    message: str = Field(description="给校友看的说明")


@bp.get("/reunions/bookings/<int:booking_id>/pass")
@operation(ok=PassOut, errors=(404, 409), tags=["reunions"])
def get_pass(booking_id: int):
    """本人在某个返校预约中的返校码。

    返校当天返回每分钟更新的 `code`（扫码端接受当前和上一分钟的码）；其他日子 `code` 为 null，
    `message` 说明何时可用。未加入该预约（或预约不存在）时 404；预约已取消、未获批准或返校码已作废时 409。"""
    at = now()
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        member = None if not 0 < booking_id <= MAX_ID else session.scalar(select(ReunionMember).where(
            ReunionMember.booking_id == booking_id, ReunionMember.wechat_user_id == user.id))
        if member is None:
            raise ApiError(404, "not_found", texts.API_NOT_MEMBER)
        booking = member.booking
        if booking.status in GONE:
            raise ApiError(409, "booking_closed", texts.booking_refused(booking.status, booking.reason))
        if member.pass_revoked_at is not None:
            raise ApiError(409, "pass_revoked", texts.REVOKED_BOT)
        day, today = booking.day.day, local_today(at, settings())
        admitted = booking.status in ADMITTING
        out = {"booking_id": booking.id, "member_id": member.id, "day": day,
               "status": booking.status.value, "admitted": admitted}
    if day != today:
        message = texts.before_day(day, booking_id) if day > today else texts.day_over(day)
        return PassOut(**out, code=None, refresh_at=None, expires_at=None, message=message)
    issued = issue_minute_code(pass_key(current_runtime().config.app.secret_key), out["member_id"], day, at)
    message = ("入校、用餐时请出示此码，每分钟自动更新。" if admitted
               else texts.booking_refused(booking.status, booking.reason))
    return PassOut(**out, code=issued.code, refresh_at=issued.refresh_at, expires_at=issued.expires_at,
                   message=message)
