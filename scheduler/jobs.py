"""The scheduler's jobs, and `scheduled_jobs`: the one registry of what runs when.

Each job is a module-level function `job(context)`; scheduler.app stores it by reference in the job
table and hands it the JobContext the composition root built (database, Redis, the WeChat client,
delivery's sender and limiter, the scheduler's settings and the features' own, the clock). Jobs are
idempotent: each selects what is due, acts, and records what it did in the same transaction, so a
run repeated after a crash or a failover does nothing twice.

A feature's job keeps its rules in its own folder: what is due and how it is marked done (and its
texts). Its notices are a `ScheduledNotices` (handlers.notices) run by scheduler.notices; a job that
calls WeChat instead (link-unionids) asks the feature what is due, makes the call here, where the
client is, and hands the answers back to the feature to record.
`sync-alumni-tag` (scheduler.alumni_tag) is no feature's job: it keeps the WeChat tag behind the
bound alumni's menu on exactly the bound followers, menu plumbing like `alumni-bot sync-menu`, with
no feature's rule or text; it stays here, beside the client it calls.

What is deliberately not a job here:

- **Scheduled broadcasts.** A push queued with `at` gets its delivery rows' `next_attempt_at` set to
  that time (scheduler.outbox), and delivery claims only rows that are due; so the delivery job
  sends a scheduled broadcast the first time it runs after its time. No separate job is needed.
- **Expired dialog and dedup state.** It lives in Redis with a TTL (wechat_bot.conversation.dialogs,
  wechat_bot.webhook.dedup) and expires by itself; `clean_up` prunes what nothing else expires.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import redis
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.events.reminders import EVENT_REMINDERS
from handlers.events.waitlist import SCAN_EVERY as EVENT_OFFER_SCAN
from handlers.events.waitlist import pass_lapsed_offers
from handlers.reunion import BOOKINGS_OPEN
from handlers.reunion.feedback import REUNION_THANKS
from handlers.reunion.outreach import ANNIVERSARY_INVITATIONS
from handlers.reunion.reminders import REUNION_REMINDERS
from handlers.settings import Settings
from models.message_log import MessageLog
from scheduler.app import JobSpec
from scheduler.notices import notice_job, send_due_notices

log = logging.getLogger(__name__)

CLEANUP_CHUNK = 5000  # message-log rows deleted per transaction, so log writes never wait long


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobSettings:
    """What the scheduler needs from configuration, from [scheduler] and the menus; a feature's
    settings are the feature's own objects (JobContext.features)."""

    timezone: str = "Asia/Shanghai"
    delivery_interval_seconds: float = 2.0
    delivery_threads: int = 1                  # calls to WeChat in flight, one per thread
    delivery_batch: int = 100
    delivery_drain_seconds: float = 50.0       # one run sends batches until idle or this long
    message_log_retention_days: int = 180
    alumni_tag: str | None = None              # the tag of the bound alumni's menu; None: no sync
    alumni_tag_sync_seconds: float = 60.0
    unionid_sync_seconds: float = 5.0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Delivery:
    """Delivery's collaborators, built by the composition root (scheduler.sender, .ratelimit)."""

    sender: Any
    limiter: Any
    # Writes the message log's queued interactions before a row is called unreachable
    # (scheduler.delivery.deliver_due); None: only what is already written counts.
    catch_up: Callable[[], object] | None = None


@dataclass
class JobContext:
    sessions: sessionmaker[Session]
    store: redis.Redis  # or the in-process stand-in for memory://
    settings: JobSettings
    features: Settings = field(default_factory=Settings)  # the very objects Context.settings holds
    wechat: Any = None              # the one WeChat client (tag sync); None: no such job
    delivery: Delivery | None = None  # None: no delivery job (e.g. no outbox configured)
    worker_id: str = "scheduler"
    clock: Callable[[], datetime] = _utcnow
    stopping: threading.Event = field(default_factory=threading.Event)
    _delivering: threading.Lock = field(default_factory=threading.Lock, repr=False)


# --- the registry -----------------------------------------------------------------------------

def scheduled_jobs(context: JobContext) -> list[JobSpec]:
    """Every periodic job the leading scheduler runs, given what this context can do.

    Features add their own jobs here, one JobSpec each, as they arrive; a feature's notices are a
    `ScheduledNotices` in its folder (what is due, how to mark it done, its texts) and one line
    here, `notice_job(...)`, with a module-level function that runs them (`anniversary_outreach`):

    - event reminders, 24 hours and 2 hours before an event (the events issue): due are the
      events whose reminder is due and not yet sent (`event-reminders`: handlers.events.reminders);
      the scheduler queues the reminder to the confirmed registrants and the feature marks the
      event's reminder sent — one transaction;
    - reunion reminders, 7 days and 1 day before an approved visit, and the thanks after it
      (`reunion-reminders`, `reunion-thanks`: handlers.reunion.reminders and .feedback), so.

    Jobs that remind at a fixed offset are periodic scans (every few minutes) for what became due,
    never one APScheduler date job per event: a rescheduled event then needs no job surgery.
    """
    settings = context.settings
    zone = settings.zone
    jobs = [
        JobSpec("clean-up", clean_up, CronTrigger(hour=3, minute=30, timezone=zone),
                f"每天 03:30 删除 {settings.message_log_retention_days} 天前的消息日志"),
        JobSpec("privacy-retention", privacy_retention, CronTrigger(hour=3, minute=45, timezone=zone),
                "每天 03:45 按 [privacy] 的保留天数删除过期的查询与绑定记录、隐去推送明细中的收件人"),
    ]
    if BOOKINGS_OPEN:  # the invitation points at 「返校」, which must lead to a booking
        jobs.append(notice_job("anniversary-outreach", anniversary_outreach,
                               ANNIVERSARY_INVITATIONS, context.features))
        jobs.append(notice_job("reunion-reminders", reunion_reminders, REUNION_REMINDERS,
                               context.features))
        jobs.append(notice_job("reunion-thanks", reunion_thanks, REUNION_THANKS, context.features))
    jobs.append(JobSpec("event-offers", event_offers,
                        IntervalTrigger(seconds=EVENT_OFFER_SCAN.total_seconds()),
                        "候补名额保留到期未确认的，让给下一位候补校友（并通知双方）"))
    jobs.append(notice_job("event-reminders", event_reminders, EVENT_REMINDERS, context.features))
    if context.delivery is not None:
        jobs.insert(0, JobSpec("deliver-pushes", deliver_pushes,
                               IntervalTrigger(seconds=settings.delivery_interval_seconds),
                               "发送到期的推送（含定时群发）", max_instances=3))
    if context.wechat is not None:
        jobs.append(JobSpec("link-unionids", link_unionids,
                            IntervalTrigger(seconds=settings.unionid_sync_seconds),
                            "向微信查询新关注者的 unionid，把公众号与小程序的同一人合为一个用户"))
    if context.wechat is not None and settings.alumni_tag:
        jobs.append(JobSpec("sync-alumni-tag", sync_alumni_tag,
                            IntervalTrigger(seconds=settings.alumni_tag_sync_seconds),
                            f"让标签“{settings.alumni_tag}”恰好贴在已绑定的校友身上（个性化菜单）"))
    return jobs


# --- the jobs ---------------------------------------------------------------------------------

def deliver_pushes(context: JobContext) -> int:
    """Send what is due, batch after batch, until nothing is due or the drain time is up.

    `delivery_threads` lanes drain at once, each claiming its own batches (a share of
    `delivery_batch`) under its own worker id, so that many calls are in flight while WeChat
    answers; the shared rate limit still paces them all. A run that is still draining when the
    next tick comes makes that tick return at once (the lock), so a long queue is sent by one
    set of lanes instead of by piled-up runs. Returns how many rows were claimed.
    """
    if context.delivery is None or not context._delivering.acquire(blocking=False):
        return 0
    try:
        lanes = max(1, context.settings.delivery_threads)
        if lanes == 1:
            return _drain(context, context.worker_id, context.settings.delivery_batch)
        batch = max(1, -(-context.settings.delivery_batch // lanes))
        with concurrent.futures.ThreadPoolExecutor(lanes, "delivery") as pool:
            runs = [pool.submit(_drain, context, f"{context.worker_id[:60]}#{lane}", batch)
                    for lane in range(1, lanes + 1)]
            return sum(run.result() for run in runs)
    finally:
        context._delivering.release()


def _drain(context: JobContext, worker_id: str, batch: int) -> int:
    from scheduler.delivery import deliver_due

    started = context.clock()
    budget = timedelta(seconds=context.settings.delivery_drain_seconds)
    claimed = 0
    while not context.stopping.is_set():
        stats = deliver_due(context.sessions, context.delivery.sender, context.delivery.limiter,
                            now=context.clock(), batch=batch, worker_id=worker_id,
                            catch_up=context.delivery.catch_up)
        claimed += stats.claimed
        if stats.claimed < batch or context.clock() - started > budget:
            break
    return claimed


def clean_up(context: JobContext) -> int:
    """Delete message-log rows older than the retention, in chunks; returns how many.

    The message log is the only thing that grows without bound and that no TTL removes: dialog,
    dedup, rate-limit and token state live in Redis and expire by themselves. Pushes and their
    deliveries are kept — they are the record staff read (push-status, the admin page).
    """
    cutoff = context.clock() - timedelta(days=context.settings.message_log_retention_days)
    removed = 0
    while True:
        with context.sessions.begin() as session:
            ids = list(session.scalars(select(MessageLog.id).where(MessageLog.received_at < cutoff)
                                       .order_by(MessageLog.id).limit(CLEANUP_CHUNK)))
            if ids:
                session.execute(delete(MessageLog).where(MessageLog.id.in_(ids)))
        removed += len(ids)
        if len(ids) < CLEANUP_CHUNK:
            break
    if removed:
        log.info("删除了 %d 条 %s 之前的消息日志", removed, cutoff.date())
    return removed


def privacy_retention(context: JobContext):
    """Purge what outlived its [privacy] retention; see handlers.privacy.retention."""
    from handlers.privacy.retention import purge_expired

    purged = purge_expired(context.sessions, context.features.privacy, context.clock())
    if any(vars(purged).values()):
        log.info("保留期清理：查询记录 %d 条、绑定记录 %d 条已删除，%d 条推送明细已隐去收件人",
                 purged.searches, purged.binding_events, purged.deliveries)
    return purged


def anniversary_outreach(context: JobContext):
    """Invite this year's anniversary classes (秩年) to come back; see handlers.reunion.outreach."""
    return send_due_notices(context.sessions, ANNIVERSARY_INVITATIONS, now=context.clock(),
                            settings=context.features)


def reunion_reminders(context: JobContext):
    """Remind approved reunion bookings 7 days and 1 day before; see handlers.reunion.reminders."""
    return send_due_notices(context.sessions, REUNION_REMINDERS, now=context.clock(),
                            settings=context.features)


def reunion_thanks(context: JobContext):
    """Thank visited classes and ask their one question; see handlers.reunion.feedback."""
    return send_due_notices(context.sessions, REUNION_THANKS, now=context.clock(),
                            settings=context.features)


def event_offers(context: JobContext):
    """Pass each lapsed waitlist offer to the next in line, exactly once; see handlers.events.waitlist.
    The two notices (the lapse, the new offer) are about one's own registration: category None."""
    from scheduler.outbox import notify_users

    return pass_lapsed_offers(context.sessions, now=context.clock(), settings=context.features,
                              notify=notify_users)


def event_reminders(context: JobContext):
    """Remind confirmed registrants 24 hours and 2 hours before an event; see handlers.events.reminders."""
    return send_due_notices(context.sessions, EVENT_REMINDERS, now=context.clock(),
                            settings=context.features)


UNIONID_BATCHES_PER_RUN = 20  # 2,000 followers a run; a surge of follows drains over a few runs


def link_unionids(context: JobContext):
    """Ask WeChat for the unionid of followers that have none yet; see handlers.identity."""
    from handlers.identity import BATCH, UnionidReport, followers_without_unionid, record_unionids

    total = UnionidReport()
    for _ in range(UNIONID_BATCHES_PER_RUN):
        with context.sessions() as session:
            openids = followers_without_unionid(session, BATCH)
        if not openids or context.stopping.is_set():
            break
        answers = _unionids(context.wechat, openids)
        with context.sessions.begin() as session:
            report = record_unionids(session, answers, context.clock())
        total = UnionidReport(*(a + b for a, b in zip(dataclasses.astuple(total),
                                                      dataclasses.astuple(report), strict=True)))
        if len(openids) < BATCH:
            break
    if total.merged or total.refused:
        log.info("unionid：%d 人关联，%d 人合并了小程序账号，%d 人因绑定了不同学籍未合并",
                 total.linked, total.merged, total.refused)
    return total


def _unionids(wechat, openids: list[str]) -> dict[str, str | None]:
    """openid -> unionid (None: WeChat gave none). One batch call; if WeChat refuses the batch for
    an openid it does not know (40003), one call each, so one stray row cannot block the rest."""
    from wechatpy.exceptions import WeChatClientException

    try:
        profiles = wechat.user.get_batch(openids)
    except WeChatClientException as exc:
        if exc.errcode != 40003:
            raise
        profiles = []
        for openid in openids:
            try:
                profiles.append(wechat.user.get(openid))
            except WeChatClientException as each:
                if each.errcode != 40003:
                    raise
                profiles.append({"openid": openid})
    answers: dict[str, str | None] = dict.fromkeys(openids)
    for profile in profiles:
        if profile.get("openid") in answers:
            answers[profile["openid"]] = profile.get("unionid") or None
    return answers


def sync_alumni_tag(context: JobContext):
    """Keep the bound alumni's tag on exactly the bound followers; see scheduler.alumni_tag."""
    from scheduler.alumni_tag import sync_tag

    if context.wechat is None or not context.settings.alumni_tag:
        return None
    return sync_tag(context.sessions, context.wechat, context.settings.alumni_tag)
