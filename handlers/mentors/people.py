"""Who a mentor or a mentee is to the other side: the public fields of their bound record (name,
graduation year, college), never student ID, phone or e-mail; and who is listed at all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import Alumnus, Mentor, Privacy


@dataclass(frozen=True)
class PublicPerson:
    name: str
    graduation_year: int
    college: str | None

    def line(self) -> str:
        if not self.graduation_year:
            return self.name
        return f"{self.name}（{self.graduation_year} 届{' · ' + self.college if self.college else ''}）"


def public_people(session: Session, user_ids: list[int]) -> dict[int, PublicPerson]:
    """Each bound user's public fields, from their oldest record (as 我的 lists them first)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Alumnus.wechat_user_id, Alumnus.name, Alumnus.graduation_year, Alumnus.college)
        .where(Alumnus.wechat_user_id.in_(set(user_ids)))
        .order_by(Alumnus.graduation_year.desc(), Alumnus.id.desc()))
    people = {}
    for user_id, name, year, college in rows:
        people[user_id] = PublicPerson(name, year, college)  # the oldest comes last and stays
    return people


def visible_mentor():
    """SQL: the mentor's user holds a bound record that is not hidden (隐私 隐藏 hides a mentor
    too; unbinding takes them off the list at once)."""
    return exists().where(Alumnus.wechat_user_id == Mentor.wechat_user_id,
                          Alumnus.privacy != Privacy.HIDDEN)
