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
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, bindparam, text

from handlers.directory.names import name_key
from handlers.directory.roster_columns import DEGREES, ROSTER_COLUMNS
from handlers.directory.roster_file import RosterFileError, open_roster
from handlers.directory.search_keys import name_search_keys
from models.alumnus import ROSTER_FIELDS, Alumnus
from models.base import UtcDateTime

__all__ = ["ImportReport", "RejectedRow", "RosterFileError", "import_roster", "summary_lines"]

BATCH_ROWS = 5000
MAX_LISTED_REJECTIONS = 10_000  # kept in the report; beyond that only counted
FIRST_YEAR = 1900
YEARS_AHEAD = 6  # a student enrolled now may graduate in up to six years (a doctorate)

_HEADER = {column.field: column.header for column in ROSTER_COLUMNS}
_LENGTHS = {c.name: c.type.length for c in Alumnus.__table__.columns
            if getattr(c.type, "length", None)}  # fmt: skip
_DEGREE_ALIASES = {"bachelor": "本科", "学士": "本科", "master": "硕士", "doctor": "博士",
                   "phd": "博士", "ph.d.": "博士", "doctorate": "博士"}  # fmt: skip
# (position in a row, longest allowed, header) for every text column: the database's own limits.
_LIMITS = tuple((i, _LENGTHS[f], _HEADER[f]) for i, f in enumerate(ROSTER_FIELDS)
                if f in _LENGTHS)  # fmt: skip


@dataclass
class RejectedRow:
    line: int  # the file's line number; the header is line 1
    reason: str  # Chinese, for staff: "缺少学号", "毕业年份 1850 不合理"


@dataclass
class ImportReport:
    read: int  # data rows read (blank lines not counted)
    inserted: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]  # by line; at most MAX_LISTED_REJECTIONS of them
    dry_run: bool
    strict: bool
    applied: bool  # whether anything was written (False for a dry run or a strict refusal)
    omitted: int = 0  # rejected rows beyond those listed

    @property
    def rejected_count(self) -> int:
        return len(self.rejected) + self.omitted


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
                inserted, updated = staging.merge(now)
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


def check_row(line: int, values: tuple[str | None, ...], last_year: int) -> tuple | RejectedRow:
    """A staging row (line, the roster fields in ROSTER_FIELDS order, name_key, pinyin, initials),
    or every reason the row cannot go in, joined by "；". Called a million times: kept lean."""
    row = [value.strip() or None if value else None for value in values]
    student_id, name, graduation, degree, entry = row[0], row[1], row[2], row[4], row[8]
    problems: list[str] = []
    if student_id is None:
        problems.append("缺少学号")
    else:
        if not student_id.isascii():
            student_id = row[0] = unicodedata.normalize("NFKC", student_id)
        if len(student_id.split()) > 1:
            problems.append(f"学号「{student_id}」中有空格")
    keys = _name_keys(name) if name else None
    if name is None:
        problems.append("缺少姓名")
    elif not keys[0]:
        problems.append(f"姓名「{name}」无效")
    graduation_year = row[2] = _year(graduation, "毕业年份", last_year, problems)
    if entry is not None:
        entry_year = row[8] = _year(entry, "入学年份", last_year, problems)
        if graduation_year and entry_year and entry_year > graduation_year:
            problems.append(f"入学年份 {entry_year} 晚于毕业年份 {graduation_year}")
    if degree is not None and degree not in DEGREES:
        degree = row[4] = _DEGREE_ALIASES.get(degree.lower(), degree)
        if degree not in DEGREES:
            problems.append(f"学历「{degree}」应为 {'、'.join(DEGREES)} 之一")
    for i, limit, header in _LIMITS:
        value = row[i]
        if value is not None and len(value) > limit:
            problems.append(f"{header}过长（最多 {limit} 个字符）")
    if problems:
        return RejectedRow(line, "；".join(problems))
    return (line, *row, *keys)


def _name_keys(name: str) -> tuple[str, str, str]:
    """(name_key, full pinyin, initials). name_search_keys caches by name; name_key is cheap."""
    return (name_key(name), *name_search_keys(name))


def _year(text: str | None, label: str, last_year: int, problems: list[str]) -> int | None:
    if text is None:
        problems.append(f"缺少{label}")
        return None
    if not (len(text) == 4 and text.isdigit()):
        digits = unicodedata.normalize("NFKC", text).removesuffix("年").strip()
        digits = digits.removesuffix(".0")  # a spreadsheet's number saved as 2012.0
        if not (len(digits) == 4 and digits.isdigit()):
            problems.append(f"{label}「{text}」不是四位数的年份")
            return None
        text = digits
    year = int(text)
    if not FIRST_YEAR <= year <= last_year:
        problems.append(f"{label} {year} 不合理")
        return None
    return year


def _merge_rejections(rejected: list[RejectedRow], omitted: int, duplicates) -> tuple[list, int]:
    """Checked rows and repeated student IDs, by line; the first MAX_LISTED of all of them."""
    found, total_duplicates = duplicates
    rows = rejected + [
        RejectedRow(line, f"学号 {student_id} 在文件中重复（第 {first} 行已出现）")
        for line, student_id, first in found
    ]
    rows.sort(key=lambda row: row.line)
    listed = rows[:MAX_LISTED_REJECTIONS]
    return listed, omitted + total_duplicates + len(rejected) - len(listed)


def summary_lines(report: ImportReport, *, listed: int = 50) -> list[str]:
    """The report as staff read it (the CLI prints it; the admin page shows it)."""
    lines = [
        (
            f"读取 {report.read} 行：新增 {report.inserted}，更新 {report.updated}，"
            f"未变 {report.unchanged}，拒绝 {report.rejected_count}"
        )
    ]
    if report.dry_run:
        lines.append("试运行：以上为预计结果，数据库未作任何改动")
    elif not report.applied:
        lines.append(f"严格模式：有 {report.rejected_count} 行未通过检查，未写入任何数据")
    if report.rejected:
        lines.append("被拒绝的行：")
        lines += [f"  第 {row.line} 行：{row.reason}" for row in report.rejected[:listed]]
        rest = report.rejected_count - min(listed, len(report.rejected))
        if rest > 0:
            lines.append(f"  …另有 {rest} 行未列出")
    return lines


# --- staging: the file in the database, then the upsert --------------------------------------

_KEYS = ("name_key", "search_pinyin", "search_initials")
_STAGED = ("line", *ROSTER_FIELDS, *_KEYS)  # check_row's tuple
_WRITTEN = (*ROSTER_FIELDS, *_KEYS)  # what an import writes; never profile_*, privacy, binding
_COMPARED = tuple(c for c in _WRITTEN if c != "student_id")
_FIRSTS = ("SELECT student_id, min(line) AS first FROM roster_staging "
           "GROUP BY student_id HAVING count(*) > 1")  # fmt: skip
_REPEATS = f"FROM roster_staging s JOIN ({_FIRSTS}) f ON f.student_id = s.student_id " \
           "WHERE s.line > f.first"  # fmt: skip


def staging_for(conn: Connection) -> _Staging:
    return _PostgresStaging(conn) if conn.dialect.name == "postgresql" else _SqliteStaging(conn)


class _Staging:
    """The staging table on one connection; the subclasses load and upsert each their own way.

    Its columns have alumnus's own types (on PostgreSQL the search columns' "C" collation too),
    so comparing a staged value with a stored one never meets two collations.

    Into an empty roster (the first import) the rows go in with a plain INSERT while the search
    indexes are dropped, and the indexes are built afterwards: building an index from sorted data
    takes seconds where updating eleven of them row by row takes minutes (DESIGN: "load, then
    index"). Readers wait for that transaction on PostgreSQL, but there was nothing to find yet.
    """

    differs = "IS DISTINCT FROM"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        types = {c.name: c.type.compile(conn.dialect) for c in Alumnus.__table__.columns}
        types["line"] = "INTEGER"
        self.create(", ".join(f"{c} {types[c]}" for c in _STAGED))

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
        """(inserted, updated) that merge would report, without writing (for a dry run)."""
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

    def merge(self, now: datetime) -> tuple[int, int]:
        """Upsert the staged rows; (inserted, updated)."""
        if not self.lock_empty_roster():
            return self.upsert_all(now)
        indexes = self.search_indexes()
        for name, _ in indexes:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        statement = text(self.insert_sql(upsert=False)).bindparams(_now_param())
        inserted = self.conn.execute(statement, {"now": now}).rowcount
        for _, create in indexes:
            self.conn.exec_driver_sql(create)
        self.analyze()
        self.conn.commit()
        return inserted, 0

    def finish(self, *, commit: bool) -> None:
        if commit:
            self.conn.commit()
        else:
            self.conn.rollback()

    def abandon(self) -> None:
        self.conn.rollback()


def _now_param():
    return bindparam("now", type_=UtcDateTime())


class _PostgresStaging(_Staging):
    """COPY into a temporary table, then one INSERT … ON CONFLICT that counts as it goes."""

    def create(self, columns: str) -> None:
        self.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE roster_staging ({columns}) "
                                  "ON COMMIT DROP")  # fmt: skip
        # Room for sorting by line, finding repeated IDs and building indexes in memory.
        self.conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        self.conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        self.copy = f"COPY roster_staging ({', '.join(_STAGED)}) FROM STDIN"

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
            "FROM merged").bindparams(_now_param())  # fmt: skip
        inserted, updated = self.conn.execute(statement, {"now": now}).one()
        if inserted + updated:
            self.analyze()
        return inserted, updated


class _SqliteStaging(_Staging):
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
        self.insert = (f"INSERT INTO roster_staging ({', '.join(_STAGED)}) "
                       f"VALUES ({', '.join('?' * len(_STAGED))})")  # fmt: skip

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
            _now_param()
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
