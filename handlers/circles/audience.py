"""The `circle:<id>` push audience: a circle's members (a class circle's whole class on WeChat,
less those who left), the circle checked to exist and be active, and its name for staff.

Registered by the composition root (wechat_bot/audiences.py), as the chapters' audience is.
"""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from handlers.circles.membership import MAX_ID, member_users
from models.circle import Circle


class CircleAudienceError(ValueError):
    """No active circle goes by that number; str() is a Chinese line for staff."""


def members(arg: str) -> Select:
    return member_users(int(arg))


def parse(arg: str) -> str:
    number = arg.strip().lstrip("#")
    if not number.isdigit() or not 0 < int(number) <= MAX_ID:
        raise CircleAudienceError(f"校友圈应写编号，例如 circle:3（收到 {arg!r}）")
    return str(int(number))


def resolve(session: Session, arg: str) -> str:
    circle = session.get(Circle, int(arg))
    if circle is None or not circle.active:
        raise CircleAudienceError(f"没有编号为 {arg} 的校友圈（或它尚未通过审核、已关闭）")
    return arg


def label(arg: str) -> str:
    return f"校友圈 #{arg} 的成员"
