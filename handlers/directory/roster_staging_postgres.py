"""The roster import's staging table on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from handlers.directory.roster_staging import STAGED, Staging, now_param


class PostgresStaging(Staging):
    """COPY into a temporary table, then one INSERT … ON CONFLICT that counts as it goes."""

    def create(self, columns: str) -> None:
        self.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE roster_staging ({columns}) "
                                  "ON COMMIT DROP")  # fmt: skip
        # Room for sorting by line, finding repeated IDs and building indexes in memory.
        self.conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        self.conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        self.copy = f"COPY roster_staging ({', '.join(STAGED)}) FROM STDIN"

    def write(self, rows: list[tuple]) -> None:
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(self.copy) as copy:
            for row in rows:
                copy.write_row(row)

    def lock_empty_roster(self) -> bool:
        if self.conn.execute(text("SELECT 1 FROM alumnus LIMIT 1")).first():
            return False
        self.conn.exec_driver_sql("LOCK TABLE alumnus IN ACCESS EXCLUSIVE MODE")
        return not self.conn.execute(text("SELECT 1 FROM alumnus LIMIT 1")).first()

    def search_indexes(self) -> list[tuple[str, str]]:
        return [
            tuple(row)
            for row in self.conn.execute(
                text(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE x.indrelid = 'alumnus'::regclass AND NOT x.indisunique ORDER BY i.relname"
                )
            )
        ]

    def upsert_all(self, now: datetime) -> tuple[int, int]:
        statement = text(
            f"WITH merged AS ({self.insert_sql()} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
            "FROM merged").bindparams(now_param())  # fmt: skip
        inserted, updated = self.conn.execute(statement, {"now": now}).one()
        if inserted + updated:
            self.analyze()
        return inserted, updated
