"""The scheduler process: APScheduler with its jobs in the database, run only while we lead.

Every process that runs the scheduler (`alumni-bot scheduler`, several for safety, or `demo` in its own
process) starts an APScheduler BackgroundScheduler paused, on one shared SQLAlchemyJobStore (table
`apscheduler_jobs` in the app's database, created by the job store itself on first start), and a
thread that keeps the Redis leader lock (scheduler.leader). The process that holds the lock resumes
its scheduler; the others stay paused and try again every renewal interval. APScheduler itself does
not coordinate schedulers sharing a job store — the lock is what makes it safe:

- Only the leader reads due jobs and advances their next run time in the table, so a run is fired
  once; a new leader continues from the times the old one wrote (coalesced: an overdue periodic job
  runs once, not once per missed interval; later than `misfire_grace_seconds` it is skipped to its
  next time).
- Before each round the scheduler asks the lock whether it still holds the lease for at least one
  more renewal interval (a local clock check), so a leader that lost Redis stops before a follower can
  take over, even before the leadership thread notices and pauses it.
- Job definitions come from code (scheduler.jobs). A new leader writes them to the table, leaving a
  job whose schedule is unchanged alone (its pending run time survives a failover) and removing jobs
  that no longer exist.

Jobs are module-level functions taking a context as their one argument; the context (database,
Redis, the WeChat client, settings) is handed in by the composition root and given to each job by
this module's executor, since a job stored in the database can carry only a reference to its
function and plain arguments (it stores the CONTEXT marker in the context's place).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import redis
from apscheduler.executors.pool import BasePoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_STOPPED
from apscheduler.util import obj_to_ref
from sqlalchemy import Engine

from scheduler.leader import LeaderLock
from telemetry import metrics

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
# What a stored job holds in place of its context argument; the executor puts the context there.
CONTEXT = "<job context>"


@dataclass(frozen=True)
class LeaderSettings:
    lease_seconds: float = 30.0       # a dead leader is replaced within lease + renew
    renew_seconds: float = 10.0       # leader renews, followers retry, this often
    misfire_grace_seconds: int = 3600  # a run later than this is skipped to its next time


@dataclass(frozen=True)
class JobSpec:
    """One periodic job: `func(context)` on `trigger`, stored in the job table under `id`."""

    id: str
    func: Callable[..., Any]
    trigger: Any  # an APScheduler trigger
    description: str
    # More than 1 lets a tick start while a long run goes on; the job itself decides what then.
    max_instances: int = 1


class _ContextExecutor(BasePoolExecutor):
    """A thread pool that calls each job with the scheduler's context as its first argument."""

    def __init__(self, context: Any, max_workers: int = 4) -> None:
        super().__init__(concurrent.futures.ThreadPoolExecutor(
            max_workers, thread_name_prefix="scheduler-job"))
        self._context = context

    def _do_submit_job(self, job, run_times) -> None:
        super()._do_submit_job(_WithContext(job, self._context), run_times)


class _WithContext:
    """A job as APScheduler's run_job reads it, with the context in place of CONTEXT."""

    def __init__(self, job, context: Any) -> None:
        self._job = job
        self.id = job.id
        self._jobstore_alias = job._jobstore_alias
        self.misfire_grace_time = job.misfire_grace_time
        self.func = job.func
        self.args = tuple(context if arg == CONTEXT else arg for arg in job.args)
        self.kwargs = job.kwargs

    def __str__(self) -> str:
        return str(self._job)


class _FencedScheduler(BackgroundScheduler):
    """A BackgroundScheduler that runs a round of due jobs only while `may_run()` says so."""

    def __init__(self, may_run: Callable[[], bool], recheck_seconds: float, **options) -> None:
        super().__init__(**options)
        self._may_run = may_run
        self._recheck_seconds = recheck_seconds

    def _process_jobs(self):
        if self.state == STATE_PAUSED:
            return None
        if not self._may_run():
            return self._recheck_seconds  # the leadership thread will pause or confirm us
        return super()._process_jobs()


def _schedule_key(trigger) -> str:
    # str() names the schedule without an interval trigger's start date; add the zone.
    return f"{type(trigger).__name__}|{trigger}|{getattr(trigger, 'timezone', '')}"


class SchedulerApp:
    """The jobs, the job table and the leader lock of one process; `start()` / `stop()`."""

    def __init__(self, *, engine: Engine, store: redis.Redis, lock_key: str, jobs: Sequence[JobSpec],
                 context: Any, settings: LeaderSettings = LeaderSettings(), timezone=None,
                 identity: str | None = None, stopping: threading.Event | None = None,
                 on_leadership: Callable[[bool], None] | None = None) -> None:
        self.settings = settings
        self.jobs = list(jobs)
        self.store = store
        self.lock = LeaderLock(store, lock_key, lease_seconds=settings.lease_seconds,
                               identity=identity)
        self.leading = False
        self._on_leadership = on_leadership
        # Set by stop(); shared with the jobs' context so a long run (a delivery drain) ends early.
        self._stopping = stopping or threading.Event()
        self._thread: threading.Thread | None = None
        self._init_lock_key = f"{lock_key}:init"
        self.scheduler = _FencedScheduler(
            may_run=lambda: self.lock.holds(margin=settings.renew_seconds),
            recheck_seconds=min(1.0, settings.renew_seconds),
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
            executors={"default": _ContextExecutor(context)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": settings.misfire_grace_seconds},
            timezone=timezone or "UTC",
            daemon=True,
        )

    @property
    def identity(self) -> str:
        return self.lock.identity

    def start(self) -> None:
        """Start paused, then lead or follow from the leadership thread."""
        # The job store creates its table on start; serialize that across processes starting
        # together (two concurrent CREATE TABLEs collide on PostgreSQL).
        with self.store.lock(self._init_lock_key, timeout=60, blocking_timeout=60):
            self.scheduler.start(paused=True)
        self._thread = threading.Thread(target=self._keep_leadership, name="scheduler-leader",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop taking jobs, let running ones finish, then hand the lock over."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        if self.scheduler.state != STATE_STOPPED:
            self.scheduler.shutdown(wait=True)
        if self.leading:
            self.leading = False
            metrics.SCHEDULER_LEADER.labels(self.identity).set(0)
            self.lock.release()
            log.info("调度器已停止，交出主节点（%s）", self.identity)

    def _keep_leadership(self) -> None:
        while not self._stopping.is_set():
            self.step()
            self._stopping.wait(self.settings.renew_seconds)

    def step(self) -> bool:
        """Renew or try to take the lease once; resume or pause the scheduler to match."""
        try:
            leading = self.lock.refresh()
            if leading and self.leading:
                metrics.LEASE_RENEWALS.inc()
        except redis.RedisError as exc:
            metrics.LEASE_ERRORS.inc()
            leading = self.lock.holds(margin=self.settings.renew_seconds)
            log.warning("调度器主节点锁：Redis 不可用（%s）；%s", type(exc).__name__,
                        "租期内仍为主节点" if leading else "暂不运行定时任务")
        if leading and not self.leading and not self._stopping.is_set():
            self._become_leader()
        elif not leading and self.leading:
            self.scheduler.pause()
            self.leading = False
            metrics.LEASE_LOSSES.inc()
            log.warning("不再是调度器主节点（%s）：已暂停定时任务", self.identity)
            self._notify(False)
        metrics.SCHEDULER_LEADER.labels(self.identity).set(1 if self.leading else 0)
        return leading

    def _become_leader(self) -> None:
        try:
            self._install_jobs()
        except Exception:
            log.exception("写入定时任务定义失败；沿用数据库中已有的任务")
        self.leading = True
        metrics.LEADERSHIP_TAKEN.inc()
        self.scheduler.resume()
        log.info("成为调度器主节点（%s）：运行 %d 个定时任务", self.identity, len(self.jobs))
        self._notify(True)

    def _install_jobs(self) -> None:
        wanted = {spec.id: spec for spec in self.jobs}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
                log.info("移除已不存在的定时任务 %s", job.id)
        for spec in self.jobs:
            existing = self.scheduler.get_job(spec.id)
            if (existing is not None and existing.func_ref == obj_to_ref(spec.func)
                    and tuple(existing.args) == (CONTEXT,)
                    and _schedule_key(existing.trigger) == _schedule_key(spec.trigger)
                    and existing.max_instances == spec.max_instances):
                if existing.name != spec.description:
                    existing.modify(name=spec.description)
                continue  # the same schedule: keep its pending run time
            self.scheduler.add_job(spec.func, spec.trigger, args=(CONTEXT,), id=spec.id,
                                   name=spec.description, max_instances=spec.max_instances,
                                   replace_existing=True)

    def _notify(self, leading: bool) -> None:
        if self._on_leadership is not None:
            try:
                self._on_leadership(leading)
            except Exception:
                log.exception("主节点变更的回调出错")
