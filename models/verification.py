"""A request for manual review of one's identity (人工核验), when 绑定 keeps failing: what the
alumnus says about their studies, optionally a photo of the diploma or alumni card, and what staff
decided. One open request per WeChat user, held by a partial unique index (not a check before the
insert): two requests sent at once cannot both be pending.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class VerificationStatus(StrEnum):
    PENDING = "pending"    # waiting for staff
    APPROVED = "approved"  # a roster record is linked to the user (alumnus_id)
    REJECTED = "rejected"  # refused, with a reason the alumnus is told


class VerificationRequest(Base):
    __tablename__ = "verification_request"
    __table_args__ = (
        # At most one pending request per user, whichever door it came through.
        Index("uq_verification_request_pending_user", "wechat_user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
        # The queue (status, newest or oldest first), whole or for one college.
        Index("ix_verification_request_status_created", "status", "created_at"),
        Index("ix_verification_request_college_status_created", "college", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"),
                                                index=True)
    # --- what the alumnus says ---
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))   # names.name_key: matched to the roster's
    graduation_year: Mapped[int]
    college: Mapped[str] = mapped_column(String(64))
    major: Mapped[str] = mapped_column(String(64))
    student_id: Mapped[str | None] = mapped_column(String(32))
    # A photo sent as an image message: WeChat's PicUrl (a link staff open) and its MediaId.
    photo_url: Mapped[str | None] = mapped_column(String(1024))
    photo_media_id: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16))    # bot / api
    created_at: Mapped[datetime]
    # --- what staff decided ---
    status: Mapped[VerificationStatus] = mapped_column(default=VerificationStatus.PENDING)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))   # the staff username then
    reason: Mapped[str | None] = mapped_column(Text)             # a rejection's reason
    alumnus_id: Mapped[int | None] = mapped_column(ForeignKey("alumnus.id", ondelete="SET NULL"))
