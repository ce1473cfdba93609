"""Chapters as staff see them: the list with member counts, and one chapter's members.

Both take the viewer's `Scope` (a liaison sees only their own chapter) and count in SQL. A member
row carries what the liaison needs to recognise a member — name, year, college of the roster
record they are bound to — and never the record's phone or e-mail: those columns are not selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from handlers.chapters.discovery import member_counts
from handlers.staff.scope import Scope
from models import Alumnus
from models.chapter import Chapter, ChapterKind, ChapterMember


@dataclass(frozen=True)
class ChapterRow:
    chapter: Chapter
    members: int


@dataclass(frozen=True)
class Page:
    rows: list
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def list_chapters(session: Session, scope: Scope, *, kind: ChapterKind | None = None,
                  page: int = 1, per_page: int = 50) -> Page:
    """The chapters the scope shows, by name, with their liaisons and member counts."""
    statement = scope.apply(select(Chapter), Chapter)
    if kind is not None:
        statement = statement.where(Chapter.kind == kind)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    page = max(page, 1)
    chapters = list(session.scalars(
        statement.options(selectinload(Chapter.liaisons)).order_by(Chapter.name, Chapter.id)
        .offset((page - 1) * per_page).limit(per_page)))
    counts = member_counts(session, [c.id for c in chapters])
    return Page([ChapterRow(c, counts.get(c.id, 0)) for c in chapters], page, per_page, total)


@dataclass(frozen=True)
class MemberRow:
    name: str | None       # None: a member whose roster record was unbound since
    graduation_year: int | None
    college: str | None
    joined_at: datetime
    channel: str


def chapter_members(session: Session, scope: Scope, chapter_id: int, *, page: int = 1,
                    per_page: int = 50) -> Page:
    """A chapter's members, newest first, each with the roster record they are bound to (the
    first one, for someone bound to two records: one row per member)."""
    members = scope.apply(select(ChapterMember), ChapterMember).where(
        ChapterMember.chapter_id == chapter_id).subquery()
    record = (select(func.min(Alumnus.id)).where(Alumnus.wechat_user_id == members.c.wechat_user_id)
              .correlate(members).scalar_subquery())
    total = session.scalar(select(func.count()).select_from(members))
    page = max(page, 1)
    rows = session.execute(
        select(Alumnus.name, Alumnus.graduation_year, Alumnus.college, members.c.joined_at,
               members.c.channel)
        .select_from(members).outerjoin(Alumnus, Alumnus.id == record)
        .order_by(members.c.joined_at.desc(), members.c.id.desc())
        .offset((page - 1) * per_page).limit(per_page))
    return Page([MemberRow(*row) for row in rows], page, per_page, total)
