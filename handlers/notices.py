"""Notices: the pushes a feature sends, described by the feature and queued above it.

The push outbox lives in scheduler/, above handlers (DESIGN.md, "who knows whom"), so a feature
never queues a push itself. It says what to send, to whom, and who caused it (`created_by`, which
staff see beside every push: "<feature>:<event>", e.g. `chapters:join`):

- at once, in the transaction of the request that caused it, through the `notify` its door hands in
  (`Context.notify`; wechat_bot.notify.notify_users);
- on a schedule, as `ScheduledNotices`: the feature says what is due and how to mark it done,
  and the scheduler (scheduler.notices) queues each due notice and marks it in one transaction,
  listed in the job list (scheduler.jobs.scheduled_jobs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from handlers.settings import Settings
from models.push import Push


@dataclass(frozen=True)
class Notice:
    """One push a feature wants queued."""

    text: str
    audience: str     # an outbox audience: "year:2016", "users:3,7"
    kind: str         # broadcast, notification or reminder
    created_by: str   # who caused it, for staff reading the push: "<feature>:<event>"
    # The consent category whose opt-outs it honours; None: a notice about one's own business.
    category: str | None = None
    url: str | None = None                    # where a template message opens when tapped
    # A customer-service message of another type than text ({"msgtype": "news", …}); a channel
    # that cannot carry it (a template) sends `text` with `url` instead (scheduler.channels).
    custom_message: dict[str, Any] | None = None
    # Pushes queued right after this one, in the same transaction, to the same audience (the
    # reminder's news cards): done or rolled back with it; `mark` sees only this one's push.
    follow_ups: tuple[Notice, ...] = ()


class Notify(Protocol):
    """Queue `text` to those WeChat users in the caller's transaction (the door hands it in)."""

    def __call__(self, session: Session, user_ids: list[int], text: str, at: datetime, *,
                 created_by: str, category: str | None = None) -> None: ...


class DueNotice(Protocol):
    """What a feature's `due` returns: anything carrying the notice to queue."""

    @property
    def notice(self) -> Notice: ...


@dataclass(frozen=True)
class ScheduledNotices:
    """A feature's notices sent on a schedule; the scheduler runs them, the feature decides them.

    `due(session, now, settings)` lists what should go out now and is not marked done yet.
    `mark(session, item, push, now)` records one as done, in the transaction that queued its push
    (`push` is None when the audience was empty: done, nobody to tell), and returns what the job
    reports; None means another run marked it first, and the scheduler rolls its push back.
    """

    describe: Callable[[Settings], str]   # the job's one line, as the scheduler lists it
    # When the leader looks: a time of day (local) for a daily look; a timedelta for a scan that
    # often (a reminder due at a fixed offset before an event).
    schedule: time | timedelta
    due: Callable[[Session, datetime, Settings], Sequence[DueNotice]]
    mark: Callable[[Session, Any, Push | None, datetime], Any]
