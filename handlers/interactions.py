"""Who wrote to the account and when: the message log and the users' interaction times.

The webhook queues one small record per message in Redis and a background flusher writes them
here in batches, so a passive reply never waits on a database write (measured: the per-message
INSERT + UPDATE cost more than everything else the webhook does; benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from models import MessageLog, WechatUser
from models.base import UtcDateTime


@dataclass(frozen=True)
class Inbound:
    """One message or event as the log keeps it."""

    openid: str
    at: datetime
    msg_type: str
    event: str | None
    msg_id: str | None
    content: str | None
    handler: str
    reply_kind: str
    elapsed_ms: int
    opens_window: bool   # a message, click, subscribe or scan: WeChat lets us answer for a while
    is_message: bool     # the user's own message: the 48-hour window
    # WeChat's receipt for one of our sends (models.wechat_user.JOB_RECEIPT_EVENTS): logged,
    # but its FromUserName may be nobody of ours (the mass-send assistant): no user for it.
    # A default, so records queued by an older version still load.
    is_receipt: bool = False


def record_inbound(session: Session, records: Iterable[Inbound]) -> int:
    """Write a batch: create unknown users, advance interaction times, append the log."""
    records = list(records)
    if not records:
        return 0
    first_seen: dict[str, datetime] = {}
    for r in records:
        if not r.is_receipt:
            first_seen[r.openid] = min(first_seen.get(r.openid, r.at), r.at)
    if first_seen:
        _create_missing_users(session, first_seen)
    _advance_times(session, records)
    session.execute(insert(MessageLog), [
        {"openid": r.openid, "received_at": r.at, "msg_type": r.msg_type, "event": r.event,
         "msg_id": r.msg_id, "content": r.content, "handler": r.handler, "reply_kind": r.reply_kind,
         "elapsed_ms": r.elapsed_ms}
        for r in records
    ])
    return len(records)


def _create_missing_users(session: Session, first_seen: dict[str, datetime]) -> None:
    known = set(session.scalars(select(WechatUser.openid).where(WechatUser.openid.in_(first_seen))))
    missing = [{"openid": o, "subscribed": True, "created_at": at}
               for o, at in sorted(first_seen.items()) if o not in known]
    if not missing:
        return
    # A handler may create the same user meanwhile; the unique openid decides, quietly.
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    session.execute(dialect_insert(WechatUser).on_conflict_do_nothing(index_elements=["openid"]), missing)


def _advance_times(session: Session, records: list[Inbound]) -> None:
    """Move each user's interaction times forward, one executemany per kind of update.

    Times only move forward: batches from two workers may arrive out of order.
    """
    latest: dict[str, dict] = {}
    for r in records:
        if not r.opens_window:
            continue
        entry = latest.setdefault(r.openid, {"b_openid": r.openid, "b_first": r.at, "b_last": r.at,
                                             "b_message": None})
        entry["b_first"] = min(entry["b_first"], r.at)
        entry["b_last"] = max(entry["b_last"], r.at)
        if r.is_message:
            entry["b_message"] = max(entry["b_message"] or r.at, r.at)
    with_message = [e for e in latest.values() if e["b_message"] is not None]
    without = [{k: v for k, v in e.items() if k != "b_message"} for e in latest.values()
               if e["b_message"] is None]
    # Core statements on the table: executemany, not the ORM's per-row bulk update by primary key.
    connection = session.connection()
    if with_message:
        connection.execute(_ADVANCE.values(last_message_at=_later(_USERS.c.last_message_at, "b_message")),
                           with_message)
    if without:
        connection.execute(_ADVANCE, without)


def _later(column, name: str):
    value = bindparam(name, type_=UtcDateTime())
    return case((or_(column.is_(None), column < value), value), else_=column)


_USERS = WechatUser.__table__
_ADVANCE = (
    update(_USERS)
    .where(_USERS.c.openid == bindparam("b_openid"))
    .values(first_interaction_at=func.coalesce(_USERS.c.first_interaction_at,
                                               bindparam("b_first", type_=UtcDateTime())),
            last_interaction_at=_later(_USERS.c.last_interaction_at, "b_last"))
)


def utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)
