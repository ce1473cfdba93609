"""Who a mini-program login is: find or create the WechatUser, linking by unionid.

WeChat gives the mini-program its own openid; the unionid (when the mini-program and the official
account belong to one open-platform account) is the same person across both. So:

- a user with this mini-program openid: that is them (and a unionid arriving now is recorded,
  unless another row already holds it — see below);
- else a user with this unionid (the follower of the official account): the mini-program openid
  is added to that row, so binding, privacy and bookings are shared between the two doors;
- else a new user.

Two rows for one person (a mini-program row made before the follower's unionid was known, and
the follower row that has it now) are merged into the follower's (handlers.identity), unless they
hold different people's records: then the login uses the bound row (the one the person verified
with), else the mini-program's own, and staff are alerted once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.identity import merge_users
from models import Alumnus, WechatUser


def sign_in(session: Session, mp_openid: str, unionid: str | None, now: datetime) -> WechatUser:
    """The WechatUser for this mini-program login (created if new); flushes, never commits."""
    try:
        with session.begin_nested():
            return _sign_in(session, mp_openid, unionid, now)
    except IntegrityError:
        # Two first logins of one person raced on the unique openid / unionid: the other won.
        return _sign_in(session, mp_openid, unionid, now)


def _sign_in(session: Session, mp_openid: str, unionid: str | None, now: datetime) -> WechatUser:
    mine = session.scalar(select(WechatUser).where(WechatUser.miniprogram_openid == mp_openid))
    linked = (session.scalar(select(WechatUser).where(WechatUser.unionid == unionid))
              if unionid else None)
    if mine is not None and linked is not None and mine.id != linked.id:
        return _two_rows(session, mine, linked, now)
    if mine is not None:
        if unionid and mine.unionid is None:
            mine.unionid = unionid
            session.flush()
        return mine
    if linked is not None:
        linked.miniprogram_openid = mp_openid
        session.flush()
        return linked
    user = WechatUser(miniprogram_openid=mp_openid, unionid=unionid, created_at=now)
    session.add(user)
    session.flush()
    return user


def _two_rows(session: Session, mine: WechatUser, linked: WechatUser, now: datetime) -> WechatUser:
    if merge_users(session, keep=linked, other=mine, now=now):
        return linked
    bound = set(session.scalars(select(Alumnus.wechat_user_id)
                                .where(Alumnus.wechat_user_id.in_((mine.id, linked.id)))))
    return linked if (linked.id in bound and mine.id not in bound) else mine
