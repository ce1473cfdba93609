"""秩年返校 in the mini-program: eligibility, open dates, booking, joining, my bookings, cancelling.

Thin over handlers.reunion (eligibility, booking): the same rules and the same Chinese reasons as
the bot's 返校, 预约返校, 加入返校, 我的预约 and 取消预约. What this door adds is the outbox: the
contact hears of a join and the members of a cancel through WeChat (notify_users).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from flask import Blueprint
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.directory.binding import bound_records
from handlers.reunion import texts
from handlers.reunion.booking import (
    DEFAULT_NEEDS,
    MAX_COMPANIONS,
    MAX_PEOPLE,
    Booked,
    BookingRefused,
    MyBooking,
    Needs,
    book,
    cancel,
    get_booking,
    join,
    my_bookings,
)
from handlers.reunion.calendar import DayView, days_between, local_today
from handlers.reunion.eligibility import best, record_for_day, record_of_class, reply, window
from models.reunion import ReunionBooking, ReunionVenue
from wechat_bot.api.context import CHANNEL, current_user, now, settings
from wechat_bot.api.errors import ApiError
from wechat_bot.api.me import not_bound
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import Body, text
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunions", __name__)


def _iso_only(value):
    # pydantic would take 0 for 1970-01-01 (a Unix time); the schema says an ISO date, so only
    # that shape is a date here.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, dt.date):
        return value
    raise ValueError("日期请写成 YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]

MAX_RANGE = dt.timedelta(days=366)

# A refusal's code (handlers.reunion.booking) → the status the mini-program gets.
STATUS = {
    "not_bound": 403, "not_eligible": 403, "other_class": 403, "not_yours": 403, "not_contact": 403,
    "full": 409, "duplicate": 409, "already_member": 409, "not_open": 409,
    "past": 422, "too_late": 422, "closed": 422, "bad_slot": 422, "bad_headcount": 422,
    "bad_input": 422, "not_found": 404,
}


# --- shapes ----------------------------------------------------------------------------------------

class SlotOut(BaseModel):
    starts: str = Field(description="入校时段开始，HH:MM")
    ends: str
    label: str = Field(description="如 09:00-10:00")
    capacity: int
    left: int = Field(description="该时段还可接待的人数")


class VenueOut(BaseModel):
    name: str
    seats: int


class DayOut(BaseModel):
    date: dt.date
    weekday: str = Field(description="周一 … 周日")
    open: bool
    note: str | None = Field(description="学校对这一天的说明，如 校庆日")
    people_left: int = Field(description="一个班级最多还可预约的人数（当天余量与最宽裕时段中的较小者）")
    lodging_left: int = Field(description="住宿余量（间或床位，见 lodging_unit）")
    lodging_unit: str
    tour_left: int = Field(description="校园导览余量（组）")
    lunch_left: int
    dinner_left: int
    slots: list[SlotOut]
    venues_free: list[VenueOut] = Field(description="还空着的座谈场地")


class YearOut(BaseModel):
    year: int
    anniversary: int


class BookingRef(BaseModel):
    id: int
    date: dt.date


class EligibilityOut(BaseModel):
    college: str = Field(description="班级的学院；全校按届（class_scope = school）时为空")
    graduation_year: int
    class_label: str = Field(description="如 2016 届计算机学院")
    eligible: bool = Field(description="现在是否可以预约（今年或明年初的秩年）")
    years: list[YearOut] = Field(description="可预约的年份及其周年")
    next_anniversary: YearOut | None = Field(description="不可预约时，下一个秩年")
    first_bookable_day: dt.date
    booking: BookingRef | None = Field(description="本班已有的返校预约（可加入）")
    days: list[DayOut] = Field(description="可预约的开放日期（约三个月或到本季结束）")
    message: str = Field(description="给校友看的说明，与公众号「返校」的回复相同")


class DatesQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: IsoDate | None = Field(None, alias="from", description="起始日期，默认今天起可预约的第一天")
    end: IsoDate | None = Field(None, alias="to", description="截止日期（含），默认约三个月后；最多一年")


class DatesOut(BaseModel):
    items: list[DayOut]


class NeedsIn(Body):
    lodging: int = Field(0, ge=0, le=1000, description="住宿间数或床位数")
    venue_size: int = Field(0, ge=0, le=10000, description="座谈场地的座位数，0 为不需要")
    tour: StrictBool = Field(False, description="校园导览（每班一组）")
    lunch: StrictBool = Field(False, description="食堂午餐（每人一份）")
    dinner: StrictBool = Field(False, description="食堂晚餐（每人一份）")
    note: text(500) | None = Field(None, description="给学校的留言")


class BookingIn(Body):
    date: IsoDate
    people: int = Field(ge=1, le=MAX_PEOPLE, description="来访人数（含家属）")
    slot: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d(-([01]\d|2[0-3]):[0-5]\d)?$",
                             description="入校时段，如 09:00 或 09:00-10:00；不填为最早还有余量的时段")
    needs: NeedsIn | None = Field(None, description="不填时默认 校园导览 + 午餐；当天没有余量的默认项会略去，"
                                                   "见 dropped。填写时任一项没有余量即拒绝。")


class MembersIn(Body):
    companions: list[text(20, 1)] = Field(default_factory=list, max_length=MAX_COMPANIONS,
                                          description="同行家属的姓名，计入人数")


class BookingOut(BaseModel):
    id: int = Field(description="预约编号")
    date: dt.date
    weekday: str
    slot: str = Field(description="入校时段，如 09:00-10:00")
    status: str = Field(description="pending / confirmed / approved / declined / cancelled / visited / no_show")
    status_name: str = Field(description="状态的中文")
    reason: str | None = Field(description="未通过的原因")
    class_label: str
    college: str
    graduation_year: int
    anniversary: int
    people: int = Field(description="预约的名额")
    headcount: int = Field(description="已加入的同学及家属人数")
    members: int = Field(description="已加入的同学人数")
    is_contact: bool = Field(description="我是否为预约人（只有预约人可以取消）")
    lodging: int
    venue: VenueOut | None
    tour: bool
    lunch: bool
    dinner: bool
    note: str | None
    dropped: list[str] = Field(default_factory=list,
                               description="因没有余量而略去的默认需要：tour / lunch / dinner / venue / lodging")


class BookingsOut(BaseModel):
    items: list[BookingOut]


class JoinOut(BaseModel):
    booking: BookingOut
    grew: int = Field(description="为容纳本人及家属而增加的名额")


# --- views -----------------------------------------------------------------------------------------

@bp.get("/reunions/eligibility")
@operation(ok=EligibilityOut, errors=(403,), tags=["reunions"])
def get_eligibility():
    """本班的秩年返校资格、可预约的开放日期与余量。

    班级为 学院 + 毕业年份（全校按届时只看年份）。今年（或已进入预约期的明年）是秩年时 `eligible`
    为真并列出日期；否则 `next_anniversary` 给出下一个秩年。未绑定时 403 `not_bound`。"""
    config = settings()
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        records = bound_records(session, user)
        if not records:
            raise not_bound()
        _, found = best(session, records, now(), config)
        klass = found.klass
        return EligibilityOut(
            college=klass.college, graduation_year=klass.graduation_year, class_label=klass.label,
            eligible=found.eligible, years=[YearOut(year=y, anniversary=n) for y, n in sorted(found.years.items())],
            next_anniversary=YearOut(year=found.next[0], anniversary=found.next[1]) if found.next else None,
            first_bookable_day=found.first_bookable,
            booking=BookingRef(id=found.booking.id, date=found.booking.day.day) if found.booking else None,
            days=[_day(d, config) for d in found.days], message=reply(found, config))


@bp.get("/reunions/dates")
@operation(ok=DatesOut, errors=(), tags=["reunions"])
def get_dates(query: DatesQuery):
    """开放预约的日期及每天的余量：人数、住宿、导览、午餐、晚餐、各入校时段与空闲场地。

    默认从今天起可预约的第一天到约三个月后（或本季结束）；`from`/`to` 可改，最多列出 `from` 起一年；
    `to` 早于 `from` 时为空列表。"""
    config = settings()
    start, end = window(local_today(now(), config), config)
    start, end = query.start or start, query.end or end
    # Schema-valid bounds are answered, not refused: an empty range lists nothing, a long one
    # stops a year after `from`.
    end = min(end, start + MAX_RANGE)
    with current_runtime().sessions.begin() as session:
        current_user(session)
        return DatesOut(items=[_day(d, config) for d in days_between(session, start, end, config)])


@bp.post("/reunions/bookings")
@operation(ok=BookingOut, status=201, errors=(403, 404, 409), tags=["reunions"])
def create_booking(json: BookingIn):
    """以本班名义预约返校，本人为预约人。

    拒绝时给出原因：日期已过、提前量不足、不开放（422），已约满或本班已有预约（409，
    `duplicate` 的说明里有已有预约的编号），本班今年不是秩年或未绑定（403）。"""
    config = settings()
    slot = dt.time.fromisoformat(json.slot[:5]) if json.slot else None
    needs = DEFAULT_NEEDS if json.needs is None else Needs(
        lodging=json.needs.lodging, venue_size=json.needs.venue_size, tour=json.needs.tour,
        lunch=json.needs.lunch, dinner=json.needs.dinner, note=json.needs.note)
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        records = bound_records(session, user)
        if not records:
            raise not_bound()
        try:
            booked = book(session, record_for_day(records, json.date, config), json.date, json.people,
                          needs, slot, now=now(), settings=config, channel=CHANNEL,
                          optional=json.needs is None)
        except BookingRefused as refused:
            raise _refusal(refused) from None
        return _booking_out(session, booked.booking, is_contact=True, booked=booked), 201


@bp.get("/reunions/bookings")
@operation(ok=BookingsOut, tags=["reunions"])
def list_bookings():
    """我参加的返校预约（作为预约人或已加入的同学），即将到来的在前。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        return BookingsOut(items=[_mine_out(session, m) for m in my_bookings(session, user)])


@bp.delete("/reunions/bookings/<int:booking_id>")
@operation(ok=BookingOut, errors=(403, 404, 409), tags=["reunions"])
def delete_booking(booking_id: int):
    """取消返校预约：只有本班的预约人可以取消，返校日零点（当地时间）前有效。

    其他班级的预约或不是预约人时 403，返校日已到或已取消时 409 `too_late` / `not_open`。
    名额、场地等全部释放，本班可重新预约；已加入的同学会收到通知。"""
    config = settings()
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            booking = cancel(session, user, booking_id, now=now(), settings=config, notify=notify_users)
        except BookingRefused as refused:
            raise _refusal(refused, too_late=409) from None
        return _booking_out(session, booking, is_contact=True)


@bp.post("/reunions/bookings/<int:booking_id>/members")
@operation(ok=JoinOut, status=201, errors=(403, 404, 409), tags=["reunions"])
def add_member(booking_id: int, json: MembersIn):
    """加入本班的返校预约，可带家属（计入人数）。

    人数超过预约名额时自动增加名额，当天没有余量则 409 `full`；其他班级的预约 403
    `other_class`；已加入 409 `already_member`。预约人会收到通知。"""
    config = settings()
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        records = bound_records(session, user)
        if not records:
            raise not_bound()
        try:
            target = get_booking(session, booking_id)
            record = record_of_class(records, target.college, target.graduation_year, config)
            joined = join(session, record, booking_id, list(json.companions), now=now(), settings=config,
                          notify=notify_users)
        except BookingRefused as refused:
            raise _refusal(refused) from None
        return JoinOut(booking=_booking_out(session, joined.booking, is_contact=False), grew=joined.grew), 201


# --- helpers ---------------------------------------------------------------------------------------

def _refusal(refused: BookingRefused, *, too_late: int = 422) -> ApiError:
    status = too_late if refused.code == "too_late" else STATUS.get(refused.code, 422)
    return ApiError(status, refused.code, refused.reason)


def _day(d: DayView, config) -> DayOut:
    return DayOut(
        date=d.day, weekday=d.weekday, open=d.is_open, note=d.note, people_left=d.people_left,
        lodging_left=d.lodging.left, lodging_unit=config.reunion.lodging_unit, tour_left=d.tour.left,
        lunch_left=d.lunch.left, dinner_left=d.dinner.left,
        slots=[SlotOut(starts=f"{s.starts:%H:%M}", ends=f"{s.ends:%H:%M}", label=s.label, capacity=s.capacity,
                       left=min(s.left, d.people.left)) for s in d.slots],
        venues_free=[VenueOut(name=v.name, seats=v.seats) for v in d.venues if not v.taken])


def _mine_out(session: Session, mine: MyBooking) -> BookingOut:
    return _booking_out(session, mine.booking, is_contact=mine.is_contact)


def _booking_out(session: Session, b: ReunionBooking, *, is_contact: bool, booked: Booked | None = None) -> BookingOut:
    session.refresh(b)
    venue = booked.venue if booked else session.scalar(select(ReunionVenue).where(ReunionVenue.booking_id == b.id))
    return BookingOut(
        id=b.id, date=b.day.day, weekday=texts.day_label(b.day.day).split(" ")[1], slot=b.slot.label,
        status=b.status.value, status_name=texts.STATUS_NAMES[b.status.value], reason=b.reason,
        class_label=texts.class_label(b.graduation_year, b.college), college=b.college,
        graduation_year=b.graduation_year, anniversary=b.anniversary, people=b.people,
        headcount=b.headcount, members=len(b.members), is_contact=is_contact, lodging=b.lodging,
        venue=VenueOut(name=venue.name, seats=venue.seats) if venue else None, tour=b.tour, lunch=b.lunch,
        dinner=b.dinner, note=b.note, dropped=list(booked.dropped) if booked else [])
