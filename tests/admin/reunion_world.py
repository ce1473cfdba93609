"""A reunion world for the admin tests: two colleges' classes with bookings, and an account of
every role (admin boss, staff clerk, 计算机学院's dean, 化学学院's chemdean, 上海校友会's liaison)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import StaffRole
from models.reunion import BookingStatus
from tests.admin.support import add_account, add_chapter, login
from tests.reunion.support import VISIT_DAY, add_booking, add_classmate


def coming_saturday(weeks: int = 6) -> dt.date:
    """A Saturday some weeks ahead of the real clock (the admin pages read it): open by default."""
    today = dt.datetime.now(dt.UTC).date() + dt.timedelta(weeks=weeks)
    return today + dt.timedelta(days=(5 - today.weekday()) % 7)


@dataclass
class World:
    cs: int          # 计算机学院 2016, pending, on a coming Saturday: contact + two classmates
    chem: int        # 化学学院 2016, pending, the same day
    past: int        # 计算机学院 2016's sister class 2006 (20 years), approved, on VISIT_DAY (past)
    day: dt.date
    users: list[int]  # the cs booking's contact and members' WeChat users


def build(runtime) -> World:
    day = coming_saturday()
    settings = runtime.config.features
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-cs-1", "2012001", "王磊", year=day.year - 10)
        mates = (add_classmate(session, "o-cs-2", "2012002", "李娜", year=day.year - 10),
                 add_classmate(session, "o-cs-3", "2012003", "赵敏", year=day.year - 10))
        cs = add_booking(session, contact, day=day, people=12, members=mates, settings=settings)
        chemist = add_classmate(session, "o-ch-1", "2012101", "孙悦", year=day.year - 10,
                                college="化学学院")
        chem = add_booking(session, chemist, day=day, people=8, settings=settings)
        old = add_classmate(session, "o-old-1", "2006001", "周强", year=VISIT_DAY.year - 20)
        past = add_booking(session, old, day=VISIT_DAY, people=6, settings=settings)
        past.status = BookingStatus.APPROVED
        world = World(cs.id, chem.id, past.id, day,
                      [contact.wechat_user_id, *(m.wechat_user_id for m in mates)])
        add_chapter(session, "上海校友会")
    add_account(runtime, "boss", StaffRole.ADMIN)
    add_account(runtime, "clerk", StaffRole.STAFF)
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    add_account(runtime, "chemdean", StaffRole.COLLEGE, college="化学学院")
    add_account(runtime, "sh", StaffRole.LIAISON, chapter="上海校友会")
    return world


def client_of(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client
