"""Whose card it is: the holder's public fields, read from their bound records.

A card shows what the school issues on a physical alumni card and nothing an alumnus keeps
private: the school, the name, and per bound record (本科, 硕士 …) the degree, the graduation
year and the college. Never the student ID, phone, e-mail, city or employer: the same fields go
to a site that checks the card (handlers.card.verify).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.card.codes import binding_stamp
from models import Alumnus

DEFAULT_DEGREE = "校友"  # a roster row without 学历


@dataclass(frozen=True)
class Degree:
    degree: str
    graduation_year: int
    college: str | None

    def line(self) -> str:
        parts = [self.degree, f"{self.graduation_year} 届"]
        if self.college:
            parts.append(self.college)
        return " · ".join(parts)


@dataclass(frozen=True)
class CardHolder:
    user_id: int
    school: str
    name: str
    degrees: tuple[Degree, ...]
    stamp: str  # the bindings the card's codes are signed over (handlers.card.codes)

    def public(self) -> dict:
        """What a site and the mini-program are told: no student ID, phone or e-mail."""
        return {"school": self.school, "name": self.name,
                "degrees": [{"degree": d.degree, "graduation_year": d.graduation_year,
                             "college": d.college} for d in self.degrees]}


def card_holder(session: Session, user_id: int, school: str) -> CardHolder | None:
    """The card of WeChat user `user_id`, or None when they hold no bound record."""
    records = list(session.scalars(
        select(Alumnus).where(Alumnus.wechat_user_id == user_id, Alumnus.bound_at.is_not(None))
        .order_by(Alumnus.graduation_year, Alumnus.id)))
    if not records:
        return None
    degrees = tuple(Degree(r.degree or DEFAULT_DEGREE, r.graduation_year, r.college) for r in records)
    return CardHolder(user_id=user_id, school=school, name=records[-1].name, degrees=degrees,
                      stamp=binding_stamp((r.id, r.bound_at) for r in records))
