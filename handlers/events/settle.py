"""A new sign-up's last step on PostgreSQL, and the request's commit, in one round trip.

Every sign-up to an event updates that event's row (its seats, or its waitlist counter), and the
row stays locked until the sign-up's transaction commits, so a burst of sign-ups to one event runs
one at a time on it: the time from that UPDATE to the commit is the burst's pace. When the client
sends the UPDATE, waits for its answer and then sends COMMIT, that time includes a network round
trip and the web thread getting a core and its process's GIL back, which on a busy machine is
most of it. Here the one statement that settles the sign-up and the COMMIT are sent together
(psycopg's pipeline mode), so the row is locked only while PostgreSQL runs them.

Sent unanswered, the statement must be right whatever it finds, as the guarded UPDATEs of
handlers.events.signup are, so it decides on the row it has locked (`FOR NO KEY UPDATE`, the lock an UPDATE of it takes,
which the registrations' foreign-key checks do not wait for: the newest version, after whoever
held it committed): the party's seats when they fit (`seats_taken + n <=
seats`), else the next waitlist position from the event's counter; the registration (claimed
earlier in this transaction, as a new row) takes the outcome in the same statement. When the event
is no longer open, nothing is taken and the claim is deleted, and the commit keeps only the rest
of the request. Only for a new claim: a revived cancelled registration goes the longer way (its
undo restores its old values), as do SQLite and a PostgreSQL driver other than psycopg 3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.event import EventStatus, RegistrationStatus

_SETTLE = f"""
WITH locked AS (
    SELECT id, seats_taken + %(party)s <= seats AS fits FROM event
    WHERE id = %(event)s AND status = '{EventStatus.OPEN.value}' FOR NO KEY UPDATE),
changed AS (
    UPDATE event
    SET seats_taken = event.seats_taken + CASE WHEN locked.fits THEN %(party)s ELSE 0 END,
        waitlist_next = event.waitlist_next + CASE WHEN locked.fits THEN 0 ELSE 1 END
    FROM locked WHERE event.id = locked.id
    RETURNING locked.fits, event.waitlist_next - 1 AS position),
settled AS (
    UPDATE registration
    SET status = CASE WHEN changed.fits THEN '{RegistrationStatus.CONFIRMED.value}'
                      ELSE '{RegistrationStatus.WAITLISTED.value}' END,
        position = CASE WHEN changed.fits THEN NULL ELSE changed.position END,
        confirmed_at = CASE WHEN changed.fits THEN %(now)s::timestamptz END
    FROM changed WHERE registration.id = %(registration)s
    RETURNING changed.fits, changed.position),
dropped AS (
    DELETE FROM registration
    WHERE id = %(registration)s AND NOT EXISTS (SELECT 1 FROM locked))
SELECT fits, position FROM settled
"""


@dataclass(frozen=True)
class Settled:
    seated: bool
    position: int | None     # the waitlist position handed out, when not seated


def settle_and_commit(session: Session, *, event_id: int, registration_id: int, party: int,
                      now: dt.datetime) -> Settled | None:
    """Seats or a waitlist position for the claimed registration, and the commit, in one round
    trip; None when the event was no longer open (the claim is gone). The session's transaction
    is over either way."""
    session.flush()    # whatever the request has pending goes before, in the same transaction
    connection = session.connection().connection.driver_connection   # psycopg's
    with connection.pipeline(), connection.cursor() as cursor:
        cursor.execute(_SETTLE, {"event": event_id, "registration": registration_id, "party": party,
                                 "now": now})
        connection.commit()      # queued behind the statement: both go before either answers
        row = cursor.fetchone()
    session.commit()   # the session's side of it: psycopg finds the transaction over, sends nothing
    if row is None:
        return None
    return Settled(bool(row[0]), None if row[0] else int(row[1]))
