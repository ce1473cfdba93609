"""Builders for the reunion tests: a bound classmate, a booked day, a booking with its members.

`add_booking` writes rows the way a confirmed booking leaves them (the day's and slot's counters
taken), for tests of what happens after booking: approvals, passes, reminders. Tests of booking
itself go through the real doors (the webhook, the API) or handlers.reunion.booking.
"""

from __future__ import annotations

import datetime as dt

from handlers.directory.names import name_key
from handlers.reunion.calendar import materialize
from handlers.settings import Settings
from models import Alumnus, WechatUser
from models.reunion import BookingStatus, ReunionBooking, ReunionMember

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)     # 10:00 in Shanghai, a Monday
VISIT_DAY = dt.date(2026, 4, 11)                        # a Saturday: open by default


def add_classmate(session, openid: str | None, student_id: str, name: str, year: int = 2016,
                  college: str = "计算机学院", **fields) -> Alumnus:
    """A roster record of the class, bound to a new WeChat user `openid` (None: not bound)."""
    user = None
    if openid is not None:
        user = WechatUser(openid=openid, subscribed=True, created_at=NOW)
        session.add(user)
        session.flush()
    record = Alumnus(student_id=student_id, name=name, graduation_year=year, college=college,
                     degree="本科", name_key=name_key(name), search_pinyin="", search_initials="",
                     imported_at=NOW, wechat_user_id=user.id if user else None,
                     bound_at=NOW if user else None, **fields)
    session.add(record)
    session.flush()
    return record


def add_booking(session, contact: Alumnus, *, day: dt.date = VISIT_DAY, people: int = 10,
                status: BookingStatus = BookingStatus.PENDING, settings: Settings | None = None,
                members: tuple[Alumnus, ...] = (), lunch: bool = True, dinner: bool = False,
                tour: bool = True, lodging: int = 0, now: dt.datetime = NOW) -> ReunionBooking:
    """A booking of contact's class on `day` (first slot), with `members` joined (party of 1)."""
    settings = settings or Settings()
    row = materialize(session, day, settings, now)
    slot = row.slots[0]
    row.people_booked += people
    slot.booked += people
    row.lunch_booked += people if lunch else 0
    row.dinner_booked += people if dinner else 0
    row.tour_booked += 1 if tour else 0
    row.lodging_booked += lodging
    anniversary = day.year - contact.graduation_year
    booking = ReunionBooking(
        day_id=row.id, slot_id=slot.id, college=contact.college or "",
        graduation_year=contact.graduation_year, anniversary=anniversary,
        class_key=f"{contact.graduation_year}|{contact.college or ''}|{anniversary}",
        contact_user_id=contact.wechat_user_id, contact_alumnus_id=contact.id, people=people,
        lodging=lodging, tour=tour, lunch=lunch, dinner=dinner, status=status, channel="bot",
        created_at=now, updated_at=now)
    booking.members = [ReunionMember(alumnus_id=a.id, wechat_user_id=a.wechat_user_id,
                                     is_contact=(a.id == contact.id), companions=[], party=1,
                                     joined_at=now)
                       for a in (contact, *members)]
    session.add(booking)
    session.flush()
    return booking
