"""The queue between the webhook and the message log: Redis now, the database in batches.

A crash between taking a batch and committing it loses that batch of log lines (never a reply,
a booking or a registration, which handlers write in their own transaction). The mechanism is
`wechat_bot.log_queue.LogQueue`, shared with the API's search log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from handlers.interactions import Inbound, record_inbound
from wechat_bot.log_queue import LogQueue
from wechat_bot.store import Keys


class InboundQueue(LogQueue[Inbound]):
    def __init__(self, store, keys: Keys, sessions: sessionmaker[Session],
                 upstream: Callable[[], None] | None = None) -> None:
        super().__init__(store, keys("inbound"), sessions, write=record_inbound, dump=_dump,
                         load=_load, name="消息日志", upstream=upstream)


def _dump(record: Inbound) -> dict:
    return record.__dict__ | {"at": record.at.isoformat()}


def _load(data: dict) -> Inbound:
    data["at"] = datetime.fromisoformat(data["at"])
    return Inbound(**data)
