"""The queue between a search and the search log: Redis now, the database in batches.

Both doors queue here: the API (`wechat_bot.api.alumni`, on the pipeline it sends anyway) and the
bot (`Context.search_log`; the webhook's dispatcher pushes the lines on the round trip that also
carries the stored reply and the message-log line). A search's own transaction then writes
nothing. The mechanism, its cap while the database is down, and what a crash loses:
`wechat_bot.log_queue.LogQueue`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from handlers.directory.searching import SearchRecord, record_searches
from wechat_bot.log_queue import LogQueue
from wechat_bot.store import Keys


class SearchLogQueue(LogQueue[SearchRecord]):
    def __init__(self, store, keys: Keys, sessions: sessionmaker[Session],
                 upstream: Callable[[], None] | None = None) -> None:
        super().__init__(store, keys("search-log"), sessions, write=record_searches, dump=_dump,
                         load=_load, name="搜索日志", upstream=upstream)


def _dump(record: SearchRecord) -> dict:
    return record.__dict__ | {"searched_at": record.searched_at.isoformat()}


def _load(data: dict) -> SearchRecord:
    # A line queued before the page was a field of its own reads as page 1.
    return SearchRecord(**data | {"searched_at": datetime.fromisoformat(data["searched_at"])})
