"""When a mini-program row is folded into the follower's (handlers.identity), the person's
verification request moves with them rather than being cascaded away with the deleted row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from handlers.identity import merge_users
from models import VerificationRequest, VerificationStatus, WechatUser

NOW = datetime.now(UTC)


def _user(session, **ids) -> WechatUser:
    user = WechatUser(created_at=NOW, **ids)
    session.add(user)
    session.flush()
    return user


def _request(session, user, status=VerificationStatus.PENDING) -> None:
    session.add(VerificationRequest(
        wechat_user_id=user.id, name="张伟", name_key="张伟", graduation_year=2012,
        college="计算机学院", major="软件工程", channel="api", created_at=NOW, status=status))
    session.flush()


def test_a_pending_request_follows_the_merged_person(runtime):
    with runtime.sessions.begin() as session:
        follower = _user(session, openid="o-follower")
        mini = _user(session, miniprogram_openid="m-mini")
        _request(session, mini)
        assert merge_users(session, keep=follower, other=mini, now=NOW)
        owners = list(session.scalars(select(VerificationRequest.wechat_user_id)))
    assert owners == [follower.id]


def test_with_two_pending_requests_the_followers_stands_and_history_moves(runtime):
    with runtime.sessions.begin() as session:
        follower = _user(session, openid="o-follower")
        mini = _user(session, miniprogram_openid="m-mini")
        _request(session, follower)
        _request(session, mini)
        _request(session, mini, VerificationStatus.REJECTED)
        assert merge_users(session, keep=follower, other=mini, now=NOW)
        left = sorted((r.wechat_user_id, r.status.value)
                      for r in session.scalars(select(VerificationRequest)))
    assert left == [(follower.id, "pending"), (follower.id, "rejected")]
