"""Helpers of the privacy tests: a bound alumnus with a classmate, the link in a 我的数据 reply."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import Alumnus, WechatUser
from tests.reunion.support import add_classmate

LINK = re.compile(r"https?://\S+/my-data/(\S+)")


def add_people(runtime) -> dict[str, int]:
    """王芳 (o-wang, with the roster's phone and e-mail) and her classmate 李雷 (o-li): user ids."""
    with runtime.sessions.begin() as session:
        wang = add_classmate(session, "o-wang", "2012001", "王芳", year=2012, phone="13900001111",
                             email="wangfang@example.com")
        li = add_classmate(session, "o-li", "2012002", "李雷", year=2012, phone="13711112222",
                           email="lilei@example.com")
        return {"王芳": wang.wechat_user_id, "李雷": li.wechat_user_id}


def link_path(reply: str) -> str:
    """The path of the download link a 我的数据 reply carries."""
    found = LINK.search(reply)
    assert found, reply
    return "/my-data/" + found.group(1)


def user_of(runtime, openid: str) -> WechatUser | None:
    with runtime.sessions() as session:
        return session.scalar(select(WechatUser).where(WechatUser.openid == openid))


def record(runtime, student_id: str) -> Alumnus:
    with runtime.sessions() as session:
        return session.scalar(select(Alumnus).where(Alumnus.student_id == student_id))
