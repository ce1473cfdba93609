"""What `alumni-bot demo` seeds for circles: the class circle of the chat page's 王磊
(DEMO_BOUND, 机械工程学院 2016届) with classmates bound to simulated followers, a second class
circle, an approved interest circle (羽毛球) with members and 王磊 among them, and a proposal
(摄影) waiting on the admin page. Once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.circles.membership import ensure_class_circle, join_circle, member_count
from handlers.circles.proposals import decide_proposal, propose_circle
from handlers.circles.settings import CircleSettings
from handlers.directory.demo import DEMO_BOUND, DEMO_IDENTITIES
from models import Alumnus, Privacy, WechatUser
from models.circle import Circle, CircleNotice

ACTOR = "demo"
CLASSMATES = 4


def seed_demo_circles(session: Session, *, now: dt.datetime, settings: CircleSettings,
                      bind: Callable[[Session, Alumnus], WechatUser]) -> Iterator[str]:
    if session.scalar(select(func.count()).select_from(Circle)):
        return
    wang = session.scalar(select(Alumnus).where(Alumnus.student_id == DEMO_BOUND.student_id))
    college, year = DEMO_BOUND.college, DEMO_BOUND.graduation_year
    classmates = [_user(session, r, bind) for r in _alumni(session, Alumnus.college == college,
                                                             Alumnus.graduation_year == year)]
    mine = ensure_class_circle(session, college, year, now=now)
    others = _alumni(session, Alumnus.graduation_year == 2012, limit=3)
    for record in others:
        _user(session, record, bind)
    other_class = (ensure_class_circle(session, others[0].college or "", 2012, now=now) if others else None)
    # 羽毛球: proposed by a classmate, approved; members from both classes (one hides from search).
    if len(classmates) < CLASSMATES:  # a small roster: fans from any other year
        classmates += [_user(session, r, bind) for r in _alumni(
            session, Alumnus.graduation_year.not_in((year, 2012)), limit=CLASSMATES - len(classmates))]
    players = classmates[:3]
    if not players:
        return
    badminton = propose_circle(session, players[0], "羽毛球", "周末在校体育馆和各地球馆约球，新手欢迎",
                               now=now, settings=settings)
    decide_proposal(session, badminton, approve=True, actor=ACTOR, now=now)
    joiners = players[1:] + [session.get(WechatUser, r.wechat_user_id) for r in others[:2]]
    if wang is not None and wang.wechat_user_id is not None:
        joiners.append(session.get(WechatUser, wang.wechat_user_id))
    for user in joiners:
        join_circle(session, user, badminton.id, now=now, channel="demo")
    if others:
        others[-1].privacy = Privacy.HIDDEN
    session.add(CircleNotice(circle_id=badminton.id, author_user_id=players[0].id,
                             text="本周六上午九点校体育馆，带好球拍。", recipients=len(joiners),
                             created_at=now - dt.timedelta(days=2)))
    pending = classmates[3] if len(classmates) > 3 else players[-1]
    photo = propose_circle(session, pending, "摄影", "扫街、风光、人像，线上交流作品", now=now,
                           settings=settings)
    session.flush()
    names = f"「{mine.name}」（{member_count(session, mine.id)} 人）"
    if other_class is not None:
        names += f"、「{other_class.name}」（{member_count(session, other_class.id)} 人）"
    yield (f"演示数据：班级圈 {names}；兴趣圈「羽毛球」#{badminton.id}（{member_count(session, badminton.id)} 人，"
           f"王磊在内）；待审核的申请「摄影」#{photo.id}（管理页 校友圈）")


def _alumni(session: Session, *conditions, limit: int = CLASSMATES) -> list[Alumnus]:
    """Roster alumni to play members, bound ones first (the reunion's classmates may be)."""
    reserved = [i.student_id for i in (*DEMO_IDENTITIES, DEMO_BOUND)]
    return list(session.scalars(
        select(Alumnus).where(Alumnus.student_id.not_in(reserved), *conditions)
        .order_by(Alumnus.wechat_user_id.is_(None), Alumnus.id).limit(limit)))


def _user(session: Session, record: Alumnus, bind) -> WechatUser:
    if record.wechat_user_id is not None:
        return session.get(WechatUser, record.wechat_user_id)
    return bind(session, record)
