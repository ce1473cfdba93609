"""Roster imports started from the admin page, run in a background thread with their progress in
the store, so a 200,000-row file never holds a request (or a gunicorn worker's timeout) open.

The import itself is the CLI's (`handlers.directory.roster_import.import_roster`): the same
checks, the same upsert, the same report. What lives here is only the running of it:

- a job is a hash in the store under the app's prefix (`<prefix>admin:roster:<id>`) holding its
  state, counts and stage; any worker answers the page's polling from it, whichever worker runs
  the thread. Its rejected rows are a second key (JSON), read when the import is done;
- one import at a time (`<prefix>admin:roster:running`, SET NX with a TTL the thread keeps
  fresh): two uploads racing on the same student IDs would only confuse staff;
- the thread writes a heartbeat with its progress; a job whose heartbeat stopped (the worker
  was restarted) is shown as interrupted rather than running for ever;
- the audit log gets one entry per import, when it ends (file name, counts), in the CLI's words.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from handlers.directory.roster_file import RosterFileError
from handlers.directory.roster_import import import_roster
from handlers.directory.roster_report import ImportReport, summary_lines
from handlers.staff.audit import record_audit

log = logging.getLogger(__name__)

JOB_TTL = 2 * 24 * 3600       # a finished import's report stays readable for two days
LOCK_TTL = 120                # the running lock outlives a dead worker by at most this
HEARTBEAT = 20                # seconds between the running thread's beats
STALE_AFTER = 300             # no heartbeat for this long: the worker died mid-import
RECENT = 10                   # imports listed on the upload page
FAILED_UNEXPECTEDLY = "导入时发生内部错误，数据库未作改动。请稍后重试，或把文件交给技术人员检查。"


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    strict: bool = False


@dataclass
class Job:
    id: str
    file_name: str
    actor: str
    started: float
    status: str          # running / done / failed / interrupted
    total: int           # estimated data rows (for the bar)
    processed: int       # rows read and checked so far
    stage: str
    options: Options
    error: str = ""
    report: dict = field(default_factory=dict)

    @property
    def started_at(self) -> datetime:
        return datetime.fromtimestamp(self.started, UTC)

    @property
    def percent(self) -> int:
        if self.status != "running":
            return 100
        return min(99, int(100 * self.processed / self.total)) if self.total else 0

    def as_json(self) -> dict:
        return {"id": self.id, "status": self.status, "percent": self.percent,
                "processed": self.processed, "total": self.total, "stage": self.stage,
                "error": self.error, "report": self.report or None}


class RosterJobs:
    """The admin's roster imports for one app: starting them, reading their state, and at
    shutdown waiting for the ones this process runs (Runtime.close calls `close`)."""

    def __init__(self, runtime) -> None:
        self._runtime = runtime
        self._prefix = f"{runtime.config.admin.key_prefix}roster:"
        self._threads: list[threading.Thread] = []

    @property
    def store(self):
        return self._runtime.store

    def _key(self, job_id: str) -> str:
        return f"{self._prefix}{job_id}"

    def running(self) -> Job | None:
        """The import under way, if any (whoever started it)."""
        job_id = self.store.get(f"{self._prefix}running")
        return self.get(job_id) if job_id else None

    def start(self, path: str, file_name: str, total: int, options: Options, *, actor: str,
              ip: str | None) -> Job | None:
        """Run the import of `path` (a file this job now owns and deletes) in a thread; None if
        another import is running."""
        job_id = uuid.uuid4().hex[:16]
        if not self.store.set(f"{self._prefix}running", job_id, nx=True, ex=LOCK_TTL):
            return None
        now = time.time()
        state = {"file": file_name, "actor": actor, "started": now, "heartbeat": now,
                 "status": "running", "total": total, "processed": 0, "stage": "正在读取文件…",
                 "dry_run": int(options.dry_run), "strict": int(options.strict)}
        pipe = self.store.pipeline()
        pipe.hset(self._key(job_id), mapping=state)
        pipe.expire(self._key(job_id), JOB_TTL)
        pipe.lpush(f"{self._prefix}recent", job_id)
        pipe.ltrim(f"{self._prefix}recent", 0, RECENT - 1)
        pipe.execute()
        thread = threading.Thread(target=self._run, name=f"roster-import-{job_id}", daemon=True,
                                  args=(job_id, path, file_name, options, actor, ip))
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return self.get(job_id)

    def get(self, job_id: str) -> Job | None:
        data = self.store.hgetall(self._key(job_id)) if job_id.isalnum() else {}
        if not data:
            return None
        status = data["status"]
        if status == "running" and time.time() - float(data["heartbeat"]) > STALE_AFTER:
            status = "interrupted"
        return Job(id=job_id, file_name=data["file"], actor=data["actor"],
                   started=float(data["started"]), status=status, total=int(data["total"]),
                   processed=int(data["processed"]), stage=data.get("stage", ""),
                   options=Options(bool(int(data["dry_run"])), bool(int(data["strict"]))),
                   error=data.get("error", ""), report=json.loads(data.get("report") or "{}"))

    def recent(self) -> list[Job]:
        ids = self.store.lrange(f"{self._prefix}recent", 0, RECENT - 1)
        return [job for job in map(self.get, ids) if job is not None]

    def rejected(self, job_id: str) -> list[tuple[int, str, str]]:
        """Every listed rejected row of a finished job: (line, column, reason)."""
        raw = self.store.get(f"{self._key(job_id)}:rejected")
        return [tuple(row) for row in json.loads(raw)] if raw else []

    # --- the thread ---

    def _run(self, job_id: str, path: str, file_name: str, options: Options, actor: str,
             ip: str | None) -> None:
        key = self._key(job_id)

        def beat(**fields) -> None:
            pipe = self.store.pipeline()
            pipe.hset(key, mapping={**fields, "heartbeat": time.time()})
            pipe.expire(f"{self._prefix}running", LOCK_TTL)
            pipe.execute()

        def progress(rows: int) -> None:
            pipe = self.store.pipeline()
            pipe.hincrby(key, "processed", rows)
            pipe.hset(key, "heartbeat", time.time())
            pipe.expire(f"{self._prefix}running", LOCK_TTL)
            pipe.execute()

        alive = threading.Event()
        ticker = threading.Thread(target=self._keep_alive, args=(alive, beat), daemon=True,
                                  name=f"roster-import-{job_id}-heartbeat")
        ticker.start()
        try:
            report = import_roster(self._runtime.engine, path, dry_run=options.dry_run,
                                   strict=options.strict, progress=_quietly(progress),
                                   on_stage=_quietly(lambda line: beat(stage=line)))
        except RosterFileError as exc:
            self._finish(key, actor, ip, file_name, status="failed", error=str(exc))
        except Exception:
            log.exception("花名册导入失败：%s", file_name)
            self._finish(key, actor, ip, file_name, status="failed", error=FAILED_UNEXPECTEDLY)
        else:
            self._finish(key, actor, ip, file_name, status="done", report=report)
        finally:
            alive.set()
            _remove(path)
            if self.store.get(f"{self._prefix}running") == job_id:
                self.store.delete(f"{self._prefix}running")

    @staticmethod
    def _keep_alive(done: threading.Event, beat: Callable[..., None]) -> None:
        """The heartbeat and the lock while the import runs, also through its long steps (the
        upsert of a million rows reports no progress for a minute): a job stops beating only
        when its process is gone."""
        while not done.wait(HEARTBEAT):
            _quietly(beat)()

    def _finish(self, key: str, actor: str, ip: str | None, file_name: str, *, status: str,
                error: str = "", report: ImportReport | None = None) -> None:
        summary = report_summary(report) if report else {}
        try:
            with self._runtime.sessions.begin() as session:
                record_audit(session, at=datetime.now(UTC), actor=actor, action="roster_imported",
                             target=f"花名册 {file_name}", ip=ip,
                             detail="；".join(summary["lines"]) if report else f"未能导入：{error}")
        except Exception:
            log.exception("花名册导入的审计记录未能写入：%s", file_name)
        pipe = self.store.pipeline()
        if report is not None:
            rows = [[row.line, row.column, row.reason] for row in report.rejected]
            pipe.set(f"{key}:rejected", json.dumps(rows, ensure_ascii=False), ex=JOB_TTL)
        pipe.hset(key, mapping={"status": status, "error": error, "heartbeat": time.time(),
                                "stage": "", "report": json.dumps(summary, ensure_ascii=False)})
        pipe.execute()

    def close(self, timeout: float = 60) -> None:
        """Wait for this process's imports (tests, shutdown): a half-written import would be
        rolled back anyway, but its job would then read as interrupted."""
        for thread in self._threads:
            thread.join(timeout)


def report_summary(report: ImportReport) -> dict:
    """The report's numbers and its summary in the CLI's words (roster_report.summary_lines,
    without the listed rows: the page shows those as a table)."""
    head = summary_lines(report, listed=0)
    lines = head[:head.index("被拒绝的行：")] if "被拒绝的行：" in head else head
    return {"read": report.read, "inserted": report.inserted, "updated": report.updated,
            "unchanged": report.unchanged, "rejected": report.rejected_count,
            "listed": len(report.rejected), "dry_run": report.dry_run, "strict": report.strict,
            "applied": report.applied, "lines": lines}


def jobs(runtime) -> RosterJobs:
    """The app's RosterJobs, made on first use and kept in the runtime (closed with it)."""
    found = runtime.extras.get("admin_roster_jobs")
    if found is None:
        found = runtime.extras.setdefault("admin_roster_jobs", RosterJobs(runtime))
    return found


def _quietly(write: Callable[..., None]) -> Callable[..., None]:
    """A progress write that cannot fail the import: the database work matters, the bar can lag
    behind while Redis is away for a moment."""
    def call(*args, **kwargs) -> None:
        try:
            write(*args, **kwargs)
        except Exception:
            log.warning("花名册导入的进度未能写入存储（导入继续进行）")
    return call


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
