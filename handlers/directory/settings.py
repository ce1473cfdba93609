"""The alumni directory's settings: the `[directory]` section, as wechat_bot.config reads it.

`Config.directory` is this object; the bot (`ctx.settings.directory`) and the API share it, so a
search or a failed binding counts against one limit whichever door it came through. `problems()` is
the section's own check, which wechat_bot.config runs at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DirectorySettings:
    """The directory's abuse limits (issue 4) and where it keeps its Redis keys."""

    searches_per_hour: int = 30
    bind_failures_allowed: int = 5          # within bind_failure_window_seconds ...
    bind_failure_window_seconds: int = 3600
    bind_lockout_seconds: int = 3600        # ... lock binding this long
    max_pages_per_search: int = 10          # later pages do not count as searches; this bounds them
    last_search_ttl_seconds: int = 1800     # how long 下一页 remembers the last search
    # Not a [directory] key: under the app's Redis prefix, which wechat_bot.config puts in front
    # (redis.key_prefix + "directory:") once it has read the file.
    key_prefix: str = field(default="ab:directory:", metadata={"derived": True})

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        for key in ("searches_per_hour", "bind_failures_allowed", "bind_failure_window_seconds",
                    "bind_lockout_seconds", "max_pages_per_search", "last_search_ttl_seconds"):
            if getattr(self, key) < 1:
                yield key, "必须是正整数"
