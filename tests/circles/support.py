"""Builders for the circles' tests: bound classmates and an approved interest circle."""

from __future__ import annotations

import datetime as dt
from itertools import count

from sqlalchemy import select

from handlers.circles.membership import join_circle
from handlers.circles.proposals import decide_proposal, propose_circle
from handlers.settings import Settings
from models import Privacy, Push, WechatUser
from models.circle import Circle
from tests.reunion.support import add_classmate

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
_ids = count(1)


def alumnus(session, name: str, *, year: int = 2016, college: str = "计算机学院",
            privacy: Privacy = Privacy.CLASSMATES, openid: str | None = None, **fields) -> WechatUser:
    """A bound alumnus (with a phone and an e-mail no other alumnus may see): their WeChat user."""
    number = next(_ids)
    record = add_classmate(session, openid or f"o-circle-{number}", f"C{number:07d}", name, year=year,
                           college=college, phone=f"1380000{number:04d}",
                           email=f"a{number}@example.com", privacy=privacy, **fields)
    return session.get(WechatUser, record.wechat_user_id)


def interest_circle(session, proposer: WechatUser, name: str = "羽毛球", *members: WechatUser) -> Circle:
    """An approved interest circle (its proposer its admin), with `members` joined."""
    circle = propose_circle(session, proposer, name, "周末一起打球", now=NOW, settings=Settings().circles)
    decide_proposal(session, circle, approve=True, actor="boss", now=NOW)
    for member in members:
        join_circle(session, member, circle.id, now=NOW, channel="bot")
    return circle


def pushes(session, created_by: str) -> list[Push]:
    return list(session.scalars(select(Push).where(Push.created_by == created_by).order_by(Push.id)))
