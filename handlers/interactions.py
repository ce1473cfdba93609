"""Who wrote to the account and when: the message log and the users' interaction times.

The webhook queues one small record per message in Redis and a background flusher writes them
here in batches, so a passive reply never waits on a database write (measured: the per-message
INSERT + UPDATE cost more than everything else the webhook does; benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import case, insert, or_, select, update
from sqlalchemy.orm import Session

from models import MessageLog, WechatUser


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


def record_inbound(session: Session, records: Iterable[Inbound]) -> int:
    """Write a batch: create unknown users, advance interaction times, append the log."""
    records = list(records)
    if not records:
        return 0
    first_seen: dict[str, datetime] = {}
    for r in records:
        first_seen[r.openid] = min(first_seen.get(r.openid, r.at), r.at)
    _create_missing_users(session, first_seen)
    latest: dict[str, dict] = {}
    for r in records:
        if not r.opens_window:
            continue
        entry = latest.setdefault(r.openid, {"first": r.at, "last": r.at, "message": None})
        entry["first"] = min(entry["first"], r.at)
        entry["last"] = max(entry["last"], r.at)
        if r.is_message:
            entry["message"] = max(entry["message"] or r.at, r.at)
    for openid, times in latest.items():
        _advance(session, openid, times["first"], times["last"], times["message"])
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


def _advance(session: Session, openid: str, first: datetime, last: datetime, message: datetime | None) -> None:
    # Times only move forward: batches from two workers may arrive out of order.
    values = {
        "first_interaction_at": case((WechatUser.first_interaction_at.is_(None), first),
                                     else_=WechatUser.first_interaction_at),
        "last_interaction_at": case(
            (or_(WechatUser.last_interaction_at.is_(None), WechatUser.last_interaction_at < last), last),
            else_=WechatUser.last_interaction_at),
    }
    if message is not None:
        values["last_message_at"] = case(
            (or_(WechatUser.last_message_at.is_(None), WechatUser.last_message_at < message), message),
            else_=WechatUser.last_message_at)
    session.execute(update(WechatUser).where(WechatUser.openid == openid).values(**values))


def utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)
