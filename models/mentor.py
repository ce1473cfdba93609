"""Alumni mentors (校友导师): who offers to mentor, and the requests between alumni.

A mentor is one WeChat user (bound alumni only; the rules are handlers/mentors/). What they offer
(industry, city, topics) is public to bound alumni; what contact they share (`contact_kind`,
`contact_value`) is shown to a mentee only once the mentor has accepted that mentee's request, and
the mentee's own contact choice, kept on the request, likewise to the mentor. Withdrawing keeps the
row (status withdrawn) so past requests still name their mentor.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class MentorStatus(StrEnum):
    ACTIVE = "active"        # listed, takes requests
    PAUSED = "paused"        # not listed, takes no new requests; open ones can still be answered
    WITHDRAWN = "withdrawn"  # no longer a mentor; open requests were closed


class ContactKind(StrEnum):
    WECHAT = "wechat"  # a WeChat ID the person typed
    PHONE = "phone"
    EMAIL = "email"
    NONE = "none"      # shares no contact: the two sides meet through the bot's pushes only


class RequestStatus(StrEnum):
    OPEN = "open"            # waiting for the mentor
    ACCEPTED = "accepted"    # both now see each other's contact choice
    DECLINED = "declined"    # the mentor declined
    WITHDRAWN = "withdrawn"  # the mentee took it back
    CLOSED = "closed"        # the mentor withdrew before answering


class Mentor(Base):
    __tablename__ = "mentor"

    id: Mapped[int] = mapped_column(primary_key=True)  # the number (编号) alumni type
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"),
                                                unique=True)
    industry: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(64))
    topics: Mapped[str] = mapped_column(String(200))
    contact_kind: Mapped[ContactKind]
    contact_value: Mapped[str | None] = mapped_column(String(128))  # shown only after acceptance
    monthly_cap: Mapped[int]  # requests a calendar month may bring them
    status: Mapped[MentorStatus] = mapped_column(default=MentorStatus.ACTIVE)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MentorRequest(Base):
    __tablename__ = "mentor_request"
    __table_args__ = (
        Index("ix_mentor_request_mentor_created", "mentor_id", "created_at"),
        Index("ix_mentor_request_mentee_status", "mentee_user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # the number (编号) the mentor answers with
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id", ondelete="CASCADE"))
    mentee_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(200))
    contact_kind: Mapped[ContactKind]
    contact_value: Mapped[str | None] = mapped_column(String(128))  # shown only after acceptance
    status: Mapped[RequestStatus] = mapped_column(default=RequestStatus.OPEN)
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]

    mentor: Mapped[Mentor] = relationship(lazy="joined")
