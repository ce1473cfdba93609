"""Finding mentors: active, visible mentors whose industry, city or topics hold every word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from handlers.mentors.people import PublicPerson, public_people, visible_mentor
from handlers.mentors.quota import requests_this_month
from models import Mentor, MentorStatus

MAX_WORD = 32


@dataclass(frozen=True)
class MentorCard:
    """What any bound alumnus may see of a mentor: never a contact."""

    id: int
    person: PublicPerson
    industry: str
    city: str
    topics: str
    full: bool  # this month's cap reached: listed, but takes no request until next month


@dataclass(frozen=True)
class MentorPage:
    mentors: list[MentorCard]
    total: int
    page: int
    pages: int


def find_mentors(session: Session, *, words: list[str] = (), industry: str = "", city: str = "",
                 page: int = 1, size: int = 5, now: datetime, zone) -> MentorPage:
    """Page `page` (from 1) of the listed mentors matching: `industry` and `city` against their
    own fields, each of `words` against industry, city or topics."""
    conditions = [Mentor.status == MentorStatus.ACTIVE, visible_mentor()]
    if industry.strip():
        conditions.append(Mentor.industry.contains(industry.strip()[:MAX_WORD], autoescape=True))
    if city.strip():
        conditions.append(Mentor.city.contains(city.strip()[:MAX_WORD], autoescape=True))
    for word in words:
        word = word[:MAX_WORD]
        conditions.append(or_(Mentor.industry.contains(word, autoescape=True),
                              Mentor.city.contains(word, autoescape=True),
                              Mentor.topics.contains(word, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(Mentor).where(*conditions)) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = list(session.scalars(select(Mentor).where(*conditions).order_by(Mentor.id)
                                .offset((page - 1) * size).limit(size)))
    people = public_people(session, [m.wechat_user_id for m in rows])
    used = requests_this_month(session, [m.id for m in rows], now=now, zone=zone)
    cards = [MentorCard(m.id, people[m.wechat_user_id], m.industry, m.city, m.topics,
                        used.get(m.id, 0) >= m.monthly_cap)
             for m in rows if m.wechat_user_id in people]
    return MentorPage(cards, total, page, pages)
