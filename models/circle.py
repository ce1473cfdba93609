"""Alumni circles (校友圈): a class circle per college and graduation year, and interest circles
(羽毛球, 创业, 摄影) that alumni propose and staff approve.

A class circle's members are the class itself: every alumnus bound to a record of that college and
year, without joining, except those who left or were removed (a `CircleMember` row saying so).
An interest circle's members are its `CircleMember` rows that are active. The roles (圈管理员)
are rows too, in either kind. handlers/circles/membership.py holds the rules; docs/circles.md tells
them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class CircleKind(StrEnum):
    CLASS = "class"          # 班级圈: one per (college, graduation_year), there by itself
    INTEREST = "interest"    # 兴趣圈: proposed by an alumnus, approved by staff


class CircleStatus(StrEnum):
    PENDING = "pending"      # a proposal staff have not decided
    ACTIVE = "active"
    REJECTED = "rejected"
    CLOSED = "closed"        # kept with its members and notices, neither listed nor joinable


class CircleRole(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"          # 圈管理员: posts notices, removes members


class MemberStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"            # left on their own; may join again
    REMOVED = "removed"      # removed by a circle admin or staff; may not join again by themself


class Circle(Base):
    __tablename__ = "circle"
    __table_args__ = (
        # One class circle per class; an interest circle's year is NULL, so it never collides.
        UniqueConstraint("kind", "college", "graduation_year", name="uq_circle_class"),
        Index("ix_circle_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CircleKind]
    name: Mapped[str] = mapped_column(String(64))
    intro: Mapped[str | None] = mapped_column(Text)
    # A class circle's college ("" when the roster has none), compared with alumnus.college: the
    # same "C" collation on PostgreSQL, where two differing column collations cannot be compared.
    college: Mapped[str] = mapped_column(
        String(64).with_variant(String(64, collation="C"), "postgresql"), default="")
    graduation_year: Mapped[int | None]                           # a class circle's
    status: Mapped[CircleStatus] = mapped_column(default=CircleStatus.ACTIVE)
    proposed_by: Mapped[int | None] = mapped_column(
        ForeignKey("wechat_user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))   # the staff account
    decision_note: Mapped[str | None] = mapped_column(String(200))  # why a proposal was rejected

    @property
    def active(self) -> bool:
        return self.status == CircleStatus.ACTIVE


class CircleMember(Base):
    """A user's place in a circle: a member, an admin, or one who left or was removed."""

    __tablename__ = "circle_member"
    __table_args__ = (UniqueConstraint("circle_id", "wechat_user_id", name="uq_circle_member_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"),
                                                index=True)
    role: Mapped[CircleRole] = mapped_column(default=CircleRole.MEMBER)
    status: Mapped[MemberStatus] = mapped_column(default=MemberStatus.ACTIVE)
    joined_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16), default="bot")   # bot / api / admin / class


class CircleNotice(Base):
    """A notice a circle admin posted (圈通知): the record the daily limit counts."""

    __tablename__ = "circle_notice"
    __table_args__ = (Index("ix_circle_notice_circle_time", "circle_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("wechat_user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
