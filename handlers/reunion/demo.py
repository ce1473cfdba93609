"""Demo reunions for `alumni-bot demo`: a class on campus today, classes booked for the coming
weekends, a visit last month with feedback, and the school's publications.

Everything goes through the feature's own rules (book, join, the lifecycle, feedback), so the demo
shows what those rules leave, counters included. Made-up people only.

- Today is opened by staff as a special day (whatever weekday it is), and the chat page's 王磊
  (handlers.directory.demo.DEMO_BOUND) has an approved booking for his class on it, with three
  classmates, one bringing family: his `我的返校码` scans at the gate and the canteen today.
- The first bookable weekend has a pending and a confirmed booking of other 10th-anniversary
  classes; 张伟's class (the bind example's, 计算机学院) is left free for the newcomer to book.
- A visit a month ago was approved, visited and answered, for the feedback page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.directory.demo import DEMO_BOUND, DEMO_IDENTITIES
from handlers.notices import Notify
from handlers.publications.library import PublicationInput, add_publication
from handlers.reunion import lifecycle
from handlers.reunion.booking import BookingRefused, Needs, book, join
from handlers.reunion.calendar import first_bookable_day, local_today, materialize, open_by_default
from handlers.reunion.feedback import give_feedback
from handlers.settings import Settings
from handlers.staff.scope import Scope
from models import Alumnus, StaffRole, WechatUser
from models.reunion import ReunionBooking

STAFF = Scope(role=StaffRole.STAFF)
ACTOR = "demo"
TODAY_NOTE = "演示：今日临时开放，可在管理后台「返校扫码」核验返校码"
PROGRAMME = "与在校生座谈；参观重点实验室；名师重上一堂课；校史馆集章路线"

PUBLICATIONS = (
    ("校报", "校报｜秩年返校特刊：欢迎回家", "十年、二十年、三十年……母校的变化与不变。"),
    ("校友通讯", "校友通讯 2026 年第 4 期", "各地校友会动态、校友创业故事与返校活动预告。"),
    ("校史", "校史馆｜从一栋红楼到百年学府", "返校时可在校史馆完成集章路线。"),
    ("校园新闻", "新图书馆启用，校友凭电子校友卡入馆", "返校校友可预约参观新图书馆。"),
)

# (bound) a classmate given a WeChat follower the demo's sandbox knows
Bind = Callable[[Session, Alumnus], WechatUser]


def seed_demo_reunions(session: Session, *, now: dt.datetime, settings: Settings, notify: Notify,
                       bind: Bind, base_url: str) -> Iterator[str]:
    """Seed the demo's reunions; yields one line per thing made."""
    yield from _publications(session, now, base_url)
    yield from _today(session, now, settings, notify, bind)
    yield from _coming_weekend(session, now, settings, notify, bind)
    yield from _last_month(session, now, settings, notify, bind)


def _publications(session: Session, now: dt.datetime, base_url: str) -> Iterator[str]:
    for category, title, summary in PUBLICATIONS:
        row = add_publication(session, PublicationInput(category, title, f"{base_url}/sandbox/",
                                                        summary), by=ACTOR, now=now)
        row.url = f"{base_url}/sandbox/publications/{row.id}"  # the sandbox's stand-in page
    yield f"演示数据：刊物与新闻 {len(PUBLICATIONS)} 篇（返校前 7 天的提醒会附上校报、校友通讯、校史）"


def _today(session, now, settings, notify, bind) -> Iterator[str]:
    """王磊's class on campus today, approved, with classmates: passes that scan today."""
    contact = session.scalar(select(Alumnus).where(Alumnus.student_id == DEMO_BOUND.student_id))
    if contact is None or contact.wechat_user_id is None:
        return
    today = local_today(now, settings)
    row = materialize(session, today, settings, now, by=ACTOR)
    row.is_open, row.note = True, TODAY_NOTE
    same_day = dataclasses.replace(settings, reunion=dataclasses.replace(
        settings.reunion, booking_lead_days=0, anniversary_years=sorted(
            {*settings.reunion.anniversary_years, today.year - contact.graduation_year})))
    try:
        booked = book(session, contact, today, 6, Needs(tour=True, lunch=True, dinner=True, venue_size=30),
                      now=now, settings=same_day, channel="bot")
    except BookingRefused as refused:
        yield f"演示数据：未能为今天生成返校预约（{refused.reason}）"
        return
    booking = booked.booking
    for classmate, companions in zip(_classmates(session, contact, 3), (["李梅"], [], [])):
        bind(session, classmate)
        join(session, classmate, booking.id, companions, now=now, settings=same_day, notify=notify)
    lifecycle.confirm_programme(session, booking, PROGRAMME, scope=STAFF, actor=ACTOR, now=now,
                                notify=notify)
    lifecycle.approve(session, booking, scope=STAFF, actor=ACTOR, now=now, notify=notify)
    yield (f"演示数据：{DEMO_BOUND.name}所在的{booking.graduation_year}届{booking.college}今天返校"
           f"（编号 {booking.id}，已批准）：聊天页选{DEMO_BOUND.name}发送「我的返校码」，"
           "在后台「秩年返校 → 返校扫码」扫码入校、领午餐")


def _coming_weekend(session, now, settings, notify, bind) -> Iterator[str]:
    """Two other 10th-anniversary classes booked the first bookable open day: one pending, one
    with its college's programme confirmed."""
    today = local_today(now, settings)
    day = first_bookable_day(today, settings)
    while not open_by_default(day, settings) and day.year == today.year:
        day += dt.timedelta(days=1)
    if day.year != today.year:
        yield "演示数据：今年已没有可预约的返校日，未生成即将到来的返校预约"
        return
    kept = {i.college for i in (*DEMO_IDENTITIES, DEMO_BOUND)}
    made = []
    for contact in _contacts(session, today.year - 10, kept, 2):
        bind(session, contact)
        try:
            booking = book(session, contact, day, 12, now=now, settings=settings, channel="bot",
                           optional=True).booking
        except BookingRefused:
            continue
        if made:
            lifecycle.confirm_programme(session, booking, PROGRAMME, scope=STAFF, actor=ACTOR,
                                        now=now, notify=notify)
        made.append(booking)
    if made:
        yield (f"演示数据：{day:%m-%d} 已有 {len(made)} 个班级预约返校（待审批），"
               "在后台「秩年返校 → 返校预约」批准或不批准")


def _last_month(session, now, settings, notify, bind) -> Iterator[str]:
    """A class that came a month ago (approved, visited) and said how it was."""
    today = local_today(now, settings)
    then = now - dt.timedelta(days=40)
    day = local_today(then, settings) + dt.timedelta(days=settings.reunion.booking_lead_days + 1)
    while not open_by_default(day, settings):
        day += dt.timedelta(days=1)
    if day >= today:
        return
    kept = {i.college for i in (*DEMO_IDENTITIES, DEMO_BOUND)}
    contacts = _contacts(session, day.year - 20, kept, 1)
    if not contacts:
        return
    contact = contacts[0]
    bind(session, contact)
    try:
        booking = book(session, contact, day, 8, now=then, settings=settings, channel="bot",
                       optional=True).booking
    except BookingRefused:
        return
    classmates = _classmates(session, contact, 2)
    for classmate in classmates:
        bind(session, classmate)
        join(session, classmate, booking.id, [], now=then, settings=settings, notify=notify)
    lifecycle.approve(session, booking, scope=STAFF, actor=ACTOR, now=then, notify=notify)
    lifecycle.mark_visited(session, booking, scope=STAFF, now=now, settings=settings, notify=notify)
    answers = ((5, "母校变化太大了，感谢学院的安排！"), (4, "食堂还是熟悉的味道。"), (5, None))
    for person, (score, line) in zip((contact, *classmates), answers):
        user = session.get(WechatUser, person.wechat_user_id)
        give_feedback(session, user, booking.id, score, line, now=now)
    yield f"演示数据：{day:%m-%d} 一个 20 周年班级已返校并留下评价（后台「返校反馈」）"


def _classmates(session: Session, contact: Alumnus, count: int) -> list[Alumnus]:
    return list(session.scalars(
        select(Alumnus).where(Alumnus.college == contact.college,
                              Alumnus.graduation_year == contact.graduation_year,
                              Alumnus.id != contact.id, Alumnus.wechat_user_id.is_(None))
        .order_by(Alumnus.id).limit(count)))


def _contacts(session: Session, year: int, kept: set[str], count: int) -> list[Alumnus]:
    """The first unbound alumnus of `count` classes of `year` outside the colleges kept free."""
    booked = select(ReunionBooking.college).where(ReunionBooking.graduation_year == year)
    rows = session.execute(
        select(Alumnus.college, Alumnus.id).where(
            Alumnus.graduation_year == year, Alumnus.college.is_not(None),
            Alumnus.college.not_in(kept), Alumnus.college.not_in(booked),
            Alumnus.wechat_user_id.is_(None))
        .order_by(Alumnus.college, Alumnus.id)).all()
    firsts: dict[str, int] = {}
    for college, alumnus_id in rows:
        firsts.setdefault(college, alumnus_id)
    return [session.get(Alumnus, i) for i in list(firsts.values())[:count]]
