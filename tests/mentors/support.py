"""Helpers of the mentors' tests: bound alumni by openid, the pushes a user was queued."""

from __future__ import annotations

from sqlalchemy import select

from models import Push, WechatUser
from tests.reunion.support import add_classmate
from tests.wechat import say

# Every step of 成为导师, as an alumnus answers them.
OFFER_ANSWERS = ("互联网", "上海", "产品经理入门、求职面试", "微信 wangfang_hr", "3")


def add_person(runtime, openid: str, student_id: str, name: str, **fields) -> int:
    """A bound alumnus with a phone and an e-mail on the roster: their WeChat user id."""
    fields.setdefault("phone", "13812345678")
    fields.setdefault("email", f"{openid}@example.com")
    with runtime.sessions.begin() as session:
        return add_classmate(session, openid, student_id, name, **fields).wechat_user_id


def become_mentor(client, token: str, openid: str, answers=OFFER_ANSWERS) -> str:
    reply = say(client, token, openid, "成为导师")
    assert "第 1 步" in reply, reply
    for answer in answers:
        reply = say(client, token, openid, answer)
    return reply


def pushes_to(runtime, openid: str) -> list[str]:
    """The texts queued for that user, oldest first."""
    with runtime.sessions() as session:
        user_id = session.scalar(select(WechatUser.id).where(WechatUser.openid == openid))
        return [p.text for p in session.scalars(select(Push).order_by(Push.id))
                if p.audience == f"users:{user_id}"]


def pushes_by(runtime, created_by: str) -> list[str]:
    """The texts of the pushes a step caused (`mentors:request`, `mentors:accept` …)."""
    with runtime.sessions() as session:
        return list(session.scalars(select(Push.text).where(Push.created_by == created_by)
                                    .order_by(Push.id)))
