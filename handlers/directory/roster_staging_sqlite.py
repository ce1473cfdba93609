"""The roster import's staging table on SQLite."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from handlers.directory.roster_staging import STAGED, Staging, now_param


class SqliteStaging(Staging):
    """executemany into a TEMP table, then the upsert in slices, each its own transaction.

    SQLite has one writer: slices let the webhook's writes in between instead of waiting for the
    whole import. Every row was checked before the first slice, so --strict still writes all or
    nothing; a crash between slices leaves a partial import that running it again completes.
    """

    differs = "IS NOT"
    slice_lines = 50_000
    cache_kib = 64 * 1024  # page cache for the upsert's index updates (default is 2 MiB)

    def create(self, columns: str) -> None:
        self.conn.exec_driver_sql("DROP TABLE IF EXISTS temp.roster_staging")
        self.conn.exec_driver_sql(f"CREATE TEMP TABLE roster_staging ({columns}, "
                                  "PRIMARY KEY (line))")  # fmt: skip
        self.cache_before = self.conn.exec_driver_sql("PRAGMA cache_size").scalar()
        self.conn.exec_driver_sql(f"PRAGMA cache_size = -{self.cache_kib}")
        self.insert = (f"INSERT INTO roster_staging ({', '.join(STAGED)}) "
                       f"VALUES ({', '.join('?' * len(STAGED))})")  # fmt: skip

    def write(self, rows: list[tuple]) -> None:
        self.conn.exec_driver_sql(self.insert, rows)

    def lock_empty_roster(self) -> bool:
        self.conn.commit()  # the staged rows: what follows is the roster's own transaction(s)
        self.conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, before looking
        if self.conn.execute(text("SELECT 1 FROM alumnus LIMIT 1")).first():
            self.conn.rollback()
            return False
        return True

    def search_indexes(self) -> list[tuple[str, str]]:
        return [
            tuple(row)
            for row in self.conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alumnus' "
                    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"
                )
            )
        ]

    def upsert_all(self, now: datetime) -> tuple[int, int]:
        statement = text(self.insert_sql("AND line > :low AND line <= :high")).bindparams(
            now_param()
        )
        last = self.scalar("SELECT coalesce(max(line), 0) FROM roster_staging")
        inserted = changed = 0
        for low in range(0, last, self.slice_lines):
            before = self.scalar("SELECT count(*) FROM alumnus")
            changed += self.conn.execute(
                statement, {"now": now, "low": low, "high": low + self.slice_lines}
            ).rowcount
            inserted += self.scalar("SELECT count(*) FROM alumnus") - before
            self.conn.commit()
        if changed:
            self.analyze()
            self.conn.commit()
        return inserted, changed - inserted

    def finish(self, *, commit: bool) -> None:
        super().finish(commit=commit)
        self.abandon()

    def abandon(self) -> None:
        self.conn.rollback()
        self.conn.exec_driver_sql("DROP TABLE IF EXISTS temp.roster_staging")
        self.conn.exec_driver_sql(f"PRAGMA cache_size = {self.cache_before}")
        self.conn.commit()
