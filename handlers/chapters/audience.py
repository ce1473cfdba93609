"""The `chapter:NAME` push audience, as the chapters feature defines it: a chapter's members, the
chapter named in full or by the start of its name, and what staff read for it.

The outbox's registry lives above this layer (`scheduler.audiences`); the composition root builds
the audience from these functions and registers it (`wechat_bot/audiences.py`).
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from handlers.chapters import texts
from handlers.chapters.membership import chapter_member_users
from models.chapter import Chapter


class ChapterNameError(ValueError):
    """No chapter, or more than one, goes by that name; str() is a Chinese line for staff."""


def member_users(name: str) -> Select:
    """The WeChat user ids of the chapter's members, each once."""
    return chapter_member_users(name).distinct()


def resolve_chapter_name(session: Session, name: str) -> str:
    """The chapter `name` names: its full name, or the one chapter whose name starts with it
    (北京 → 北京校友会); ChapterNameError when none does, or several."""
    if session.scalar(select(Chapter.id).where(Chapter.name == name)) is not None:
        return name
    names = list(session.scalars(
        select(Chapter.name).where(Chapter.name.startswith(name, autoescape=True))
        .order_by(Chapter.name).limit(6)))
    if len(names) == 1:
        return names[0]
    if names:
        raise ChapterNameError(texts.AUDIENCE_AMBIGUOUS.format(
            name=name, names="、".join(names[:5]), first=names[0]))
    raise ChapterNameError(texts.AUDIENCE_UNKNOWN.format(name=name))


def audience_label(name: str) -> str:
    """北京校友会 → 北京校友会成员."""
    return texts.AUDIENCE_LABEL.format(name=name)
