"""Demo events for `alumni-bot demo`: upcoming open events of several kinds, one nearly full, one
full with a waitlist, one of the 上海校友会, and one today to check in at.

Made-up people only: the registrants are roster alumni bound to simulated followers the demo's
sandbox knows (`bind`, as the reunion demo does), registered as sign-up leaves them (the seat
counter and the waitlist counter moved with each registration, guests included).

- 2026 校友校园马拉松 (校园马拉松): 500 seats, a handful taken, shirt size asked, a guest allowed:
  plenty of room for the newcomer to sign up (audience: every follower).
- 校友午餐沙龙 (校友午餐沙龙): 12 seats, 11 taken, for verified alumni: one seat left.
- 企业家论坛 (企业家论坛): 8 seats, all taken, three in line: a newcomer's 报名 lands on the
  waitlist at position 4.
- 上海校友会 地区校友见面会: organised by the chapter (its liaison manages it), for its members.
- 迎新校友活动 today, an hour from now: the chat page's 扫码 field with `checkin:<id>` checks a
  registrant in (or offers a walk-in seat).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.directory.demo import DEMO_BOUND, DEMO_IDENTITIES
from handlers.settings import Settings
from models import Alumnus, WechatUser
from models.chapter import Chapter, ChapterMember
from models.event import Event, EventStatus, Registration, RegistrationStatus

ACTOR = "demo"
SHIRTS = ("S", "M", "L", "XL")

# (bound) an alumnus given a WeChat follower the demo's sandbox knows
Bind = Callable[[Session, Alumnus], WechatUser]


@dataclass(frozen=True)
class DemoEvent:
    title: str
    kind: str
    days: int                 # from today (local)
    at: tuple[int, int]       # local start (hour, minute); today's starts an hour from now
    hours: float
    place: str
    seats: int
    audience: str
    description: str
    confirmed: tuple[int, ...] = ()   # guests of each confirmed registrant
    waitlisted: int = 0
    max_guests: int = 0
    ask_shirt_size: bool = False
    chapter: str | None = None


EVENTS = (
    DemoEvent("2026 校友校园马拉松", "校园马拉松", 12, (7, 30), 4, "东操场（起点）", 500, "all",
              "环校园 10 公里，沿途经过老图书馆、樱花大道和新体育馆；完赛可领纪念奖牌和校友 T 恤。",
              confirmed=(0, 1, 0, 0, 1, 0), max_guests=1, ask_shirt_size=True),
    DemoEvent("校友午餐沙龙：人工智能与职业转型", "校友午餐沙龙", 5, (12, 0), 2, "校友之家二楼", 12, "bound",
              "与几位在人工智能行业工作的校友共进午餐，聊聊职业转型的得失。",
              confirmed=(1, 1, 1, 1, 0, 0, 0), max_guests=1),
    DemoEvent("企业家论坛：出海十年", "企业家论坛", 9, (14, 0), 3, "经管学院报告厅", 8, "all",
              "三位校友企业家分享海外市场十年的经验，之后自由交流。",
              confirmed=(0,) * 8, waitlisted=3),
    DemoEvent("上海校友季度见面会", "地区校友见面会", 14, (18, 30), 3, "上海市徐汇区校友会活动室", 40,
              "chapter:上海校友会", "上海校友会的季度见面会：新老校友认识一下，分会介绍下半年的活动。",
              confirmed=(0, 0, 0), chapter="上海校友会"),
    DemoEvent("迎新校友活动：欢迎加入校友会", "迎新校友活动", 0, (0, 0), 2, "校友之家一楼大厅", 60, "all",
              "刚毕业的校友来校友之家坐坐：了解校友会、认识各地分会的联络员。",
              confirmed=(0, 0, 0, 0)),
)


def seed_demo_events(session: Session, *, now: dt.datetime, settings: Settings,
                     bind: Bind) -> Iterator[str]:
    """Seed the demo's events; yields one line per event made."""
    zone = ZoneInfo(settings.timezone)
    spare = _spare_alumni(session)
    for spec in EVENTS:
        chapter_id, members = None, []
        if spec.chapter is not None:
            chapter_id = session.scalar(select(Chapter.id).where(Chapter.name == spec.chapter))
            if chapter_id is None:
                yield f"演示数据：没有「{spec.chapter}」，未生成它的{spec.kind}"
                continue
            members = list(session.scalars(select(ChapterMember.wechat_user_id)
                                           .where(ChapterMember.chapter_id == chapter_id)
                                           .order_by(ChapterMember.id)))
        starts = _starts(spec, now, zone)
        event = Event(title=spec.title, kind=spec.kind, description=spec.description,
                      starts_at=starts, ends_at=starts + dt.timedelta(hours=spec.hours),
                      place=spec.place, seats=spec.seats, seats_taken=0, waitlist_next=1,
                      audience=spec.audience, max_guests=spec.max_guests,
                      ask_shirt_size=spec.ask_shirt_size, questions=[], chapter_id=chapter_id,
                      status=EventStatus.OPEN, created_by=ACTOR, created_at=now, updated_at=now)
        session.add(event)
        session.flush()
        people = len(spec.confirmed) + spec.waitlisted
        users = members[:people]
        while len(users) < people and spare:
            users.append(bind(session, spare.pop()).id)
        for n, user_id in enumerate(users):
            if n < len(spec.confirmed):
                _register(session, event, user_id, now, guests=spec.confirmed[n],
                          shirt=SHIRTS[n % len(SHIRTS)] if spec.ask_shirt_size else None)
            else:
                _register(session, event, user_id, now, waitlisted=True)
        yield _line(event, starts.astimezone(zone), spec)


def _line(event: Event, starts: dt.datetime, spec: DemoEvent) -> str:
    waiting = event.waitlist_next - 1
    state = (f"已满，{waiting} 人候补" if event.seats_left == 0 else
             f"已报 {event.seats_taken}/{event.seats}，剩 {event.seats_left} 席")
    line = (f"演示数据：活动 {event.id}「{event.title}」（{spec.kind}，{starts:%m-%d %H:%M}，{state}）")
    if spec.days == 0:
        line += f"：今天举行，发送「报名 {event.id}」后在聊天页「扫码」填 checkin:{event.id} 签到"
    elif event.seats_left == 0:
        line += f"：发送「报名 {event.id}」进入候补"
    elif event.seats_left == 1:
        line += f"：只剩 1 席，认证校友发送「报名 {event.id}」"
    elif spec.ask_shirt_size:
        line += f"：发送「报名 {event.id}」，可带 {spec.max_guests} 位家属，需选 T 恤尺码"
    elif spec.chapter:
        line += f"：{spec.chapter}主办，其联络员可在后台管理"
    return line


def _starts(spec: DemoEvent, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if spec.days == 0:   # today, an hour from now (or right away late in the evening)
        local = now.astimezone(zone)
        later = local + dt.timedelta(hours=1)
        starts = later if later.date() == local.date() else local + dt.timedelta(minutes=5)
        return starts.replace(second=0, microsecond=0).astimezone(dt.UTC)
    day = now.astimezone(zone).date() + dt.timedelta(days=spec.days)
    return dt.datetime.combine(day, dt.time(*spec.at), tzinfo=zone).astimezone(dt.UTC)


def _register(session: Session, event: Event, user_id: int, now: dt.datetime, *, guests: int = 0,
              waitlisted: bool = False, shirt: str | None = None) -> None:
    """A registration as sign-up leaves it, the event's counters moved with it."""
    alumnus_id = session.scalar(select(Alumnus.id).where(Alumnus.wechat_user_id == user_id).limit(1))
    position = None
    if waitlisted:
        status = RegistrationStatus.WAITLISTED
        position, event.waitlist_next = float(event.waitlist_next), event.waitlist_next + 1
    else:
        status = RegistrationStatus.CONFIRMED
        event.seats_taken += 1 + guests
    session.add(Registration(event_id=event.id, wechat_user_id=user_id, alumnus_id=alumnus_id,
                             status=status, guests=guests,
                             answers={"shirt_size": shirt} if shirt else {}, position=position,
                             channel="bot", created_at=now, updated_at=now,
                             confirmed_at=None if waitlisted else now))
    session.flush()


def _spare_alumni(session: Session, count: int = 40) -> list[Alumnus]:
    """Unbound roster alumni to play registrants (not the chat page's own identities)."""
    reserved = [i.student_id for i in (*DEMO_IDENTITIES, DEMO_BOUND)]
    return list(reversed(session.scalars(
        select(Alumnus).where(Alumnus.wechat_user_id.is_(None), Alumnus.student_id.not_in(reserved))
        .order_by(Alumnus.id.desc()).limit(count)).all()))
