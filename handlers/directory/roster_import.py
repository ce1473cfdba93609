"""`import-roster`: check every row of a roster file, then upsert the good ones by student ID.

The file is streamed into a staging table on the import's own connection (PostgreSQL: COPY into a
temporary table; SQLite: executemany into a TEMP table), a batch at a time, so memory stays bounded
whatever the file's size. Then, in the database: student IDs repeated within the file are found and
their later lines rejected, and one statement per batch upserts the rest,

    INSERT INTO alumnus (...) SELECT ... FROM staging
    ON CONFLICT (student_id) DO UPDATE SET <roster columns> WHERE <a roster column differs>

so an unchanged row is not written at all (the second import of a file changes nothing), and what
belongs to the alumnus (profile_*, privacy, the binding) is never in the SET list. Nothing is ever
deleted: a record missing from the file stays. `strict` checks everything before writing anything;
`dry_run` does the same work, counts what would change, and rolls back.

This module runs those steps; a row's checks are `roster_checks`, the staging table and the upsert
`roster_staging` (per database: `roster_staging_postgres`, `roster_staging_sqlite`), the first
import into an empty roster `roster_indexes`, and what staff read `roster_report`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from handlers.directory.roster_checks import YEARS_AHEAD, RejectedRow, check_row
from handlers.directory.roster_file import open_roster
from handlers.directory.roster_indexes import load_then_index
from handlers.directory.roster_report import ImportReport
from handlers.directory.roster_staging import Staging
from handlers.directory.roster_staging_postgres import PostgresStaging
from handlers.directory.roster_staging_sqlite import SqliteStaging

BATCH_ROWS = 5000
MAX_LISTED_REJECTIONS = 10_000  # kept in the report; beyond that only counted


def import_roster(
    engine: Engine,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import a roster file into `engine`'s database and report what happened.

    Takes the Engine, not a Session: the import is its own transaction boundary (a CLI command or
    an admin upload), holds one connection for its staging table, and on PostgreSQL needs that
    connection's COPY. Raises RosterFileError when the file cannot be read at all (no header,
    a required column missing, an unknown encoding). `progress` is called with the number of
    rows each batch added (click.progressbar's `update`); `on_stage` with a Chinese line when a
    long step starts.
    """
    now = now or datetime.now(UTC)
    roster = open_roster(path)
    with engine.connect() as conn:
        staging = staging_for(conn)
        try:
            read, rejected, omitted = _load(
                roster.rows(), staging, now.year + YEARS_AHEAD, progress
            )
            if on_stage:
                on_stage("正在检查文件中重复的学号…")
            duplicates = staging.remove_duplicates(MAX_LISTED_REJECTIONS)
            rejected, omitted = _merge_rejections(rejected, omitted, duplicates)
            staged = staging.count()
            refused = strict and bool(rejected)
            if refused or not staged:
                inserted = updated = staged = 0
            elif dry_run:
                inserted, updated = staging.predict()
            else:
                if on_stage:
                    on_stage(f"正在写入数据库（{staged} 行）…")
                inserted, updated = _merge(staging, now)
        except BaseException:
            staging.abandon()
            raise
        staging.finish(commit=not (dry_run or refused))
    return ImportReport(
        read=read,
        inserted=inserted,
        updated=updated,
        unchanged=staged - inserted - updated,
        rejected=rejected,
        dry_run=dry_run,
        strict=strict,
        applied=not (dry_run or refused),
        omitted=omitted,
    )


def _load(rows: Iterable, staging, last_year: int, progress) -> tuple[int, list[RejectedRow], int]:
    """Check each row and stage the good ones a batch at a time; return (read, rejected, omitted)."""
    read, rejected, omitted, batch = 0, [], 0, []
    for line, values in rows:
        read += 1
        checked = check_row(line, values, last_year)
        if isinstance(checked, RejectedRow):
            if len(rejected) < MAX_LISTED_REJECTIONS:
                rejected.append(checked)
            else:
                omitted += 1
            continue
        batch.append(checked)
        if len(batch) >= BATCH_ROWS:
            staging.write(batch)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        staging.write(batch)
        if progress:
            progress(len(batch))
    return read, rejected, omitted


def _merge(staging: Staging, now: datetime) -> tuple[int, int]:
    """Upsert the staged rows; (inserted, updated). Into an empty roster: load, then index."""
    if staging.lock_empty_roster():
        return load_then_index(staging, now), 0
    return staging.upsert_all(now)


def _merge_rejections(rejected: list[RejectedRow], omitted: int, duplicates) -> tuple[list, int]:
    """Checked rows and repeated student IDs, by line; the first MAX_LISTED of all of them."""
    found, total_duplicates = duplicates
    rows = rejected + [
        RejectedRow(line, f"学号 {student_id} 在文件中重复（第 {first} 行已出现）", "学号")
        for line, student_id, first in found
    ]
    rows.sort(key=lambda row: row.line)
    listed = rows[:MAX_LISTED_REJECTIONS]
    return listed, omitted + total_duplicates + len(rejected) - len(listed)


def staging_for(conn: Connection) -> Staging:
    return PostgresStaging(conn) if conn.dialect.name == "postgresql" else SqliteStaging(conn)
