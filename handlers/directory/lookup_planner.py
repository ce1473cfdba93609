"""What a search sets on PostgreSQL so that its statements run as the index walks they are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from handlers.directory.lookup_sql import sql

_PLANNER = {  # what a search sets on PostgreSQL, and why: index_walks
    "plan_cache_mode": "force_custom_plan",
    "enable_bitmapscan": "off",
    "enable_seqscan": "off",
    "max_parallel_workers_per_gather": "0",
}


@contextmanager
def index_walks(session: Session) -> Iterator[None]:
    """On PostgreSQL, plan the search's statements as the index walks they are meant to be.

    - Custom plans: psycopg prepares a statement once it has run five times, and PostgreSQL may
      then switch to a generic plan, made without the values. For a range over a name, or an
      EXISTS probe, that plan can walk the wrong index or the whole table: seconds, not a
      millisecond (measured: benchmarks/README.md). make_engine turns preparing off; this
      keeps a search safe on an engine made otherwise.
    - No bitmap scans: the planner estimates a prefix range from its histogram by interpolating
      between letters, and pinyin is anything but uniform: it took `guo` (郭, 17,000 rows) for 24
      rows, fetched them all and sorted them (20 ms) instead of walking the index in order and
      stopping after a page (0.7 ms). Every rank is such a walk, so nothing here wants a bitmap.
    - No sequential scans: an EXISTS probe of a common college would otherwise read the table
      until its first match; fast while the statistics are right, a full scan when they are not.
    - No parallel plans: the ranks of a page are the branches of one UNION ALL (lookup_sql.walk),
      which must run one after the other, in order, and stop when the page is full.

    The settings are the transaction's own (set_config(..., true)), so they end with it. Should
    the caller run another statement in the same transaction, they are put back as they were just
    before it (one more round trip, then); a request that commits after the search, as the API's
    does, pays only the one that sets them.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = session.connection()
    names = list(_PLANNER)
    before = connection.execute(
        sql(
            "SELECT "
            + ", ".join(f"current_setting('{n}')" for n in names)
            + ", "
            + ", ".join(f"set_config('{n}', '{v}', true)" for n, v in _PLANNER.items())
        )
    ).one()
    try:
        yield
    finally:
        restore = "SELECT " + ", ".join(
            f"set_config('{n}', {_quoted(v)}, true)" for n, v in zip(names, before, strict=False))
        event.listen(connection, "before_cursor_execute", _restore_first(restore), once=True)


def _restore_first(statement: str):
    def restore(_conn, cursor, *_args) -> None:
        cursor.execute(statement)  # on the caller's cursor, just before the caller's statement

    return restore


def _quoted(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"
