"""Staff accounts for the admin page, and the audit log of what was done there.

An account's role says what it may do (`StaffRole`); a `college` account is tied to one college
(the roster's 学院 text, as `Alumnus.college` holds it), a `liaison` account to one chapter.

The audit log is append-only as far as the app goes: the mapper refuses to update or delete a row
(`_refuse_change`), so no page and no service can rewrite history by mistake.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.chapter import Chapter


class StaffRole(StrEnum):
    ADMIN = "admin"      # everything, accounts included
    STAFF = "staff"      # everything but accounts
    COLLEGE = "college"  # one college's alumni, classes, registrants, reunion bookings
    LIAISON = "liaison"  # one chapter: its members, broadcasts to it

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    StaffRole.ADMIN: "管理员",
    StaffRole.STAFF: "工作人员",
    StaffRole.COLLEGE: "学院联络人",
    StaffRole.LIAISON: "分会联络员",
}


class StaffAccount(Base):
    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored as typed; logins compare case-insensitively through `username_key`.
    username: Mapped[str] = mapped_column(String(32))
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[StaffRole]
    college: Mapped[str | None] = mapped_column(String(64))
    chapter_id: Mapped[int | None] = mapped_column(ForeignKey("chapter.id", ondelete="SET NULL"),
                                                   index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The last 停用; part of the session token, so sessions opened before it stay ended after 启用.
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    # Where the broadcast composer's 发送测试 goes: the account holder's own official-account openid.
    test_openid: Mapped[str | None] = mapped_column(String(64))

    chapter: Mapped[Chapter | None] = relationship()


class AuditEntry(Base):
    """One thing a person did on the admin page (or the CLI did for them)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_at", "actor", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    # The username at the time (not a foreign key): the entry outlives a renamed or removed account.
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str | None] = mapped_column(String(45))


class AppendOnlyError(RuntimeError):
    """Something tried to change or remove an audit entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target: AuditEntry) -> None:
    raise AppendOnlyError("the audit log is append-only")
