"""Chapters (校友分会), their liaisons and members, and the class ambassadors (班级联络人).

A chapter is regional (地区: a city in China), overseas (海外: a city abroad) or industry (行业: no
place). Regional and overseas chapters carry the city resolved through the gazetteer, so the city,
province and country are the gazetteer's canonical names and their coordinates are always there.

A class is (college, graduation_year, class_name): `class_name` is the roster's 班级, or "" for a
whole college-year (a cohort ambassador, used when a class has none of its own). "" rather than NULL
so the unique constraint holds on both databases: one ambassador per class.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.alumnus import Alumnus
from models.base import Base


class ChapterKind(StrEnum):
    REGIONAL = "regional"   # 地区
    OVERSEAS = "overseas"   # 海外
    INDUSTRY = "industry"   # 行业


class ChapterStatus(StrEnum):
    ACTIVE = "active"       # listed and open to join
    INACTIVE = "inactive"   # kept with its members, neither listed nor joinable


class Chapter(Base):
    __tablename__ = "chapter"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[ChapterKind] = mapped_column(index=True)
    city: Mapped[str | None] = mapped_column(String(64), index=True)
    province: Mapped[str | None] = mapped_column(String(32), index=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)   # ISO 3166-1 alpha-2
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    intro: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ChapterStatus] = mapped_column(default=ChapterStatus.ACTIVE)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    liaisons: Mapped[list[ChapterLiaison]] = relationship(
        back_populates="chapter", cascade="all, delete-orphan", order_by="ChapterLiaison.position")

    @property
    def active(self) -> bool:
        return self.status == ChapterStatus.ACTIVE

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ChapterLiaison(Base):
    """A chapter's contact person (联络员) and the contact they agreed to publish."""

    __tablename__ = "chapter_liaison"

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(64))
    contact: Mapped[str | None] = mapped_column(String(128))
    # The roster record, when known: a bound liaison is told about new members through WeChat.
    alumnus_id: Mapped[int | None] = mapped_column(ForeignKey("alumnus.id", ondelete="SET NULL"),
                                                   index=True)

    chapter: Mapped[Chapter] = relationship(back_populates="liaisons")
    alumnus: Mapped[Alumnus | None] = relationship()


class ChapterMember(Base):
    """A WeChat user who joined a chapter; a chapter's members are its broadcasts' audience."""

    __tablename__ = "chapter_member"
    __table_args__ = (UniqueConstraint("chapter_id", "wechat_user_id",
                                       name="uq_chapter_member_chapter_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id", ondelete="CASCADE"))
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"),
                                                index=True)
    joined_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16), default="bot")   # bot / api / admin


class ClassAmbassador(Base):
    """The alumnus a class's classmates can reach (班级联络人), one per class."""

    __tablename__ = "class_ambassador"
    __table_args__ = (
        UniqueConstraint("college", "graduation_year", "class_name", name="uq_class_ambassador_class"),
        Index("ix_class_ambassador_year", "graduation_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    college: Mapped[str] = mapped_column(String(64), default="")       # "" when the roster has none
    graduation_year: Mapped[int]
    class_name: Mapped[str] = mapped_column(String(64), default="")   # "" = the whole college-year
    alumnus_id: Mapped[int] = mapped_column(ForeignKey("alumnus.id", ondelete="CASCADE"), index=True)
    contact: Mapped[str | None] = mapped_column(String(128))  # what they agreed to publish
    appointed_at: Mapped[datetime]

    alumnus: Mapped[Alumnus] = relationship()
