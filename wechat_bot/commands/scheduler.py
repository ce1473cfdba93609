"""`alumni-bot scheduler`, and `build_scheduler`: the scheduler's composition root.

The scheduler package never imports wechat_bot (DESIGN.md, who knows whom); this module builds
what its jobs need from the app's Runtime — the database, Redis, the one WeChat client, push
delivery's sender and shared rate limiter, the scheduler's settings and the features' own (the
same objects the bot and the API read) — and hands it in. `demo` uses the same
function to run the scheduler in its own process.
"""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask.cli import with_appcontext

from menus.loader import load_menus
from scheduler.app import LeaderSettings, SchedulerApp
from scheduler.jobs import Delivery, JobContext, JobSettings, scheduled_jobs
from scheduler.leader import default_identity
from wechat_bot.config import Config
from wechat_bot.runtime import current_runtime
from wechat_bot.store import is_in_process

log = logging.getLogger("alumni_bot.scheduler")


def job_settings(config: Config, alumni_tag: str | None) -> JobSettings:
    section = config.scheduler
    return JobSettings(
        timezone=config.app.timezone,
        delivery_interval_seconds=section.delivery_interval_seconds,
        delivery_threads=section.delivery_threads,
        message_log_retention_days=section.message_log_retention_days,
        alumni_tag=alumni_tag,
        alumni_tag_sync_seconds=section.alumni_tag_sync_seconds,
        unionid_sync_seconds=section.unionid_sync_seconds,
    )


def job_context(runtime, *, identity: str, stopping: threading.Event | None = None) -> JobContext:
    """What the jobs are handed: the Runtime's database, Redis, WeChat client and settings, and
    delivery's sender and limiter; delivery writes the webhook's queued interactions (the
    Runtime's message-log queue) before it calls a row unreachable."""
    from wechat_bot.push_sender import build_delivery

    sender, limiter = build_delivery(runtime)
    menus = load_menus()
    return JobContext(
        sessions=runtime.sessions, store=runtime.store,
        settings=job_settings(runtime.config, menus.tags[0] if menus.tags else None),
        features=runtime.config.features, wechat=runtime.wechat,
        delivery=Delivery(sender, limiter, catch_up=runtime.inbox.flush), worker_id=identity,
        stopping=stopping or threading.Event())


def build_scheduler(runtime, *, identity: str | None = None, extra_jobs=()) -> SchedulerApp:
    """The scheduler for an app's Runtime; `extra_jobs` (JobSpecs) are for tests."""
    # APScheduler logs every run at INFO (the delivery job runs every few seconds); keep its
    # warnings and errors, and our own lines about leadership and what the jobs did.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    config = runtime.config
    identity = identity or default_identity()
    stopping = threading.Event()
    context = job_context(runtime, identity=identity, stopping=stopping)
    section = config.scheduler
    return SchedulerApp(
        engine=runtime.engine, store=runtime.store, lock_key=runtime.keys("scheduler", "leader"),
        jobs=[*scheduled_jobs(context), *extra_jobs], context=context,
        settings=LeaderSettings(lease_seconds=section.leader_lease_seconds,
                                renew_seconds=section.leader_renew_seconds,
                                misfire_grace_seconds=section.misfire_grace_seconds),
        timezone=config.zone, identity=identity, stopping=stopping)


@click.command("scheduler")
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              help="本进程 /metrics 的端口（默认 [metrics] scheduler_port；0 = 不提供）")
@with_appcontext
def scheduler_command(metrics_port: int | None) -> None:
    """运行定时任务与推送发送（可同时运行多个进程：只有主节点执行任务，其余待命接替）。"""
    from telemetry import metrics
    from wechat_bot.observability.scheduler_endpoint import serve_metrics

    metrics.use_directory(None)  # one process: in memory, served below (not gunicorn's folder)
    runtime = current_runtime()
    if is_in_process(runtime.config.redis.url):
        click.echo("提醒：redis.url 是 memory://，只在本进程内有效——其他进程（网站、另一个调度器）"
                   "看不到这里的主节点锁和令牌。生产环境请配置 redis://…", err=True)
    app = build_scheduler(runtime)
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        log.info("收到 %s，正在停止调度器…", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    section = runtime.config.metrics
    endpoint = serve_metrics(section, section.scheduler_port if metrics_port is None else metrics_port)
    app.start()
    log.info("调度器已启动（%s），%d 个定时任务：%s", app.identity, len(app.jobs),
             "、".join(spec.id for spec in app.jobs))
    while not stop.wait(0.5):
        pass
    app.stop()
    if endpoint is not None:
        endpoint.shutdown()
    runtime.close()
    log.info("调度器已停止（%s）", app.identity)
