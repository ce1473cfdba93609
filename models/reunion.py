"""秩年返校: the reunion calendar, the classes' bookings, who comes, and what happened on the day.

Capacity is kept as counters on the row that owns it (a day's people, lodging, tour groups and
meals; a slot's people) and taken by one guarded UPDATE (`booked + n <= capacity`), so two
bookings at once can never both take the last places, on SQLite (serialized writers) or PostgreSQL
(the second UPDATE waits and re-reads the row). A venue is taken by setting its `booking_id` where
it is still NULL. One booking per class and anniversary is a unique `class_key`, set while the
booking holds and cleared when it is cancelled or declined, so the class may book again.

The rules that read and write these tables are the reunion feature's (handlers/reunion/).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class ReunionDay(Base):
    """One calendar day staff opened, closed or changed, or a default day someone booked.

    A weekday in the season with no row is open with the settings' quotas (handlers.reunion.calendar);
    the row appears when staff change the day or the first class books it.
    """

    __tablename__ = "reunion_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)   # shown to alumni: 校庆日, 只接待上午
    people_capacity: Mapped[int]
    people_booked: Mapped[int] = mapped_column(default=0)
    lodging_capacity: Mapped[int]                     # rooms or dorm beds (settings: lodging_unit)
    lodging_booked: Mapped[int] = mapped_column(default=0)
    tour_capacity: Mapped[int]                        # campus-tour groups
    tour_booked: Mapped[int] = mapped_column(default=0)
    lunch_capacity: Mapped[int]                       # canteen meals
    lunch_booked: Mapped[int] = mapped_column(default=0)
    dinner_capacity: Mapped[int]
    dinner_booked: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(64))  # a staff username, or "booking"

    slots: Mapped[list[ReunionSlot]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="ReunionSlot.starts")
    venues: Mapped[list[ReunionVenue]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="ReunionVenue.seats")


class ReunionSlot(Base):
    """An entry time slot of a day (9:00-10:00), with its own capacity in people."""

    __tablename__ = "reunion_slot"
    __table_args__ = (UniqueConstraint("day_id", "starts", name="uq_reunion_slot_day_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reunion_day.id", ondelete="CASCADE"))
    starts: Mapped[time]
    ends: Mapped[time]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)

    day: Mapped[ReunionDay] = relationship(back_populates="slots")

    @property
    def label(self) -> str:
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"


class ReunionVenue(Base):
    """A named room for a class's gathering that day (a lecture hall, a meeting room), one class each."""

    __tablename__ = "reunion_venue"
    __table_args__ = (UniqueConstraint("day_id", "name", name="uq_reunion_venue_day_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reunion_day.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    seats: Mapped[int]
    # The booking holding it; taken by `UPDATE … WHERE booking_id IS NULL`.
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("reunion_booking.id", ondelete="SET NULL"), unique=True)

    day: Mapped[ReunionDay] = relationship(back_populates="venues")


class BookingStatus(StrEnum):
    PENDING = "pending"        # made by the class's contact, waiting for the college and staff
    CONFIRMED = "confirmed"    # the college confirmed its programme; waiting for staff
    APPROVED = "approved"      # staff approved: the visit takes place
    DECLINED = "declined"      # staff declined, with a reason
    CANCELLED = "cancelled"    # the contact cancelled (until midnight before the day)
    VISITED = "visited"        # the class came
    NO_SHOW = "no_show"        # nobody came


# While a booking is in one of these it holds its places and its class's one booking.
HOLDING = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.APPROVED,
           BookingStatus.VISITED, BookingStatus.NO_SHOW)


class ReunionBooking(Base):
    """One class's visit: made by a bound classmate (the contact), joined by others."""

    __tablename__ = "reunion_booking"
    __table_args__ = (
        Index("ix_reunion_booking_day_status", "day_id", "status"),
        Index("ix_reunion_booking_college_year", "college", "graduation_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)   # the booking number (编号) alumni type
    day_id: Mapped[int] = mapped_column(ForeignKey("reunion_day.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("reunion_slot.id"))
    # The class: college + graduation year ("" college in school-wide mode, reunion.class_scope).
    college: Mapped[str] = mapped_column(String(64), default="")
    graduation_year: Mapped[int]
    anniversary: Mapped[int]                            # 10, 20, …: the visit's calendar year - graduation_year
    # "<year>|<college>|<anniversary>" while the booking holds; NULL once cancelled or declined.
    class_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    contact_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("wechat_user.id", ondelete="SET NULL"), index=True)
    contact_alumnus_id: Mapped[int | None] = mapped_column(ForeignKey("alumnus.id", ondelete="SET NULL"))
    # --- what the class asked for ---
    people: Mapped[int]           # places held on the day and slot (grows when joins need more)
    lodging: Mapped[int] = mapped_column(default=0)      # rooms or beds
    venue_size: Mapped[int] = mapped_column(default=0)   # seats wanted; 0 = no venue
    tour: Mapped[bool] = mapped_column(default=False)
    lunch: Mapped[bool] = mapped_column(default=False)   # a canteen lunch for every place held
    dinner: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="bot")   # bot / api / admin
    # --- what the school decided ---
    status: Mapped[BookingStatus] = mapped_column(default=BookingStatus.PENDING)
    programme: Mapped[str | None] = mapped_column(Text)   # the college's: 与在校生座谈, 实验室参观…
    programme_by: Mapped[str | None] = mapped_column(String(64))
    programme_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)      # a decline's reason, told to the class
    photo_url: Mapped[str | None] = mapped_column(String(500))   # the class photo, after the visit
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]

    day: Mapped[ReunionDay] = relationship()
    slot: Mapped[ReunionSlot] = relationship()
    members: Mapped[list[ReunionMember]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="ReunionMember.id")

    @property
    def holding(self) -> bool:
        return self.status in HOLDING

    @property
    def headcount(self) -> int:
        return sum(m.party for m in self.members)


class ReunionMember(Base):
    """A classmate on a booking (the contact too), with the companions (家属) they bring."""

    __tablename__ = "reunion_member"
    __table_args__ = (UniqueConstraint("booking_id", "alumnus_id", name="uq_reunion_member_booking_alumnus"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("reunion_booking.id", ondelete="CASCADE"))
    alumnus_id: Mapped[int] = mapped_column(ForeignKey("alumnus.id", ondelete="CASCADE"), index=True)
    wechat_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("wechat_user.id", ondelete="SET NULL"), index=True)
    is_contact: Mapped[bool] = mapped_column(default=False)
    companions: Mapped[list[Any]] = mapped_column(JSON, default=list)   # names of 家属
    party: Mapped[int] = mapped_column(default=1)                      # 1 + len(companions)
    joined_at: Mapped[datetime]
    arrived_at: Mapped[datetime | None]                # the gate scan
    arrived_by: Mapped[str | None] = mapped_column(String(64))
    # A revoked pass is refused at every scanner; joining again issues a new one.
    pass_revoked_at: Mapped[datetime | None]

    booking: Mapped[ReunionBooking] = relationship(back_populates="members")


class ReunionMeal(Base):
    """One free canteen meal served to a member: the unique pair makes the second scan fail."""

    __tablename__ = "reunion_meal"
    __table_args__ = (UniqueConstraint("member_id", "meal", name="uq_reunion_meal_member_meal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("reunion_member.id", ondelete="CASCADE"))
    meal: Mapped[str] = mapped_column(String(8))   # lunch / dinner
    served_at: Mapped[datetime]
    served_by: Mapped[str | None] = mapped_column(String(64))


class ReunionNotice(Base):
    """A scheduled notice about one booking sent once: the 7-day and 1-day reminders, the thanks."""

    __tablename__ = "reunion_notice"
    __table_args__ = (UniqueConstraint("booking_id", "kind", name="uq_reunion_notice_booking_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("reunion_booking.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))   # remind-7d / remind-1d / thanks
    push_id: Mapped[int | None] = mapped_column(ForeignKey("push.id", ondelete="SET NULL"))
    queued_at: Mapped[datetime]


class ReunionFeedback(Base):
    """A member's one answer after the visit: a score of 1-5 and a line of text."""

    __tablename__ = "reunion_feedback"
    __table_args__ = (UniqueConstraint("member_id", name="uq_reunion_feedback_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("reunion_booking.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("reunion_member.id", ondelete="CASCADE"))
    score: Mapped[int]
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
