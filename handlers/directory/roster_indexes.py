"""The first import, into an empty roster: load, then index.

The rows go in with a plain INSERT while alumnus's search indexes are dropped, and the indexes are
built afterwards: building an index from sorted data takes seconds where updating eleven of them
row by row takes minutes (DESIGN: "load, then index"). Readers wait for that transaction on
PostgreSQL, but there was nothing to find yet. Which indexes to rebuild comes from the database's
catalog (each staging's `search_indexes`), so an index a migration adds is rebuilt too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from handlers.directory.roster_staging import Staging, now_param


def load_then_index(staging: Staging, now: datetime) -> int:
    """Insert the staged rows into the empty roster (locked by `lock_empty_roster`) without its
    search indexes, build them again, refresh the statistics and commit; how many went in."""
    indexes = staging.search_indexes()
    for name, _ in indexes:
        staging.conn.exec_driver_sql(f'DROP INDEX "{name}"')
    statement = text(staging.insert_sql(upsert=False)).bindparams(now_param())
    inserted = staging.conn.execute(statement, {"now": now}).rowcount
    for _, create in indexes:
        staging.conn.exec_driver_sql(create)
    staging.analyze()
    staging.conn.commit()
    return inserted
