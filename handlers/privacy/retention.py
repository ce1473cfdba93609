"""Retention: the daily purge of records that grow with use and name a person ([privacy] days).

- the search log (who searched what) and the binding log (bound, unbound, failed, refused): rows
  older than their days are deleted;
- per-recipient push results: after `delivery_detail_days` a finished row loses its recipient
  (user and openid) and WeChat's message id, and keeps its status, channel and times, so a
  push's figures (sent, failed) stay as staff read them.

Each kind goes in batches of `purge_batch` rows, one transaction each, so the purge never holds
the writers of a busy table for long. The message log has its own job (`clean-up`,
scheduler.message_log_retention_days); the staff audit log is append-only by design
(models.staff.AppendOnlyError) and is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from handlers.privacy.settings import PrivacySettings
from models import Delivery
from models.audit import BindingEvent, SearchLog
from models.push import FINISHED


@dataclass(frozen=True)
class Purged:
    searches: int
    binding_events: int
    deliveries: int


def purge_expired(sessions: sessionmaker[Session], settings: PrivacySettings, now: dt.datetime) -> Purged:
    def days(n: int) -> dt.datetime:
        return now - dt.timedelta(days=n)

    batch = settings.purge_batch
    return Purged(
        searches=_in_batches(sessions, batch, lambda s, n: _delete_older(
            s, SearchLog, SearchLog.searched_at, days(settings.search_log_days), n)),
        binding_events=_in_batches(sessions, batch, lambda s, n: _delete_older(
            s, BindingEvent, BindingEvent.at, days(settings.binding_log_days), n)),
        deliveries=_in_batches(sessions, batch, lambda s, n: _forget_recipients(
            s, days(settings.delivery_detail_days), n)),
    )


def _in_batches(sessions: sessionmaker[Session], batch: int, step) -> int:
    total = 0
    while True:
        with sessions.begin() as session:
            done = step(session, batch)
        total += done
        if done < batch:
            return total


def _delete_older(session: Session, model, column, cutoff: dt.datetime, batch: int) -> int:
    ids = list(session.scalars(select(model.id).where(column < cutoff).order_by(model.id).limit(batch)))
    if ids:
        session.execute(delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False))
    return len(ids)


def _forget_recipients(session: Session, cutoff: dt.datetime, batch: int) -> int:
    named = (Delivery.wechat_user_id.is_not(None)) | (Delivery.openid.is_not(None))
    ids = list(session.scalars(select(Delivery.id).where(
        Delivery.status.in_(FINISHED), Delivery.finished_at < cutoff, named)
        .order_by(Delivery.id).limit(batch)))
    if ids:
        session.execute(update(Delivery).where(Delivery.id.in_(ids))
                        .values(wechat_user_id=None, openid=None, msgid=None)
                        .execution_options(synchronize_session=False))
    return len(ids)
