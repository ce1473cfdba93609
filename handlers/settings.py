"""The feature settings handed to handlers in `Context.settings`; config.py fills them from TOML."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.reunion.policy import ReunionPolicy


@dataclass(frozen=True)
class DirectorySettings:
    """The alumni directory's abuse limits (issue 4) and where it keeps its Redis keys."""

    searches_per_hour: int = 30
    bind_failures_allowed: int = 5          # within bind_failure_window_seconds ...
    bind_failure_window_seconds: int = 3600
    bind_lockout_seconds: int = 3600        # ... lock binding this long
    max_pages_per_search: int = 10          # later pages do not count as searches; this bounds them
    last_search_ttl_seconds: int = 1800     # how long 下一页 remembers the last search
    key_prefix: str = "ab:directory:"       # under the app's Redis prefix


@dataclass(frozen=True)
class Settings:
    school_name: str = "示例大学"
    account_name: str = "示例大学校友会"
    timezone: str = "Asia/Shanghai"          # [app] timezone: what "today" and "this year" mean
    directory: DirectorySettings = field(default_factory=DirectorySettings)
    reunion: ReunionPolicy = field(default_factory=ReunionPolicy)
