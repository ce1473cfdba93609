"""The staging table: the checked rows of a file in the database, on the import's own connection,
then merged into alumnus. What every dialect shares is here; how a dialect creates, loads and
upserts is in roster_staging_postgres and roster_staging_sqlite.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from models.alumnus import ROSTER_FIELDS, Alumnus
from models.base import UtcDateTime

_KEYS = ("name_key", "search_pinyin", "search_initials")
STAGED = ("line", *ROSTER_FIELDS, *_KEYS)  # check_row's tuple
_WRITTEN = (*ROSTER_FIELDS, *_KEYS)  # what an import writes; never profile_*, privacy, binding
_COMPARED = tuple(c for c in _WRITTEN if c != "student_id")
_FIRSTS = ("SELECT student_id, min(line) AS first FROM roster_staging "
           "GROUP BY student_id HAVING count(*) > 1")  # fmt: skip
_REPEATS = f"FROM roster_staging s JOIN ({_FIRSTS}) f ON f.student_id = s.student_id " \
           "WHERE s.line > f.first"  # fmt: skip


class Staging:
    """The staging table on one connection; the subclasses load and upsert each their own way.

    Its columns have alumnus's own types (on PostgreSQL the search columns' "C" collation too),
    so comparing a staged value with a stored one never meets two collations. Into an empty
    roster the rows go in another way: roster_indexes.
    """

    differs = "IS DISTINCT FROM"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        types = {c.name: c.type.compile(conn.dialect) for c in Alumnus.__table__.columns}
        types["line"] = "INTEGER"
        self.create(", ".join(f"{c} {types[c]}" for c in STAGED))

    # --- what a dialect provides ---
    def create(self, columns: str) -> None:
        raise NotImplementedError

    def write(self, rows: list[tuple]) -> None:
        raise NotImplementedError

    def upsert_all(self, now: datetime) -> tuple[int, int]:
        raise NotImplementedError

    def search_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of alumnus's non-unique indexes, from the catalog."""
        raise NotImplementedError

    def lock_empty_roster(self) -> bool:
        """Lock alumnus against other writers if it is empty; whether it was."""
        raise NotImplementedError

    def analyze(self) -> None:
        """Fresh statistics after a large change. SQLite has no histograms: without the real
        rows per value (a full ANALYZE, some 3 s for a million rows) it would take a city for
        as selective as a pinyin and sort a city's 15,000 rows instead of walking the pinyin."""
        self.conn.exec_driver_sql("ANALYZE alumnus")

    # --- the same everywhere ---
    def scalar(self, sql: str, **params) -> int:
        return self.conn.execute(text(sql), params).scalar_one()

    def count(self) -> int:
        return self.scalar("SELECT count(*) FROM roster_staging")

    def remove_duplicates(self, limit: int) -> tuple[list[tuple[int, str, int]], int]:
        """Drop the later lines of student IDs the file repeats; (the first `limit`, how many)."""
        if not self.conn.execute(text(f"SELECT 1 FROM ({_FIRSTS}) f LIMIT 1")).first():
            return [], 0
        found = self.conn.execute(
            text(f"SELECT s.line, s.student_id, f.first {_REPEATS} ORDER BY s.line LIMIT :n"),
            {"n": limit}).all()  # fmt: skip
        removed = self.conn.execute(
            text(f"DELETE FROM roster_staging WHERE line IN (SELECT s.line {_REPEATS})")
        ).rowcount
        return [tuple(row) for row in found], removed

    def changed(self, old: str, new: str) -> str:
        return " OR ".join(f"{old}.{c} {self.differs} {new}.{c}" for c in _COMPARED)

    def predict(self) -> tuple[int, int]:
        """(inserted, updated) that the merge would report, without writing (for a dry run)."""
        inserted = self.scalar(
            "SELECT count(*) FROM roster_staging s WHERE NOT EXISTS "
            "(SELECT 1 FROM alumnus a WHERE a.student_id = s.student_id)"
        )
        updated = self.scalar(
            "SELECT count(*) FROM roster_staging s JOIN alumnus a ON a.student_id = s.student_id "
            f"WHERE {self.changed('a', 's')}"
        )
        return inserted, updated

    def insert_sql(self, where: str = "", *, upsert: bool = True) -> str:
        written = ", ".join(_WRITTEN)
        sql = (
            f"INSERT INTO alumnus ({written}, imported_at) "
            f"SELECT {written}, :now FROM roster_staging WHERE true {where} ORDER BY line"
        )
        if not upsert:
            return sql
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*_COMPARED, "imported_at"))
        return (f"{sql} ON CONFLICT (student_id) DO UPDATE SET {updates} "
                f"WHERE {self.changed('alumnus', 'excluded')}")  # fmt: skip

    def finish(self, *, commit: bool) -> None:
        if commit:
            self.conn.commit()
        else:
            self.conn.rollback()

    def abandon(self) -> None:
        self.conn.rollback()


def now_param():
    return bindparam("now", type_=UtcDateTime())
