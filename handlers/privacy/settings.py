"""Data protection's settings: the `[privacy]` section, as wechat_bot.config reads it.

How long a 我的数据 download link is valid, and how long the records that grow with use are kept
(a daily job purges older rows, handlers.privacy.retention). The message log's own retention stays
where it was first set, `scheduler.message_log_retention_days` (docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class PrivacySettings:
    export_link_minutes: int = 30       # how long the 我的数据 download link works
    search_log_days: int = 180          # who searched what (directory search log)
    binding_log_days: int = 365         # binding attempts: bound, unbound, failed, refused
    delivery_detail_days: int = 365     # per-recipient push results lose their recipient after this
    purge_batch: int = 5000             # rows per transaction, so the purge never holds writers long

    def problems(self) -> Iterator[tuple[str, str]]:
        for key in ("export_link_minutes", "search_log_days", "binding_log_days",
                    "delivery_detail_days", "purge_batch"):
            if getattr(self, key) < 1:
                yield key, "必须是正整数"
        if self.export_link_minutes > 24 * 60:
            yield "export_link_minutes", "下载链接有效期不能超过 1440 分钟（一天）"
