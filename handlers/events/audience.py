"""Who may join an event: the one rule, `may_join`, that listing, sign-up, the API, check-in and
announcements all call.

An event's audience is "all" (any follower), "bound" (a verified alumnus), or outbox audiences of
alumni joined with "&" ("chapter:3" or "chapter:北京校友会", "year:2010-2015", "year:2014,2016",
"college:计算机学院", "city:南京"): the alumnus must be in every part. A part is true when one of the
alumni records bound to the WeChat user matches it (a user may hold two records, a bachelor's and a
master's). An audience this module does not understand admits nobody (safe) and says so in its
label, so staff see it on the admin page.

The rules are the outbox's (scheduler.audiences), read here from the models: a feature does not
reach the outbox's registry (DESIGN.md "who knows whom").
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from models import Alumnus
from models.chapter import Chapter, ChapterMember
from models.event import Event

AND = "&"


def parts(audience: str) -> list[tuple[str, str]]:
    """"year:2016&college:X" (with or without "and:") → [("year", "2016"), ("college", "X")]."""
    spec = (audience or "").strip()
    if spec.startswith("and:"):
        spec = spec[4:]
    out = []
    for part in spec.split(AND):
        name, _, arg = part.strip().partition(":")
        if name:
            out.append((name.strip(), arg.strip()))
    return out


def may_join(session: Session, event: Event | str, user_id: int) -> bool:
    """Whether WeChat user `user_id` is inside the event's audience (one query per part)."""
    audience = event if isinstance(event, str) else event.audience
    found = parts(audience)
    if not found:
        return False
    return all(_part(session, name, arg, user_id) for name, arg in found)


def _part(session: Session, name: str, arg: str, user_id: int) -> bool:
    if name == "all":
        return True
    mine = (Alumnus.wechat_user_id == user_id,)
    if name == "bound":     # the common case, built once
        return bool(session.scalar(_BOUND, {"user_id": user_id}))
    if name == "year":
        years = _years(arg)
        if years is None:
            return False
        return _exists(session, select(Alumnus.id).where(*mine, years))
    if name == "college":
        return _exists(session, select(Alumnus.id).where(*mine, Alumnus.college == arg))
    if name == "city":
        return _exists(session, select(Alumnus.id).where(*mine, Alumnus.current_city == arg))
    if name == "chapter":
        chapter = Chapter.id == int(arg) if arg.isdigit() else Chapter.name == arg
        return _exists(session, select(ChapterMember.id).join(Chapter, Chapter.id == ChapterMember.chapter_id)
                       .where(ChapterMember.wechat_user_id == user_id, chapter))
    return False


_BOUND = select(exists(select(Alumnus.id).where(Alumnus.wechat_user_id == bindparam("user_id"))))


def _years(arg: str):
    first, dash, last = arg.partition("-")
    try:
        if dash:
            return Alumnus.graduation_year.between(int(first), int(last))
        return Alumnus.graduation_year.in_([int(y) for y in arg.replace("，", ",").split(",") if y.strip()])
    except ValueError:
        return None


def _exists(session: Session, query) -> bool:
    return bool(session.scalar(select(exists(query))))


def label(session: Session, audience: str) -> str:
    """The audience in Chinese, as a refusal names it: 2010–2015 届校友，且计算机学院校友."""
    names = []
    for name, arg in parts(audience):
        if name == "all":
            names.append("所有关注者")
        elif name == "bound":
            names.append("已绑定的校友")
        elif name == "year":
            names.append(f"{arg.replace('-', '–').replace(',', '、')} 届校友")
        elif name == "college":
            names.append(f"{arg}校友")
        elif name == "city":
            names.append(f"在{arg}的校友")
        elif name == "chapter":
            chapter = session.scalar(select(Chapter.name).where(Chapter.id == int(arg))) if arg.isdigit() else arg
            names.append(f"{chapter or '该分会'}成员")
        else:
            names.append(f"（无法识别的范围 {name}）")
    return "，且".join(names) or "（未设置）"
