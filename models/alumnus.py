"""A roster record (学籍): one per student ID. One person may hold several (本科 and 硕士).

Two kinds of column live here and must stay apart: the roster's own, which `import-roster` writes,
and what the alumnus says about themself (`profile_*`, `privacy`) and the binding, which no import
ever writes. Search reads the `search_*` keys the import precomputes (DESIGN.md, lookup).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Privacy(StrEnum):
    PUBLIC = "public"          # 公开: any verified alumnus can find me
    CLASSMATES = "classmates"  # 同学: alumni of my college and graduation year (the default)
    HIDDEN = "hidden"          # 隐藏: nobody


# The roster columns an import writes (SPEC 9); everything else on the row belongs to the alumnus.
ROSTER_FIELDS = (
    "student_id", "name", "graduation_year", "gender", "degree", "college", "major", "class_name",
    "entry_year", "phone", "email", "city", "employer", "industry",
)


class Alumnus(Base):
    __tablename__ = "alumnus"
    __table_args__ = (
        Index("ix_alumnus_name_year", "name", "graduation_year"),
        Index("ix_alumnus_college_year", "college", "graduation_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # --- roster data (import-roster writes these) ---
    student_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    graduation_year: Mapped[int] = mapped_column(index=True)
    gender: Mapped[str | None] = mapped_column(String(8))
    degree: Mapped[str | None] = mapped_column(String(8))
    college: Mapped[str | None] = mapped_column(String(64))
    major: Mapped[str | None] = mapped_column(String(64), index=True)
    class_name: Mapped[str | None] = mapped_column(String(64), index=True)
    entry_year: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(32))   # never shown to other alumni
    email: Mapped[str | None] = mapped_column(String(128))  # never shown to other alumni
    city: Mapped[str | None] = mapped_column(String(64), index=True)
    employer: Mapped[str | None] = mapped_column(String(128), index=True)
    industry: Mapped[str | None] = mapped_column(String(64), index=True)
    # --- precomputed by the import from the name (lookup keys) ---
    name_key: Mapped[str] = mapped_column(String(64), index=True)         # normalised, for binding
    search_pinyin: Mapped[str] = mapped_column(String(160), index=True)   # "shanxiaoming"
    search_initials: Mapped[str] = mapped_column(String(32), index=True)  # "sxm"
    imported_at: Mapped[datetime]
    # --- the alumnus's own (never written by an import) ---
    profile_city: Mapped[str | None] = mapped_column(String(64), index=True)
    profile_employer: Mapped[str | None] = mapped_column(String(128), index=True)
    profile_industry: Mapped[str | None] = mapped_column(String(64), index=True)
    privacy: Mapped[str] = mapped_column(String(16), default=Privacy.CLASSMATES.value)
    wechat_user_id: Mapped[int | None] = mapped_column(ForeignKey("wechat_user.id", ondelete="SET NULL"),
                                                       index=True)
    bound_at: Mapped[datetime | None]

    @property
    def current_city(self) -> str | None:
        return self.profile_city or self.city

    @property
    def current_employer(self) -> str | None:
        return self.profile_employer or self.employer

    @property
    def current_industry(self) -> str | None:
        return self.profile_industry or self.industry
