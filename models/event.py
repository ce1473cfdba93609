"""Alumni events (校友活动): what staff or a chapter's liaison put on, who signed up, who came.

Seats are a counter on the event (`seats_taken`: confirmed registrations and seats offered from the
waitlist, guests included), taken by one guarded UPDATE (`seats_taken + n <= seats`), as the reunion
calendar's quotas are (models/reunion.py), so 200 sign-ups at once for 20 seats confirm exactly 20
on SQLite and PostgreSQL. The waitlist is ordered by `position`, drawn from the event's own
`waitlist_next` counter in the same guarded way, so two alumni never share a place in the line;
staff reorder by giving a registration a position between two others.

A WeChat user has one registration per event (unique pair); cancelling keeps the row (status
cancelled) and signing up again revives it at the end of the line.

The rules that read and write these tables are the events feature's (handlers/events/).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class EventStatus(StrEnum):
    DRAFT = "draft"          # being written: not listed, no sign-up
    OPEN = "open"            # listed; sign-up within its window
    CLOSED = "closed"        # listed as closed: no more sign-ups (it may still take place)
    CANCELLED = "cancelled"  # called off: every registrant told


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"    # has a seat (guests included)
    WAITLISTED = "waitlisted"  # in line, by position
    OFFERED = "offered"        # a freed seat is held for them until offer_expires_at
    CANCELLED = "cancelled"    # they cancelled, or let an offer lapse, or the event was cancelled


# While a registration is in one of these it holds seats on the event's counter.
HOLDING_SEATS = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_status_starts", "status", "starts_at"),
        Index("ix_event_chapter", "chapter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)   # the number (编号) alumni type
    title: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))       # 校园马拉松, 羽毛球友谊赛, 企业家论坛 …
    description: Mapped[str | None] = mapped_column(Text)
    picture_url: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(128))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    seats: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    waitlist_next: Mapped[int] = mapped_column(default=1)   # the next waitlist position to hand out
    signup_opens_at: Mapped[datetime | None]                # None: as soon as it is open
    signup_closes_at: Mapped[datetime | None]               # None: until it starts
    # Who may join: "all" (every follower), "bound" (verified alumni), or an outbox audience of
    # alumni ("chapter:3", "year:2010-2015", "college:计算机学院", joined with "&").
    audience: Mapped[str] = mapped_column(String(200), default="bound")
    max_guests: Mapped[int] = mapped_column(default=0)      # +1 guests a registrant may bring
    ask_shirt_size: Mapped[bool] = mapped_column(default=False)
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # further questions (text)
    # The organiser: a chapter (its liaison manages it) or the association itself (None).
    chapter_id: Mapped[int | None] = mapped_column(ForeignKey("chapter.id", ondelete="SET NULL"))
    status: Mapped[EventStatus] = mapped_column(default=EventStatus.DRAFT)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The parametric QR code (scene checkin:<id>) WeChat made for it, to print at the door.
    qr_ticket: Mapped[str | None] = mapped_column(String(200))
    qr_url: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Registration.id")

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.seats_taken, 0)


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "wechat_user_id", name="uq_registration_event_user"),
        Index("ix_registration_event_status_position", "event_id", "status", "position"),
        Index("ix_registration_user", "wechat_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"))
    alumnus_id: Mapped[int | None] = mapped_column(ForeignKey("alumnus.id", ondelete="SET NULL"))
    status: Mapped[RegistrationStatus]
    guests: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # shirt size, questions
    position: Mapped[float | None]     # in the waitlist (lower first); None when not waiting
    channel: Mapped[str] = mapped_column(String(16), default="bot")   # bot / api / admin / walk-in
    created_at: Mapped[datetime]       # first sign-up
    updated_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by: Mapped[str | None] = mapped_column(String(64))   # "scan" or a staff username

    event: Mapped[Event] = relationship(back_populates="registrations")

    @property
    def seats(self) -> int:
        return 1 + self.guests


class EventNotice(Base):
    """A scheduled notice about one event sent once: the 24-hour and 2-hour reminders."""

    __tablename__ = "event_notice"
    __table_args__ = (UniqueConstraint("event_id", "kind", name="uq_event_notice_event_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))   # remind-24h / remind-2h
    push_id: Mapped[int | None] = mapped_column(ForeignKey("push.id", ondelete="SET NULL"))
    queued_at: Mapped[datetime]
