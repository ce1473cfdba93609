"""Giving a booking's places back: the one function a cancel and a decline both call.

A booking holds counters on its day (people, lodging, tour groups, lunch, dinner), on its slot
(people) and at most one venue. `release` returns them with relative UPDATEs
(`booked = booked - n`), so a booking taking places at the same moment is not overwritten by a
value read earlier. The caller moves the booking out of the holding statuses first, with a
guarded UPDATE on its status, so two releases of one booking cannot both run: only the request
that changed the status calls this.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models.reunion import ReunionBooking, ReunionDay, ReunionSlot, ReunionVenue


def release(session: Session, booking: ReunionBooking) -> None:
    """Give back what `booking` held on its day, its slot and its venue (flushed, not committed)."""
    people = booking.people
    session.execute(
        update(ReunionDay).where(ReunionDay.id == booking.day_id).values(
            people_booked=ReunionDay.people_booked - people,
            lodging_booked=ReunionDay.lodging_booked - booking.lodging,
            tour_booked=ReunionDay.tour_booked - (1 if booking.tour else 0),
            lunch_booked=ReunionDay.lunch_booked - (people if booking.lunch else 0),
            dinner_booked=ReunionDay.dinner_booked - (people if booking.dinner else 0))
        .execution_options(synchronize_session=False))
    session.execute(
        update(ReunionSlot).where(ReunionSlot.id == booking.slot_id)
        .values(booked=ReunionSlot.booked - people).execution_options(synchronize_session=False))
    session.execute(
        update(ReunionVenue).where(ReunionVenue.booking_id == booking.id)
        .values(booking_id=None).execution_options(synchronize_session=False))
    # The day, slot and venue rows in this session now hold stale numbers: read them again.
    for row in (booking.day, booking.slot, *booking.day.venues):
        session.expire(row)
