"""我的班级: a bound alumnus's class, its ambassador (班级联络人) and its reunion year.

A class is (college, graduation_year, class_name) as the roster has them. A class's own ambassador
comes first; a class without one falls back to the ambassador of its whole college-year (class_name
""), so a college can appoint one person per year where classes have none. An alumnus with two
records (本科 and 硕士) has two classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from handlers.directory.binding import NotBound, bound_records
from handlers.reunion.policy import anniversary_this_year, next_anniversary
from models import Alumnus, WechatUser
from models.chapter import ClassAmbassador

WHOLE_YEAR = ""


@dataclass(frozen=True)
class AmbassadorView:
    name: str
    contact: str | None
    for_whole_year: bool   # the college-year's ambassador, the class having none of its own
    is_you: bool


@dataclass(frozen=True)
class ClassStatus:
    college: str
    graduation_year: int
    class_name: str
    degree: str | None
    ambassador: AmbassadorView | None
    anniversary: int | None              # the anniversary celebrated this year (秩年), if any
    next_anniversary: tuple[int, int] | None   # (year, n) of the next one
    classmates_bound: int                # classmates on WeChat with us, the alumnus excluded


def my_classes(session: Session, user: WechatUser, *, today: dt.date,
               anniversary_years: Iterable[int]) -> list[ClassStatus]:
    """One status per bound record; NotBound when the user has none."""
    records = bound_records(session, user)
    if not records:
        raise NotBound()
    years = tuple(anniversary_years)
    return [_status(session, record, user, today, years) for record in records]


def class_of(record: Alumnus) -> tuple[str, int, str]:
    return (record.college or "", record.graduation_year, record.class_name or WHOLE_YEAR)


def appoint_ambassador(session: Session, record: Alumnus, *, now: dt.datetime,
                       contact: str | None = None, whole_year: bool = False) -> ClassAmbassador:
    """Make `record` the ambassador of their class (or of their whole college-year), replacing
    whoever was. The contact is what they agreed to publish, never the roster's phone."""
    college, year, class_name = class_of(record)
    if whole_year:
        class_name = WHOLE_YEAR
    current = session.scalar(select(ClassAmbassador).where(
        ClassAmbassador.college == college, ClassAmbassador.graduation_year == year,
        ClassAmbassador.class_name == class_name))
    if current is None:
        current = ClassAmbassador(college=college, graduation_year=year, class_name=class_name)
        session.add(current)
    current.alumnus_id, current.contact, current.appointed_at = record.id, contact, now
    session.flush()
    return current


def _status(session: Session, record: Alumnus, user: WechatUser, today: dt.date,
            years: tuple[int, ...]) -> ClassStatus:
    college, year, class_name = class_of(record)
    return ClassStatus(
        college=college, graduation_year=year, class_name=class_name, degree=record.degree,
        ambassador=_ambassador(session, college, year, class_name, user),
        anniversary=anniversary_this_year(year, today, years),
        next_anniversary=next_anniversary(year, today, years),
        classmates_bound=_classmates_bound(session, record, user))


def _ambassador(session: Session, college: str, year: int, class_name: str,
                user: WechatUser) -> AmbassadorView | None:
    wanted = [class_name, WHOLE_YEAR] if class_name != WHOLE_YEAR else [WHOLE_YEAR]
    found = {a.class_name: a for a in session.scalars(
        select(ClassAmbassador).options(selectinload(ClassAmbassador.alumnus))
        .where(ClassAmbassador.college == college, ClassAmbassador.graduation_year == year,
               ClassAmbassador.class_name.in_(wanted)))}
    for name in wanted:
        if name in found:
            chosen = found[name]
            return AmbassadorView(chosen.alumnus.name, chosen.contact,
                                  for_whole_year=name == WHOLE_YEAR and class_name != WHOLE_YEAR,
                                  is_you=chosen.alumnus.wechat_user_id == user.id)
    return None


def _classmates_bound(session: Session, record: Alumnus, user: WechatUser) -> int:
    conditions = [Alumnus.graduation_year == record.graduation_year,
                  Alumnus.wechat_user_id.is_not(None), Alumnus.wechat_user_id != user.id]
    conditions.append(Alumnus.college == record.college if record.college else Alumnus.college.is_(None))
    if record.class_name:
        conditions.append(Alumnus.class_name == record.class_name)
    return session.scalar(select(func.count(func.distinct(Alumnus.wechat_user_id)))
                          .where(*conditions)) or 0
