"""A roster record (学籍): one per student ID. One person may hold several (本科 and 硕士).

Two kinds of column live here and must stay apart: the roster's own, which `import-roster` writes,
and what the alumnus says about themself (`profile_*`, `privacy`) and the binding, which no import
ever writes. Search reads the `search_*` keys the import precomputes (DESIGN.md, lookup).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.ext.hybrid import hybrid_property
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


def _key(length: int) -> String:
    """A text column that search compares and ranges over.

    On PostgreSQL it is collated "C" (code-point order, as Python and SQLite compare), so that a
    prefix written as a range `col >= :p AND col < :p_next` means the same everywhere and a btree
    serves it, whatever the database's own collation (DESIGN, the prefix trap).
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Alumnus(Base):
    __tablename__ = "alumnus"

    id: Mapped[int] = mapped_column(primary_key=True)
    # --- roster data (import-roster writes these) ---
    student_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    graduation_year: Mapped[int]
    gender: Mapped[str | None] = mapped_column(String(8))
    degree: Mapped[str | None] = mapped_column(String(8))
    college: Mapped[str | None] = mapped_column(_key(64))
    major: Mapped[str | None] = mapped_column(_key(64))
    class_name: Mapped[str | None] = mapped_column(_key(64))
    entry_year: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(32))   # never shown to other alumni
    email: Mapped[str | None] = mapped_column(String(128))  # never shown to other alumni
    city: Mapped[str | None] = mapped_column(_key(64))
    employer: Mapped[str | None] = mapped_column(_key(128))
    industry: Mapped[str | None] = mapped_column(_key(64))
    # --- precomputed by the import from the name (lookup keys) ---
    name_key: Mapped[str] = mapped_column(_key(64))          # names.name_key: binding, search
    search_pinyin: Mapped[str] = mapped_column(_key(160))    # "shanxiaoming"
    search_initials: Mapped[str] = mapped_column(_key(32))   # "sxm"
    imported_at: Mapped[datetime]
    # --- the alumnus's own (never written by an import) ---
    profile_city: Mapped[str | None] = mapped_column(_key(64))
    profile_employer: Mapped[str | None] = mapped_column(_key(128))
    profile_industry: Mapped[str | None] = mapped_column(_key(64))
    privacy: Mapped[Privacy] = mapped_column(default=Privacy.CLASSMATES,
                                             server_default=Privacy.CLASSMATES.value)
    wechat_user_id: Mapped[int | None] = mapped_column(ForeignKey("wechat_user.id", ondelete="SET NULL"))
    bound_at: Mapped[datetime | None]

    # The current values: what the alumnus said about themself, else the roster's. The same rule
    # in SQL, where search matches and shows it and an index covers it. Store a cleared profile
    # field as NULL, not "": SQL's coalesce would keep the "".
    @hybrid_property
    def current_city(self) -> str | None:
        return self.profile_city or self.city

    @current_city.inplace.expression
    @classmethod
    def _current_city_expression(cls):
        return func.coalesce(cls.profile_city, cls.city)

    @hybrid_property
    def current_employer(self) -> str | None:
        return self.profile_employer or self.employer

    @current_employer.inplace.expression
    @classmethod
    def _current_employer_expression(cls):
        return func.coalesce(cls.profile_employer, cls.employer)

    @hybrid_property
    def current_industry(self) -> str | None:
        return self.profile_industry or self.industry

    @current_industry.inplace.expression
    @classmethod
    def _current_industry_expression(cls):
        return func.coalesce(cls.profile_industry, cls.industry)


def _search_index(name: str, key) -> Index:
    """An index on what a search word matches, then (graduation_year DESC, id DESC).

    The tail is search's order within a rank, so a search walks the index in order and stops after
    a page instead of sorting every match (a common surname's pinyin prefix matches 60,000 rows);
    the same tail serves "word + 4-digit year" as two equalities.
    """
    return Index(name, key, Alumnus.graduation_year.desc(), Alumnus.id.desc())


_search_index("ix_alumnus_name_key", Alumnus.name_key)
_search_index("ix_alumnus_search_pinyin", Alumnus.search_pinyin)
_search_index("ix_alumnus_search_initials", Alumnus.search_initials)
_search_index("ix_alumnus_college", Alumnus.college)  # also a viewer's class: (college, year)
_search_index("ix_alumnus_major", Alumnus.major)
_search_index("ix_alumnus_class_name", Alumnus.class_name)
_search_index("ix_alumnus_current_city", Alumnus.current_city)
_search_index("ix_alumnus_current_employer", Alumnus.current_employer)
_search_index("ix_alumnus_current_industry", Alumnus.current_industry)
# Binding compares student IDs case-insensitively (alumni type "s2012ab01" for S2012AB01).
Index("ix_alumnus_student_id_upper", func.upper(Alumnus.student_id))
Index("ix_alumnus_graduation_year", Alumnus.graduation_year.desc(), Alumnus.id.desc())
# The admin dashboard counts bound alumni and bindings per week from these, for the whole roster
# and for one college, without reading a row (1,000,000 alumni).
Index("ix_alumnus_bound_at", Alumnus.bound_at)
Index("ix_alumnus_college_bound_at", Alumnus.college, Alumnus.bound_at, Alumnus.wechat_user_id)
_BOUND = Alumnus.wechat_user_id.is_not(None)
# The broadcast composer's year and city audiences (scheduler.audiences), counted from these. The
# city's carries the two columns its expression reads: PostgreSQL answers from an index alone only
# when it holds every column the query names (the largest city at 1,000,000: 225 ms to 21 ms).
Index("ix_alumnus_year_user", Alumnus.graduation_year, Alumnus.wechat_user_id)
Index("ix_alumnus_current_city_user", Alumnus.current_city, Alumnus.wechat_user_id,
      postgresql_include=["profile_city", "city"], postgresql_where=_BOUND, sqlite_where=_BOUND)
# A user's own records (我的, every search's viewer, binding). Partial: most of the roster is never
# bound, and SQLite's statistics count those NULLs as one value matching nearly every row, so with a
# full index its planner walked the whole roster for `wechat_user_id = ?` (73 ms at 20,000 records,
# 0.02 ms with this one).
Index("ix_alumnus_wechat_user_id", Alumnus.wechat_user_id, sqlite_where=_BOUND,
      postgresql_where=_BOUND)
